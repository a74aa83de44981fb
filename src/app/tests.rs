use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::cluster::pods::PodRow;
use crate::cluster::store::{ObjectKey, WatchUpdate};
use crate::cluster::{ConnectOptions, Scope, Target};

fn app() -> App {
    let mut app = App::new(
        ConnectOptions::default(),
        "2026-11-23T12:00:00Z".parse().unwrap(),
        (120, 30),
    );
    app.update(Msg::Session(SessionEvent::Target(Target {
        context: "kwok-kubedeck".into(),
        cluster: "kwok-kubedeck".into(),
        server: "https://127.0.0.1:32766".into(),
        scope: Scope::Namespace("shop".into()),
        contexts: vec!["kwok-kubedeck".into(), "minikube".into()],
    })));
    app
}

/// The pods watch could not reach the API server.
fn pods_watch_unreachable() -> Msg {
    Msg::Watch(WatchStatus::Failed {
        kind: crate::cluster::store::WatchKind::Pods,
        failure: FailureKind::Unreachable,
        message: "connection refused".into(),
        retry_in: Duration::from_secs(1),
    })
}

fn pods(app: &mut App, names: &[&str]) {
    let rows = names
        .iter()
        .map(|name| PodRow::example("shop", name, "Running", "2026-11-23T11:00:00Z"))
        .collect();
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(rows))));
    app.update(Msg::Watch(WatchStatus::Synced {
        kind: crate::cluster::store::WatchKind::Pods,
    }));
    app.refresh();
}

pub(super) fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    app.refresh();
}

pub(super) fn type_line(app: &mut App, text: &str) {
    for c in text.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter);
}

fn selected(app: &App) -> String {
    app.panes
        .get(PaneId::Pods)
        .selected_key()
        .expect("a selection")
        .name
        .to_string()
}

fn shown(app: &App) -> Vec<String> {
    app.panes
        .get(PaneId::Pods)
        .view
        .iter()
        .map(|k| k.name.to_string())
        .collect()
}

#[test]
fn q_and_signals_quit() {
    let mut a = app();
    press(&mut a, KeyCode::Char('q'));
    assert!(a.should_quit);
    let mut a = app();
    a.update(Msg::Quit);
    assert!(a.should_quit);
}

#[test]
fn selection_stays_on_the_same_pod_while_rows_change() {
    let mut a = app();
    pods(&mut a, &["b", "d", "f"]);
    assert_eq!(selected(&a), "b");
    press(&mut a, KeyCode::Down);
    assert_eq!(selected(&a), "d");

    // A pod sorting before the selection appears: the highlight follows "d".
    let row = PodRow::example("shop", "a", "Pending", "2026-11-23T11:59:00Z");
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Applied(row))));
    a.refresh();
    assert_eq!(selected(&a), "d");

    // "d" is deleted: the row that took its place is highlighted, and moving works from there.
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Deleted(ObjectKey::new(
        "shop", "d",
    )))));
    a.refresh();
    assert_eq!(selected(&a), "f");
    press(&mut a, KeyCode::Up);
    assert_eq!(selected(&a), "b");
    press(&mut a, KeyCode::Char('G'));
    assert_eq!(selected(&a), "f");
    press(&mut a, KeyCode::Char('g'));
    assert_eq!(selected(&a), "a");
}

