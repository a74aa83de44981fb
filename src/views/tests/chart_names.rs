//! Every pane with the names the Todo Chatbot chart really produces, at the sizes people use:
//! each row's name must be told apart from its neighbours', however long the release name.

use ratatui::style::Color;

use super::*;
use crate::app::PaneId;
use crate::cluster::certificates::{CertificateEntry, Readiness, Source};
use crate::cluster::events::EventRow;
use crate::cluster::hpas::HpaRow;
use crate::cluster::releases::ReleaseRow;
use crate::cluster::store::ObjectKey;
use crate::cluster::workloads::{Rollout, WorkloadKind, WorkloadRow};

const SIZES: [(u16, u16); 6] = [(200, 50), (160, 45), (120, 40), (100, 30), (80, 24), (40, 12)];
const LONG_RELEASE: &str = "todo-chatbot-staging-eu-west";

/// The chart's fullname: the release name, then the chart's unless the release is named after it.
fn fullname(release: &str) -> String {
    if release.contains("todo-chatbot") {
        release.to_owned()
    } else {
        format!("{release}-todo-chatbot")
    }
}

fn ts(s: &str) -> Option<jiff::Timestamp> {
    Some(s.parse().expect("test timestamp"))
}

fn pods(full: &str) -> Vec<PodRow> {
    let mut crash = PodRow::example(
        "todo",
        &format!("{full}-backend-7c7dfdf469-x9k2p"),
        "CrashLoopBackOff",
        "2026-11-23T11:50:00Z",
    );
    crash.restarts = 3;
    crash.last_restart = ts("2026-11-23T11:59:00Z");
    vec![
        PodRow::example(
            "todo",
            &format!("{full}-backend-7c7dfdf469-5cb49"),
            "Running",
            "2026-11-23T10:00:00Z",
        ),
        crash,
        PodRow::example(
            "todo",
            &format!("{full}-frontend-5d8f9b7c6d-qwz8t"),
            "Running",
            "2026-11-23T10:00:00Z",
        ),
        PodRow::example(
            "todo",
            &format!("{full}-mcp-server-6b9c8d7f5-m2n4p"),
            "Running",
            "2026-11-23T10:00:00Z",
        ),
        PodRow::example(
            "todo",
            &format!("{full}-migrations-1-h7g6f"),
            "Completed",
            "2026-11-23T10:00:00Z",
        ),
        PodRow::example(
            "todo",
            &format!("{full}-postgresql-0"),
            "Running",
            "2026-11-23T10:00:00Z",
        ),
        PodRow::example("todo", &format!("{full}-redis-0"), "Running", "2026-11-23T10:00:00Z"),
    ]
}

fn workloads(full: &str) -> (Vec<WorkloadRow>, Vec<WorkloadRow>) {
    let row = |kind: WorkloadKind, component: &str, ready: i32, desired: i32, rollout: Rollout| {
        let name = format!("{full}-{component}");
        WorkloadRow {
            key: ObjectKey::new("todo", &format!("{}/{name}", kind.short())),
            kind,
            desired,
            ready,
            updated: desired,
            available: ready,
            images: vec![format!("ghcr.io/todo-chatbot/{component}:0.1.0")],
            containers: vec![component.to_owned()],
            selector: format!("app.kubernetes.io/component={component}"),
            rollout,
            created: ts("2026-11-23T10:00:00Z"),
            name,
        }
    };
    (
        vec![
            row(WorkloadKind::Deployment, "backend", 1, 2, Rollout::Progressing),
            row(WorkloadKind::Deployment, "frontend", 2, 2, Rollout::Complete),
            row(WorkloadKind::Deployment, "mcp-server", 1, 1, Rollout::Complete),
        ],
        vec![
            row(WorkloadKind::StatefulSet, "postgresql", 1, 1, Rollout::Complete),
            row(WorkloadKind::StatefulSet, "redis", 1, 1, Rollout::Complete),
        ],
    )
}

fn hpas(full: &str) -> Vec<HpaRow> {
    let hpa = |component: &str, current: i32, cpu: Option<i32>| {
        let name = format!("{full}-{component}");
        HpaRow {
            created: ts("2026-11-23T10:00:00Z"),
            ..super::hpa_row(
                &name,
                current,
                cpu,
                vec![super::scaling_active(
                    cpu.is_some(),
                    "the HPA was able to successfully calculate a replica count from cpu resource utilization",
                    "the HPA was unable to compute the replica count: failed to get cpu utilization",
                )],
            )
        }
    };
    vec![hpa("backend", 3, Some(82)), hpa("frontend", 2, None)]
}

