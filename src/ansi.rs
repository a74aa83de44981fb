//! Log text as it may be drawn: SGR colours and emphasis are kept as styles, every other escape
//! sequence (cursor moves, screen clears, OSC titles and clipboard writes, DCS, ...) and every
//! control character is dropped, so a log line cannot do anything to the terminal but look coloured.

use ratatui::style::{Color, Modifier, Style};

/// How wide a tab is drawn: to the next multiple of this column.
const TAB: usize = 8;

/// Text with the styles its SGR sequences asked for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StyledText {
    pub text: String,
    /// Where a style starts (byte offset into `text`), in order; the first run starts at 0 when
    /// present. Empty for plain text, which is nearly every line.
    pub runs: Vec<(usize, Style)>,
}

impl StyledText {
    /// Sanitizes `input`, keeping its colours.
    pub fn parse(input: &str) -> StyledText {
        if !input.chars().any(|c| c.is_control() || crate::text::is_bidi_control(c)) {
            return StyledText {
                text: input.to_owned(),
                runs: Vec::new(),
            };
        }
        let mut performer = Collector::default();
        let mut parser = vte::Parser::new();
        parser.advance(&mut performer, input.as_bytes());
        performer.finish()
    }

    /// Plain text, no styles (notices kubedeck writes itself).
    pub fn plain(text: impl Into<String>) -> StyledText {
        StyledText {
            text: text.into(),
            runs: Vec::new(),
        }
    }

    /// The text cut into pieces of one style each: (text, style).
    pub fn pieces(&self) -> Vec<(&str, Style)> {
        if self.runs.is_empty() {
            return vec![(self.text.as_str(), Style::new())];
        }
        let mut out = Vec::with_capacity(self.runs.len() + 1);
        let first = self.runs[0].0;
        if first > 0 {
            out.push((&self.text[..first], Style::new()));
        }
        for (i, &(start, style)) in self.runs.iter().enumerate() {
            let end = self.runs.get(i + 1).map_or(self.text.len(), |r| r.0);
            if end > start {
                out.push((&self.text[start..end], style));
            }
        }
        out
    }
}

/// Receives what the vte parser recognised and keeps only printable text and SGR.
#[derive(Default)]
struct Collector {
    text: String,
    runs: Vec<(usize, Style)>,
    style: Style,
    column: usize,
}

impl Collector {
    fn finish(mut self) -> StyledText {
        // A trailing style change with no text after it says nothing.
        while self.runs.last().is_some_and(|&(start, _)| start >= self.text.len()) {
            self.runs.pop();
        }
        if self.runs.iter().all(|&(_, s)| s == Style::new()) {
            self.runs.clear();
        }
        StyledText {
            text: self.text,
            runs: self.runs,
        }
    }

    fn set_style(&mut self, style: Style) {
        if style == self.style {
            return;
        }
        self.style = style;
        match self.runs.last_mut() {
            // Two changes with no text between them: the later one wins.
            Some(last) if last.0 == self.text.len() => last.1 = style,
            _ => self.runs.push((self.text.len(), style)),
        }
    }
}

impl vte::Perform for Collector {
    fn print(&mut self, c: char) {
        // C1 controls arrive here as characters; bidi overrides can disguise text.
        if c.is_control() || crate::text::is_bidi_control(c) {
            return;
        }
        self.text.push(c);
        self.column += 1;
    }

    fn execute(&mut self, byte: u8) {
        if byte == b'\t' {
            let spaces = TAB - self.column % TAB;
            self.text.extend(std::iter::repeat_n(' ', spaces));
            self.column += spaces;
        }
        // Everything else (bell, backspace, carriage return, line feed, ...) is dropped.
    }

    fn csi_dispatch(&mut self, params: &vte::Params, intermediates: &[u8], ignore: bool, action: char) {
        if action == 'm' && intermediates.is_empty() && !ignore {
            let style = apply_sgr(self.style, params);
            self.set_style(style);
        }
    }
}

