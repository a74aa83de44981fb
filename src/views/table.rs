//! Drawing any table pane: a bordered block with a title, the columns that fit, and only the
//! rows on screen.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::style;
use crate::app::table::TablePane;
pub use crate::app::table::{ColumnSpec, col};
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

/// Draws the pane: the visible rows of `pane.view`, looked up with `lookup`, each cell made by
/// `cell(row, column_index)`.
pub fn render<'r, R: 'r>(
    frame: TableFrame<'_>,
    lookup: impl Fn(&ObjectKey) -> Option<&'r R>,
    cell: impl Fn(&'r R, usize) -> Cell<'r>,
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
    let mut shown = visible(frame.columns, area.width.saturating_sub(2));
    shown.retain(|c| !frame.hidden.contains(c));
    let page = usize::from(area.height.saturating_sub(3));
    let highlighted = pane.highlighted();
    let rows = pane
        .view
        .iter()
        .enumerate()
        .skip(pane.offset)
        .take(page)
        .filter_map(|(i, key)| {
            let row = lookup(key)?;
            let r = Row::new(shown.iter().map(|&c| cell(row, c)));
            Some(if Some(i) == highlighted && frame.focused {
                r.style(style::selected())
            } else if Some(i) == highlighted {
                r.style(style::selected_unfocused())
            } else {
                r
            })
        });
    let header = Row::new(shown.iter().map(|&c| {
        let spec = &frame.columns[c];
        match pane.sort.column {
            Some(s) if s == c => format!("{}{}", spec.title, if pane.sort.descending { "↓" } else { "↑" }),
            _ => spec.title.to_owned(),
        }
    }))
    .style(style::column_header());
    let widths = shown.iter().map(|&c| {
        let spec = &frame.columns[c];
        if spec.fill == 0 {
            Constraint::Length(spec.min)
        } else {
            Constraint::Fill(spec.fill)
        }
    });
    Table::new(rows, widths)
        .header(header)
        .column_spacing(1)
        .block(block)
        .render(area, buf);
}

/// Indices of the columns that fit in `width`, dropping the least useful first.
pub fn visible(columns: &[ColumnSpec], width: u16) -> Vec<usize> {
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    // Width is judged with every column; hidden ones are removed by the caller afterwards,
    // which only leaves more room.
    let needed = |s: &[usize]| s.iter().map(|&c| columns[c].min + 1).sum::<u16>();
    while needed(&shown) > width {
        let Some(&worst) = shown
            .iter()
            .filter(|&&c| columns[c].drop > 0)
            .max_by_key(|&&c| columns[c].drop)
        else {
            break;
        };
        shown.retain(|&c| c != worst);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn narrow_tables_drop_the_least_useful_columns_first() {
        let cols = [
            col("NAME", 20, 3, 0),
            col("STATUS", 10, 0, 0),
            col("IP", 15, 0, 2),
            col("AGE", 5, 0, 1),
        ];
        assert_eq!(visible(&cols, 80), [0, 1, 2, 3]);
        assert_eq!(visible(&cols, 40), [0, 1, 3]);
        assert_eq!(visible(&cols, 30), [0, 1]);
        assert_eq!(
            visible(&cols, 5),
            [0, 1],
            "never-dropped columns stay even when they do not fit"
        );
    }
}