#[test]
fn scrolling_keeps_the_selection_on_screen() {
    let mut a = app();
    a.update(Msg::Resize { width: 80, height: 15 });
    let page = a.page_size();
    assert_eq!(
        page, 8,
        "15 lines less header, summary, tabs, footer, borders and column titles"
    );
    let names: Vec<String> = (0..100).map(|i| format!("pod-{i:03}")).collect();
    pods(&mut a, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let offset = |a: &App| a.panes.get(PaneId::Pods).offset;
    press(&mut a, KeyCode::PageDown);
    assert_eq!(selected(&a), "pod-008");
    assert_eq!(offset(&a), 1);
    press(&mut a, KeyCode::End);
    assert_eq!((selected(&a).as_str(), offset(&a)), ("pod-099", 92));
    press(&mut a, KeyCode::PageUp);
    assert_eq!((selected(&a).as_str(), offset(&a)), ("pod-091", 91));
}

#[test]
fn connection_states_follow_session_and_watch() {
    let mut a = app();
    assert_eq!(a.connection, Connection::Connecting);
    a.update(Msg::Session(SessionEvent::Unreachable {
        message: "connection refused".into(),
        retry_in: Duration::from_secs(1),
        attempt: 1,
    }));
    assert!(matches!(a.connection, Connection::Unreachable { attempt: 1, .. }));
    a.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    assert_eq!(a.connection, Connection::Live);
    pods(&mut a, &["x"]);

    // The API server goes away: rows stay, the header says we are reconnecting.
    a.update(pods_watch_unreachable());
    assert!(matches!(a.connection, Connection::Reconnecting { .. }));
    assert_eq!(a.data.pods.len(), 1);
    pods(&mut a, &["x", "y"]);
    assert_eq!(a.connection, Connection::Live);
    assert_eq!(a.data.pods.len(), 2);

    // A refusal (RBAC) belongs to the pane, not the connection.
    a.update(Msg::Watch(WatchStatus::Failed {
        kind: crate::cluster::store::WatchKind::Pods,
        failure: FailureKind::Refused,
        message: "forbidden: cannot list pods in shop".into(),
        retry_in: Duration::from_secs(1),
    }));
    assert_eq!(a.connection, Connection::Live);
    assert_eq!(
        a.panes.get(PaneId::Pods).problem.as_deref(),
        Some("forbidden: cannot list pods in shop")
    );
}

#[test]
fn ticks_redraw_only_when_ages_are_on_screen() {
    let mut a = app();
    assert!(!a.update(Msg::Tick("2026-11-23T12:00:01Z".parse().unwrap())));
    pods(&mut a, &["x"]);
    assert!(a.update(Msg::Tick("2026-11-23T12:00:02Z".parse().unwrap())));
}

#[test]
fn filter_prompt_filters_the_focused_pane_and_esc_clears_it() {
    let mut a = app();
    pods(&mut a, &["api-1", "api-2", "web-1"]);
    press(&mut a, KeyCode::Char('/'));
    type_line(&mut a, "web");
    assert_eq!(shown(&a), ["web-1"]);
    press(&mut a, KeyCode::Char('/'));
    press(&mut a, KeyCode::Char('u'));
    assert_eq!(
        a.prompt.as_ref().unwrap().text,
        "webu",
        "keys go to the prompt while it is open"
    );
    press(&mut a, KeyCode::Esc);
    assert_eq!(shown(&a), ["web-1"], "Esc in the prompt cancels the edit only");
    press(&mut a, KeyCode::Esc);
    assert_eq!(shown(&a), ["api-1", "api-2", "web-1"]);
    press(&mut a, KeyCode::Char('/'));
    type_line(&mut a, "!api");
    assert_eq!(shown(&a), ["web-1"]);
}

#[test]
fn command_line_switches_panes_namespaces_and_explains_mistakes() {
    let mut a = app();
    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "hpa");
    assert_eq!(a.focus, PaneId::Hpas);
    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "events");
    assert_eq!(a.focus, PaneId::Events);

    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "frobnicate");
    assert!(
        a.notice.as_deref().unwrap().contains("unknown command \"frobnicate\""),
        "{:?}",
        a.notice
    );

    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "ctx prod");
    assert!(
        a.notice
            .as_deref()
            .unwrap()
            .contains("known contexts: kwok-kubedeck, minikube")
    );
    assert!(a.effects.is_empty(), "a bad context changes nothing");

    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "ns todo");
    assert_eq!(
        a.effects,
        [Effect::Reconnect(ConnectOptions {
            namespace: Some("todo".into()),
            ..Default::default()
        })]
    );
    assert_eq!(a.connection, Connection::Starting);
}

#[test]
fn command_completion() {
    let mut a = app();
    pods(&mut a, &["x"]);
    assert_eq!(a.completions("ce"), ["certs"]);
    assert_eq!(a.completions("ctx m"), ["ctx minikube"]);
    assert_eq!(a.completions("ns s"), ["ns shop"]);
    press(&mut a, KeyCode::Char(':'));
    press(&mut a, KeyCode::Char('w'));
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.prompt.as_ref().unwrap().text, "workloads");
}

#[test]
fn sorting_by_column_keeps_the_selection() {
    let mut a = app();
    pods(&mut a, &["a", "b", "c"]);
    press(&mut a, KeyCode::Char('j'));
    assert_eq!(selected(&a), "b");
    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "sort name");
    press(&mut a, KeyCode::Char('O'));
    assert_eq!(shown(&a), ["c", "b", "a"]);
    assert_eq!(selected(&a), "b");
}

#[test]
fn sort_without_a_column_lists_them() {
    let mut a = app();
    press(&mut a, KeyCode::Char(':'));
    type_line(&mut a, "sort");
    let notice = a.notice.clone().unwrap_or_default();
    assert!(
        notice.starts_with("usage: :sort COLUMN; Pods has NAMESPACE, NAME, READY, STATUS"),
        "{notice}"
    );
}

#[test]
fn tab_number_keys_and_zoom_move_focus() {
    let mut a = app();
    press(&mut a, KeyCode::Tab);
    assert_eq!(a.focus, PaneId::Hpas);
    a.update(Msg::Key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT)));
    assert_eq!(a.focus, PaneId::Pods);
    press(&mut a, KeyCode::Char('6'));
    assert_eq!(a.focus, PaneId::Events);
    press(&mut a, KeyCode::Char('z'));
    assert!(a.zoomed);
    press(&mut a, KeyCode::Esc);
    assert!(!a.zoomed);
    press(&mut a, KeyCode::Char('?'));
    assert!(a.help.is_some());
    press(&mut a, KeyCode::Char('x'));
    assert!(a.help.is_none());
}

