//! Drawing any table pane: a bordered block with a title, columns as wide as the rows on screen
//! need, and only those rows.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::{fit, style};
use unicode_width::UnicodeWidthStr;

use crate::app::table::TablePane;
pub use crate::app::table::{ColumnSpec, col, name_col};
use crate::cluster::store::ObjectKey;

/// Everything a table pane needs besides its rows.
pub struct TableFrame<'a> {
    pub title: String,
    pub pane: &'a TablePane,
    pub columns: &'a [ColumnSpec],
    /// Columns not shown at all (NAMESPACE when one namespace is in view).
    pub hidden: &'a [usize],
    pub focused: bool,
    /// Shown instead of rows when there are none ("No pods in todo.").
    pub empty: Line<'a>,
    /// Extra line at the bottom border (e.g. "showing last known state").
    pub footer: Option<Line<'a>>,
}

pub fn block<'a>(title: &str, pane: &TablePane, focused: bool, footer: Option<Line<'a>>) -> Block<'a> {
    let count = if pane.filter.is_some() {
        format!("[{}/{}]", pane.view.len(), pane.total)
    } else {
        format!("[{}]", pane.view.len())
    };
    let title_style = if focused { style::title() } else { style::dim_title() };
    let mut spans = vec![Span::styled(format!(" {title} {count} "), title_style)];
    if let Some(f) = &pane.filter {
        spans.push(Span::styled(format!(" /{} ", f.input), style::warning()));
    }
    if let Some(problem) = &pane.problem {
        spans.push(Span::styled(format!(" {problem} "), style::error()));
    }
    let mut block = Block::bordered()
        .border_type(if focused { BorderType::Thick } else { BorderType::Plain })
        .border_style(if focused { style::focus_border() } else { Style::new() })
        .title(Line::from(spans));
    if let Some(footer) = footer {
        block = block.title_bottom(footer);
    }
    block
}

/// Draws the pane: the visible rows of `pane.view`, looked up with `lookup`, each cell's text
/// made by `cell(row, column_index)`. Column widths come from the rows on screen (views/fit.rs):
/// each frame measures what it shows, so names are whole whenever the room allows.
pub fn render<'r, R: 'r>(
    frame: TableFrame<'_>,
    lookup: impl Fn(&ObjectKey) -> Option<&'r R>,
    cell: impl Fn(&'r R, usize) -> Line<'r>,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = block(&frame.title, frame.pane, frame.focused, frame.footer);
    let pane = frame.pane;
    if pane.view.is_empty() {
        let text = match &pane.problem {
            Some(problem) => Line::styled(problem.clone(), style::error()),
            None => frame.empty,
        };
        Paragraph::new(text)
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
        return;
    }
    let candidates: Vec<usize> = (0..frame.columns.len()).filter(|c| !frame.hidden.contains(c)).collect();
    let page = usize::from(area.height.saturating_sub(3));
    let highlighted = pane.highlighted();
    // Every cell of the rows on screen, made once: measured, then cut to fit.
    let rows: Vec<(usize, Vec<Line<'r>>)> = pane
        .view
        .iter()
        .enumerate()
        .skip(pane.offset)
        .take(page)
        .filter_map(|(i, key)| {
            let row = lookup(key)?;
            Some((i, candidates.iter().map(|&c| cell(row, c)).collect()))
        })
        .collect();
    let headers: Vec<String> = candidates
        .iter()
        .map(|&c| {
            let title = frame.columns[c].title;
            match pane.sort.column {
                Some(s) if s == c => format!("{title}{}", if pane.sort.descending { "↓" } else { "↑" }),
                _ => title.to_owned(),
            }
        })
        .collect();
    let need: Vec<u16> = (0..candidates.len())
        .map(|i| {
            let widest = rows.iter().map(|(_, cells)| cells[i].width()).max().unwrap_or(0);
            widest.max(headers[i].width()).min(usize::from(u16::MAX)) as u16
        })
        .collect();
    let widths = fit::column_widths(frame.columns, &candidates, &need, area.width.saturating_sub(2));
    let index_of = |c: usize| candidates.iter().position(|&x| x == c).unwrap_or(0);
    let fitted = |cells: &[Line<'r>]| -> Vec<Line<'r>> {
        widths
            .iter()
            .map(|&(c, w)| fit::cut_line(cells[index_of(c)].clone(), w, frame.columns[c].identifying))
            .collect()
    };
    let rows = rows.into_iter().map(|(i, cells)| {
        let r = Row::new(fitted(&cells).into_iter().map(Cell::from));
        if Some(i) == highlighted && frame.focused {
            r.style(style::selected())
        } else if Some(i) == highlighted {
            r.style(style::selected_unfocused())
        } else {
            r
        }
    });
    let header_cells: Vec<Line> = headers.into_iter().map(Line::from).collect();
    let header = Row::new(fitted(&header_cells).into_iter().map(Cell::from)).style(style::column_header());
    Table::new(rows, widths.iter().map(|&(_, w)| Constraint::Length(w)))
        .header(header)
        .column_spacing(fit::GAP)
        .flex(Flex::Start)
        .block(block)
        .render(area, buf);
}
