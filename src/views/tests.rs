//! Snapshot tests: the screen as text, for the states a user meets.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::render_app;
use crate::app::{App, Connection, Msg};
use crate::cluster::hpas::{HpaCondition, HpaRow, MetricReading};
use crate::cluster::pods::PodRow;
use crate::cluster::session::SessionEvent;
use crate::cluster::store::{ObjectKey, WatchUpdate};
use crate::cluster::watch::WatchStatus;
use crate::cluster::{ConfigProblem, FailureKind, RowUpdate, Scope, Target};

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut app = app.clone();
    app.update(Msg::Resize { width, height });
    app.refresh();
    drawn(width, height, |area, buf| render_app(&app, area, buf))
}

/// What `draw` puts on a `width` x `height` test terminal, as text with trailing spaces trimmed.
pub(super) fn drawn(width: u16, height: u16, draw: impl FnOnce(Rect, &mut Buffer)) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| draw(f.area(), f.buffer_mut())).unwrap();
    buffer_text(terminal.backend().buffer())
}

/// The screen as text, one line per row, trailing blanks trimmed: what a snapshot compares.
pub(super) fn buffer_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let line: String = (area.left()..area.right()).map(|x| buf[(x, y)].symbol()).collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An app connected to a sim-like cluster, with nothing listed yet.
pub(super) fn connected_app(scope: Scope) -> App {
    connected(scope)
}

fn connected(scope: Scope) -> App {
    let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (100, 12));
    app.update(Msg::Session(SessionEvent::Target(Target {
        context: "kwok-kubedeck".into(),
        cluster: "kwok-kubedeck".into(),
        server: "https://127.0.0.1:32766".into(),
        scope,
        contexts: vec!["kwok-kubedeck".into()],
    })));
    app.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    // The Warning-events watch has listed: no warnings until a test lists some.
    app.update(Msg::Rows(RowUpdate::Warnings(WatchUpdate::Listed(Vec::new()))));
    app
}

/// Lists `rows` as both watches would: every event, and the Warning ones on their own.
pub(super) fn list_events(app: &mut App, rows: Vec<crate::cluster::events::EventRow>) {
    let warnings = rows
        .iter()
        .filter(|e| e.warning)
        .map(|e| crate::cluster::events::WarningKey(e.key.clone()))
        .collect();
    app.update(Msg::Rows(RowUpdate::Warnings(WatchUpdate::Listed(warnings))));
    app.update(Msg::Rows(RowUpdate::Events(WatchUpdate::Listed(rows))));
}

fn with_pods(mut app: App) -> App {
    let all = app.target.as_ref().is_some_and(|t| t.scope == Scope::All);
    let mut crash = PodRow::example("todo", "backend-7c9d-x2x", "CrashLoopBackOff", "2026-11-23T11:55:00Z");
    crash.restarts = 4;
    crash.last_restart = Some("2026-11-23T11:59:30Z".parse().unwrap());
    let rows = [
        PodRow::example("todo", "frontend-5f6b-abc12", "Running", "2026-11-20T09:00:00Z"),
        crash,
        PodRow::example("todo", "migrate-1-zz", "Completed", "2026-11-23T10:00:00Z"),
        PodRow::example(
            if all { "kube-system" } else { "todo" },
            "redis-0",
            "Pending",
            "2026-11-23T11:59:50Z",
        ),
    ];
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(rows.into()))));
    app.update(Msg::Watch(WatchStatus::Synced {
        kind: crate::cluster::store::WatchKind::Pods,
    }));
    app.refresh();
    app
}

#[test]
fn pods_in_one_namespace() {
    let app = with_pods(connected(Scope::Namespace("todo".into())));
    insta::assert_snapshot!(screen(&app, 100, 12));
}

#[test]
fn pods_in_all_namespaces_narrow() {
    let app = with_pods(connected(Scope::All));
    insta::assert_snapshot!(screen(&app, 60, 12));
    insta::assert_snapshot!("pods_in_all_namespaces_wide", screen(&app, 160, 12));
}

