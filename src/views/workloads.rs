//! The Workloads pane: Deployments and StatefulSets with their rollout state.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::table::{self, TableFrame};
use super::{PaneContext, style};
use crate::app::PaneId;
use crate::app::table::Tabular;
use crate::cluster::store::ObjectKey;
use crate::cluster::workloads::{Rollout, WorkloadRow};
use crate::text::age;

pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let synced = app.data.is_synced(PaneId::Workloads);
    let frame = TableFrame {
        title: format!("Workloads ({})", cx.scope),
        pane: app.panes.get(PaneId::Workloads),
        columns: WorkloadRow::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Workloads),
        focused: cx.focused,
        empty: Line::styled(
            if synced {
                "No Deployments or StatefulSets here."
            } else {
                "Loading workloads ..."
            },
            style::dim(),
        ),
        footer: cx.stale_notice(),
    };
    let now = app.now;
    let lookup = |k: &ObjectKey| app.data.deployments.get(k).or_else(|| app.data.statefulsets.get(k));
    table::render(frame, lookup, |w, c| cell(w, c, now), area, buf);
}

fn cell(w: &WorkloadRow, column: usize, now: jiff::Timestamp) -> Line<'_> {
    match column {
        0 => Line::from(w.key.namespace.as_str()),
        1 => Line::from(w.kind.short()),
        2 => Line::from(w.name.as_str()),
        3 => {
            let s = if w.ready == w.desired {
                style::good()
            } else {
                style::warning()
            };
            Line::from(Span::styled(format!("{}/{}", w.ready, w.desired), s))
        }
        4 => Line::from(w.updated.to_string()),
        5 => Line::from(w.available.to_string()),
        6 => Line::from(w.images.join(", ")),
        7 => match &w.rollout {
            Rollout::Stalled(why) => Line::from(Span::styled(format!("stalled: {why}"), style::error())),
            Rollout::Progressing => Line::from(Span::styled(w.gauge(), style::warning())),
            other => Line::from(Span::styled(other.label(), style::good())),
        },
        8 => Line::from(w.created.map(|t| age(t, now)).unwrap_or_default()),
        9 => Line::from(w.containers.join(",")),
        _ => Line::from(w.selector.as_str()),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_rollout_gauge_shows_updated_and_ready_against_desired() {
        assert_eq!(
            crate::cluster::workloads::gauge(2, 1, 4),
            "██▓▓▓░░░░░ 2/4 updated, 1/4 ready"
        );
        assert_eq!(
            crate::cluster::workloads::gauge(0, 0, 0),
            "░░░░░░░░░░ 0/0 updated, 0/0 ready"
        );
        assert_eq!(
            crate::cluster::workloads::gauge(3, 3, 3),
            "██████████ 3/3 updated, 3/3 ready"
        );
    }
}
