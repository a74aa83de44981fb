//! How log lines become screen rows: the prefix (time, pod and container), the body (as
//! written, pretty JSON or chosen fields), search matches and wrapping. Update needs the same
//! rows as drawing (to pause on the first line shown), so the layout lives on the state side
//! and the views only choose the colours (`LogStyles`).

use std::borrow::Cow;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use unicode_width::UnicodeWidthChar;

use super::logs::{JsonMode, LogLine, LogView};

/// The styles log rows are drawn with; the views fill it from the theme.
pub struct LogStyles {
    pub dim: Style,
    /// Lines kubedeck writes about the stream (reconnecting, pod joined).
    pub notice: Style,
    pub search_match: Style,
    /// The prefix colour of the Nth pod or container.
    pub source: fn(u16) -> Style,
    /// A line's own colours as the theme lets them through.
    pub text: fn(Style) -> Style,
}

impl LogStyles {
    /// No colours: for counting rows, which styles do not change.
    pub fn plain() -> Self {
        LogStyles {
            dim: Style::new(),
            notice: Style::new(),
            search_match: Style::new(),
            source: |_| Style::new(),
            text: |s| s,
        }
    }
}

/// The first line on screen when following the end, for pausing and searching from there.
pub fn first_shown(view: &LogView, area: Rect) -> Option<u64> {
    last_screenful(view, area, &LogStyles::plain())
        .last()
        .map(|(seq, _)| *seq)
}

/// The newest visible lines, newest first, each with its rows, until they fill `area`.
pub fn last_screenful(view: &LogView, area: Rect, styles: &LogStyles) -> Vec<(u64, Vec<Line<'static>>)> {
    let height = usize::from(area.height).max(1);
    let mut rows = 0;
    let mut lines = Vec::new();
    for line in view.lines.iter().rev().filter(|l| view.visible(l)) {
        let r = rows_of(view, line, area.width, styles);
        rows += r.len();
        lines.push((line.seq, r));
        if rows >= height {
            break;
        }
    }
    lines
}

/// The screen rows one log line takes: one, unless wrapping or pretty JSON makes more.
pub fn rows_of(view: &LogView, line: &LogLine, width: u16, styles: &LogStyles) -> Vec<Line<'static>> {
    let mut prefix: Vec<(Cow<str>, Style)> = Vec::new();
    if view.timestamps
        && let Some(t) = line.time
    {
        prefix.push((t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ ").to_string().into(), styles.dim));
    }
    if view.shows_source() && !line.notice {
        let source = view.sources.get(usize::from(line.source)).map_or("", |s| s);
        prefix.push((format!("{source} ").into(), (styles.source)(line.source)));
    }
    let bodies: Vec<Vec<(Cow<str>, Style)>> = if line.notice {
        vec![vec![(line.text.text.as_str().into(), styles.notice)]]
    } else {
        body_of(view, line, styles)
    };
    let mut rows = Vec::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let mut pieces = if i == 0 {
            prefix.clone()
        } else {
            vec![(" ".repeat(prefix_width(&prefix)).into(), Style::new())]
        };
        pieces.extend(body);
        if view.wrap {
            rows.extend(wrap(pieces, usize::from(width).max(1)));
        } else {
            rows.push(to_line(pieces));
        }
    }
    rows
}

/// A line's text as it is shown: its own colours, JSON as asked, search matches highlighted.
fn body_of<'a>(view: &LogView, line: &'a LogLine, styles: &LogStyles) -> Vec<Vec<(Cow<'a, str>, Style)>> {
    let json = match &view.json {
        JsonMode::Raw => None,
        mode => json_text(&line.text.text, mode),
    };
    let bodies: Vec<Vec<(Cow<str>, Style)>> = match json {
        Some(lines) => lines.into_iter().map(|l| vec![(Cow::Owned(l), Style::new())]).collect(),
        None => vec![
            line.text
                .pieces()
                .into_iter()
                .map(|(t, s)| (Cow::Borrowed(t), (styles.text)(s)))
                .collect(),
        ],
    };
    match &view.search {
        Some(search) => bodies
            .into_iter()
            .map(|b| highlight(b, &search.regex, styles.search_match))
            .collect(),
        None => bodies,
    }
}

/// A JSON object line pretty-printed, or as `field=value` of the chosen fields; None when the
/// line is not a JSON object (it is then shown as it is).
fn json_text(text: &str, mode: &JsonMode) -> Option<Vec<String>> {
    if !text.trim_start().starts_with('{') {
        return None;
    }
    let value: serde_json::Value = serde_json::from_str(text.trim()).ok()?;
    let object = value.as_object()?;
    match mode {
        JsonMode::Raw => None,
        JsonMode::Pretty => serde_json::to_string_pretty(&value)
            .ok()
            .map(|p| p.lines().map(crate::text::sanitize).collect()),
        JsonMode::Fields(fields) => {
            let shown: Vec<String> = fields
                .iter()
                .filter_map(|f| {
                    let v = object.get(f)?;
                    let v = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    Some(format!("{f}={}", crate::text::sanitize(&v)))
                })
                .collect();
            if shown.is_empty() {
                None
            } else {
                Some(vec![shown.join(" ")])
            }
        }
    }
}