#[test]
fn reconnecting_keeps_rows_and_says_why() {
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    app.update(Msg::Watch(WatchStatus::Failed {
        kind: crate::cluster::store::WatchKind::Pods,
        failure: FailureKind::Unreachable,
        message: "connection refused".into(),
        retry_in: Duration::from_secs(2),
    }));
    insta::assert_snapshot!(screen(&app, 100, 12));
    // The summary line and the rows are dimmed; the header, which says why, is not.
    let mut app = app.clone();
    app.update(Msg::Resize { width: 100, height: 12 });
    app.refresh();
    let mut terminal = Terminal::new(TestBackend::new(100, 12)).unwrap();
    terminal.draw(|f| render_app(&app, f.area(), f.buffer_mut())).unwrap();
    let buf = terminal.backend().buffer();
    let dim = |x: u16, y: u16| buf[(x, y)].modifier.contains(ratatui::style::Modifier::DIM);
    assert!(dim(2, 1), "the summary line is dimmed");
    assert!(dim(2, 4), "the pod rows are dimmed");
    assert!(!dim(2, 0), "the header is not");
}

#[test]
fn forbidden_pods_show_the_reason() {
    let mut app = connected(Scope::Namespace("todo".into()));
    app.update(Msg::Watch(WatchStatus::Failed {
        kind: crate::cluster::store::WatchKind::Pods,
        failure: FailureKind::Refused,
        message: "forbidden: User \"dev\" cannot list resource \"pods\" in namespace \"todo\"".into(),
        retry_in: Duration::from_secs(2),
    }));
    app.connection = Connection::Live;
    insta::assert_snapshot!(screen(&app, 100, 12));
}

#[test]
fn unreachable_before_first_contact() {
    let mut app = connected(Scope::Namespace("default".into()));
    app.server_version = None;
    app.update(Msg::Session(SessionEvent::Unreachable {
        message: "Cannot reach the API server at https://127.0.0.1:9/: connection refused. Is the cluster running?"
            .into(),
        retry_in: Duration::from_secs(4),
        attempt: 3,
    }));
    insta::assert_snapshot!(screen(&app, 100, 16));
}

#[test]
fn bad_kubeconfig() {
    let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (100, 16));
    app.update(Msg::Session(SessionEvent::ConfigProblem(ConfigProblem {
        what: "No kubeconfig at /home/dev/.kube/config.".into(),
        fix: "Point kubedeck at a working kubeconfig with --kubeconfig PATH or KUBECONFIG.".into(),
    })));
    insta::assert_snapshot!(screen(&app, 100, 16));
}

#[test]
fn a_message_box_is_as_tall_as_its_wrapped_lines() {
    let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (80, 24));
    app.update(Msg::Session(SessionEvent::ConfigProblem(ConfigProblem {
        what: "No kubeconfig at /home/dev/.kube/config.".into(),
        fix: "Point kubedeck at a working kubeconfig with --kubeconfig PATH or KUBECONFIG, or create a \
              cluster first (`minikube start`, or `scripts/sim up` for the sim cluster)."
            .into(),
    })));
    // At 80 columns four lines wrap: the last line, how to leave, was cut off below them.
    let text = screen(&app, 80, 24);
    assert!(text.contains("│Press q to quit."), "{text}");
    assert!(text.contains("sandbox)."), "{text}");
}

#[test]
fn tiny_terminal_asks_for_more_room_without_panicking() {
    let app = with_pods(connected(Scope::All));
    insta::assert_snapshot!(screen(&app, 30, 6));
    for (w, h) in [(1, 1), (40, 12), (41, 13), (39, 40), (200, 3)] {
        screen(&app, w, h);
    }
}

