//! Views of text lines on top of the panes: an object's YAML, its events, a pod's containers;
//! and the box every text view and dialog is drawn in.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::{boxed, style};
use crate::app::views::{TextBody, TextView};
use crate::app::{App, text_lines};

pub use crate::app::text_lines::Tone;

fn tone_style(tone: Tone) -> Style {
    match tone {
        Tone::Plain => Style::new(),
        Tone::Heading => style::title(),
        Tone::Good => style::good(),
        Tone::Warn => style::warning(),
        Tone::Bad => style::error(),
        Tone::Dim => style::dim(),
    }
}

/// Lines in a bordered box, from `offset` on (never past the last page).
pub fn render_lines(title: &str, lines: Vec<(String, Tone)>, offset: usize, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let height = usize::from(area.height.saturating_sub(2));
    let lines = text_lines::wrap_lines(lines, usize::from(area.width.saturating_sub(2)));
    let offset = offset.min(lines.len().saturating_sub(height));
    let shown: Vec<Line> = lines
        .into_iter()
        .skip(offset)
        .take(height)
        .map(|(text, tone)| Line::styled(text, tone_style(tone)))
        .collect();
    let title = format!(" {title} ");
    Paragraph::new(shown).block(boxed(&title)).render(area, buf);
}

/// A YAML, events or pod view: its lines wrapped at words to the box, search matches marked,
/// and the match count in the title.
pub fn render(app: &App, view: &TextView, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let width = usize::from(area.width.saturating_sub(2)).max(1);
    let height = usize::from(area.height.saturating_sub(2));
    let rows = text_lines::rows(app, view, width);
    let offset = view.offset.min(rows.len().saturating_sub(height));
    let marked = style::search_match();
    let shown: Vec<Line> = rows
        .into_iter()
        .skip(offset)
        .take(height)
        .map(|row| {
            let base = tone_style(row.tone);
            match &view.search {
                Some(search) => Line::from(highlighted(&row.text, &search.regex, base, marked)),
                None => Line::styled(row.text, base),
            }
        })
        .collect();
    let mut title = vec![Span::styled(format!(" {} ", title(view)), style::title())];
    if let Some(search) = &view.search {
        let count = text_lines::match_count(app, view);
        let s = if count == 0 { style::error() } else { style::warning() };
        let noun = if count == 1 { "match" } else { "matches" };
        title.push(Span::styled(format!(" /{}/ {count} {noun} ", search.text), s));
    }
    Paragraph::new(shown)
        .block(Block::bordered().title(Line::from(title)))
        .render(area, buf);
}

/// The text in spans, the regex's matches in `marked`.
fn highlighted(text: &str, regex: &regex::Regex, base: Style, marked: Style) -> Vec<Span<'static>> {
    let mut spans = Vec::new();
    let mut at = 0;
    for m in regex.find_iter(text).filter(|m| !m.is_empty()) {
        if m.start() > at {
            spans.push(Span::styled(text[at..m.start()].to_owned(), base));
        }
        spans.push(Span::styled(m.as_str().to_owned(), marked));
        at = m.end();
    }
    if at < text.len() || spans.is_empty() {
        spans.push(Span::styled(text[at..].to_owned(), base));
    }
    spans
}

pub fn title(view: &TextView) -> String {
    match &view.body {
        TextBody::Yaml { object, .. } => format!("YAML of {object}"),
        TextBody::Events(object) => format!("Events of {object}"),
        TextBody::PodDetail(key) => format!("Pod {key}"),
        TextBody::Describe { object, .. } => format!("Describe {object}"),
    }
}

/// The lines of the view as they are, before wrapping.
pub fn lines(app: &App, view: &TextView) -> Vec<(String, Tone)> {
    text_lines::lines(app, view)
}
