//! The log view. Only the lines that end up on screen are laid out: following, from the newest
//! line back until the screen is full; paused, from the first line shown forward. So a buffer of
//! 10,000 lines costs no more to draw than a screenful.

use std::borrow::Cow;

use ratatui::buffer::Buffer;
use ratatui::layout::{Margin, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;
use unicode_width::UnicodeWidthChar;

use super::{boxed, layout, style};
use crate::app::App;
use crate::app::logs::{JsonMode, LogLine, LogView};

/// Where the log text goes (inside the box, above the status line).
pub fn text_area(app: &App, area: Rect) -> Rect {
    let body = layout::body(&layout::screen(app, area));
    let inner = body.inner(Margin::new(1, 1));
    Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    }
}

/// The first line on screen when following the end, for pausing and searching from there.
pub fn first_shown(view: &LogView, area: Rect) -> Option<u64> {
    last_screenful(view, area).last().map(|(seq, _)| *seq)
}

/// The newest visible lines, newest first, each with its rows, until they fill `area`.
fn last_screenful(view: &LogView, area: Rect) -> Vec<(u64, Vec<Line<'static>>)> {
    let height = usize::from(area.height).max(1);
    let mut rows = 0;
    let mut lines = Vec::new();
    for line in view.lines.iter().rev().filter(|l| view.visible(l)) {
        let r = rows_of(view, line, area.width);
        rows += r.len();
        lines.push((line.seq, r));
        if rows >= height {
            break;
        }
    }
    lines
}

pub fn render(view: &LogView, area: Rect, buf: &mut Buffer) {
    ratatui::widgets::Clear.render(area, buf);
    let title = format!(" {} ", crate::text::sanitize(&view.title()));
    let block = boxed(&title);
    let inner = block.inner(area);
    block.render(area, buf);
    let text = Rect {
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let height = usize::from(text.height);
    let rows = match view.paused_at {
        Some(seq) => {
            let start = view.index_of(seq);
            let mut rows = Vec::new();
            for line in view.lines.range(start..).filter(|l| view.visible(l)) {
                rows.extend(rows_of(view, line, text.width));
                if rows.len() >= height {
                    break;
                }
            }
            rows
        }
        None => following_rows(view, text),
    };
    for (i, row) in rows.into_iter().take(height).enumerate() {
        row.render(Rect::new(text.x, text.y + i as u16, text.width, 1), buf);
    }
    status_line(view).render(Rect::new(inner.x, inner.y + text.height, inner.width, 1), buf);
}

/// The last screenful: from the newest visible line back until the screen is full.
fn following_rows(view: &LogView, area: Rect) -> Vec<Line<'static>> {
    let all: Vec<Line> = last_screenful(view, area)
        .into_iter()
        .rev()
        .flat_map(|(_, rows)| rows)
        .collect();
    let skip = all.len().saturating_sub(usize::from(area.height));
    all.into_iter().skip(skip).collect()
}

/// Following or paused, what is shown how, and what the filter does.
fn status_line(view: &LogView) -> Line<'static> {
    let mut parts: Vec<Span> = Vec::new();
    let state = match (&view.ended, view.paused_at) {
        (Some(Err(_)), _) => Span::styled(" stopped ", style::error()),
        (Some(Ok(())), None) => Span::styled(" ended ", style::dim_title()),
        (_, None) => Span::styled(" following ", style::good()),
        (_, Some(_)) => Span::styled(
            format!(" paused, {} new (Space or G follows) ", view.unseen),
            style::warning(),
        ),
    };
    parts.push(state);
    let on = |b: bool| if b { "on" } else { "off" };
    let json = match &view.json {
        JsonMode::Raw => "raw".to_owned(),
        JsonMode::Pretty => "pretty".to_owned(),
        JsonMode::Fields(f) => f.join(","),
    };
    parts.push(Span::styled(
        format!(
            " {} lines · wrap {} · time {} · JSON {json}",
            view.lines.len(),
            on(view.wrap),
            on(view.timestamps)
        ),
        style::dim(),
    ));
    if let Some(s) = &view.search {
        let mode = if view.filtering {
            "only lines matching"
        } else {
            "search"
        };
        parts.push(Span::styled(format!(" · {mode} /{}/", s.text), style::title()));
    }
    Line::from(parts)
}

