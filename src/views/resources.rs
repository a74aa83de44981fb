//! The resource pane: Services, Ingresses, PVCs, Jobs, CronJobs, ConfigMaps or Nodes, with the
//! columns app/resources.rs declares for the kind; Nodes with their live CPU and memory.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::table::{self, TableFrame};
use super::{PaneContext, style};
use crate::app::PaneId;
use crate::app::resources::{Source, columns};
use crate::cluster::resources::{ResourceKind, ResourceRow, Tone};
use crate::text::age;

pub fn tone_style(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Good => style::good(),
        Tone::Warn => style::warning(),
        Tone::Bad => style::error(),
        Tone::Dim => style::dim(),
        Tone::Heading => style::title(),
    }
}

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let kind = app.resource_kind;
    let pane = app.panes.get(PaneId::Resources);
    let store = app.data.resources.get(&kind);
    let plural = kind.title().to_lowercase();
    let empty = match store {
        Some(s) if s.is_synced() && kind.namespaced() => {
            Line::styled(format!("No {plural} in {}.", cx.scope), style::dim())
        }
        Some(s) if s.is_synced() => Line::styled(format!("No {plural}."), style::dim()),
        _ => Line::styled(format!("Loading {plural} ..."), style::dim()),
    };
    let title = if kind.namespaced() {
        format!("{} ({})", kind.title(), cx.scope)
    } else {
        kind.title().to_owned()
    };
    let footer = cx.stale_notice().or_else(|| {
        let problem = app
            .data
            .usage
            .node_problem
            .as_ref()
            .filter(|_| kind == ResourceKind::Nodes)?;
        Some(Line::styled(format!(" {problem} "), style::dim()))
    });
    let cols = columns(kind);
    let frame = TableFrame {
        title,
        pane,
        columns: cols.specs,
        hidden: if cx.all_namespaces || !kind.namespaced() {
            &[]
        } else {
            &[0]
        },
        focused: cx.focused,
        empty,
        footer,
    };
    let now = app.now;
    table::render(
        frame,
        |k| store.and_then(|s| s.get(k)),
        |row, c| cell(cx, row, cols.sources[c], now),
        area,
        buf,
    );
}

fn cell<'r>(cx: &PaneContext, row: &'r ResourceRow, source: Source, now: jiff::Timestamp) -> Line<'r> {
    match source {
        Source::Namespace => Line::from(row.key.namespace.as_str()),
        Source::Name => Line::from(row.key.name.as_str()),
        Source::Cell(i) => row.cells.get(i).map_or_else(Line::default, |c| {
            Line::from(Span::styled(c.text.as_str(), tone_style(c.tone)))
        }),
        Source::Age => Line::from(row.created.map(|t| age(t, now)).unwrap_or_default()),
        Source::NodeCpu | Source::NodeMemory => node_usage(cx, row, source == Source::NodeCpu),
    }
}

/// "850m 21%": live usage and its share of what the node can give, coloured from 80 %.
fn node_usage<'r>(cx: &PaneContext, row: &ResourceRow, cpu: bool) -> Line<'r> {
    use crate::cluster::resources::quantity::{format_bytes, format_cpu};
    let Some(u) = cx.app.data.usage.nodes.get(row.key.name.as_str()) else {
        return Line::styled("-", style::dim());
    };
    let (used, whole, text) = match cpu {
        true => (
            u.cpu_millis,
            row.allocatable.map_or(0.0, |a| a.cpu_millis),
            format_cpu(u.cpu_millis),
        ),
        false => (
            u.memory_bytes,
            row.allocatable.map_or(0.0, |a| a.memory_bytes),
            format_bytes(u.memory_bytes),
        ),
    };
    if whole <= 0.0 {
        return Line::from(text);
    }
    let pct = used / whole * 100.0;
    let emphasis = if pct >= 95.0 {
        style::error()
    } else if pct >= 80.0 {
        style::warning()
    } else {
        Style::new()
    };
    Line::from(Span::styled(format!("{text} {pct:.0}%"), emphasis))
}

#[cfg(test)]
mod tests;