#[test]
fn yaml_view_masks_secret_values_and_reveals_one_at_a_time() {
    use crate::cluster::objects::{ObjectKind, ObjectRef};
    use views::{Loadable, TextBody, TopView};
    let mut a = app();
    pods(&mut a, &["web-1"]);
    press(&mut a, KeyCode::Char('y'));
    let object = ObjectRef {
        kind: ObjectKind::Pod,
        namespace: "shop".into(),
        name: "web-1".into(),
    };
    assert_eq!(a.effects, [Effect::LoadObject(object.clone())]);

    // Pretend the read returned a Secret (as from the Releases pane): values stay masked.
    let secret = serde_json::json!({"kind": "Secret", "metadata": {"name": "s"},
        "data": {"A": "YWxwaGE=", "B": "YnJhdm8="}});
    a.update(Msg::ObjectLoaded(object, Ok(secret)));
    let text = |a: &App| match &a.top {
        Some(TopView::Text(t)) => crate::views::text::lines(a, t)
            .into_iter()
            .map(|(l, _)| l)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => panic!("text view open"),
    };
    assert!(
        !text(&a).contains("alpha") && !text(&a).contains("bravo"),
        "{}",
        text(&a)
    );
    press(&mut a, KeyCode::Char('x'));
    assert!(text(&a).contains("alpha") && !text(&a).contains("bravo"));
    press(&mut a, KeyCode::Char('x'));
    assert!(
        !text(&a).contains("alpha") && text(&a).contains("bravo"),
        "one at a time"
    );
    press(&mut a, KeyCode::Char('x'));
    assert!(
        !text(&a).contains("alpha") && !text(&a).contains("bravo"),
        "then hidden again"
    );
    if let Some(TopView::Text(t)) = &a.top {
        assert!(matches!(
            &t.body,
            TextBody::Yaml {
                value: Loadable::Ready(_),
                ..
            }
        ));
    }
    press(&mut a, KeyCode::Esc);
    assert!(a.top.is_none());
}

#[test]
fn events_and_details_of_the_selected_pod() {
    use crate::cluster::events::EventRow;
    use views::TopView;
    let mut a = app();
    let mut row = PodRow::example("shop", "web-1", "CrashLoopBackOff", "2026-11-23T11:00:00Z");
    row.containers.push(crate::cluster::pods::ContainerBrief {
        name: "api".into(),
        image: "todo/backend:2".into(),
        init: false,
        ready: false,
        restarts: 3,
        state: "waiting: CrashLoopBackOff".into(),
        last_termination: Some("Error (exit 1)".into()),
        ports: Vec::new(),
    });
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Applied(row))));
    let event = |name: &str, object: &str, reason: &str| EventRow {
        key: ObjectKey::new("shop", name),
        warning: true,
        reason: reason.into(),
        object: object.into(),
        message: "m".into(),
        count: 2,
        last_seen: Some("2026-11-23T11:59:00Z".parse().unwrap()),
    };
    press(&mut a, KeyCode::Char('e'));
    let Some(TopView::Text(t)) = &a.top else {
        panic!("events view")
    };
    let lines: Vec<String> = crate::views::text::lines(&a, t).into_iter().map(|(l, _)| l).collect();
    assert_eq!(
        lines,
        ["Reading events ..."],
        "not 'no events' before the Events watch has listed"
    );
    // A refused Events watch says so, instead of reading for ever.
    a.update(Msg::Watch(WatchStatus::Failed {
        kind: crate::cluster::store::WatchKind::Events,
        failure: FailureKind::Refused,
        message: "you cannot list events in shop".into(),
        retry_in: Duration::from_secs(15),
    }));
    let Some(TopView::Text(t)) = &a.top else {
        panic!("events view")
    };
    let lines: Vec<String> = crate::views::text::lines(&a, t).into_iter().map(|(l, _)| l).collect();
    assert_eq!(lines, ["you cannot list events in shop"]);
    a.update(Msg::Rows(RowUpdate::Events(WatchUpdate::Listed(vec![
        event("e1", "Pod/web-1", "BackOff"),
        event("e2", "Pod/other", "Unrelated"),
    ]))));
    a.refresh();
    let Some(TopView::Text(t)) = &a.top else {
        panic!("events view")
    };
    let lines: Vec<String> = crate::views::text::lines(&a, t).into_iter().map(|(l, _)| l).collect();
    assert_eq!(lines.len(), t.line_count(&a));
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("BackOff") && lines[0].contains("x2"), "{lines:?}");
    press(&mut a, KeyCode::Esc);

    press(&mut a, KeyCode::Enter);
    let Some(TopView::Text(t)) = &a.top else {
        panic!("detail view")
    };
    let text: String = crate::views::text::lines(&a, t)
        .into_iter()
        .map(|(l, _)| l + "\n")
        .collect();
    assert_eq!(text.lines().count(), t.line_count(&a), "scrolling knows how long it is");
    assert!(text.contains("api: waiting: CrashLoopBackOff"), "{text}");
    assert!(text.contains("last terminated: Error (exit 1)"), "{text}");
}

#[test]
fn namespace_switcher_fuzzy_matches_and_switches() {
    use crate::cluster::namespaces::NamespaceRow;
    let mut a = app();
    for ns in ["default", "kube-system", "todo-staging", "todo-production"] {
        let row = NamespaceRow {
            key: ObjectKey::new("", ns),
        };
        a.update(Msg::Rows(RowUpdate::Namespaces(WatchUpdate::Applied(row))));
    }
    press(&mut a, KeyCode::Char('n'));
    assert_eq!(a.switcher_matches()[0], switcher::ALL_NAMESPACES);
    for c in "tdprd".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    assert_eq!(a.switcher_matches(), ["todo-production"]);
    press(&mut a, KeyCode::Enter);
    assert!(a.switcher.is_none());
    assert_eq!(
        a.effects,
        [Effect::Reconnect(ConnectOptions {
            namespace: Some("todo-production".into()),
            ..Default::default()
        })]
    );

    // Context switcher: Esc leaves everything as it was.
    let mut a = app();
    press(&mut a, KeyCode::Char('c'));
    press(&mut a, KeyCode::Char('m'));
    assert_eq!(a.switcher_matches(), ["minikube"]);
    press(&mut a, KeyCode::Esc);
    assert!(a.switcher.is_none() && a.effects.is_empty());
}

