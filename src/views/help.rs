//! The `?` overlay: every key of the focused pane, straight from the key map.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::{boxed, centered, style};
use crate::app::App;

pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let lines: Vec<Line> = app
        .keymap
        .bindings_for(app.key_context())
        .into_iter()
        .map(|b| {
            Line::from(vec![
                Span::styled(format!("{:>7}  ", b.label), style::title()),
                Span::raw(b.help),
            ])
        })
        .chain([Line::raw(""), Line::styled("Any key closes this help.", style::dim())])
        .collect();
    let rect = centered(area, 80, lines.len() as u16 + 2);
    Clear.render(rect, buf);
    let title = format!(" Keys: {} ", app.key_context().title());
    Paragraph::new(lines).block(boxed(&title)).render(rect, buf);
}
