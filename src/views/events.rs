//! The Events pane: warnings first, grouped by object, with counts.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, TableFrame};
use super::{PaneContext, style};
use crate::app::PaneId;
use crate::app::table::Tabular;
use crate::cluster::events::EventRow;
use crate::text::age;

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let synced = app.data.events.is_synced();
    let frame = TableFrame {
        title: format!("Events ({})", cx.scope),
        pane: app.panes.get(PaneId::Events),
        columns: EventRow::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Events),
        focused: cx.focused,
        empty: Line::styled(if synced { "No events." } else { "Loading events ..." }, style::dim()),
        footer: cx.stale_notice(),
    };
    let now = app.now;
    table::render(frame, |k| app.data.events.get(k), |e, c| cell(e, c, now), area, buf);
}

fn cell(e: &EventRow, column: usize, now: jiff::Timestamp) -> Line<'_> {
    match column {
        0 => Line::from(e.key.namespace.as_str()),
        1 if e.warning => Line::from(Span::styled("Warning", style::error())),
        1 => Line::from(Span::styled("Normal", style::dim())),
        2 => Line::from(e.reason.as_str()),
        3 => Line::from(e.object.as_str()),
        4 => Line::from(e.count.to_string()),
        5 => Line::from(e.last_seen.map(|t| age(t, now)).unwrap_or_default()),
        _ => Line::from(e.message.as_str()),
    }
}