fn events(full: &str) -> Vec<EventRow> {
    let event = |id: &str, warning: bool, object: String, reason: &str, message: &str| EventRow {
        key: ObjectKey::new("todo", id),
        warning,
        reason: reason.into(),
        object,
        message: message.into(),
        count: 3,
        last_seen: ts("2026-11-23T11:59:00Z"),
    };
    vec![
        event(
            "a",
            true,
            format!("Pod/{full}-backend-7c7dfdf469-x9k2p"),
            "BackOff",
            "Back-off restarting failed container backend",
        ),
        event(
            "b",
            false,
            format!("Pod/{full}-backend-7c7dfdf469-5cb49"),
            "Started",
            "Started container backend",
        ),
        event(
            "c",
            true,
            format!("HorizontalPodAutoscaler/{full}-frontend"),
            "FailedGetResourceMetric",
            "failed to get cpu utilization: unable to get metrics for resource cpu",
        ),
    ]
}

fn certificates(full: &str) -> Vec<CertificateEntry> {
    let cert = |name: String, host: &str| CertificateEntry {
        id: ObjectKey::default(),
        key: ObjectKey::new("todo", &name),
        ready: Readiness::Ready,
        names: vec![format!("{host}.todo.example.com")],
        issuer: "letsencrypt-prod".into(),
        not_after: ts("2027-02-01T00:00:00Z"),
        renewal: ts("2027-01-02T00:00:00Z"),
        source: Source {
            cert_manager: true,
            ingresses: vec![full.to_owned()],
        },
        problem: None,
    };
    vec![
        cert(format!("{full}-frontend-tls"), "app"),
        cert(format!("{full}-backend-tls"), "api"),
    ]
}

/// The dashboard in namespace `todo` with the chart deployed as `release` (and `todo` beside it).
pub(super) fn deployed(release: &str) -> App {
    let full = fullname(release);
    let mut app = with_pods(connected(Scope::Namespace("todo".into())));
    app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(pods(&full)))));
    let (deployments, statefulsets) = workloads(&full);
    app.update(Msg::Rows(RowUpdate::Deployments(WatchUpdate::Listed(deployments))));
    app.update(Msg::Rows(RowUpdate::StatefulSets(WatchUpdate::Listed(statefulsets))));
    app.update(Msg::Rows(RowUpdate::Hpas(WatchUpdate::Listed(hpas(&full)))));
    super::list_events(&mut app, events(&full));
    let mut releases = vec![ReleaseRow::example(
        "todo",
        release,
        3,
        "deployed",
        "2026-11-23T11:00:00Z",
    )];
    if release != "todo" {
        releases.push(ReleaseRow::example(
            "todo",
            "todo",
            1,
            "deployed",
            "2026-11-22T11:00:00Z",
        ));
    }
    app.update(Msg::Rows(RowUpdate::Releases(WatchUpdate::Listed(releases))));
    app.update(Msg::Rows(RowUpdate::Certificates(WatchUpdate::Listed(Vec::new()))));
    app.update(Msg::Rows(RowUpdate::TlsSecrets(WatchUpdate::Listed(Vec::new()))));
    app.update(Msg::Rows(RowUpdate::IngressTls(WatchUpdate::Listed(Vec::new()))));
    app.data.cert_entries = certificates(&full)
        .into_iter()
        .map(|mut e| {
            e.id = e.unique_key();
            (e.id.clone(), e)
        })
        .collect();
    for pane in PaneId::ALL {
        app.panes.get_mut(pane).stale = true;
    }
    app.refresh();
    app
}

pub(super) fn focused(app: &App, pane: PaneId) -> App {
    let mut app = app.clone();
    app.focus = pane;
    app
}

