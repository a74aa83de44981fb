//! The Pods pane.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, TableFrame};
use super::{PaneContext, style};
use crate::app::PaneId;
use crate::app::table::Tabular;
use crate::cluster::pods::PodRow;
use crate::text::age;

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let pane = app.panes.get(PaneId::Pods);
    let scope = app.target.as_ref().map(|t| &t.scope);
    let empty = if let Some(problem) = app.data.namespace_problem(scope) {
        Line::styled(problem, style::error())
    } else if app.data.pods.is_synced() {
        Line::styled(format!("No pods in {}.", cx.scope), style::dim())
    } else {
        Line::styled("Loading pods ...", style::dim())
    };
    let frame = TableFrame {
        title: format!("Pods ({})", cx.scope),
        pane,
        columns: PodRow::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Pods),
        focused: cx.focused,
        empty,
        footer: cx.stale_notice().or_else(|| {
            let problem = app.data.usage.problem.as_ref()?;
            Some(Line::styled(format!(" {problem} "), style::dim()))
        }),
    };
    let now = app.now;
    // Restarts that went up in the last ten minutes stand out.
    let rising = |pod: &PodRow| {
        app.data
            .restarts_rose
            .get(&pod.key)
            .is_some_and(|t| now.duration_since(*t).as_secs() < 600)
    };
    table::render(
        frame,
        |k| app.data.pods.get(k),
        |pod, c| match c {
            0..=7 | 12.. => cell(pod, c, now, rising(pod)),
            _ => usage_cell(app.data.usage.pods.get(&pod.key).map(|h| h.now), pod, c),
        },
        area,
        buf,
    );
}

fn cell(pod: &PodRow, column: usize, now: jiff::Timestamp, restarts_rising: bool) -> Line<'_> {
    match column {
        0 => Line::from(pod.key.namespace.as_str()),
        1 => Line::from(pod.key.name.as_str()),
        2 => Line::from(format!("{}/{}", pod.ready, pod.total)),
        3 => Line::from(Span::styled(pod.status.as_str(), style::health(pod.health))),
        4 => {
            let text = match pod.last_restart {
                Some(t) if pod.restarts > 0 => format!("{} ({} ago)", pod.restarts, age(t, now)),
                _ => pod.restarts.to_string(),
            };
            let emphasis = match (restarts_rising, pod.restarts > 0) {
                (true, _) => style::alert(),
                (false, true) => style::warning(),
                (false, false) => Default::default(),
            };
            Line::from(Span::styled(text, emphasis))
        }
        5 => Line::from(pod.created.map(|t| age(t, now)).unwrap_or_default()),
        6 => Line::from(pod.ip.as_str()),
        7 => Line::from(pod.node.as_str()),
        12 => Line::from(pod.nominated_node.as_str()),
        _ => Line::from(pod.readiness_gates.as_str()),
    }
}

/// CPU and memory now, and as a share of the request and the limit, coloured near the limit.
fn usage_cell(usage: Option<crate::cluster::metrics::Usage>, pod: &PodRow, column: usize) -> Line<'static> {
    use crate::app::usage::{Level, share};
    use crate::cluster::resources::quantity::{format_bytes, format_cpu};
    let Some(u) = usage else {
        return Line::styled("-", style::dim());
    };
    let cpu = column < 10;
    let (used, request, limit) = if cpu {
        (u.cpu_millis, pod.requests.cpu_millis, pod.limits.cpu_millis)
    } else {
        (u.memory_bytes, pod.requests.memory_bytes, pod.limits.memory_bytes)
    };
    let (of_request, of_limit, level) = share(used, request, limit);
    let emphasis = match level {
        Level::Fine => Default::default(),
        Level::Near => style::warning(),
        Level::AtLimit => style::error(),
    };
    let pct = |p: Option<f64>| p.map_or_else(|| "-".to_owned(), |p| format!("{p:.0}"));
    let text = match column {
        8 => format_cpu(used),
        10 => format_bytes(used),
        _ => format!("{}/{}", pct(of_request), pct(of_limit)),
    };
    Line::from(Span::styled(text, emphasis))
}