/// An HPA of Deployment `name` in todo (2..5 replicas, CPU and memory metrics), as the HPA
/// snapshots draw it.
fn hpa_row(name: &str, current: i32, cpu: Option<i32>, conditions: Vec<HpaCondition>) -> HpaRow {
    HpaRow {
        key: ObjectKey::new("todo", name),
        target: format!("Deployment/{name}"),
        scales: crate::cluster::workloads::WorkloadRef::of_kind("Deployment", name),
        min: 2,
        max: 5,
        current,
        desired: current,
        metrics: vec![
            MetricReading {
                name: "cpu".into(),
                current: cpu.map(|c| format!("{c}%")),
                target: "70%".into(),
            },
            MetricReading {
                name: "memory".into(),
                current: Some("41%".into()),
                target: "80%".into(),
            },
        ],
        cpu_utilization: cpu,
        conditions,
        last_scale: "2026-11-23T11:55:00Z".parse().ok(),
        created: "2026-11-20T10:00:00Z".parse().ok(),
    }
}

/// The ScalingActive condition of an HPA that has (`ok`) or lacks its CPU metric.
fn scaling_active(ok: bool, ok_message: &str, failed_message: &str) -> HpaCondition {
    HpaCondition {
        kind: "ScalingActive".into(),
        ok,
        reason: if ok {
            "ValidMetricFound"
        } else {
            "FailedGetResourceMetric"
        }
        .into(),
        message: if ok { ok_message } else { failed_message }.into(),
    }
}

mod panes {
    //! Each remaining pane at two sizes, healthy and unhealthy.

    use super::*;
    use crate::app::PaneId;
    use crate::cluster::events::EventRow;
    use crate::cluster::hpas::{HpaCondition, HpaRow};
    use crate::cluster::store::ObjectKey;
    use crate::cluster::workloads::{Rollout, WorkloadKind, WorkloadRow};

    fn focused(mut app: App, pane: PaneId, w: u16, h: u16) -> String {
        app.focus = pane;
        app.panes.get_mut(pane).stale = true;
        screen(&app, w, h)
    }

    fn ts(s: &str) -> Option<jiff::Timestamp> {
        Some(s.parse().unwrap())
    }

    fn workload(kind: WorkloadKind, name: &str, ready: i32, desired: i32, rollout: Rollout) -> WorkloadRow {
        WorkloadRow {
            key: ObjectKey::new("todo", &format!("{}/{name}", kind.short())),
            kind,
            name: name.into(),
            desired,
            ready,
            updated: ready,
            available: ready,
            images: vec![format!("ghcr.io/todo/{name}:1.4.2")],
            containers: vec![name.to_owned()],
            selector: format!("app={name}"),
            rollout,
            created: ts("2026-11-20T10:00:00Z"),
        }
    }

    fn hpa(name: &str, current: i32, cpu: Option<i32>, limited: bool) -> HpaRow {
        let conditions = vec![
            HpaCondition {
                kind: "AbleToScale".into(),
                ok: true,
                reason: "ReadyForNewScale".into(),
                message: "".into(),
            },
            super::scaling_active(cpu.is_some(), "", "unable to get metrics for resource cpu"),
            HpaCondition {
                kind: "ScalingLimited".into(),
                ok: limited,
                reason: if limited {
                    "TooManyReplicas"
                } else {
                    "DesiredWithinRange"
                }
                .into(),
                message: "".into(),
            },
        ];
        super::hpa_row(name, current, cpu, conditions)
    }

    fn event(name: &str, warning: bool, object: &str, reason: &str, message: &str, count: i32) -> EventRow {
        EventRow {
            key: ObjectKey::new("todo", name),
            warning,
            reason: reason.into(),
            object: object.into(),
            message: message.into(),
            count,
            last_seen: ts("2026-11-23T11:58:00Z"),
        }
    }

    fn with(app: &mut App, update: RowUpdate) {
        app.update(Msg::Rows(update));
    }

    fn listed<R>(wrap: fn(WatchUpdate<R>) -> RowUpdate, app: &mut App, rows: Vec<R>) {
        with(app, wrap(WatchUpdate::Listed(rows)));
    }

