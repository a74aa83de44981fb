//! Views of text lines on top of the panes: an object's YAML, its events, a pod's containers;
//! and the box every text view and dialog is drawn in.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::{boxed, style};
use crate::app::App;
use crate::app::views::{Loadable, TextBody, TextView};
use crate::cluster::objects;
use crate::cluster::pods::PodRow;

/// How a line of a text view is meant to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Heading,
    Good,
    Warn,
    Bad,
    Dim,
}

/// Lines in a bordered box, from `offset` on (never past the last page).
pub fn render_lines(title: &str, lines: Vec<(String, Tone)>, offset: usize, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let height = usize::from(area.height.saturating_sub(2));
    let offset = offset.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(height)
        .map(|(text, tone)| {
            let s = match tone {
                Tone::Plain => ratatui::style::Style::new(),
                Tone::Heading => style::title(),
                Tone::Good => style::good(),
                Tone::Warn => style::warning(),
                Tone::Bad => style::error(),
                Tone::Dim => style::dim(),
            };
            Line::styled(text, s)
        })
        .collect();
    let title = format!(" {title} ");
    Paragraph::new(shown).block(boxed(&title)).render(area, buf);
}

/// A YAML, events or pod view.
pub fn render(app: &App, view: &TextView, area: Rect, buf: &mut Buffer) {
    render_lines(&title(view), lines(app, view), view.offset, area, buf);
}

pub fn title(view: &TextView) -> String {
    match &view.body {
        TextBody::Yaml { object, .. } => format!("YAML of {object}"),
        TextBody::Events(object) => format!("Events of {object}"),
        TextBody::PodDetail(key) => format!("Pod {key}"),
        TextBody::Describe { object, .. } => format!("Describe {object}"),
    }
}

/// The lines to show, worked out from the state each time so live views stay live; as many
/// as `TextView::line_count` says.
pub fn lines(app: &App, view: &TextView) -> Vec<(String, Tone)> {
    match &view.body {
        TextBody::Yaml {
            value: Loadable::Loading,
            ..
        } => vec![("Reading the object ...".into(), Tone::Dim)],
        TextBody::Yaml {
            value: Loadable::Failed(why),
            ..
        } => vec![(why.clone(), Tone::Bad)],
        TextBody::Yaml {
            value: Loadable::Ready(v),
            revealed,
            ..
        } => {
            let (lines, _) = objects::yaml_lines(v, revealed.as_deref());
            lines.into_iter().map(|l| (l, Tone::Plain)).collect()
        }
        TextBody::Events(object) => {
            let rows = app.events_of(object);
            if rows.is_empty() {
                return vec![(
                    "No events for this object (Kubernetes keeps them for an hour).".into(),
                    Tone::Dim,
                )];
            }
            rows.into_iter()
                .map(|e| {
                    let when = e.last_seen.map(|t| crate::text::age(t, app.now)).unwrap_or_default();
                    let tone = if e.warning { Tone::Warn } else { Tone::Plain };
                    (
                        format!("{when:>6} ago  {:<20} x{:<4} {}", e.reason, e.count, e.message),
                        tone,
                    )
                })
                .collect()
        }
        TextBody::PodDetail(key) => match app.data.pods.get(key) {
            None => vec![("The pod is gone.".into(), Tone::Dim)],
            Some(pod) => {
                let mut lines = pod_detail(pod);
                lines.extend(usage_lines(app, pod));
                lines
            }
        },
        TextBody::Describe { lines, .. } => match lines {
            Loadable::Loading => vec![("Reading the object ...".into(), Tone::Dim)],
            Loadable::Failed(why) => vec![(why.clone(), Tone::Bad)],
            Loadable::Ready(lines) => lines
                .iter()
                .map(|l| {
                    use crate::cluster::resources::Tone as T;
                    let tone = match l.tone {
                        T::Plain => Tone::Plain,
                        T::Good => Tone::Good,
                        T::Warn => Tone::Warn,
                        T::Bad => Tone::Bad,
                        T::Dim => Tone::Dim,
                        T::Heading => Tone::Heading,
                    };
                    (l.text.clone(), tone)
                })
                .collect(),
        },
    }
}