/// The screen rows one log line takes: one, unless wrapping or pretty JSON makes more.
fn rows_of(view: &LogView, line: &LogLine, width: u16) -> Vec<Line<'static>> {
    let mut prefix: Vec<(Cow<str>, Style)> = Vec::new();
    if view.timestamps
        && let Some(t) = line.time
    {
        prefix.push((t.strftime("%Y-%m-%dT%H:%M:%S%.3fZ ").to_string().into(), style::dim()));
    }
    if view.shows_source() && !line.notice {
        let source = view.sources.get(usize::from(line.source)).map_or("", |s| s);
        prefix.push((format!("{source} ").into(), style::source(line.source)));
    }
    let bodies: Vec<Vec<(Cow<str>, Style)>> = if line.notice {
        vec![vec![(
            line.text.text.as_str().into(),
            style::dim().add_modifier(Modifier::ITALIC),
        )]]
    } else {
        body_of(view, line)
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
fn body_of<'a>(view: &LogView, line: &'a LogLine) -> Vec<Vec<(Cow<'a, str>, Style)>> {
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
                .map(|(t, s)| (Cow::Borrowed(t), style::log_text(s)))
                .collect(),
        ],
    };
    match &view.search {
        Some(search) => bodies.into_iter().map(|b| highlight(b, &search.regex)).collect(),
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
fn highlight<'a>(pieces: Vec<(Cow<'a, str>, Style)>, regex: &regex::Regex) -> Vec<(Cow<'a, str>, Style)> {
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
            out.push((
                Cow::Owned(piece[s - start..e - start].to_owned()),
                style::search_match(),
            ));
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
        let out = highlight(vec![("hello".into(), red), (" world".into(), Style::new())], &regex);
        let texts: Vec<(&str, bool)> = out
            .iter()
            .map(|(t, s)| (t.as_ref(), *s == style::search_match()))
            .collect();
        assert_eq!(texts, [("hel", false), ("lo", true), (" wo", true), ("rld", false)]);
    }
}

#[cfg(test)]
mod snapshots {
    use crate::actions::operate::WorkloadRef;
    use crate::ansi::StyledText;
    use crate::app::logs::{JsonMode, LogSearch, LogView, compile_search};
    use crate::cluster::logs::{ContainerChoice, LogEvent, LogRequest, LogTarget, RawLine};
    use crate::views::tests::drawn;

    fn workload_view() -> LogView {
        let request = LogRequest {
            namespace: "todo".into(),
            target: LogTarget::Workload(WorkloadRef {
                statefulset: false,
                name: "backend".into(),
            }),
            container: ContainerChoice::Default,
            previous: false,
            tail: Some(500),
            since_seconds: None,
            follow: true,
        };
        let mut view = LogView::new(1, request, 100);
        let line = |t: &str| RawLine {
            time: Some("2026-11-23T16:00:00.250Z".parse().unwrap()),
            text: StyledText::parse(t),
        };
        for i in 0..30 {
            view.on_event(LogEvent::Lines {
                pod: "backend-7d9f-a".into(),
                container: "api".into(),
                lines: vec![line(&format!("GET /api/todos/{i} 200 4ms"))],
            });
        }
        view.on_event(LogEvent::Lines {
            pod: "backend-7d9f-b".into(),
            container: "api".into(),
            lines: vec![
                line(r#"{"level":"error","msg":"database timeout","attempt":3}"#),
                line("\x1b[31mERROR\x1b[0m a very long line that goes past the edge of the view and has to wrap when wrapping is on"),
            ],
        });
        view.on_event(LogEvent::Notice("pod backend-7d9f-c joined".into()));
        view
    }

    #[test]
    fn a_workload_tail_with_prefixes_following_the_end() {
        let view = workload_view();
        insta::assert_snapshot!(drawn(80, 12, |area, buf| super::render(&view, area, buf)));
    }

    #[test]
    fn wrapped_timestamped_json_fields_and_a_search() {
        let mut view = workload_view();
        view.wrap = true;
        view.timestamps = true;
        view.json = JsonMode::Fields(vec!["level".into(), "msg".into()]);
        view.search = Some(LogSearch {
            text: "error".into(),
            regex: compile_search("error").unwrap(),
        });
        view.filtering = true;
        insta::assert_snapshot!(drawn(80, 12, |area, buf| super::render(&view, area, buf)));
    }
}
