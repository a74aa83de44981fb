//! Drawing any table pane: a bordered block with a title, columns as wide as the rows on screen
//! need, and only those rows.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Flex, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::{fit, style};

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

/// What an empty pane says: why it could not be read, that its filter hides every row (not "No
/// pods in todo."), or `empty`.
fn empty_text<'a>(pane: &TablePane, empty: Line<'a>) -> Line<'a> {
    match (&pane.problem, &pane.filter) {
        (Some(problem), _) => Line::styled(problem.clone(), style::error()),
        (None, Some(filter)) => Line::styled(
            format!("Nothing matches the filter {:?} (Esc clears it).", filter.input),
            style::dim(),
        ),
        (None, None) => empty,
    }
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
        let text = empty_text(pane, frame.empty);
        let inner = block.inner(area);
        // A line that fits is drawn as it is: a wrapping paragraph measured and restyled the
        // whole pane on every frame, a cost each empty pane paid while others churned.
        if text.width() <= usize::from(inner.width) && inner.height > 0 {
            block.render(area, buf);
            text.render(Rect { height: 1, ..inner }, buf);
        } else {
            Paragraph::new(text)
                .wrap(Wrap { trim: true })
                .block(block)
                .render(area, buf);
        }
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
    let header_cells: Vec<Line> = headers.into_iter().map(Line::from).collect();
    let (widths, header_cells, rows) = fit_cells(
        frame.columns,
        &candidates,
        header_cells,
        rows,
        area.width.saturating_sub(2),
    );
    let rows = rows.into_iter().map(|(i, cells)| {
        let r = Row::new(cells.into_iter().map(Cell::from));
        if Some(i) == highlighted && frame.focused {
            r.style(style::selected())
        } else if Some(i) == highlighted {
            r.style(style::selected_unfocused())
        } else {
            r
        }
    });
    let header = Row::new(header_cells.into_iter().map(Cell::from)).style(style::column_header());
    Table::new(rows, widths.into_iter().map(Constraint::Length))
        .header(header)
        .column_spacing(fit::GAP)
        .flex(Flex::Start)
        .block(block)
        .render(area, buf);
}

/// Widths of the columns drawn, and the header and rows cut to them: each column as wide as its
/// widest cell needs (views/fit.rs decides), names cut where the rows on screen agree.
type Fitted<'r> = (Vec<u16>, Vec<Line<'r>>, Vec<(usize, Vec<Line<'r>>)>);

fn fit_cells<'r>(
    columns: &[ColumnSpec],
    candidates: &[usize],
    header: Vec<Line<'r>>,
    rows: Vec<(usize, Vec<Line<'r>>)>,
    width: u16,
) -> Fitted<'r> {
    let need: Vec<u16> = (0..candidates.len())
        .map(|i| {
            let widest = rows.iter().map(|(_, cells)| cells[i].width()).max().unwrap_or(0);
            widest.max(header[i].width()).min(usize::from(u16::MAX)) as u16
        })
        .collect();
    let widths = fit::column_widths(columns, candidates, &need, width);
    let cuts: Vec<fit::Cut> = candidates
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            if !columns[c].identifying {
                return fit::Cut::End;
            }
            let texts: Vec<String> = rows.iter().map(|(_, cells)| line_text(&cells[i])).collect();
            let shared_prefix = if texts.len() > 1 {
                fit::shared_prefix(texts.iter().map(String::as_str))
            } else {
                0
            };
            fit::Cut::Middle { shared_prefix }
        })
        .collect();
    let index_of = |c: usize| candidates.iter().position(|&x| x == c).unwrap_or(0);
    let fitted = |cells: Vec<Line<'r>>| -> Vec<Line<'r>> {
        widths
            .iter()
            .map(|&(c, w)| fit::cut_line(cells[index_of(c)].clone(), w, cuts[index_of(c)]))
            .collect()
    };
    let header = fitted(header);
    let rows = rows.into_iter().map(|(i, cells)| (i, fitted(cells))).collect();
    (widths.into_iter().map(|(_, w)| w).collect(), header, rows)
}

fn line_text(line: &Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}