    #[test]
    fn workloads_healthy_and_stalled() {
        let mut app = connected(Scope::Namespace("todo".into()));
        listed(
            RowUpdate::Deployments,
            &mut app,
            vec![
                workload(WorkloadKind::Deployment, "frontend", 2, 2, Rollout::Complete),
                workload(
                    WorkloadKind::Deployment,
                    "backend",
                    1,
                    3,
                    Rollout::Stalled("ReplicaSet \"backend-7c9d\" has timed out progressing.".into()),
                ),
                workload(WorkloadKind::Deployment, "mcp-server", 1, 2, Rollout::Progressing),
            ],
        );
        listed(
            RowUpdate::StatefulSets,
            &mut app,
            vec![workload(WorkloadKind::StatefulSet, "redis", 1, 1, Rollout::Complete)],
        );
        insta::assert_snapshot!("workloads_wide", focused(app.clone(), PaneId::Workloads, 140, 12));
        insta::assert_snapshot!("workloads_narrow", focused(app, PaneId::Workloads, 60, 12));
    }

    #[test]
    fn hpas_healthy_and_at_max_with_sparklines() {
        let mut app = connected(Scope::Namespace("todo".into()));
        listed(
            RowUpdate::Hpas,
            &mut app,
            vec![hpa("frontend", 2, Some(35), false), hpa("backend", 5, Some(240), true)],
        );
        // The backend HPA's history over the session: it scaled up as CPU rose.
        for (replicas, cpu) in [(2, 40), (3, 120), (4, 200), (5, 240)] {
            with(
                &mut app,
                RowUpdate::Hpas(WatchUpdate::Applied(hpa("backend", replicas, Some(cpu), replicas == 5))),
            );
        }
        with(
            &mut app,
            RowUpdate::Hpas(WatchUpdate::Applied(hpa("mcp", 2, None, false))),
        );
        let mut wide = app.clone();
        wide.focus = PaneId::Hpas;
        wide.refresh();
        wide.panes
            .get_mut(PaneId::Hpas)
            .select(&ObjectKey::new("todo", "backend"), 10);
        insta::assert_snapshot!("hpas_wide", focused(wide, PaneId::Hpas, 140, 20));
        insta::assert_snapshot!("hpas_narrow", focused(app, PaneId::Hpas, 60, 12));
    }

    #[test]
    fn events_warnings_first() {
        let mut app = connected(Scope::Namespace("todo".into()));
        list_events(
            &mut app,
            vec![
                event(
                    "a",
                    false,
                    "Pod/frontend-1",
                    "Scheduled",
                    "Successfully assigned todo/frontend-1 to sim-node-0",
                    1,
                ),
                event(
                    "b",
                    true,
                    "Pod/backend-2",
                    "BackOff",
                    "Back-off restarting failed container api",
                    14,
                ),
                event(
                    "c",
                    true,
                    "Pod/backend-2",
                    "Unhealthy",
                    "Readiness probe failed: HTTP probe failed with statuscode: 503",
                    7,
                ),
                event(
                    "d",
                    true,
                    "HorizontalPodAutoscaler/mcp",
                    "FailedGetResourceMetric",
                    "unable to get metrics for resource cpu",
                    30,
                ),
            ],
        );
        insta::assert_snapshot!("events_wide", focused(app.clone(), PaneId::Events, 140, 12));
        insta::assert_snapshot!("events_narrow", focused(app, PaneId::Events, 60, 12));
    }

    #[test]
    fn the_four_pane_grid_on_a_large_terminal() {
        let mut app = with_pods(connected(Scope::Namespace("todo".into())));
        listed(
            RowUpdate::Hpas,
            &mut app,
            vec![hpa("frontend", 2, Some(35), false), hpa("backend", 5, Some(240), true)],
        );
        let text = screen(&app, 160, 45);
        for title in ["Pods (todo)", "HPAs (todo)", "Certificates (todo)", "Releases (todo)"] {
            assert!(text.contains(title), "{title} missing:\n{text}");
        }
        assert!(!text.contains(" 1 Pods  2 HPAs"), "no tabs in the grid:\n{text}");
        insta::assert_snapshot!("grid", text);
        // One column less and the panes become tabs.
        assert!(screen(&app, 159, 45).contains(" 1 Pods  2 HPAs"));
    }
}

mod chart_names;
mod columns_and_text;

