//! The header line and the screens shown while there is no data: connecting, unreachable, bad
//! kubeconfig.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph, Widget, Wrap};

use super::style;
use crate::app::{App, Connection, PodCounts};
use crate::cluster::ConfigProblem;
use crate::cluster::certificates::Urgency;

pub fn render_header(app: &App, area: Rect, buf: &mut Buffer) {
    let mut parts = vec![Part::new(" kubedeck ", style::title()).short(" kubedeck").drops(2)];
    if let Some(t) = &app.target {
        parts.push(
            Part::new(format!("ctx {}", t.context), Style::new())
                .short(format!("ctx {}", elide(&t.context)))
                .drops(3),
        );
        parts.push(Part::new(format!("cluster {}", t.cluster), Style::new()).drops(0));
        if let Some(v) = &app.server_version {
            parts.push(Part::new(format!("k8s {v}"), Style::new()).short(v.clone()).drops(1));
        }
        parts.push(Part::new(format!("ns {}", t.scope.label()), Style::new()).drops(4));
    }
    // The connection's state is never dropped: a narrow terminal must not hide that rows are old.
    parts.push(match &app.connection {
        Connection::Starting => Part::new("● reading kubeconfig", style::warning()),
        Connection::Connecting => Part::new("● connecting", style::warning()),
        Connection::Unreachable { .. } => Part::new("● unreachable", style::error()),
        Connection::BadConfig(_) => Part::new("● no usable kubeconfig", style::error()),
        Connection::Live => Part::new("● live", style::good()),
        Connection::Reconnecting { .. } => Part::new("● reconnecting", style::error()),
        // Short here; each pane's bottom line says since when its rows are old.
        Connection::NoAnswer { last_answer } => Part::new(
            format!("● no answer for {} s", silent_secs(*last_answer, app.now)),
            style::error(),
        ),
        Connection::Rejected { .. } => Part::new("● credentials rejected", style::error()),
        Connection::StorageDown { last_answer } => Part::new(
            format!("● etcd down for {} s", silent_secs(*last_answer, app.now)),
            style::error(),
        ),
    });
    fit(parts, (" │ ", " │ "), area.width).render(area, buf);
}

/// One part of a one-line bar: its text, a shorter one for a narrow terminal, and when it may
/// be left out if even the short texts do not fit (lower ranks go first; None: never).
struct Part {
    long: String,
    short: String,
    style: Style,
    drops: Option<u8>,
}

impl Part {
    fn new(text: impl Into<String>, style: Style) -> Part {
        let long = text.into();
        Part {
            short: long.clone(),
            long,
            style,
            drops: None,
        }
    }

    fn short(mut self, text: impl Into<String>) -> Part {
        self.short = text.into();
        self
    }

    fn drops(mut self, rank: u8) -> Part {
        self.drops = Some(rank);
        self
    }
}

/// A bar's parts in `width` columns: the long texts if they fit, else the short ones, leaving
/// out parts by rank until the rest fits. What is left is never cut in the middle of a part
/// that could have gone instead.
fn fit(mut parts: Vec<Part>, (wide_sep, narrow_sep): (&'static str, &'static str), width: u16) -> Line<'static> {
    use unicode_width::UnicodeWidthStr;
    let width = usize::from(width);
    let total = |parts: &[Part], long: bool, sep: &str| {
        parts
            .iter()
            .map(|p| if long { p.long.width() } else { p.short.width() })
            .sum::<usize>()
            + sep.width() * parts.len().saturating_sub(1)
    };
    let long = total(&parts, true, wide_sep) <= width;
    let sep = if long { wide_sep } else { narrow_sep };
    while !long && total(&parts, false, sep) > width {
        let Some(i) = (0..parts.len())
            .filter(|&i| parts[i].drops.is_some())
            .min_by_key(|&i| parts[i].drops)
        else {
            break;
        };
        parts.remove(i);
    }
    let mut spans = Vec::with_capacity(parts.len() * 2);
    for (i, part) in parts.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(sep, style::dim()));
        }
        spans.push(Span::styled(if long { part.long } else { part.short }, part.style));
    }
    Line::from(spans)
}

