//! Helm releases: the newest revision of each release, one release's history, and the diff
//! between two revisions. Unreadable records are shown in red with the reason, never hidden.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Paragraph, Row, Table, Widget, Wrap};

use super::style;
use crate::cluster::releases::{DiffLine, ReleaseRow};
use crate::text::age;

/// The Releases pane: one row per release, its newest revision.
pub fn render_latest(rows: &[&ReleaseRow], selected: Option<usize>, now: Timestamp, area: Rect, buf: &mut Buffer) {
    use Column::*;
    let mut title = vec![Span::styled(
        format!(" Helm releases [{}] ", rows.len()),
        style::title(),
    )];
    let unreadable = rows.iter().filter(|r| r.problem.is_some()).count();
    if unreadable > 0 {
        title.push(Span::styled(format!(" {unreadable} unreadable "), style::error()));
    }
    let layout = TableLayout {
        columns: &[Name, Namespace, Revision, Status, Chart, AppVersion, Updated],
        drop_first: &[AppVersion, Namespace, Updated, Revision],
        problem_in: Chart,
        empty: "No Helm releases.",
    };
    render_table(Line::from(title), &layout, rows, selected, now, area, buf);
}

/// One release's revisions, oldest first, as `helm history` lists them.
pub fn render_history(rows: &[&ReleaseRow], selected: Option<usize>, now: Timestamp, area: Rect, buf: &mut Buffer) {
    use Column::*;
    let title = match rows.first() {
        Some(r) => format!(" History of {} in {} [{}] ", r.name, r.namespace, rows.len()),
        None => " History ".to_owned(),
    };
    let layout = TableLayout {
        columns: &[Revision, Updated, Status, Chart, AppVersion, Description],
        drop_first: &[AppVersion, Updated, Chart],
        problem_in: Description,
        empty: "No revisions.",
    };
    render_table(
        Line::styled(title, style::title()),
        &layout,
        rows,
        selected,
        now,
        area,
        buf,
    );
}

/// Unified-diff lines from `offset` on, as many as fit.
pub fn render_diff(lines: &[DiffLine], offset: usize, area: Rect, buf: &mut Buffer) {
    let height = usize::from(area.height.saturating_sub(2));
    let offset = offset.min(lines.len().saturating_sub(height));
    let mut block = Block::bordered().title(Line::styled(" Diff ", style::title()));
    if lines.len() > height {
        let last = (offset + height).min(lines.len());
        block = block.title(Line::styled(
            format!(" lines {}-{last} of {} ", offset + 1, lines.len()),
            style::dim(),
        ));
    }
    if lines.is_empty() {
        Paragraph::new(Line::styled("Nothing to compare.", style::dim()))
            .block(block)
            .render(area, buf);
        return;
    }
    let shown: Vec<Line> = lines.iter().skip(offset).take(height).map(diff_line).collect();
    Paragraph::new(shown).block(block).render(area, buf);
}

fn diff_line(line: &DiffLine) -> Line<'_> {
    match line {
        DiffLine::Header(text) => Line::styled(text.as_str(), style::title()),
        DiffLine::Context(text) => Line::raw(format!(" {text}")),
        DiffLine::Added(text) => Line::styled(format!("+{text}"), style::good()),
        DiffLine::Removed(text) => Line::styled(format!("-{text}"), style::removed()),
    }
}

/// Which columns a releases table has, which go first when it is narrow, and where an
/// unreadable record's reason is written.
struct TableLayout {
    columns: &'static [Column],
    drop_first: &'static [Column],
    problem_in: Column,
    empty: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Column {
    Name,
    Namespace,
    Revision,
    Status,
    Chart,
    AppVersion,
    Updated,
    Description,
}

impl Column {
    fn title(self) -> &'static str {
        match self {
            Column::Name => "NAME",
            Column::Namespace => "NAMESPACE",
            Column::Revision => "REVISION",
            Column::Status => "STATUS",
            Column::Chart => "CHART",
            Column::AppVersion => "APP VERSION",
            Column::Updated => "UPDATED",
            Column::Description => "DESCRIPTION",
        }
    }

    /// Narrowest useful width.
    fn min_width(self) -> u16 {
        match self {
            Column::Name => 16,
            Column::Namespace => 10,
            Column::Revision => 8,
            Column::Status => 16,
            Column::Chart => 20,
            Column::AppVersion => 11,
            Column::Updated => 7,
            Column::Description => 20,
        }
    }

