//! The column chooser, wide mode, word-wrapped detail views and the YAML view's search, as a
//! user sees them; colours that carry meaning are checked, not only the text.

use std::collections::BTreeMap;

use super::chart_names::{deployed, focused};
use super::*;
use crate::app::PaneId;
use crate::app::columns::{ColumnChoices, ColumnChooser};
use crate::app::logs::{LogSearch, compile_search};
use crate::app::views::{Loadable, TextBody, TextView, TopView};
use crate::cluster::objects::{ObjectKind, ObjectRef};
use crate::config::PaneColumns;

fn choices(yaml: &str) -> ColumnChoices {
    let config: BTreeMap<String, PaneColumns> = serde_yaml::from_str(yaml).expect("test config");
    let (choices, problems) = ColumnChoices::from_config(&config, None);
    assert_eq!(problems, Vec::<String>::new());
    choices
}

/// The header line of the focused table.
fn header(text: &str, first: &str) -> String {
    text.lines()
        .find(|l| l.contains(first) && l.contains("NAME"))
        .unwrap_or_else(|| panic!("a header with {first}\n{text}"))
        .to_owned()
}

#[test]
fn wide_mode_adds_kubectls_wide_columns_and_hidden_columns_stay_hidden() {
    let mut app = focused(&deployed("todo"), PaneId::Pods);
    app.zoomed = true;
    let plain = screen(&app, 200, 20);
    assert!(!header(&plain, "READY").contains("NOMINATED NODE"), "{plain}");

    app.columns = choices("pods: {hide: [RESTARTS], wide: true}\nworkloads: {wide: true}");
    app.panes.get_mut(PaneId::Pods).stale = true;
    let wide = screen(&app, 200, 20);
    let h = header(&wide, "READY");
    assert!(h.contains("NOMINATED NODE") && h.contains("READINESS GATES"), "{wide}");
    assert!(!h.contains("RESTARTS"), "hidden with :cols\n{wide}");
    assert!(
        wide.contains("todo-todo-chatbot-backend-7c7dfdf469-5cb49"),
        "names stay whole\n{wide}"
    );
    insta::assert_snapshot!("pods_wide_without_restarts_200x20", wide);

    let workloads = screen(&focused(&app, PaneId::Workloads), 200, 20);
    let h = header(&workloads, "READY");
    assert!(h.contains("CONTAINERS") && h.contains("SELECTOR"), "{workloads}");
    assert!(workloads.contains("app.kubernetes.io/component=backend"), "{workloads}");
    insta::assert_snapshot!("workloads_wide_200x20", workloads);
}

#[test]
fn the_column_chooser_lists_every_column_with_what_is_shown() {
    let mut app = focused(&deployed("todo"), PaneId::Pods);
    app.columns = choices("pods: {hide: [RESTARTS]}");
    app.column_chooser = Some(ColumnChooser {
        pane: PaneId::Pods,
        selected: 4,
    });
    let text = screen(&app, 100, 30);
    for line in [
        "wide mode: off",
        "[x] NAME  (always shown)",
        "[ ] RESTARTS",
        "[x] NOMINATED NODE  (wide mode)",
    ] {
        assert!(text.contains(line), "{line:?} in\n{text}");
    }
    insta::assert_snapshot!("column_chooser_100x30", text);
}

/// The YAML view of a Deployment with a long annotation, searched for `backend`.
fn yaml_view(app: &App, search: Option<&str>) -> App {
    let mut app = app.clone();
    let value = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "todo-todo-chatbot-backend", "namespace": "todo", "annotations": {
            "kubernetes.io/change-cause": "helm upgrade todo ./todo-chatbot --set backend.image.tag=1.4.2 --set backend.replicas=3 --wait"}},
        "spec": {"replicas": 3, "template": {"spec": {"containers": [
            {"name": "backend", "image": "ghcr.io/todo-chatbot/backend:1.4.2"}]}}}
    });
    let mut view = TextView::new(TextBody::Yaml {
        object: ObjectRef {
            kind: ObjectKind::Deployment,
            namespace: "todo".into(),
            name: "todo-todo-chatbot-backend".into(),
        },
        value: Loadable::Ready(value),
        revealed: None,
    });
    view.search = search.map(|s| LogSearch {
        text: s.to_owned(),
        regex: compile_search(s).expect("test search"),
    });
    app.top = Some(TopView::Text(view));
    app
}