/// A long name cut to 24 columns with "…" in the middle, keeping both ends (a cloud
/// context's account and its cluster's name).
fn elide(name: &str) -> String {
    const MAX: usize = 24;
    let chars: Vec<char> = name.chars().collect();
    if chars.len() <= MAX {
        return name.to_owned();
    }
    let head: String = chars[..MAX / 2 - 1].iter().collect();
    let tail: String = chars[chars.len() - MAX / 2..].iter().collect();
    format!("{head}…{tail}")
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

/// One line of health: what a judge or an on-call engineer wants to know at a glance. On a
/// narrow terminal the parts say it shorter, and healthy parts give way before unhealthy ones.
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
    let failing = if failing > 0 {
        format!(" ({failing} failing)")
    } else {
        String::new()
    };
    let mut parts = vec![Part::new(
        format!(" pods {ready}/{} ready{failing}", pods.len()),
        pod_style,
    )];
    // Healthy parts (ranks 0-3) are left out before any that is not (10-13); the release, the
    // answer to "did my deploy work?", stays longest.
    let rank = |healthy: bool, n: u8| if healthy { n } else { 10 + n };
    let at_max = app.data.hpas.iter().filter(|h| h.at_max()).count();
    let hpas = app.data.hpas.len();
    parts.push(
        Part::new(
            format!("HPAs {at_max} at max of {hpas}"),
            if at_max > 0 { style::warning() } else { style::good() },
        )
        .short(format!("HPAs {at_max}/{hpas} at max"))
        .drops(rank(at_max == 0, 1)),
    );
    let expiring = app
        .data
        .cert_entries
        .values()
        .filter(|e| e.urgency(app.now) != Urgency::Ok)
        .count();
    let certs = app.data.cert_entries.len();
    parts.push(
        Part::new(
            format!("certs {expiring} expiring or not ready of {certs}"),
            if expiring > 0 { style::warning() } else { style::good() },
        )
        .short(format!("certs {expiring}/{certs} at risk"))
        .drops(rank(expiring == 0, 0)),
    );
    parts.push(release_part(app, rank));
    let warnings = app.data.warnings.len();
    // Before their first listing (or when events may not be read) zero would look healthy.
    parts.push(if !app.data.warnings.is_synced() {
        Part::new("warning events ?", style::dim())
            .short("warnings ?")
            .drops(rank(false, 2))
    } else {
        Part::new(
            format!("{warnings} warning events"),
            if warnings > 0 { style::warning() } else { style::good() },
        )
        .short(format!("{warnings} warnings"))
        .drops(rank(warnings == 0, 2))
    });
    fit(parts, ("  │  ", " │ "), area.width).render(area, buf);
}

/// The summary's release: the one that changed last is the one people ask about (did my deploy
/// work?).
fn release_part(app: &App, rank: impl Fn(bool, u8) -> u8) -> Part {
    let latest = crate::cluster::releases::latest_per_release(app.data.releases.iter())
        .into_iter()
        .max_by_key(|r| r.updated);
    match latest {
        Some(r) if r.problem.is_some() => {
            Part::new(format!("release {} unreadable", r.name), style::error()).drops(rank(false, 3))
        }
        Some(r) => {
            let health = r.status.health();
            Part::new(
                format!("release {} rev {} {}", r.name, r.revision, r.status.as_str()),
                style::health(health),
            )
            .drops(rank(health == crate::cluster::pods::Health::Ready, 3))
        }
        None => Part::new("no releases", style::dim()).drops(3),
    }
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
    let paragraph = Paragraph::new(lines)
        .wrap(Wrap { trim: true })
        .block(Block::bordered().title(Span::styled(title.to_owned(), style::title())));
    // As tall as its lines wrapped to the box (borders included), so the last one is not cut.
    let height = (paragraph.line_count(width.saturating_sub(2)) as u16).min(area.height);
    let [_, middle, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.max(8)),
        Constraint::Fill(2),
    ])
    .areas(column);
    paragraph.render(middle, buf);
}