fn pod_detail(pod: &PodRow) -> Vec<(String, Tone)> {
    let mut lines = vec![
        (
            format!(
                "Status:   {}   Ready {}/{}   Restarts {}",
                pod.status, pod.ready, pod.total, pod.restarts
            ),
            Tone::Heading,
        ),
        (format!("Node:     {}", pod.node), Tone::Plain),
        (format!("IP:       {}", pod.ip), Tone::Plain),
    ];
    if !pod.labels.is_empty() {
        let labels: Vec<String> = pod.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push((
            format!("Labels:   {}", crate::text::sanitize(&labels.join(", "))),
            Tone::Plain,
        ));
    }
    lines.push((String::new(), Tone::Plain));
    lines.push(("Containers:".into(), Tone::Heading));
    for c in &pod.containers {
        let tone = if c.ready || c.state.starts_with("terminated: Completed") {
            Tone::Good
        } else if c.state.starts_with("waiting: ContainerCreating") || c.state == "not started" {
            Tone::Warn
        } else {
            Tone::Bad
        };
        let kind = if c.init { " (init)" } else { "" };
        lines.push((format!("  {}{kind}: {}", c.name, c.state), tone));
        lines.push((
            format!("    image {}   ready {}   restarts {}", c.image, c.ready, c.restarts),
            Tone::Plain,
        ));
        if let Some(last) = &c.last_termination {
            lines.push((format!("    last terminated: {last}"), Tone::Warn));
        }
    }
    lines
}

/// Live CPU and memory with a sparkline of the last minutes (four lines, as
/// `TextView::line_count` counts them).
fn usage_lines(app: &App, pod: &PodRow) -> Vec<(String, Tone)> {
    use crate::app::usage::{Level, SAMPLES, share, sparkline};
    use crate::cluster::resources::quantity::{format_bytes, format_cpu};
    let mut lines = vec![
        (String::new(), Tone::Plain),
        ("Usage (metrics.k8s.io, every 15 s):".into(), Tone::Heading),
    ];
    let Some(h) = app.data.usage.pods.get(&pod.key) else {
        let why = app
            .data
            .usage
            .problem
            .clone()
            .unwrap_or_else(|| "no reading yet".into());
        lines.push((format!("  {why}"), Tone::Dim));
        lines.push((String::new(), Tone::Plain));
        return lines;
    };
    let describe = |used: f64, request: f64, limit: f64, text: String, spark: String| {
        let (r, l, level) = share(used, request, limit);
        let pct = |p: Option<f64>, what: &str| p.map(|p| format!(", {p:.0}% of {what}")).unwrap_or_default();
        let tone = match level {
            Level::Fine => Tone::Plain,
            Level::Near => Tone::Warn,
            Level::AtLimit => Tone::Bad,
        };
        (
            format!("{spark:<SAMPLES$} {text}{}{}", pct(r, "request"), pct(l, "limit")),
            tone,
        )
    };
    let cpu = describe(
        h.now.cpu_millis,
        pod.requests.cpu_millis,
        pod.limits.cpu_millis,
        format_cpu(h.now.cpu_millis),
        sparkline(&h.cpu, SAMPLES),
    );
    let mem = describe(
        h.now.memory_bytes,
        pod.requests.memory_bytes,
        pod.limits.memory_bytes,
        format_bytes(h.now.memory_bytes),
        sparkline(&h.memory, SAMPLES),
    );
    lines[1].0 = format!("Usage (metrics.k8s.io, every 15 s; last {} min):", SAMPLES / 4);
    lines.push((format!("  CPU {}", cpu.0), cpu.1));
    lines.push((format!("  MEM {}", mem.0), mem.1));
    lines
}