#[test]
fn rising_restarts_are_remembered_with_the_time() {
    let mut a = app();
    let mut row = PodRow::example("shop", "api", "Running", "2026-11-23T11:00:00Z");
    row.restarts = 1;
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Applied(row.clone()))));
    assert!(
        a.data.restarts_rose.is_empty(),
        "a pod first seen with restarts has not restarted under our eyes"
    );
    row.restarts = 2;
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Applied(row))));
    assert_eq!(a.data.restarts_rose.get(&ObjectKey::new("shop", "api")), Some(&a.now));
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Deleted(ObjectKey::new(
        "shop", "api",
    )))));
    assert!(a.data.restarts_rose.is_empty());
}

#[test]
fn mouse_wheel_scrolls_and_click_focuses_and_selects() {
    use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};
    let mut a = app();
    a.update(Msg::Resize { width: 170, height: 50 });
    pods(&mut a, &["a", "b", "c", "d", "e"]);
    let at = |kind, column, row| {
        Msg::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        })
    };
    // Grid: Pods top-left from row 2 (after header and summary), rows start 2 lines lower.
    a.update(at(MouseEventKind::Down(MouseButton::Left), 10, 2 + 2 + 3));
    a.refresh();
    assert_eq!((a.focus, selected(&a).as_str()), (PaneId::Pods, "d"));
    a.update(at(MouseEventKind::ScrollUp, 10, 10));
    assert_eq!(selected(&a), "a");
    // A click in the top-right pane focuses HPAs.
    a.update(at(MouseEventKind::Down(MouseButton::Left), 120, 10));
    assert_eq!(a.focus, PaneId::Hpas);
}

#[test]
fn the_deploy_prompt_picks_release_chart_and_values_and_offers_the_last_choice_per_context() {
    let mut a = app();
    let context = a.target.as_ref().map(|t| t.context.clone()).unwrap_or_default();
    let chart = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/charts/sample");
    a.deploy_choices
        .insert("elsewhere".into(), "other --chart /x -f y.yaml".into());
    press(&mut a, KeyCode::Char('d'));
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    let line = format!("shop-7 --chart {chart} -f {chart}/values.yaml");
    for c in line.chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    let Some(Effect::PlanDeploy(req)) = a.effects.pop() else {
        panic!("asks for a plan: {:?} {:?}", a.effects, a.notice)
    };
    assert_eq!(req.release, "shop-7");
    assert_eq!(req.chart_dir, std::path::PathBuf::from(chart));
    assert_eq!(req.values_files, [std::path::PathBuf::from(chart).join("values.yaml")]);
    assert_eq!(
        a.effects.pop(),
        Some(Effect::RememberDeploy {
            context: context.clone(),
            line: line.clone()
        })
    );
    // The next d on this context starts from that line; another context keeps its own.
    a.top = None;
    press(&mut a, KeyCode::Char('d'));
    assert_eq!(a.prompt.as_ref().map(|p| p.text.clone()), Some(line));
    assert_eq!(
        a.deploy_choices.get("elsewhere").map(String::as_str),
        Some("other --chart /x -f y.yaml")
    );

    for (bad, says) in [
        ("Bad_Name -f local", "not a release name"),
        ("todo --chart", "--chart needs"),
    ] {
        assert!(
            operate::parse_deploy_line(bad, "shop").unwrap_err().contains(says),
            "{bad}"
        );
    }
    let embedded = operate::parse_deploy_line("--release r1 --chart embedded -f staging", "shop").unwrap();
    assert_eq!(embedded.release, "r1");
    assert!(embedded.values_files[0].ends_with("values-staging.yaml"));
}

#[test]
fn deploy_from_the_dashboard_asks_shows_the_plan_and_applies_on_y() {
    use crate::actions::deploy::{DeployPlan, ObjectId};
    use operate::Operation;
    use views::TopView;
    let mut a = app();
    press(&mut a, KeyCode::Char('d'));
    assert_eq!(
        a.prompt.as_ref().map(|p| (p.kind, p.text.as_str())),
        Some((PromptKind::Deploy, "todo -f local"))
    );
    for c in " --set backend.image.tag=1.2".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    let Some(Effect::PlanDeploy(req)) = a.effects.pop() else {
        panic!("asks for a plan: {:?}", a.effects)
    };
    assert!(
        matches!(a.effects.pop(), Some(Effect::RememberDeploy { line, .. }) if line == "todo -f local --set backend.image.tag=1.2")
    );
    assert_eq!((req.release.as_str(), req.namespace.as_str()), ("todo", "shop"));
    assert!(req.values_files[0].ends_with("values-local.yaml"));
    assert_eq!(req.set, ["backend.image.tag=1.2"]);

    let id = ObjectId {
        api_version: "apps/v1".into(),
        kind: "Deployment".into(),
        namespace: None,
        name: "backend".into(),
    };
    a.update(Msg::PlanReady(Ok(DeployPlan {
        revision: 2,
        changed: vec![(id, "-a\n+b\n".into())],
        ..Default::default()
    })));
    let lines = |a: &App| {
        let lines = match &a.top {
            Some(TopView::Plan(p)) => p.lines(),
            Some(TopView::ActionLog(log)) => log.lines_shown(),
            _ => Vec::new(),
        };
        lines.into_iter().map(|(l, _)| l).collect::<Vec<_>>().join("\n")
    };
    assert!(
        lines(&a).contains("~ change Deployment/backend") && lines(&a).contains("y applies"),
        "{}",
        lines(&a)
    );
    assert!(lines(&a).contains("Apply revision 2 of todo to shop?"), "{}", lines(&a));
    assert!(a.effects.is_empty(), "nothing happens before y");
    press(&mut a, KeyCode::Char('y'));
    assert!(matches!(a.effects.pop(),
        Some(Effect::Operate(Operation::Deploy { request, revision: Some(2) })) if *request == req));
    a.update(Msg::ActionProgress("applied Deployment/backend".into()));
    a.update(Msg::ActionDone(Ok("release todo revision 2 deployed".into())));
    let Some(TopView::ActionLog(log)) = &a.top else {
        panic!("log view")
    };
    assert_eq!(log.title, "Deploying todo revision 2 to shop");
    assert_eq!(log.lines, ["applied Deployment/backend"]);
    assert!(lines(&a).ends_with("release todo revision 2 deployed"));

    // Bad input in the prompt is explained; nothing is asked of the cluster.
    let mut a = app();
    press(&mut a, KeyCode::Char('d'));
    for c in " --wat".chars() {
        press(&mut a, KeyCode::Char(c));
    }
    press(&mut a, KeyCode::Enter);
    assert!(
        a.notice.as_deref().unwrap().contains("\"--wat\" is not understood"),
        "{:?}",
        a.notice
    );
    assert!(a.effects.is_empty());
}