    fn width(self) -> Constraint {
        match self {
            Column::Name | Column::Chart => Constraint::Fill(2),
            Column::Namespace => Constraint::Fill(1),
            Column::Description => Constraint::Fill(3),
            other => Constraint::Length(other.min_width()),
        }
    }

    fn cell(self, row: &ReleaseRow, now: Timestamp) -> Cell<'_> {
        match self {
            Column::Name => Cell::from(row.name.as_str()),
            Column::Namespace => Cell::from(row.namespace.as_str()),
            Column::Revision => Cell::from(row.revision.to_string()),
            // The status label of an unreadable record may lie; the row is red as a whole.
            Column::Status if row.problem.is_some() => Cell::from("unreadable"),
            Column::Status => Cell::from(Span::styled(row.status.as_str(), style::health(row.status.health()))),
            Column::Chart => Cell::from(row.chart.as_str()),
            Column::AppVersion => Cell::from(row.app_version.as_str()),
            Column::Updated => Cell::from(row.updated.map(|t| age(t, now)).unwrap_or_default()),
            Column::Description => Cell::from(row.description.as_str()),
        }
    }
}

/// The columns that fit in `width`, dropping those in `drop_first` in turn until they do.
fn visible_columns(layout: &TableLayout, width: u16) -> Vec<Column> {
    let mut columns = layout.columns.to_vec();
    let needed = |cols: &[Column]| cols.iter().map(|c| c.min_width() + 1).sum::<u16>();
    for drop in layout.drop_first {
        if needed(&columns) <= width {
            break;
        }
        columns.retain(|c| c != drop);
    }
    columns
}