/// The style after one SGR sequence.
fn apply_sgr(mut style: Style, params: &vte::Params) -> Style {
    let mut values = params.iter().flat_map(|p| p.iter().copied()).peekable();
    if values.peek().is_none() {
        return Style::new();
    }
    while let Some(v) = values.next() {
        style = match v {
            0 => Style::new(),
            1 => style.add_modifier(Modifier::BOLD),
            2 => style.add_modifier(Modifier::DIM),
            3 => style.add_modifier(Modifier::ITALIC),
            4 => style.add_modifier(Modifier::UNDERLINED),
            7 => style.add_modifier(Modifier::REVERSED),
            9 => style.add_modifier(Modifier::CROSSED_OUT),
            22 => style.remove_modifier(Modifier::BOLD | Modifier::DIM),
            23 => style.remove_modifier(Modifier::ITALIC),
            24 => style.remove_modifier(Modifier::UNDERLINED),
            27 => style.remove_modifier(Modifier::REVERSED),
            29 => style.remove_modifier(Modifier::CROSSED_OUT),
            30..=37 => style.fg(Color::Indexed((v - 30) as u8)),
            39 => Style { fg: None, ..style },
            40..=47 => style.bg(Color::Indexed((v - 40) as u8)),
            49 => Style { bg: None, ..style },
            90..=97 => style.fg(Color::Indexed((v - 90 + 8) as u8)),
            100..=107 => style.bg(Color::Indexed((v - 100 + 8) as u8)),
            38 | 48 => match extended_colour(&mut values) {
                Some(c) if v == 38 => style.fg(c),
                Some(c) => style.bg(c),
                None => style,
            },
            // Blink, conceal, fonts and the rest: not worth carrying.
            _ => style,
        };
    }
    style
}

/// `5;N` (256 colours) or `2;R;G;B` (true colour), after a 38 or 48.
fn extended_colour(values: &mut impl Iterator<Item = u16>) -> Option<Color> {
    let byte = |v: Option<u16>| v.and_then(|v| u8::try_from(v).ok());
    match values.next()? {
        5 => byte(values.next()).map(Color::Indexed),
        2 => Some(Color::Rgb(
            byte(values.next())?,
            byte(values.next())?,
            byte(values.next())?,
        )),
        _ => None,
    }
}

/// The colour of the Nth source (pod or container) of an interleaved log, the same in the
/// dashboard and on the command line.
pub fn source_colour(index: u16) -> Color {
    const COLOURS: [Color; 6] = [
        Color::Cyan,
        Color::Magenta,
        Color::Yellow,
        Color::Green,
        Color::Blue,
        Color::LightRed,
    ];
    COLOURS[usize::from(index) % COLOURS.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_kept_as_is() {
        let t = StyledText::parse("GET /api/todos 200 12ms");
        assert_eq!(t.text, "GET /api/todos 200 12ms");
        assert!(t.runs.is_empty());
    }

    #[test]
    fn colours_are_kept_as_styles() {
        let t = StyledText::parse("\x1b[1;31mERROR\x1b[0m db down");
        assert_eq!(t.text, "ERROR db down");
        assert_eq!(
            t.pieces(),
            vec![
                ("ERROR", Style::new().fg(Color::Indexed(1)).add_modifier(Modifier::BOLD)),
                (" db down", Style::new())
            ]
        );
        let t = StyledText::parse("a\x1b[38;5;208mb\x1b[48;2;1;2;3mc");
        assert_eq!(t.text, "abc");
        assert_eq!(t.pieces()[1], ("b", Style::new().fg(Color::Indexed(208))));
        assert_eq!(
            t.pieces()[2],
            ("c", Style::new().fg(Color::Indexed(208)).bg(Color::Rgb(1, 2, 3)))
        );
    }

    #[test]
    fn everything_but_colour_is_dropped() {
        let evil = concat!(
            "ok",
            "\x1b[2J\x1b[H",            // clear screen, cursor home
            "\x1b[10;20H",              // cursor move
            "\x1b]0;pwned\x07",         // window title
            "\x1b]52;c;aGVsbG8=\x1b\\", // clipboard write
            "\x1bP1$qm\x1b\\",          // DCS
            "\x1b7\x1b8",               // save/restore cursor
            "\u{9b}31m",                // C1 CSI
            "\r\x08\x07\u{202E}",       // CR, backspace, bell, bidi override
            "done"
        );
        let t = StyledText::parse(evil);
        assert_eq!(t.text, "ok31mdone");
        assert!(t.runs.is_empty(), "{:?}", t.runs);
    }

    #[test]
    fn tabs_expand_to_the_next_stop() {
        assert_eq!(StyledText::parse("a\tb").text, "a       b");
        assert_eq!(StyledText::parse("abcdefgh\tb").text, "abcdefgh        b");
    }
}