#[test]
fn one_stalled_watch_dims_its_pane_only_and_comes_back() {
    use crate::cluster::store::WatchKind;
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    let last_answer: jiff::Timestamp = "2026-11-23T11:59:48Z".parse().unwrap();
    app.update(Msg::Watch(WatchStatus::Stalled {
        kind: WatchKind::Pods,
        last_answer,
    }));
    let text = screen(&app, 100, 12);
    let seen = last_answer.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S");
    assert!(
        text.contains(&format!(
            "Pods: no answer for 12 s; showing what was last seen at {seen}"
        )),
        "{text}"
    );
    // The API server answers: the header stays live, and only this pane is dimmed.
    assert_eq!(app.connection, Connection::Live);
    assert!(text.contains("live"), "{text}");
    assert!(buf_dimmed(&app), "its rows are dimmed");

    // Another kind stalling or answering leaves the pods pane alone; its own answer ends it.
    app.update(Msg::Watch(WatchStatus::Answering {
        kind: WatchKind::Events,
    }));
    assert!(screen(&app, 100, 12).contains("Pods: no answer"));
    app.update(Msg::Watch(WatchStatus::Answering { kind: WatchKind::Pods }));
    let text = screen(&app, 100, 12);
    assert!(!text.contains("no answer"), "{text}");
    assert!(!buf_dimmed(&app), "live again, not dimmed");
}

/// Whether the first pod row is drawn dimmed.
fn buf_dimmed(app: &App) -> bool {
    let mut app = app.clone();
    app.update(Msg::Resize { width: 100, height: 12 });
    app.refresh();
    let mut buf = Buffer::empty(Rect::new(0, 0, 100, 12));
    render_app(&app, buf.area, &mut buf);
    let text = buffer_text(&buf);
    let y = text.lines().position(|l| l.contains("frontend-5f6b-abc12")).unwrap() as u16;
    let x = (0..100).find(|&x| buf[(x, y)].symbol() == "f").unwrap();
    buf[(x, y)].modifier.contains(ratatui::style::Modifier::DIM)
}

#[test]
fn pods_sorted_by_live_cpu_busiest_first() {
    use crate::cluster::metrics::{MetricsReading, Usage};
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    let usage = |cpu: f64, mib: f64| Usage {
        cpu_millis: cpu,
        memory_bytes: mib * 1024.0 * 1024.0,
    };
    // redis-0 (Pending) has no reading: a missing value, at the end of the ascending order as
    // in any column, so first when reversed.
    app.update(Msg::Metrics(MetricsReading {
        at: "2026-11-23T12:00:00Z".parse().unwrap(),
        pods: Ok(vec![
            (ObjectKey::new("todo", "frontend-5f6b-abc12"), usage(40.0, 90.0)),
            (ObjectKey::new("todo", "backend-7c9d-x2x"), usage(480.0, 30.0)),
            (ObjectKey::new("todo", "migrate-1-zz"), usage(1.0, 5.0)),
        ]),
        nodes: Ok(vec![]),
    }));
    app.run_command("sort CPU");
    app.panes.get_mut(crate::app::PaneId::Pods).reverse_sort();
    insta::assert_snapshot!(screen(&app, 130, 12));
}

#[test]
fn the_warning_count_is_unknown_until_the_warning_events_are_listed() {
    let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (100, 12));
    app.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    let text = screen(&app, 160, 12);
    assert!(
        text.contains("warning events ?"),
        "not a green 0 before the listing:\n{text}"
    );
    app.update(Msg::Rows(RowUpdate::Warnings(WatchUpdate::Listed(vec![
        crate::cluster::events::WarningKey(ObjectKey::new("todo", "e1")),
    ]))));
    assert!(screen(&app, 160, 12).contains("1 warning events"));
}