#[test]
fn the_yaml_view_wraps_long_values_and_marks_and_counts_search_matches() {
    let app = yaml_view(&deployed("todo"), Some("backend"));
    let (w, h) = (80, 24);
    let mut shown = app.clone();
    shown.update(Msg::Resize { width: w, height: h });
    shown.refresh();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
    terminal
        .draw(|f| render_app(&shown, f.area(), f.buffer_mut()))
        .expect("draw");
    let buf = terminal.backend().buffer();
    let text = buffer_text(buf);
    assert!(text.contains("/backend/ 5 matches"), "{text}");
    // The annotation is wrapped at words, nothing cut: its end is on screen.
    assert!(text.contains("--wait"), "{text}");
    assert!(
        !text
            .lines()
            .any(|l| l.contains("--set backend.re") && !l.contains("replicas")),
        "{text}"
    );
    // Every "backend" drawn in the view is marked (not the title's).
    let marked = crate::views::style::search_match();
    let mut seen = 0;
    for (y, line) in text.lines().enumerate().skip(1) {
        let chars: Vec<char> = line.chars().collect();
        for x in 0..chars.len() {
            if chars[x..].iter().take(7).collect::<String>() == "backend" {
                seen += 1;
                let cell = &buf[(x as u16, y as u16)];
                assert_eq!(
                    (cell.fg, cell.bg, cell.modifier),
                    (
                        marked.fg.unwrap_or(cell.fg),
                        marked.bg.unwrap_or(cell.bg),
                        cell.modifier | marked.add_modifier
                    ),
                    "{x},{y} of {line:?} is marked"
                );
                let before = &buf[((x as u16).saturating_sub(1), y as u16)];
                assert_ne!(
                    (before.fg, before.bg),
                    (cell.fg, cell.bg),
                    "only the match is marked: {line:?}"
                );
            }
        }
    }
    assert!(seen >= 5, "{text}");
    insta::assert_snapshot!("yaml_search_80x24", text);
}

#[test]
fn pod_details_wrap_their_labels_at_words() {
    let mut app = focused(&deployed("todo"), PaneId::Pods);
    let key = app.panes.get(PaneId::Pods).view[0].clone();
    if let Some(pod) = app.data.pods.get(&key).cloned() {
        let mut pod = pod;
        pod.labels = [
            ("app.kubernetes.io/name", "todo-chatbot"),
            ("app.kubernetes.io/component", "backend"),
            ("app.kubernetes.io/instance", "todo"),
            ("pod-template-hash", "7c7dfdf469"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Applied(pod))));
    }
    app.top = Some(TopView::Text(TextView::new(TextBody::PodDetail(key))));
    let text = screen(&app, 60, 20);
    for label in [
        "app.kubernetes.io/name=todo-chatbot",
        "app.kubernetes.io/component=backend",
        "pod-template-hash=7c7dfdf469",
    ] {
        assert!(text.contains(label), "{label} whole in\n{text}");
    }
    insta::assert_snapshot!("pod_detail_wrapped_60x20", text);
}

#[test]
fn w_adds_the_wide_columns_where_there_is_room_and_keeps_ip() {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = focused(&deployed("todo"), PaneId::Pods);
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('W'), KeyModifiers::SHIFT)));
    let wide = screen(&app, 200, 12);
    let h = header(&wide, "READY");
    assert!(h.contains("NOMINATED NODE") && h.contains("READINESS GATES"), "{wide}");
    // Where there is no room for them, W changes nothing: no default column gives way to them.
    let narrow = header(&screen(&app, 100, 12), "READY");
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('W'), KeyModifiers::SHIFT)));
    assert_eq!(narrow, header(&screen(&app, 100, 12), "READY"));
}
