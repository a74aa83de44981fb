//! The Pods pane: a table of the pods in scope, drawing only the rows that fit on screen.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::style;
use crate::app::{Connection, PodsPane};
use crate::cluster::pods::PodRow;
use crate::cluster::{Scope, Target};
use crate::text::age;

pub fn render(
    pane: &PodsPane,
    target: Option<&Target>,
    connection: &Connection,
    now: Timestamp,
    area: Rect,
    buf: &mut Buffer,
) {
    let all_namespaces = target.is_none_or(|t| t.scope == Scope::All);
    let scope = target.map_or("", |t| t.scope.label());
    let mut title = vec![Span::styled(
        format!(" Pods ({scope}) [{}] ", pane.store.len()),
        style::title(),
    )];
    if let Some(problem) = &pane.problem {
        title.push(Span::styled(format!(" {problem} "), style::error()));
    }
    let mut block = Block::bordered().title(Line::from(title));
    if let Connection::Reconnecting { message } = connection {
        block = block.title_bottom(Line::styled(
            format!(" showing last known state: {message} "),
            style::error(),
        ));
    }

    if pane.store.is_empty() {
        let text = match (&pane.problem, pane.store.is_synced()) {
            (Some(problem), _) => Line::styled(problem.clone(), style::error()),
            (None, true) => Line::styled(format!("No pods in {scope}."), style::dim()),
            (None, false) => Line::styled("Loading pods ...", style::dim()),
        };
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
        return;
    }

    let page = usize::from(area.height.saturating_sub(3));
    let selected = pane.selected_index();
    let columns = visible_columns(all_namespaces, area.width.saturating_sub(2));
    let rows = pane
        .store
        .iter()
        .enumerate()
        .skip(pane.offset)
        .take(page)
        .map(|(i, pod)| {
            let row = pod_row(pod, &columns, now);
            if Some(i) == selected {
                row.style(style::selected())
            } else {
                row
            }
        });
    let header = Row::new(columns.iter().map(|c| c.title())).style(style::column_header());
    let widths = columns.iter().map(|c| c.width());
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block)
        .render(area, buf);
}

/// The columns of the pods table, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Namespace,
    Name,
    Ready,
    Status,
    Restarts,
    Age,
    Ip,
    Node,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Namespace => "NAMESPACE",
            Column::Name => "NAME",
            Column::Ready => "READY",
            Column::Status => "STATUS",
            Column::Restarts => "RESTARTS",
            Column::Age => "AGE",
            Column::Ip => "IP",
            Column::Node => "NODE",
        }
    }

    /// Narrowest useful width.
    fn min_width(self) -> u16 {
        match self {
            Column::Namespace => 10,
            Column::Name => 20,
            Column::Ready => 5,
            Column::Status => 17,
            Column::Restarts => 14,
            Column::Age => 6,
            Column::Ip => 15,
            Column::Node => 10,
        }
    }

    fn width(self) -> Constraint {
        match self {
            Column::Name => Constraint::Fill(3),
            Column::Namespace | Column::Node => Constraint::Fill(1),
            other => Constraint::Length(other.min_width()),
        }
    }
}

/// The columns that fit in `width`, dropping the least useful first (IP, node, restarts, age,
/// namespace) so name, readiness and status are always readable.
fn visible_columns(all_namespaces: bool, width: u16) -> Vec<Column> {
    use Column::*;
    let mut columns = vec![Namespace, Name, Ready, Status, Restarts, Age, Ip, Node];
    if !all_namespaces {
        columns.retain(|&c| c != Namespace);
    }
    let needed = |cols: &[Column]| cols.iter().map(|c| c.min_width() + 1).sum::<u16>();
    for drop in [Ip, Node, Restarts, Age, Namespace] {
        if needed(&columns) <= width {
            break;
        }
        columns.retain(|&c| c != drop);
    }
    columns
}

fn pod_row<'a>(pod: &'a PodRow, columns: &[Column], now: Timestamp) -> Row<'a> {
    Row::new(columns.iter().map(|column| match column {
        Column::Namespace => Cell::from(pod.key.namespace.as_str()),
        Column::Name => Cell::from(pod.key.name.as_str()),
        Column::Ready => Cell::from(format!("{}/{}", pod.ready, pod.total)),
        Column::Status => Cell::from(Span::styled(pod.status.as_str(), style::health(pod.health))),
        Column::Restarts => {
            let text = match pod.last_restart {
                Some(t) if pod.restarts > 0 => format!("{} ({} ago)", pod.restarts, age(t, now)),
                _ => pod.restarts.to_string(),
            };
            let emphasis = if pod.restarts > 0 {
                style::warning()
            } else {
                Default::default()
            };
            Cell::from(Span::styled(text, emphasis))
        }
        Column::Age => Cell::from(pod.created.map(|t| age(t, now)).unwrap_or_default()),
        Column::Ip => Cell::from(pod.ip.as_str()),
        Column::Node => Cell::from(pod.node.as_str()),
    }))
}
