//! The HPA pane: targets, replicas and metrics per HPA, and for the selected one its
//! conditions and sparklines of replicas and CPU over the session.

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Sparkline, Widget};
use unicode_width::UnicodeWidthStr;

use super::table::{self, TableFrame};
use super::{PaneContext, fit, style};
use crate::app::PaneId;
use crate::app::table::Tabular;
use crate::cluster::hpas::HpaRow;
use crate::text::age;

/// Height of the detail strip under the table.
const DETAIL_HEIGHT: u16 = 6;

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let pane = app.panes.get(PaneId::Hpas);
    let selected = pane.selected_key().and_then(|k| app.data.hpas.get(k));
    let (table_area, detail_area) = match selected {
        Some(_) if area.height >= DETAIL_HEIGHT + 8 => {
            let [t, d] = Layout::vertical([Constraint::Min(0), Constraint::Length(DETAIL_HEIGHT)]).areas(area);
            (t, Some(d))
        }
        _ => (area, None),
    };
    let frame = TableFrame {
        title: format!("HPAs ({})", cx.scope),
        pane,
        columns: HpaRow::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Hpas),
        focused: cx.focused,
        empty: Line::styled(
            if app.data.hpas.is_synced() {
                "No HorizontalPodAutoscalers."
            } else {
                "Loading HPAs ..."
            },
            style::dim(),
        ),
        footer: cx.stale_notice(),
    };
    let now = app.now;
    table::render(frame, |k| app.data.hpas.get(k), |h, c| cell(h, c, now), table_area, buf);
    if let (Some(hpa), Some(area)) = (selected, detail_area) {
        render_detail(hpa, app.data.hpa_history.get(&hpa.key), now, area, buf);
    }
}

fn cell(h: &HpaRow, column: usize, now: jiff::Timestamp) -> Line<'_> {
    match column {
        0 => Line::from(h.key.namespace.as_str()),
        1 => Line::from(h.key.name.as_str()),
        2 => Line::from(h.target.as_str()),
        3 => Line::from(h.min.to_string()),
        4 => Line::from(h.max.to_string()),
        5 => {
            let text = if h.desired != h.current {
                format!("{}→{}", h.current, h.desired)
            } else {
                h.current.to_string()
            };
            let s = if h.at_max() {
                style::warning()
            } else {
                Default::default()
            };
            Line::from(Span::styled(text, s))
        }
        6 => Line::from(
            h.metrics
                .iter()
                .map(|m| {
                    format!(
                        "{} {}/{}",
                        m.name,
                        m.current.as_deref().unwrap_or("<unknown>"),
                        m.target
                    )
                })
                .collect::<Vec<_>>()
                .join(", "),
        ),
        7 => match h.trouble() {
            Some(c) => Line::from(Span::styled(format!("{}: {}", c.kind, c.reason), style::warning())),
            None if h.conditions.is_empty() => Line::from(Span::styled("<none yet>", style::dim())),
            None => Line::from(Span::styled("ok", style::good())),
        },
        _ => Line::from(
            h.last_scale
                .map(|t| format!("{} ago", age(t, now)))
                .unwrap_or_else(|| "never".into()),
        ),
    }
}

/// The selected HPA's conditions on the left and, in a column of their own on the right, the
/// replica and CPU sparklines and the last scale. Each part is cut to its own area, so nothing
/// runs into its neighbour at any size.
fn render_detail(
    hpa: &HpaRow,
    history: Option<&crate::app::data::HpaHistory>,
    now: jiff::Timestamp,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = Block::new()
        .borders(Borders::LEFT | Borders::RIGHT | Borders::BOTTOM)
        .title(Span::styled(format!(" {} ", hpa.key), style::dim_title()));
    let inner = block.inner(area);
    block.render(area, buf);
    // The trend column is as wide as a sparkline worth reading; the conditions take the rest.
    let trend_width = (inner.width / 3).clamp(24, 48).min(inner.width);
    let [text, _, trends] = Layout::horizontal([
        Constraint::Min(0),
        Constraint::Length(2),
        Constraint::Length(trend_width),
    ])
    .areas(inner);
    let lines: Vec<Line> = hpa
        .conditions
        .iter()
        .map(|c| {
            let s = match (c.kind.as_str(), c.ok) {
                ("ScalingLimited", true) | (_, false) => style::warning(),
                _ => style::good(),
            };
            let line = Line::from(vec![
                Span::styled(format!("{} {} ", c.kind, if c.ok { "True" } else { "False" }), s),
                Span::raw(if c.message.is_empty() {
                    c.reason.clone()
                } else {
                    format!("{}: {}", c.reason, c.message)
                }),
            ]);
            fit::cut_line(line, text.width, fit::Cut::End)
        })
        .collect();
    Paragraph::new(lines).render(text, buf);

    // One line each: label, then the sparkline in the room after the longest label.
    let [replicas_area, cpu_area, last_area] = Layout::vertical([Constraint::Length(1); 3]).areas(trends);
    let empty = Vec::new();
    let (replicas, cpu) = history.map_or((&empty, &empty), |h| (&h.replicas, &h.cpu));
    let replicas_label = format!("replicas {}/{}", hpa.current, hpa.max);
    let cpu_label = hpa
        .cpu_utilization
        .map_or("cpu n/a".to_owned(), |c| format!("cpu {c}%"));
    let label_width = replicas_label.width().max(cpu_label.width()) as u16 + 1;
    spark(
        &replicas_label,
        label_width,
        replicas,
        Some(hpa.max as u64),
        replicas_area,
        buf,
    );
    spark(&cpu_label, label_width, cpu, None, cpu_area, buf);
    let last = hpa
        .last_scale
        .map_or("never scaled".to_owned(), |t| format!("last scale {} ago", age(t, now)));
    fit::cut_line(Line::styled(last, style::dim()), last_area.width, fit::Cut::End).render(last_area, buf);
}

fn spark(label: &str, label_width: u16, data: &[u64], max: Option<u64>, area: Rect, buf: &mut Buffer) {
    let [label_area, line] =
        Layout::horizontal([Constraint::Length(label_width.min(area.width)), Constraint::Min(0)]).areas(area);
    fit::cut_line(
        Line::styled(label.to_owned(), style::dim()),
        label_area.width,
        fit::Cut::End,
    )
    .render(label_area, buf);
    // Most recent samples at the right edge.
    let skip = data.len().saturating_sub(usize::from(line.width));
    let mut sparkline = Sparkline::default().data(&data[skip..]).style(style::title());
    if let Some(m) = max {
        sparkline = sparkline.max(m);
    }
    sparkline.render(line, buf);
}
