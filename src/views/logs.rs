//! The log view. Only the lines that end up on screen are laid out: following, from the newest
//! line back until the screen is full; paused, from the first line shown forward. So a buffer of
//! 10,000 lines costs no more to draw than a screenful.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::{boxed, style};
use crate::app::log_rows::{LogStyles, last_screenful, rows_of};
use crate::app::logs::{JsonMode, LogView};

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
    let styles = themed();
    let rows = match view.paused_at {
        Some(seq) => {
            let start = view.index_of(seq);
            let mut rows = Vec::new();
            for line in view.lines.range(start..).filter(|l| view.visible(l)) {
                rows.extend(rows_of(view, line, text.width, &styles));
                if rows.len() >= height {
                    break;
                }
            }
            rows
        }
        None => following_rows(view, text, &styles),
    };
    for (i, row) in rows.into_iter().take(height).enumerate() {
        row.render(Rect::new(text.x, text.y + i as u16, text.width, 1), buf);
    }
    status_line(view).render(Rect::new(inner.x, inner.y + text.height, inner.width, 1), buf);
}

/// The last screenful: from the newest visible line back until the screen is full.
fn following_rows(view: &LogView, area: Rect, styles: &LogStyles) -> Vec<Line<'static>> {
    let all: Vec<Line> = last_screenful(view, area, styles)
        .into_iter()
        .rev()
        .flat_map(|(_, rows)| rows)
        .collect();
    let skip = all.len().saturating_sub(usize::from(area.height));
    all.into_iter().skip(skip).collect()
}

/// The log view's styles in the user's theme.
fn themed() -> LogStyles {
    LogStyles {
        dim: style::dim(),
        notice: style::dim().add_modifier(Modifier::ITALIC),
        search_match: style::search_match(),
        source: style::source,
        text: style::log_text,
    }
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
