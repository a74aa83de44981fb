//! The header line and the screens shown while there is no data: connecting, unreachable, bad
//! kubeconfig.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::style;
use crate::app::{App, Connection, PodCounts};
use crate::cluster::ConfigProblem;
use crate::cluster::certificates::Urgency;

pub fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let mut spans = vec![Span::styled(" kubedeck ", style::title())];
    let sep = || Span::styled(" │ ", style::dim());
    if let Some(t) = &app.target {
        spans.extend([sep(), Span::raw(format!("ctx {}", t.context))]);
        spans.extend([sep(), Span::raw(format!("cluster {}", t.cluster))]);
        if let Some(v) = &app.server_version {
            spans.extend([sep(), Span::raw(format!("k8s {v}"))]);
        }
        spans.extend([sep(), Span::raw(format!("ns {}", t.scope.label()))]);
    }
    spans.push(sep());
    spans.push(match &app.connection {
        Connection::Starting => Span::styled("● reading kubeconfig", style::warning()),
        Connection::Connecting => Span::styled("● connecting", style::warning()),
        Connection::Unreachable { .. } => Span::styled("● unreachable", style::error()),
        Connection::BadConfig(_) => Span::styled("● no usable kubeconfig", style::error()),
        Connection::Live => Span::styled("● live", style::good()),
        Connection::Reconnecting { .. } => Span::styled("● reconnecting", style::error()),
        // Short here; each pane's bottom line says since when its rows are old.
        Connection::NoAnswer { last_answer } => Span::styled(
            format!("● no answer for {} s", silent_secs(*last_answer, app.now)),
            style::error(),
        ),
        Connection::Rejected { .. } => Span::styled("● credentials rejected", style::error()),
        Connection::StorageDown { last_answer } => Span::styled(
            format!("● etcd down for {} s", silent_secs(*last_answer, app.now)),
            style::error(),
        ),
    });
    Line::from(spans).render(area, buf);
}

fn silent_secs(last_answer: jiff::Timestamp, now: jiff::Timestamp) -> i64 {
    now.duration_since(last_answer).as_secs().max(0)
}

/// "no answer from the API server for 12 s; showing what was last seen at 03:14:07", the time
/// in the local time zone.
pub fn no_answer(last_answer: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let silent = silent_secs(last_answer, now);
    let seen = last_answer.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S");
    format!("no answer from the API server for {silent} s; showing what was last seen at {seen}")
}

/// "Events: no answer for 12 s; showing what was last seen at 03:14:07": one pane's watch
/// stalled (its storage does not answer) while the API server and the other panes work.
pub fn pane_no_answer(pane: crate::app::PaneId, since: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let silent = silent_secs(since, now);
    let seen = since.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S");
    format!(
        "{}: no answer for {silent} s; showing what was last seen at {seen}",
        pane.title()
    )
}

/// "the API server's storage (etcd) does not answer for 12 s; showing what was last seen at
/// 03:14:07": the server answers, but nothing it serves is fresh and nothing can change.
pub fn storage_down(last_answer: jiff::Timestamp, now: jiff::Timestamp) -> String {
    let silent = silent_secs(last_answer, now);
    let seen = last_answer.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S");
    format!(
        "the API server's storage (etcd) does not answer for {silent} s; nothing can change; \
         showing what was last seen at {seen}"
    )
}

/// Why nothing is fresh while the server rejects our credentials, and the way out.
pub fn rejected(since: jiff::Timestamp) -> String {
    let seen = since.to_zoned(jiff::tz::TimeZone::system()).strftime("%H:%M:%S");
    format!("401 since {seen}: the token expired or was revoked; log in again, then press c and pick the context")
}