/// The text of every cell under each `title` header on the screen, one list per table.
fn column_cells(screen: &str, title: &str) -> Vec<Vec<String>> {
    let lines: Vec<Vec<char>> = screen.lines().map(|l| l.chars().collect()).collect();
    let title: Vec<char> = title.chars().collect();
    let mut tables = Vec::new();
    for (y, line) in lines.iter().enumerate() {
        for x in 0..line.len() {
            let word = line[x..].starts_with(&title)
                && x > 0
                && matches!(line[x - 1], ' ' | '┃' | '│')
                && line.get(x + title.len()).is_none_or(|c| !c.is_alphanumeric());
            if !word {
                continue;
            }
            // The cell ends where the next header starts.
            let mut end = x + title.len();
            while end < line.len() && line[end] != ' ' {
                end += 1;
            }
            while end < line.len() && line[end] == ' ' {
                end += 1;
            }
            let mut cells = Vec::new();
            for row in &lines[y + 1..] {
                if row.get(x).is_none_or(|c| matches!(c, '━' | '─')) {
                    break;
                }
                let cell: String = row[x..end.min(row.len())].iter().collect();
                let cell = cell.trim().to_owned();
                if !cell.is_empty() {
                    cells.push(cell);
                }
            }
            tables.push(cells);
        }
    }
    tables
}

#[test]
fn every_pane_with_the_charts_names_at_every_size() {
    for (label, release) in [("todo", "todo"), ("long_release", LONG_RELEASE)] {
        let app = deployed(release);
        for (w, h) in SIZES {
            let mut all = String::new();
            for pane in PaneId::ALL {
                let text = screen(&focused(&app, pane), w, h);
                all.push_str(&format!("── {} at {w}x{h} ──\n{text}", pane.title()));
            }
            insta::assert_snapshot!(format!("chart_names_{label}_{w}x{h}"), all);
        }
    }
}

#[test]
fn no_two_rows_show_the_same_name_when_the_names_differ() {
    for release in ["todo", LONG_RELEASE] {
        let app = deployed(release);
        for (w, h) in SIZES.into_iter().chain([(60, 20), (70, 20), (90, 25), (140, 40)]) {
            for pane in PaneId::ALL {
                let text = screen(&focused(&app, pane), w, h);
                for title in ["NAME", "TARGET", "OBJECT"] {
                    for cells in column_cells(&text, title) {
                        let mut seen = std::collections::BTreeSet::new();
                        for cell in &cells {
                            // Events may name one object twice; every other table lists distinct objects.
                            let twice = title == "OBJECT" && cells.iter().filter(|c| *c == cell).count() > 1;
                            assert!(
                                seen.insert(cell) || twice,
                                "{release} at {w}x{h}, {:?} pane: two rows read {cell:?} under {title}\n{text}",
                                pane.title()
                            );
                        }
                    }
                }
                if pane == PaneId::Pods && w >= 80 {
                    assert!(
                        text.contains("5cb49") && text.contains("x9k2p"),
                        "the pod hashes show at {w}x{h}\n{text}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_failing_pod_stays_red_when_its_row_is_cut_to_fit() {
    let app = focused(&deployed(LONG_RELEASE), PaneId::Pods);
    for (w, h) in SIZES {
        let mut app = app.clone();
        app.update(Msg::Resize { width: w, height: h });
        app.refresh();
        let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test terminal");
        terminal
            .draw(|f| render_app(&app, f.area(), f.buffer_mut()))
            .expect("draw");
        let buf = terminal.backend().buffer();
        let text = buffer_text(buf);
        let (y, line) = text
            .lines()
            .enumerate()
            .find(|(_, l)| l.contains("CrashLoop"))
            .unwrap_or_else(|| panic!("the failing pod shows at {w}x{h}\n{text}"));
        let x = line[..line.find("CrashLoop").unwrap_or(0)].chars().count() as u16;
        assert_eq!(buf[(x, y as u16)].fg, Color::Red, "at {w}x{h}\n{text}");
    }
}

#[test]
fn the_hpa_detail_never_runs_its_parts_together() {
    let app = focused(&deployed(LONG_RELEASE), PaneId::Hpas);
    for w in (40..=200).step_by(7) {
        for h in (12..=50).step_by(5) {
            let text = screen(&app, w, h);
            for line in text
                .lines()
                .filter(|l| l.contains("replicas 3/5") || l.contains("cpu 82%"))
            {
                let at = line.find("replicas 3/5").or_else(|| line.find("cpu 82%")).unwrap_or(0);
                let before: String = line[..at].chars().rev().take(2).collect();
                assert!(
                    before == "  " || before.ends_with('│') || before.starts_with('│'),
                    "at {w}x{h} the trends touch the conditions: {line:?}"
                );
            }
            for line in text.lines().filter(|l| l.contains("ScalingActive True")) {
                assert!(line.contains("replicas") || !line.contains("3/5"), "{line}");
            }
        }
    }
}
