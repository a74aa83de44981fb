//! Pure render functions: each draws a piece of the state and nothing else. No I/O, no mutation.

pub mod certificates;
mod pods;
mod status;
pub mod style;

use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::app::{App, Connection, keys};

/// Lines the screen uses around the pods table rows: header, footer, the pane's two borders and
/// its column header.
pub const CHROME_HEIGHT: u16 = 5;
/// Below this the layout cannot hold together; we ask for a bigger terminal instead.
pub const MIN_SIZE: (u16, u16) = (40, 12);

pub fn render(app: &App, frame: &mut Frame) {
    render_app(app, frame.area(), frame.buffer_mut());
}

pub fn render_app(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let msg = format!(
            "Terminal too small ({}x{}): kubedeck needs at least {}x{}.",
            area.width, area.height, MIN_SIZE.0, MIN_SIZE.1
        );
        Paragraph::new(msg)
            .wrap(ratatui::widgets::Wrap { trim: true })
            .render(area, buf);
        return;
    }
    let [header, body, footer] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(0), Constraint::Length(1)]).areas(area);
    status::render_header(app, header, buf);
    let has_data = match &app.connection {
        Connection::BadConfig(problem) => {
            status::render_config_problem(problem, body, buf);
            false
        }
        Connection::Unreachable { .. } | Connection::Starting | Connection::Connecting
            if !app.pods.store.is_synced() =>
        {
            status::render_connecting(app, body, buf);
            false
        }
        _ => {
            pods::render(&app.pods, app.target.as_ref(), &app.connection, app.now, body, buf);
            true
        }
    };
    render_footer(has_data, footer, buf);
}

/// Key hints from the key map; with nothing to navigate, only the way out.
fn render_footer(has_data: bool, area: Rect, buf: &mut Buffer) {
    let mut spans = Vec::new();
    let shown = keys::BINDINGS
        .iter()
        .filter(|b| b.in_footer && (has_data || b.action == keys::Action::Quit));
    for binding in shown {
        spans.push(Span::styled(format!(" {} ", binding.label), style::key_hint()));
        spans.push(Span::raw(format!(" {}  ", binding.help)));
    }
    Line::from(spans).render(area, buf);
}

#[cfg(test)]
mod tests;