fn render_table(
    title: Line,
    layout: &TableLayout,
    rows: &[&ReleaseRow],
    selected: Option<usize>,
    now: Timestamp,
    area: Rect,
    buf: &mut Buffer,
) {
    let block = Block::bordered().title(title);
    if rows.is_empty() {
        Paragraph::new(Line::styled(layout.empty, style::dim()))
            .wrap(Wrap { trim: true })
            .block(block)
            .render(area, buf);
        return;
    }
    // Borders and the column header take three lines; keep the selection on screen.
    let page = usize::from(area.height.saturating_sub(3)).max(1);
    let offset = selected.map_or(0, |s| (s + 1).saturating_sub(page));
    let columns = visible_columns(layout, area.width.saturating_sub(2));
    let shown = rows.iter().enumerate().skip(offset).take(page).map(|(i, row)| {
        let cells = columns.iter().map(|&column| match &row.problem {
            Some(problem) if column == layout.problem_in => Cell::from(problem.as_str()),
            _ => column.cell(row, now),
        });
        let emphasis = if row.problem.is_some() {
            style::error()
        } else {
            Default::default()
        };
        if Some(i) == selected {
            Row::new(cells).style(emphasis.patch(style::selected()))
        } else {
            Row::new(cells).style(emphasis)
        }
    });
    let header = Row::new(columns.iter().map(|c| c.title())).style(style::column_header());
    Table::new(shown, columns.iter().map(|c| c.width()))
        .header(header)
        .column_spacing(1)
        .block(block)
        .render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::releases::{ReleaseStatus, diff_revisions, latest_per_release};
    use crate::views::tests::drawn;

    fn now() -> Timestamp {
        "2026-11-23T12:00:00Z".parse().unwrap()
    }

    fn revisions() -> Vec<ReleaseRow> {
        let mut failed = ReleaseRow::example("demo", "todo", 3, "failed", "2026-11-23T11:00:00Z");
        failed.description = "Upgrade \"todo\" failed: context deadline exceeded".into();
        let mut corrupt = ReleaseRow::example("demo", "broken", 2, "deployed", "2026-11-22T08:00:00Z");
        corrupt.problem = Some("the record is not gzip: invalid gzip header".into());
        corrupt.chart.clear();
        corrupt.app_version.clear();
        corrupt.description.clear();
        let mut redis = ReleaseRow::example("cache", "redis", 7, "superseded", "2026-11-01T00:00:00Z");
        redis.chart = "redis-19.6.4".into();
        redis.app_version = "7.2.5".into();
        vec![
            ReleaseRow::example("demo", "todo", 1, "superseded", "2026-11-20T10:00:00Z"),
            ReleaseRow::example("demo", "todo", 2, "deployed", "2026-11-21T10:00:00Z"),
            failed,
            corrupt,
            redis,
            ReleaseRow::example("demo", "ingress", 1, "pending-install", "2026-11-23T11:59:30Z"),
        ]
    }

    #[test]
    fn latest_revision_of_each_release() {
        let rows = revisions();
        let latest = latest_per_release(&rows);
        let draw = |w, h| drawn(w, h, |area, buf| render_latest(&latest, Some(2), now(), area, buf));
        insta::assert_snapshot!(draw(110, 8));
        insta::assert_snapshot!("latest_revision_of_each_release_narrow", draw(50, 8));
    }

    #[test]
    fn history_of_one_release() {
        let rows = revisions();
        let todo = crate::cluster::releases::history(&rows, "demo", "todo");
        insta::assert_snapshot!(drawn(110, 7, |area, buf| render_history(
            &todo,
            Some(2),
            now(),
            area,
            buf
        )));
    }

    #[test]
    fn unreadable_revision_in_a_history() {
        let rows = revisions();
        let broken = crate::cluster::releases::history(&rows, "demo", "broken");
        assert_eq!(broken[0].status, ReleaseStatus::Deployed);
        insta::assert_snapshot!(drawn(100, 5, |area, buf| render_history(
            &broken,
            None,
            now(),
            area,
            buf
        )));
    }

    #[test]
    fn empty_tables_say_so() {
        insta::assert_snapshot!(drawn(40, 4, |area, buf| render_latest(&[], None, now(), area, buf)));
        insta::assert_snapshot!(
            "empty_history",
            drawn(40, 4, |area, buf| render_history(&[], None, now(), area, buf))
        );
    }

    #[test]
    fn selection_stays_on_screen() {
        let rows: Vec<ReleaseRow> = (1..=20)
            .map(|rev| ReleaseRow::example("demo", "todo", rev, "superseded", "2026-11-20T10:00:00Z"))
            .collect();
        let refs: Vec<&ReleaseRow> = rows.iter().collect();
        let screen = drawn(60, 6, |area, buf| render_history(&refs, Some(17), now(), area, buf));
        assert!(screen.contains("│18 "), "{screen}");
        assert!(!screen.contains("│19 "), "{screen}");
    }

    fn diff() -> Vec<DiffLine> {
        use crate::cluster::releases::Release;
        let release = |version, replicas: u32, manifest: &str| Release {
            version,
            config: serde_json::json!({"replicaCount": replicas, "image": {"tag": "v2"}})
                .as_object()
                .unwrap()
                .clone(),
            manifest: manifest.to_owned(),
            ..Release::default()
        };
        diff_revisions(
            &release(2, 2, "kind: Deployment\nspec:\n  replicas: 2\n"),
            &release(3, 3, "kind: Deployment\nspec:\n  replicas: 3\n"),
        )
    }

    #[test]
    fn diff_between_revisions() {
        let lines = diff();
        insta::assert_snapshot!(drawn(50, 16, |area, buf| render_diff(&lines, 0, area, buf)));
        insta::assert_snapshot!(
            "diff_between_revisions_scrolled",
            drawn(50, 6, |area, buf| render_diff(&lines, 5, area, buf))
        );
        // Scrolling past the end shows the last page.
        assert_eq!(
            drawn(50, 6, |area, buf| render_diff(&lines, 999, area, buf)),
            drawn(50, 6, |area, buf| render_diff(&lines, lines.len() - 4, area, buf)),
        );
        insta::assert_snapshot!(
            "diff_with_nothing_to_compare",
            drawn(30, 3, |area, buf| render_diff(&[], 0, area, buf))
        );
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let rows = revisions();
        let refs: Vec<&ReleaseRow> = rows.iter().collect();
        let lines = diff();
        for (w, h) in [(1, 1), (2, 2), (10, 3), (200, 2), (3, 40)] {
            drawn(w, h, |area, buf| render_latest(&refs, Some(5), now(), area, buf));
            drawn(w, h, |area, buf| render_history(&refs, Some(0), now(), area, buf));
            drawn(w, h, |area, buf| render_diff(&lines, 3, area, buf));
        }
    }
}
