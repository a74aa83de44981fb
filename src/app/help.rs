//! The `?` overlay: every key of the focused pane or view, from the key map, in a box that
//! scrolls when the terminal is too short for all of them (a pane has ~45 keys; an 80x24
//! terminal shows 22 rows).

use super::App;
use super::keys::Action;
use super::views::scroll;

/// The help box's widest, in columns with its borders.
pub const HELP_WIDTH: u16 = 80;

/// One row of the help: the key's label (empty where a long text goes on) and its text.
pub type HelpRow = (String, String);

impl App {
    /// The help's rows in a box as wide as the screen allows: each key, its text wrapped at
    /// words under the text column.
    pub fn help_rows(&self) -> Vec<HelpRow> {
        let bindings = self.keymap.bindings_for(self.key_context());
        let label_width = bindings
            .iter()
            .map(|b| unicode_width::UnicodeWidthStr::width(b.label.as_str()))
            .max()
            .unwrap_or(0)
            .max(7);
        let inner = usize::from(HELP_WIDTH.min(self.size.0)).saturating_sub(2);
        let text_width = inner.saturating_sub(label_width + 3).max(10);
        let pad = |label: &str| {
            let w = unicode_width::UnicodeWidthStr::width(label);
            format!(" {}{label}", " ".repeat(label_width - w.min(label_width)))
        };
        bindings
            .iter()
            .flat_map(|b| {
                crate::text::wrap_words(b.help, text_width)
                    .into_iter()
                    .enumerate()
                    .map(|(i, text)| (pad(if i == 0 { &b.label } else { "" }), text.trim_start().to_owned()))
                    .collect::<Vec<_>>()
            })
            .collect()
    }

    /// The help's bottom line: how to scroll it (the keys as the key map has them) when it does
    /// not fit, and how to close it.
    pub fn help_hint(&self, scrolls: bool) -> String {
        if !scrolls {
            return " any key closes ".into();
        }
        let bindings = self.keymap.bindings_for(self.key_context());
        let labels: Vec<&str> = [Action::Down, Action::Up, Action::PageDown, Action::PageUp]
            .iter()
            .filter_map(|a| bindings.iter().find(|b| b.action == *a))
            .map(|b| b.label.as_str())
            .collect();
        format!(" {} scroll, any other key closes ", labels.join(" "))
    }

    /// How many rows of the help show at once.
    pub fn help_page(&self, rows: usize) -> usize {
        rows.min(usize::from(self.size.1).saturating_sub(2)).max(1)
    }

    /// A key while the help is open: moving keys scroll it when it does not fit, any other key
    /// closes it.
    pub(super) fn on_help_key(&mut self, key: &crossterm::event::KeyEvent) {
        let Some(offset) = self.help else { return };
        let len = self.help_rows().len();
        let page = self.help_page(len);
        self.help = match self.keymap.action_for(key, self.key_context()) {
            Some(
                nav @ (Action::Up | Action::Down | Action::PageUp | Action::PageDown | Action::Top | Action::Bottom),
            ) if len > page => Some(scroll(offset, nav, page, len)),
            _ => None,
        };
    }
}