/// The history of release todo in shop, open, with these revisions and statuses.
fn history_of(revisions: &[(i32, &str)]) -> App {
    use crate::cluster::releases::ReleaseRow;
    let mut a = app();
    for &(rev, status) in revisions {
        let row = ReleaseRow::example("shop", "todo", rev, status, "2026-11-23T11:00:00Z");
        a.update(Msg::Rows(RowUpdate::Releases(WatchUpdate::Applied(row))));
    }
    press(&mut a, KeyCode::Char('4'));
    press(&mut a, KeyCode::Enter);
    a
}

/// The rollout gauges of the open action log.
fn gauges_shown(a: &App) -> Vec<(String, bool)> {
    match &a.top {
        Some(views::TopView::ActionLog(log)) => log.gauges.clone(),
        _ => panic!("the progress view"),
    }
}

/// A rollback of release todo in shop to its last good revision.
fn rollback_of_todo() -> crate::actions::operation::Operation {
    crate::actions::operation::Operation::Rollback {
        namespace: "shop".into(),
        release: "todo".into(),
        to: None,
        timeout: Duration::from_secs(60),
        waiting: Default::default(),
    }
}

#[test]
fn rollback_from_the_history_shows_the_diff_then_rolls_back_on_y() {
    let mut a = history_of(&[(1, "superseded"), (2, "deployed")]);
    press(&mut a, KeyCode::Char('g'));
    press(&mut a, KeyCode::Char('r'));
    let Some(Effect::LoadDiff(diff)) = a.effects.pop() else {
        panic!("diff first")
    };
    assert_eq!((diff.from, diff.to), (2, 1));
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.effects.pop(),
        Some(Effect::Operate(operate::Operation::Rollback {
            namespace: "shop".into(),
            release: "todo".into(),
            to: Some(1),
            timeout: operate::WAIT,
            waiting: Default::default(),
        }))
    );
}

#[test]
fn a_release_left_pending_rolls_back_from_the_history() {
    let mut a = history_of(&[(1, "superseded"), (2, "deployed"), (3, "pending-upgrade")]);
    // The newest, left pending by an interrupted upgrade, is not a way back.
    press(&mut a, KeyCode::Char('G'));
    press(&mut a, KeyCode::Char('r'));
    assert!(a.effects.is_empty());
    assert_eq!(
        a.notice.as_deref(),
        Some("revision 3 is the newest (pending-upgrade): pick an earlier one to roll back to")
    );
    // The deployed revision 2 is, as the refusal to deploy says (it said "is the one deployed").
    press(&mut a, KeyCode::Char('g'));
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('r'));
    let Some(Effect::LoadDiff(diff)) = a.effects.pop() else {
        panic!("diff first: {:?}", a.notice)
    };
    assert_eq!((diff.from, diff.to), (3, 2));
}

#[test]
fn read_only_mode_hides_and_refuses_everything_that_changes_the_cluster() {
    let mut a = app();
    a.readonly = Readonly {
        everywhere: false,
        contexts: ["kwok-kubedeck".to_owned()].into(),
    };
    // The key map learns it with the session's target, as at start-up.
    a.update(Msg::Session(SessionEvent::Target(a.target.clone().unwrap())));
    assert!(a.is_readonly() && a.keymap.readonly);
    let actions: Vec<_> = a
        .keymap
        .bindings_for(a.key_context())
        .into_iter()
        .map(|b| b.action)
        .collect();
    assert!(
        !actions.contains(&keys::Action::Deploy),
        "d is not even offered: {actions:?}"
    );
    press(&mut a, KeyCode::Char('d'));
    assert!(a.prompt.is_none() && a.effects.is_empty());
    // Called directly, the action is refused too.
    a.perform(keys::Action::Deploy);
    assert!(a.notice.as_deref().unwrap().contains("read-only"));
    assert!(a.prompt.is_none());

    // Another context is not read-only.
    let mut b = app();
    b.readonly = Readonly {
        everywhere: false,
        contexts: ["prod".to_owned()].into(),
    };
    assert!(!b.is_readonly());
    press(&mut b, KeyCode::Char('d'));
    assert!(b.prompt.is_some());
}