/// Splits pieces at search matches and marks the matches.
fn highlight<'a>(
    pieces: Vec<(Cow<'a, str>, Style)>,
    regex: &regex::Regex,
    marked: Style,
) -> Vec<(Cow<'a, str>, Style)> {
    let text: String = pieces.iter().map(|(t, _)| t.as_ref()).collect();
    let matches: Vec<(usize, usize)> = regex
        .find_iter(&text)
        .filter(|m| !m.is_empty())
        .map(|m| (m.start(), m.end()))
        .collect();
    if matches.is_empty() {
        return pieces;
    }
    let mut out = Vec::new();
    let mut offset = 0;
    for (piece, piece_style) in pieces {
        let (start, end) = (offset, offset + piece.len());
        offset = end;
        let mut at = start;
        for &(m_start, m_end) in matches.iter().filter(|(s, e)| *e > start && *s < end) {
            let (s, e) = (m_start.max(start), m_end.min(end));
            if s > at {
                out.push((Cow::Owned(piece[at - start..s - start].to_owned()), piece_style));
            }
            out.push((Cow::Owned(piece[s - start..e - start].to_owned()), marked));
            at = e;
        }
        if at < end {
            out.push((Cow::Owned(piece[at - start..].to_owned()), piece_style));
        }
    }
    out
}

fn prefix_width(prefix: &[(Cow<str>, Style)]) -> usize {
    prefix
        .iter()
        .flat_map(|(t, _)| t.chars())
        .map(|c| c.width().unwrap_or(0))
        .sum()
}

fn to_line(pieces: Vec<(Cow<str>, Style)>) -> Line<'static> {
    Line::from(
        pieces
            .into_iter()
            .map(|(t, s)| Span::styled(t.into_owned(), s))
            .collect::<Vec<_>>(),
    )
}

/// Cuts pieces into rows of at most `width` columns (wide characters count double).
fn wrap(pieces: Vec<(Cow<str>, Style)>, width: usize) -> Vec<Line<'static>> {
    let mut rows = Vec::new();
    let mut row: Vec<Span> = Vec::new();
    let mut used = 0;
    for (text, piece_style) in pieces {
        let mut current = String::new();
        for c in text.chars() {
            let w = c.width().unwrap_or(0);
            if used + w > width && used > 0 {
                if !current.is_empty() {
                    row.push(Span::styled(std::mem::take(&mut current), piece_style));
                }
                rows.push(Line::from(std::mem::take(&mut row)));
                used = 0;
            }
            current.push(c);
            used += w;
        }
        if !current.is_empty() {
            row.push(Span::styled(current, piece_style));
        }
    }
    if !row.is_empty() || rows.is_empty() {
        rows.push(Line::from(row));
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapping_counts_columns_not_bytes() {
        let rows = wrap(vec![("héllo wörld".into(), Style::new())], 5);
        let texts: Vec<String> = rows.iter().map(|l| l.to_string()).collect();
        assert_eq!(texts, ["héllo", " wörl", "d"]);
        let rows = wrap(vec![("日本語".into(), Style::new())], 4);
        assert_eq!(rows.len(), 2, "two wide characters per row of four columns");
    }

    #[test]
    fn json_lines_pretty_or_as_fields() {
        let line = r#"{"level":"error","msg":"db down","attempt":3}"#;
        assert_eq!(
            json_text(line, &JsonMode::Fields(vec!["level".into(), "attempt".into()])).unwrap(),
            ["level=error attempt=3"]
        );
        let pretty = json_text(line, &JsonMode::Pretty).unwrap();
        assert_eq!(pretty.first().map(String::as_str), Some("{"));
        assert!(pretty.iter().any(|l| l.contains(r#""msg": "db down""#)));
        assert_eq!(json_text("plain text", &JsonMode::Pretty), None);
        assert_eq!(
            json_text(r#"{"other":1}"#, &JsonMode::Fields(vec!["level".into()])),
            None
        );
    }

    #[test]
    fn matches_are_highlighted_across_colour_pieces() {
        let regex = regex::Regex::new("lo wo").unwrap();
        let red = Style::new().fg(ratatui::style::Color::Red);
        let marked = Style::new().add_modifier(ratatui::style::Modifier::REVERSED);
        let out = highlight(
            vec![("hello".into(), red), (" world".into(), Style::new())],
            &regex,
            marked,
        );
        let texts: Vec<(&str, bool)> = out.iter().map(|(t, s)| (t.as_ref(), *s == marked)).collect();
        assert_eq!(texts, [("hel", false), ("lo", true), (" wo", true), ("rld", false)]);
    }
}