/// One line of health: what a judge or an on-call engineer wants to know at a glance.
pub fn render_summary(app: &App, area: Rect, buf: &mut Buffer) {
    let pods = &app.data.pods;
    let PodCounts { ready, failing } = app.data.pod_counts;
    let pod_style = if failing > 0 {
        style::error()
    } else if ready < pods.len() {
        style::warning()
    } else {
        style::good()
    };
    let mut spans = vec![Span::styled(format!(" pods {ready}/{} ready", pods.len()), pod_style)];
    if failing > 0 {
        spans.push(Span::styled(format!(" ({failing} failing)"), style::error()));
    }
    let at_max = app.data.hpas.iter().filter(|h| h.at_max()).count();
    spans.push(Span::styled("  │  ", style::dim()));
    spans.push(Span::styled(
        format!("HPAs {} at max of {}", at_max, app.data.hpas.len()),
        if at_max > 0 { style::warning() } else { style::good() },
    ));
    let expiring = app
        .data
        .cert_entries
        .values()
        .filter(|e| e.urgency(app.now) != Urgency::Ok)
        .count();
    spans.push(Span::styled("  │  ", style::dim()));
    spans.push(Span::styled(
        format!(
            "certs {expiring} expiring or not ready of {}",
            app.data.cert_entries.len()
        ),
        if expiring > 0 { style::warning() } else { style::good() },
    ));
    // The release that changed last is the one people ask about: did my deploy work?
    let latest = crate::cluster::releases::latest_per_release(app.data.releases.iter())
        .into_iter()
        .max_by_key(|r| r.updated);
    spans.push(Span::styled("  │  ", style::dim()));
    spans.push(match latest {
        Some(r) if r.problem.is_some() => Span::styled(format!("release {} unreadable", r.name), style::error()),
        Some(r) => Span::styled(
            format!("release {} rev {} {}", r.name, r.revision, r.status.as_str()),
            style::health(r.status.health()),
        ),
        None => Span::styled("no releases", style::dim()),
    });
    let warnings = app.data.warnings.len();
    spans.push(Span::styled("  │  ", style::dim()));
    // Before their first listing (or when events may not be read) zero would look healthy.
    spans.push(if !app.data.warnings.is_synced() {
        Span::styled("warning events ?", style::dim())
    } else {
        Span::styled(
            format!("{warnings} warning events"),
            if warnings > 0 { style::warning() } else { style::good() },
        )
    });
    Line::from(spans).render(area, buf);
}

/// Offered wherever there is no cluster to show: the wizard creates one.
const SETUP_HINT: &str = "No cluster yet? Press S for the first-run wizard (kubedeck setup): it starts Minikube and deploys the Todo Chatbot step by step.";

/// The other way forward where there is no cluster: a sandbox on this machine, or what it lacks.
fn sandbox_hint(app: &App) -> Line<'static> {
    match &app.sandbox.missing {
        None => Line::raw(
            "Or press B for a sandbox: a local cluster with the Todo Chatbot and its demos (kubedeck sandbox).",
        ),
        Some(what) => Line::styled(format!("No local sandbox (B) here: {what}."), style::dim()),
    }
}

pub fn render_config_problem(app: &App, problem: &ConfigProblem, area: Rect, buf: &mut Buffer) {
    let lines = vec![
        Line::styled(problem.what.clone(), style::error()),
        Line::raw(""),
        Line::raw(problem.fix.clone()),
        Line::raw(""),
        Line::raw(SETUP_HINT),
        sandbox_hint(app),
        Line::styled("Press q to quit.", style::dim()),
    ];
    message_box(" Cannot use the kubeconfig ", lines, area, buf);
}

pub fn render_connecting(app: &App, area: Rect, buf: &mut Buffer) {
    let server = app.target.as_ref().map_or("the cluster", |t| t.server.as_str());
    let (title, lines) = match &app.connection {
        Connection::Unreachable {
            message,
            retry_in,
            attempt,
        } => (
            " Cannot reach the cluster ",
            vec![
                Line::styled(message.clone(), style::error()),
                Line::raw(""),
                Line::raw(
                    "Start the cluster (e.g. `minikube start`, or `scripts/sim up` for the sim cluster), \
                     or pick another with --context / --kubeconfig.",
                ),
                Line::raw(SETUP_HINT),
                sandbox_hint(app),
                Line::raw(""),
                Line::styled(
                    format!(
                        "Attempt {attempt} failed; trying again in {}s. kubedeck recovers by itself when the server answers.",
                        retry_in.as_secs_f32().ceil()
                    ),
                    style::dim(),
                ),
                Line::styled("Press q to quit.", style::dim()),
            ],
        ),
        _ => (" Connecting ", vec![Line::raw(format!("Connecting to {server} ..."))]),
    };
    message_box(title, lines, area, buf);
}

fn message_box(title: &str, lines: Vec<Line<'static>>, area: Rect, buf: &mut Buffer) {
    let width = area.width.min(100);
    let [_, column, _] =
        Layout::horizontal([Constraint::Fill(1), Constraint::Length(width), Constraint::Fill(1)]).areas(area);
    let height = (lines.len() as u16 + 4).min(area.height);
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.max(8)),
        Constraint::Fill(2),
    ])
    .areas(column);
    Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(Block::bordered().title(Span::styled(title.to_owned(), style::title())))
        .render(middle, buf);
}
