//! Snapshot tests: the screen as text, for the states a user meets.

use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use super::render_app;
use crate::app::{App, Connection, Msg};
use crate::cluster::pods::PodRow;
use crate::cluster::session::SessionEvent;
use crate::cluster::store::WatchUpdate;
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
    app
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
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Relisting)));
    for row in rows {
        app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(row))));
    }
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::ListDone)));
    app.update(Msg::Watch(WatchStatus::Synced { kind: "pods" }));
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
        kind: "pods",
        failure: FailureKind::Unreachable,
        message: "connection refused".into(),
        retry_in: Duration::from_secs(2),
    }));
    insta::assert_snapshot!(screen(&app, 100, 12));
}

#[test]
fn forbidden_pods_show_the_reason() {
    let mut app = connected(Scope::Namespace("todo".into()));
    app.update(Msg::Watch(WatchStatus::Failed {
        kind: "pods",
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
fn tiny_terminal_asks_for_more_room_without_panicking() {
    let app = with_pods(connected(Scope::All));
    insta::assert_snapshot!(screen(&app, 30, 6));
    for (w, h) in [(1, 1), (40, 12), (41, 13), (39, 40), (200, 3)] {
        screen(&app, w, h);
    }
}
