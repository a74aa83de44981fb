//! The `?` overlay: every key of the focused pane, straight from the key map, scrolled when the
//! terminal is too short for all of them.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Widget};

use super::{boxed, centered, style};
use crate::app::App;
use crate::app::help::HELP_WIDTH;

pub fn render(app: &App, offset: usize, area: Rect, buf: &mut Buffer) {
    let rows = app.help_rows();
    let page = app.help_page(rows.len());
    let lines: Vec<Line> = rows
        .iter()
        .skip(offset)
        .take(page)
        .map(|(label, text)| {
            Line::from(vec![
                Span::styled(format!("{label}  "), style::title()),
                Span::raw(text.as_str()),
            ])
        })
        .collect();
    let rect = centered(area, HELP_WIDTH, page as u16 + 2);
    Clear.render(rect, buf);
    let context = app.key_context().title();
    let scrolls = rows.len() > page;
    let title = if scrolls {
        let last = (offset + page).min(rows.len());
        format!(" Keys: {context} ({}-{last} of {}) ", offset + 1, rows.len())
    } else {
        format!(" Keys: {context} ")
    };
    let hint = app.help_hint(scrolls);
    Paragraph::new(lines)
        .block(boxed(&title).title_bottom(Span::styled(hint.as_str(), style::dim())))
        .render(rect, buf);
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use crate::app::{App, Msg};
    use crate::cluster::Scope;

    fn press(app: &mut App, code: KeyCode) {
        app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    fn screen(app: &App) -> String {
        let (width, height) = app.size;
        crate::views::tests::drawn(width, height, |area, buf| crate::views::render_app(app, area, buf))
    }

    #[test]
    fn help_taller_than_the_terminal_scrolls_to_its_last_key_and_wraps_long_texts() {
        let mut app = crate::views::tests::connected_app(Scope::Namespace("todo".into()));
        app.update(Msg::Resize { width: 80, height: 24 });
        press(&mut app, KeyCode::Char('?'));
        let rows = app.help_rows();
        assert!(
            rows.len() > 22,
            "a pane's keys outnumber an 80x24 screen's rows: {}",
            rows.len()
        );
        let first = screen(&app);
        assert!(
            first.contains(&format!("Keys: Pods (1-22 of {})", rows.len())),
            "{first}"
        );
        assert!(
            first.contains("j/↓ k/↑ PgDn PgUp scroll, any other key closes"),
            "{first}"
        );

        press(&mut app, KeyCode::Char('G'));
        assert!(app.help.is_some(), "a moving key scrolls, it does not close");
        let last = screen(&app);
        // The `:` key's text is longer than the box: it goes on under the text column, whole.
        let command = last.lines().position(|l| l.contains("  :  command")).expect(&last);
        let continued: String = last.lines().skip(command).take(3).collect();
        assert!(continued.contains(":pods") && continued.contains(":no"), "{last}");
        let (label, text) = rows.last().unwrap();
        assert!(
            last.contains(&format!("{label}  {text}")),
            "the last key is on screen:\n{last}"
        );
        let n = rows.len();
        assert!(last.contains(&format!("({}-{n} of {n})", n - 21)), "{last}");

        press(&mut app, KeyCode::Char('x'));
        assert!(app.help.is_none(), "any other key closes");

        // Where it all fits, every key closes it, moving keys too.
        app.update(Msg::Resize { width: 100, height: 80 });
        press(&mut app, KeyCode::Char('?'));
        let tall = screen(&app);
        assert!(
            tall.contains("Keys: Pods ") && tall.contains("any key closes"),
            "{tall}"
        );
        assert!(!tall.contains("Keys: Pods ("), "{tall}");
        press(&mut app, KeyCode::Char('j'));
        assert!(app.help.is_none());
    }
}