#[test]
fn a_narrow_terminal_keeps_the_connection_state_and_what_is_unhealthy() {
    let eks = "arn:aws:eks:eu-west-1:123456789012:cluster/todo-prod";
    let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (80, 24));
    app.update(Msg::Session(SessionEvent::Target(Target {
        context: eks.into(),
        cluster: eks.into(),
        server: "https://127.0.0.1:32766".into(),
        scope: Scope::Namespace("todo".into()),
        contexts: vec![eks.into()],
    })));
    app.update(Msg::Session(SessionEvent::Connected {
        version: "v1.36.3".into(),
    }));
    app.update(Msg::Rows(RowUpdate::Warnings(WatchUpdate::Listed(vec![
        crate::cluster::events::WarningKey(ObjectKey::new("todo", "e1")),
        crate::cluster::events::WarningKey(ObjectKey::new("todo", "e2")),
    ]))));
    let text = screen(&app, 80, 24);
    let mut lines = text.lines();
    let (header, summary) = (lines.next().unwrap(), lines.next().unwrap());
    // Two 52-column names used to push the state off the line: whether rows are live must show.
    assert!(header.ends_with("│ ns todo │ ● live"), "{header}");
    assert!(header.contains("ctx arn:aws:eks…er/todo-prod"), "{header}");
    // The healthy parts give way; the warnings stay.
    assert!(
        summary.contains("pods 0/0 ready") && summary.ends_with("│ 2 warnings"),
        "{summary}"
    );
    // Of two unhealthy parts, the release (did my deploy work?) stays longest.
    let pending =
        crate::cluster::releases::ReleaseRow::example("todo", "todo", 3, "pending-upgrade", "2026-11-23T11:00:00Z");
    let mut stuck = app.clone();
    stuck.update(Msg::Rows(RowUpdate::Releases(WatchUpdate::Applied(pending))));
    let summary = screen(&stuck, 60, 24).lines().nth(1).unwrap().to_owned();
    assert_eq!(
        summary, " pods 0/0 ready │ release todo rev 3 pending-upgrade",
        "{summary}"
    );
    // Wide enough, every part in full.
    let wide = screen(&app, 200, 24);
    assert!(wide.contains(&format!("ctx {eks} │ cluster {eks}")), "{wide}");
    assert!(
        wide.contains("HPAs 0 at max of 0  │  certs 0 expiring or not ready of 0"),
        "{wide}"
    );
}

#[test]
fn a_filter_that_hides_every_row_says_so() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    for c in "/nomatch".chars() {
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)));
    }
    app.update(Msg::Key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE)));
    let text = screen(&app, 100, 12);
    assert!(
        text.contains("Nothing matches the filter \"nomatch\" (Esc clears it)."),
        "{text}"
    );
    assert!(!text.contains("No pods in"), "{text}");
}

#[test]
fn a_long_notice_is_read_whole_at_the_bottom() {
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    let sentence = "\"-sim\" is not understood here: use RELEASE, --chart PATH|embedded, -f \
                    local|staging|production|PATH, --set KEY=VALUE or --atomic; nothing was deployed.";
    app.notice = Some(sentence.into());
    let text = screen(&app, 60, 16);
    let rows: Vec<&str> = text.lines().collect();
    // The notice's rows are the last ones, and together they say all of it.
    let bottom = rows
        .iter()
        .rposition(|r| r.starts_with('┗'))
        .expect("the pane's bottom border")
        + 1;
    let notice: Vec<&str> = rows[bottom..]
        .iter()
        .map(|r| r.trim())
        .filter(|r| !r.is_empty())
        .collect();
    assert!(notice.len() > 1, "{text}");
    assert_eq!(notice.join(" "), sentence, "{text}");
    // The pane gave up the rows: paging knows it has fewer.
    let mut roomy = app.clone();
    roomy.notice = None;
    roomy.update(Msg::Resize { width: 60, height: 16 });
    app.update(Msg::Resize { width: 60, height: 16 });
    assert_eq!(app.page_size() + notice.len() - 1, roomy.page_size());

    // One longer than four rows ends in "…" on its fourth, within the screen.
    app.notice = Some(sentence.repeat(3));
    let text = screen(&app, 60, 16);
    let rows: Vec<&str> = text.lines().collect();
    let notice = &rows[rows.len() - crate::app::layout::NOTICE_ROWS..];
    assert!(notice[3].ends_with('…'), "{text}");
    assert!(notice.iter().all(|r| r.chars().count() <= 60), "{text}");
}