#[test]
fn scale_restart_and_delete_pod_ask_first_and_warn_about_an_hpa() {
    use crate::cluster::hpas::HpaRow;
    use crate::cluster::workloads::{Rollout, WorkloadKind, WorkloadRow};
    use operate::Operation;
    let mut a = app();
    let row = WorkloadRow {
        key: ObjectKey::new("shop", "deploy/backend"),
        kind: WorkloadKind::Deployment,
        name: "backend".into(),
        desired: 2,
        ready: 2,
        updated: 2,
        available: 2,
        images: vec![],
        containers: vec![],
        selector: String::new(),
        rollout: Rollout::Complete,
        created: None,
    };
    a.update(Msg::Rows(RowUpdate::Deployments(WatchUpdate::Applied(row))));
    let hpa = HpaRow {
        key: ObjectKey::new("shop", "backend"),
        target: "Deployment/backend".into(),
        scales: crate::cluster::workloads::WorkloadRef::of_kind("Deployment", "backend"),
        min: 2,
        max: 5,
        current: 2,
        desired: 2,
        metrics: vec![],
        cpu_utilization: None,
        conditions: vec![],
        last_scale: None,
        created: None,
    };
    a.update(Msg::Rows(RowUpdate::Hpas(WatchUpdate::Applied(hpa))));
    press(&mut a, KeyCode::Char('5'));
    press(&mut a, KeyCode::Char('s'));
    assert_eq!(
        a.scale_prompt_lead(),
        "scale deploy/backend (now 2; HPA backend keeps it at 2..5) to replicas: "
    );
    type_line(&mut a, "abc");
    assert!(a.notice.as_deref().unwrap().contains("0 to 1000"), "{:?}", a.notice);
    press(&mut a, KeyCode::Char('s'));
    type_line(&mut a, "4");
    let text = match &a.top {
        Some(views::TopView::Confirm(c)) => crate::views::dialogs::confirm_lines(c)
            .into_iter()
            .map(|(l, _)| l)
            .collect::<Vec<_>>()
            .join("\n"),
        _ => panic!("a confirmation"),
    };
    assert!(text.contains("Scale deploy/backend in shop to 4?"), "{text}");
    assert!(
        text.contains("HPA backend manages deploy/backend (2..5 replicas) and will override a manual scale"),
        "{text}"
    );
    assert!(a.effects.is_empty(), "nothing before y");
    press(&mut a, KeyCode::Char('y'));
    let workload = crate::actions::operate::WorkloadRef {
        statefulset: false,
        name: "backend".into(),
    };
    assert_eq!(
        a.effects.pop(),
        Some(Effect::Operate(Operation::Scale {
            namespace: "shop".into(),
            workload: workload.clone(),
            replicas: 4,
            timeout: operate::WAIT,
        }))
    );
    press(&mut a, KeyCode::Esc);
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('R'), KeyModifiers::SHIFT)));
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.effects.pop(),
        Some(Effect::Operate(Operation::Restart {
            namespace: "shop".into(),
            workload,
            timeout: operate::WAIT,
        }))
    );

    press(&mut a, KeyCode::Esc);
    pods(&mut a, &["api-1"]);
    press(&mut a, KeyCode::Char('1'));
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)));
    press(&mut a, KeyCode::Esc);
    assert!(a.effects.is_empty(), "Esc cancels");
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('d'), KeyModifiers::CONTROL)));
    press(&mut a, KeyCode::Char('y'));
    assert_eq!(
        a.effects.pop(),
        Some(Effect::Operate(Operation::DeletePod {
            namespace: "shop".into(),
            name: "api-1".into(),
            timeout: operate::WAIT,
        }))
    );
}

