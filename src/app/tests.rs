use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;
use crate::cluster::pods::PodRow;
use crate::cluster::store::{ObjectKey, WatchUpdate};
use crate::cluster::{Scope, Target};

fn app() -> App {
    let mut app = App::new("2026-11-23T12:00:00Z".parse().unwrap(), (120, 30));
    app.update(Msg::Session(SessionEvent::Target(Target {
        context: "kwok-kubedeck".into(),
        cluster: "kwok-kubedeck".into(),
        server: "https://127.0.0.1:32766".into(),
        scope: Scope::Namespace("shop".into()),
    })));
    app
}

fn pods(app: &mut App, names: &[&str]) {
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Relisting)));
    for name in names {
        let row = PodRow::example("shop", name, "Running", "2026-11-23T11:00:00Z");
        app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(row))));
    }
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::ListDone)));
    app.update(Msg::Watch(WatchStatus::Synced { kind: "pods" }));
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn selected(app: &App) -> String {
    let index = app.pods.selected_index().expect("a selection");
    app.pods.store.key_at(index).unwrap().name.clone()
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
    assert_eq!(selected(&a), "d");

    // "d" is deleted: the row that took its place is highlighted, and moving works from there.
    a.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Deleted(ObjectKey::new(
        "shop", "d",
    )))));
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
    assert_eq!(page, 10);
    let names: Vec<String> = (0..100).map(|i| format!("pod-{i:03}")).collect();
    pods(&mut a, &names.iter().map(String::as_str).collect::<Vec<_>>());
    press(&mut a, KeyCode::PageDown);
    assert_eq!(selected(&a), "pod-010");
    assert_eq!(a.pods.offset, 1);
    press(&mut a, KeyCode::End);
    assert_eq!((selected(&a).as_str(), a.pods.offset), ("pod-099", 90));
    press(&mut a, KeyCode::PageUp);
    assert_eq!((selected(&a).as_str(), a.pods.offset), ("pod-089", 89));
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
    a.update(Msg::Watch(WatchStatus::Failed {
        kind: "pods",
        failure: FailureKind::Unreachable,
        message: "connection refused".into(),
        retry_in: Duration::from_secs(1),
    }));
    assert!(matches!(a.connection, Connection::Reconnecting { .. }));
    assert_eq!(a.pods.store.len(), 1);
    pods(&mut a, &["x", "y"]);
    assert_eq!(a.connection, Connection::Live);
    assert_eq!(a.pods.store.len(), 2);

    // A refusal (RBAC) belongs to the pane, not the connection.
    a.update(Msg::Watch(WatchStatus::Failed {
        kind: "pods",
        failure: FailureKind::Refused,
        message: "forbidden: cannot list pods in shop".into(),
        retry_in: Duration::from_secs(1),
    }));
    assert_eq!(a.connection, Connection::Live);
    assert_eq!(a.pods.problem.as_deref(), Some("forbidden: cannot list pods in shop"));
}

#[test]
fn ticks_redraw_only_when_ages_are_on_screen() {
    let mut a = app();
    assert!(!a.update(Msg::Tick("2026-11-23T12:00:01Z".parse().unwrap())));
    pods(&mut a, &["x"]);
    assert!(a.update(Msg::Tick("2026-11-23T12:00:02Z".parse().unwrap())));
}
