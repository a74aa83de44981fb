//! The `:cols` chooser: the focused pane's columns, each shown or hidden, and its wide mode.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::{boxed, centered, style};
use crate::app::columns::can_hide;
use crate::app::{App, columns_of};

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(chooser) = app.column_chooser else { return };
    let columns = columns_of(chooser.pane);
    let choice = app.columns.get(chooser.pane);
    let title = format!(
        " Columns of {} (Space shows/hides, W wide, Esc closes) ",
        chooser.pane.title()
    );
    let height = (columns.len() as u16 + 4).min(area.height);
    let rect = centered(area, title.chars().count() as u16 + 2, height);
    Clear.render(rect, buf);
    let visible = usize::from(height.saturating_sub(4)).max(1);
    let skip = chooser.selected.saturating_sub(visible - 1);
    let mut lines = vec![Line::from(vec![
        Span::styled("wide mode: ", style::dim()),
        if choice.wide {
            Span::styled("on", style::good())
        } else {
            Span::styled("off", style::dim())
        },
    ])];
    for (i, column) in columns.iter().enumerate().skip(skip).take(visible) {
        let shown = !choice.hidden.contains(&i);
        let mark = if shown { "[x] " } else { "[ ] " };
        let note = match (can_hide(column), column.wide) {
            (false, _) => "  (always shown)",
            (true, true) => "  (wide mode)",
            (true, false) => "",
        };
        let text = format!("{mark}{}{note}", column.title);
        lines.push(if i == chooser.selected {
            Line::styled(text, style::selected())
        } else if shown {
            Line::raw(text)
        } else {
            Line::styled(text, style::dim())
        });
    }
    Paragraph::new(lines).block(boxed(&title)).render(rect, buf);
}