#[test]
fn a_demo_is_asked_for_by_name_and_warns_off_non_local_contexts() {
    use crate::app::dialogs::DemoList;
    use crate::app::operate::Operation;
    use crate::app::views::TopView;
    let mut a = app();
    a.run_command("demo chaos");
    assert!(
        a.notice
            .as_deref()
            .unwrap_or_default()
            .contains("self-healing, scaling")
    );
    a.run_command("demo self-healing");
    match &a.top {
        Some(TopView::Confirm(dialog)) => {
            assert!(matches!(dialog.operation, Operation::Demo { .. }));
            assert!(
                dialog
                    .operation
                    .question()
                    .starts_with("Self-healing: delete a backend pod.")
            );
            // The test app's context is kwok-kubedeck: local, so no warning.
            assert!(dialog.warnings.is_empty());
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(a.completions("demo auto"), ["demo autoscaling"]);
    // The Demo pane: D lists them, j moves, Enter asks for the selected one.
    a.top = None;
    a.perform(keys::Action::Demos);
    assert!(matches!(&a.top, Some(TopView::Demos(DemoList { selected: 0 }))));
    a.perform_in_view(keys::Action::Down);
    a.perform_in_view(keys::Action::Open);
    match &a.top {
        Some(TopView::Confirm(dialog)) => {
            assert!(
                matches!(&dialog.operation, Operation::Demo { demo, .. } if *demo == crate::actions::demo::Demo::Scaling)
            )
        }
        other => panic!("{other:?}"),
    }
    let mut ro = app();
    ro.readonly.everywhere = true;
    ro.run_command("demo scaling");
    assert!(ro.top.is_none() && ro.notice.as_deref().unwrap_or_default().contains("read-only"));

    // `y` on a confirmation that was open when read-only mode came on runs nothing.
    let mut late = app();
    late.run_command("demo scaling");
    assert!(matches!(&late.top, Some(TopView::Confirm(_))));
    late.readonly.everywhere = true;
    late.in_confirm(keys::Action::Confirm);
    assert!(late.effects.is_empty(), "{:?}", late.effects);
    assert!(late.top.is_none());
    assert!(late.notice.as_deref().unwrap_or_default().contains("is read-only"));
}

#[test]
fn the_events_watch_starts_when_shown_and_the_warning_count_comes_from_its_own_watch() {
    use crate::cluster::events::{EventRow, WarningKey};
    let mut a = app();
    a.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    let event = |name: &str, warning: bool| EventRow {
        key: ObjectKey::new("shop", name),
        warning,
        reason: "Scheduled".into(),
        object: format!("pod/{name}"),
        message: "assigned".into(),
        count: 1,
        last_seen: Some("2026-11-23T11:59:00Z".parse().unwrap()),
    };
    let warnings = |u| Msg::Rows(RowUpdate::Warnings(u));
    let warning = |name: &str| WarningKey(ObjectKey::new("shop", name));
    // 120x30: one pane at a time, Pods in front; Events is off screen and not watched.
    assert!(!a.on_screen(PaneId::Events));
    a.refresh();
    assert!(!a.effects.contains(&Effect::WatchEvents), "{:?}", a.effects);
    assert!(
        a.update(warnings(WatchUpdate::Listed(vec![warning("b")]))),
        "the first listing of warnings changes the summary"
    );
    assert_eq!(a.data.warnings.len(), 1);
    assert!(a.update(warnings(WatchUpdate::Applied(warning("c")))));
    assert!(
        !a.update(warnings(WatchUpdate::Applied(warning("c")))),
        "still two warnings"
    );
    assert_eq!(a.data.warnings.len(), 2);
    assert!(a.update(warnings(WatchUpdate::Deleted(ObjectKey::new("shop", "b")))));
    assert_eq!(a.data.warnings.len(), 1);

    // Shown: the Events watch is asked for once, and its rows are there on the next frame.
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('6'), KeyModifiers::NONE)));
    assert_eq!(a.focus, PaneId::Events);
    a.refresh();
    a.refresh();
    assert_eq!(a.effects.iter().filter(|e| **e == Effect::WatchEvents).count(), 1);
    let events = |u| Msg::Rows(RowUpdate::Events(u));
    a.update(events(WatchUpdate::Listed(vec![event("a", false), event("c", true)])));
    a.refresh();
    assert_eq!(a.panes.get(PaneId::Events).view.len(), 2);
    assert!(a.update(events(WatchUpdate::Applied(event("d", false)))));
}

#[test]
fn a_silent_api_server_is_not_live_until_it_answers_again() {
    let mut a = app();
    a.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    assert_eq!(a.connection, Connection::Live);
    let last_answer: Timestamp = "2026-11-23T11:59:50Z".parse().unwrap();
    a.update(Msg::Session(SessionEvent::NoAnswer { last_answer }));
    assert_eq!(a.connection, Connection::NoAnswer { last_answer });
    // A watch failing meanwhile says more (reconnecting, and why); silence does not hide it.
    a.update(pods_watch_unreachable());
    assert!(matches!(a.connection, Connection::Reconnecting { .. }));
    a.update(Msg::Session(SessionEvent::NoAnswer { last_answer }));
    assert!(matches!(a.connection, Connection::Reconnecting { .. }));
    a.update(Msg::Watch(WatchStatus::Synced {
        kind: crate::cluster::store::WatchKind::Pods,
    }));
    a.update(Msg::Session(SessionEvent::NoAnswer { last_answer }));
    a.update(Msg::Session(SessionEvent::Answering));
    assert_eq!(a.connection, Connection::Live);
}

#[test]
fn t_on_a_release_asks_then_runs_its_tests_and_read_only_refuses() {
    use crate::cluster::releases::ReleaseRow;
    let with_release = || {
        let mut a = app();
        let row = ReleaseRow::example("shop", "todo", 2, "deployed", "2026-11-23T11:00:00Z");
        a.update(Msg::Rows(RowUpdate::Releases(WatchUpdate::Applied(row))));
        press(&mut a, KeyCode::Char('4'));
        a
    };
    let mut a = with_release();
    a.update(Msg::Key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT)));
    match &a.top {
        Some(views::TopView::Confirm(dialog)) => assert_eq!(
            dialog.operation.question(),
            "Run the tests of release todo in shop (its helm.sh/hook: test pods)?"
        ),
        other => panic!("{other:?}"),
    }
    assert!(a.effects.is_empty(), "nothing runs before y");
    press(&mut a, KeyCode::Char('y'));
    let Some(Effect::Operate(operate::Operation::Test { request })) = a.effects.pop() else {
        panic!("y runs the tests")
    };
    assert_eq!((request.namespace.as_str(), request.release.as_str()), ("shop", "todo"));
    assert!(request.logs && request.only.is_empty() && request.skip.is_empty());

    let mut ro = with_release();
    ro.readonly.everywhere = true;
    ro.update(Msg::Key(KeyEvent::new(KeyCode::Char('T'), KeyModifiers::SHIFT)));
    assert!(ro.top.is_none() && ro.effects.is_empty());
}

