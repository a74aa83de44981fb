use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::app::Msg;
use crate::cluster::objects::{ObjectKind, ObjectRef};
use crate::cluster::session::SessionEvent;
use crate::cluster::store::WatchUpdate;
use crate::cluster::{ConnectOptions, RowUpdate, Scope, Target};

use crate::app::tests::{press, type_line};

/// An app at `size` with one pod, labelled long enough to wrap, selected.
fn app_with_pod(size: (u16, u16)) -> App {
    let mut app = App::new(ConnectOptions::default(), "2026-11-23T12:00:00Z".parse().unwrap(), size);
    app.update(Msg::Session(SessionEvent::Target(Target {
        context: "kwok".into(),
        cluster: "kwok".into(),
        server: "https://127.0.0.1:1".into(),
        scope: Scope::Namespace("todo".into()),
        contexts: vec!["kwok".into()],
    })));
    let mut pod = PodRow::example(
        "todo",
        "todo-todo-chatbot-backend-7c7dfdf469-5cb49",
        "Running",
        "2026-11-23T11:00:00Z",
    );
    pod.labels = [
        ("app.kubernetes.io/name", "todo-chatbot"),
        ("app.kubernetes.io/component", "backend"),
        ("pod-template-hash", "7c7dfdf469"),
        ("helm.sh/chart", "todo-chatbot-0.1.0"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(vec![pod]))));
    app.refresh();
    app
}

/// The YAML view open on a Deployment whose containers name their images several times.
fn yaml_app() -> App {
    let mut app = app_with_pod((100, 30));
    press(&mut app, KeyCode::Char('y'));
    let object = ObjectRef {
        kind: ObjectKind::Pod,
        namespace: "todo".into(),
        name: "todo-todo-chatbot-backend-7c7dfdf469-5cb49".into(),
    };
    let containers: Vec<serde_json::Value> = (0..12)
        .map(|i| {
            serde_json::json!({"name": format!("c{i}"), "image": format!("ghcr.io/todo/c{i}:1.0"),
            "args": ["--verbose"]})
        })
        .collect();
    let value = serde_json::json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": containers,
        "note": "Image names above are pinned"}});
    app.update(Msg::ObjectLoaded(object, Ok(value)));
    app
}

fn view(app: &App) -> &TextView {
    match &app.top {
        Some(TopView::Text(view)) => view,
        _ => panic!("a text view is open"),
    }
}

/// The line at the top of the view.
fn top_line(app: &App) -> String {
    let view = view(app);
    rows(app, view, text_width(app))[view.offset].text.clone()
}

#[test]
fn yaml_search_counts_matches_and_n_and_shift_n_move_between_them() {
    let mut app = yaml_app();
    press(&mut app, KeyCode::Char('/'));
    assert_eq!(app.prompt.as_ref().map(|p| p.kind), Some(PromptKind::TextSearch));
    type_line(&mut app, "image");
    // Smartcase: lower case finds "Image" too; twelve image: keys and the note.
    assert_eq!(match_count(&app, view(&app)), 13);
    assert!(top_line(&app).contains("image: ghcr.io/todo/c0"), "{}", top_line(&app));
    press(&mut app, KeyCode::Char('n'));
    assert!(top_line(&app).contains("c1:1.0"), "{}", top_line(&app));
    press(&mut app, KeyCode::Char('N'));
    assert!(top_line(&app).contains("c0:1.0"), "{}", top_line(&app));
    press(&mut app, KeyCode::Char('N'));
    assert_eq!(app.notice.as_deref(), Some("no earlier line matches /image/"));

    // Capitals make it case-sensitive, as in the log view.
    press(&mut app, KeyCode::Char('/'));
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    type_line(&mut app, "Image");
    assert_eq!(match_count(&app, view(&app)), 1);
    assert!(top_line(&app).contains("note: Image names"), "{}", top_line(&app));

    // Not a regex: searched as text. An empty search clears it.
    press(&mut app, KeyCode::Char('/'));
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    type_line(&mut app, "c1[");
    assert_eq!(
        app.notice.as_deref(),
        Some("no line matches /c1[/"),
        "searched literally, not refused"
    );
    assert_eq!(match_count(&app, view(&app)), 0);
    press(&mut app, KeyCode::Char('/'));
    app.update(Msg::Key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL)));
    type_line(&mut app, "");
    assert!(view(&app).search.is_none());
    press(&mut app, KeyCode::Char('n'));
    assert_eq!(app.notice.as_deref(), Some("nothing to find: search with / first"));
}

#[test]
fn pod_details_wrap_at_words_and_scroll_to_the_last_row() {
    let mut app = app_with_pod((50, 14));
    press(&mut app, KeyCode::Enter);
    let width = text_width(&app);
    let all = rows(&app, view(&app), width);
    let labels: Vec<&TextRow> = all.iter().filter(|r| r.line == 3).collect();
    assert!(labels.len() > 2, "the labels take several rows: {all:?}");
    assert!(labels[0].text.starts_with("Labels:   "));
    assert!(
        labels[1..].iter().all(|r| r.text.starts_with("          ")),
        "continued under the first label: {labels:?}"
    );
    assert!(
        all.iter()
            .all(|r| unicode_width::UnicodeWidthStr::width(r.text.as_str()) <= width)
    );
    let text: String = labels.iter().map(|r| r.text.trim()).collect::<Vec<_>>().join(" ");
    assert!(
        text.contains("pod-template-hash=7c7dfdf469") && text.contains("helm.sh/chart=todo-chatbot-0.1.0"),
        "{text}"
    );
    // G reaches the last row: scrolling counts rows, not lines.
    press(&mut app, KeyCode::Char('G'));
    let count = view(&app).line_count(&app);
    assert_eq!(count, all.len());
    assert!(view(&app).offset > 0);
}