#[test]
fn a_rollouts_gauge_counts_up_to_its_hpas_floor_as_the_wait_does() {
    use crate::cluster::hpas::HpaRow;
    use crate::cluster::workloads::{Rollout, WorkloadKind, WorkloadRef, WorkloadRow};
    let mut a = app();
    let frontend = |replicas: i32| WorkloadRow {
        key: ObjectKey::new("shop", "deploy/todo-frontend"),
        kind: WorkloadKind::Deployment,
        name: "todo-frontend".into(),
        desired: replicas,
        ready: replicas,
        updated: replicas,
        available: replicas,
        images: vec![],
        containers: vec![],
        selector: String::new(),
        rollout: if replicas == 0 {
            Rollout::ScaledDown
        } else {
            Rollout::Complete
        },
        created: None,
    };
    let hpa = HpaRow {
        key: ObjectKey::new("shop", "todo-frontend"),
        target: "Deployment/todo-frontend".into(),
        scales: WorkloadRef::of_kind("Deployment", "todo-frontend"),
        min: 2,
        max: 5,
        current: 1,
        desired: 1,
        metrics: vec![],
        cpu_utilization: None,
        conditions: vec![],
        last_scale: None,
        created: None,
    };
    a.update(Msg::Rows(RowUpdate::Hpas(WatchUpdate::Applied(hpa))));
    let listed = |row| Msg::Rows(RowUpdate::Deployments(WatchUpdate::Listed(vec![row])));
    a.update(listed(frontend(1)));
    a.start(rollback_of_todo());
    // Rolled out at one pod by kubectl's rule, but the HPA has yet to scale it to its floor.
    assert_eq!(
        gauges_shown(&a),
        [("todo-frontend █████░░░░░ 1/2 updated, 1/2 ready".to_owned(), false)]
    );
    a.update(listed(frontend(2)));
    a.refresh();
    assert_eq!(
        gauges_shown(&a),
        [("todo-frontend ██████████ 2/2 updated, 2/2 ready".to_owned(), true)]
    );
    // Scaled to zero by hand: the HPA leaves it there, and so does the gauge.
    a.update(listed(frontend(0)));
    a.refresh();
    assert_eq!(
        gauges_shown(&a),
        [("todo-frontend ░░░░░░░░░░ 0/0 updated, 0/0 ready".to_owned(), true)]
    );
}

#[test]
fn quitting_while_an_operation_runs_asks_first() {
    let mut a = app();
    a.start(rollback_of_todo());
    press(&mut a, KeyCode::Esc);
    assert!(a.top.is_none(), "the log is closed; the rollback goes on");
    press(&mut a, KeyCode::Char('q'));
    assert!(!a.should_quit);
    assert!(
        a.notice
            .as_deref()
            .unwrap()
            .starts_with("an operation is still running: q again quits")
    );
    // Another key stays, and the next q asks again.
    press(&mut a, KeyCode::Char('j'));
    press(&mut a, KeyCode::Char('q'));
    assert!(!a.should_quit);
    press(&mut a, KeyCode::Char('q'));
    assert!(a.should_quit, "q twice quits");
    // Once it has ended, q quits at once.
    let mut a = app();
    a.start(rollback_of_todo());
    a.update(Msg::ActionDone(Ok("release todo rolled back".into())));
    press(&mut a, KeyCode::Esc);
    press(&mut a, KeyCode::Char('q'));
    assert!(a.should_quit);
}

#[test]
fn a_scale_shows_the_workloads_rollout_gauge_live_from_the_watches() {
    use crate::actions::operation::Operation;
    use crate::cluster::workloads::{Rollout, WorkloadKind, WorkloadRef, WorkloadRow};
    let mut a = app();
    let deployment = |name: &str, updated: i32, ready: i32, rollout: Rollout| WorkloadRow {
        key: ObjectKey::new("shop", &format!("deploy/{name}")),
        kind: WorkloadKind::Deployment,
        name: name.into(),
        desired: 4,
        ready,
        updated,
        available: ready,
        images: vec![],
        containers: vec![],
        selector: String::new(),
        rollout,
        created: None,
    };
    let listed = |rows| Msg::Rows(RowUpdate::Deployments(WatchUpdate::Listed(rows)));
    a.update(listed(vec![
        deployment("api", 2, 1, Rollout::Progressing),
        deployment("web", 4, 4, Rollout::Complete),
    ]));
    a.start(Operation::Scale {
        namespace: "shop".into(),
        workload: WorkloadRef {
            statefulset: false,
            name: "api".into(),
        },
        replicas: 4,
        timeout: std::time::Duration::from_secs(60),
    });
    assert_eq!(
        gauges_shown(&a),
        [("api ██▓▓▓░░░░░ 2/4 updated, 1/4 ready".to_owned(), false)]
    );
    a.update(listed(vec![deployment("api", 4, 4, Rollout::Complete)]));
    a.refresh();
    assert_eq!(
        gauges_shown(&a),
        [("api ██████████ 4/4 updated, 4/4 ready".to_owned(), true)]
    );
    // The operation's own check can end before the watch catches up: the gauge keeps following.
    a.update(listed(vec![deployment("api", 3, 3, Rollout::Progressing)]));
    a.update(Msg::ActionDone(Ok("scaled".into())));
    a.update(listed(vec![deployment("api", 4, 4, Rollout::Complete)]));
    a.refresh();
    assert_eq!(
        gauges_shown(&a),
        [("api ██████████ 4/4 updated, 4/4 ready".to_owned(), true)]
    );
}
