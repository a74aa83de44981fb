//! Helm releases: the newest revision of each release, one release's history, and the diff
//! between two revisions. Unreadable records are shown in red with the reason, never hidden.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget};

use super::table::{self, ColumnSpec, TableFrame, col};
use super::{PaneContext, style};
use crate::app::table::Tabular;
use crate::app::views::{DiffView, HistoryView, Loadable};
use crate::app::{App, PaneId};
use crate::cluster::releases::{DiffLine, ReleaseRow};
use crate::text::age;

/// Columns of a release's history.
const HISTORY: &[ColumnSpec] = &[
    col("REVISION", 8, 0),
    col("UPDATED", 9, 3),
    col("STATUS", 16, 0),
    col("CHART", 30, 2),
    col("APP VERSION", 12, 4),
    col("DESCRIPTION", 60, 0),
];

/// The Releases pane: one row per release, its newest revision.
pub fn render(cx: &PaneContext, area: Rect, buf: &mut Buffer) {
    let app = cx.app;
    let unreadable = app.data.releases.iter().filter(|r| r.problem.is_some()).count();
    let footer = cx.stale_notice().or_else(|| {
        (unreadable > 0).then(|| Line::styled(format!(" {unreadable} unreadable release records "), style::error()))
    });
    let frame = TableFrame {
        title: format!("Releases ({})", cx.scope),
        pane: app.panes.get(PaneId::Releases),
        columns: ReleaseRow::COLUMNS,
        hidden: &cx.not_drawn(PaneId::Releases),
        focused: cx.focused,
        empty: Line::styled(
            if app.data.releases.is_synced() {
                "No Helm releases."
            } else {
                "Loading releases ..."
            },
            style::dim(),
        ),
        footer,
    };
    let now = app.now;
    table::render(
        frame,
        |k| app.data.releases.get(k),
        |r, c| latest_cell(r, c, now),
        area,
        buf,
    );
}

fn latest_cell(row: &ReleaseRow, column: usize, now: Timestamp) -> Line<'_> {
    match column {
        0 => Line::from(row.namespace.as_str()),
        1 => Line::from(row.name.as_str()),
        2 => Line::from(row.revision.to_string()),
        3 => status_cell(row),
        // An unreadable record's reason goes where the chart would be.
        4 => match &row.problem {
            Some(problem) => Line::from(Span::styled(problem.as_str(), style::error())),
            None => Line::from(row.chart.as_str()),
        },
        5 => Line::from(row.app_version.as_str()),
        _ => Line::from(row.updated.map(|t| age(t, now)).unwrap_or_default()),
    }
}

fn status_cell(row: &ReleaseRow) -> Line<'_> {
    match &row.problem {
        // The status label of an unreadable record may lie.
        Some(_) => Line::from(Span::styled("unreadable", style::error())),
        None => Line::from(Span::styled(row.status.as_str(), style::health(row.status.health()))),
    }
}

fn history_cell(row: &ReleaseRow, column: usize, now: Timestamp, marked: bool) -> Line<'_> {
    match column {
        0 if marked => Line::from(Span::styled(format!("{} *", row.revision), style::warning())),
        0 => Line::from(row.revision.to_string()),
        1 => Line::from(row.updated.map(|t| age(t, now)).unwrap_or_default()),
        2 => status_cell(row),
        3 => Line::from(row.chart.as_str()),
        4 => Line::from(row.app_version.as_str()),
        _ => match &row.problem {
            Some(problem) => Line::from(Span::styled(problem.as_str(), style::error())),
            None => Line::from(row.description.as_str()),
        },
    }
}

/// A release's revisions, oldest first, as `helm history` lists them.
pub fn render_history(app: &App, view: &HistoryView, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    let hint = match &view.marked {
        Some(_) => " Enter: diff with the marked revision (*) · Esc: unmark ",
        None => " Enter: diff with the previous revision · m: mark one to compare · Esc: back ",
    };
    let frame = TableFrame {
        title: format!("History of {} in {}", view.name, view.namespace),
        pane: &view.table,
        columns: HISTORY,
        hidden: &[],
        focused: true,
        empty: Line::styled("No revisions left: the release was removed.", style::dim()),
        footer: Some(Line::styled(hint, style::dim())),
    };
    let now = app.now;
    let marked = view.marked.as_ref();
    table::render(
        frame,
        |k| app.data.releases.get(k),
        |r, c| history_cell(r, c, now, Some(&r.key) == marked),
        area,
        buf,
    );
}

/// The diff view: loading, failed, or the lines.
pub fn render_diff_view(view: &DiffView, area: Rect, buf: &mut Buffer) {
    Clear.render(area, buf);
    match &view.lines {
        Loadable::Ready(lines) => render_diff(&view.title, lines, view.offset, area, buf),
        Loadable::Loading => Paragraph::new(Line::styled("Reading both revisions ...", style::dim()))
            .block(Block::bordered().title(Line::styled(format!(" {} ", view.title), style::title())))
            .render(area, buf),
        Loadable::Failed(why) => Paragraph::new(vec![
            Line::styled(why.clone(), style::error()),
            Line::styled("Esc goes back to the history.", style::dim()),
        ])
        .block(Block::bordered().title(Line::styled(format!(" {} ", view.title), style::title())))
        .render(area, buf),
    }
}

/// Unified-diff lines from `offset` on, as many as fit.
pub fn render_diff(title: &str, lines: &[DiffLine], offset: usize, area: Rect, buf: &mut Buffer) {
    let height = usize::from(area.height.saturating_sub(2));
    let offset = offset.min(lines.len().saturating_sub(height));
    let mut block = Block::bordered().title(Line::styled(format!(" {title} "), style::title()));
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

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::app::views::TopView;
    use crate::app::{Effect, Msg};
    use crate::cluster::RowUpdate;
    use crate::cluster::releases::diff_revisions;
    use crate::cluster::store::WatchUpdate;
    use crate::views::tests::{connected_app, drawn};

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

    fn app_with_releases() -> App {
        let mut app = connected_app(crate::cluster::Scope::All);
        app.update(Msg::Rows(RowUpdate::Releases(WatchUpdate::Listed(revisions()))));
        app.update(Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
        app.refresh();
        app
    }

    fn press(app: &mut App, code: KeyCode) {
        app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        app.refresh();
    }

    fn screen(app: &App, w: u16, h: u16) -> String {
        let mut app = app.clone();
        app.update(Msg::Resize { width: w, height: h });
        app.refresh();
        drawn(w, h, |area, buf| crate::views::render_app(&app, area, buf))
    }

    #[test]
    fn latest_revision_of_each_release_with_unreadable_records_in_red() {
        let app = app_with_releases();
        insta::assert_snapshot!(screen(&app, 120, 14));
        insta::assert_snapshot!("latest_narrow", screen(&app, 60, 14));
    }

    #[test]
    fn an_unreadable_release_is_red_not_only_labelled() {
        use ratatui::style::Color;
        let mut app = app_with_releases();
        app.update(Msg::Resize { width: 120, height: 14 });
        app.refresh();
        let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 14)).expect("test terminal");
        terminal
            .draw(|f| crate::views::render_app(&app, f.area(), f.buffer_mut()))
            .expect("draw");
        let buf = terminal.backend().buffer();
        let text = crate::views::tests::buffer_text(buf);
        let colour_of = |needle: &str, row: &str| {
            let (y, line) = text
                .lines()
                .enumerate()
                .find(|(_, l)| l.contains(row) && l.contains(needle))
                .unwrap_or_else(|| panic!("{needle:?} on the {row:?} row\n{text}"));
            let x = line[..line.find(needle).unwrap_or(0)].chars().count() as u16;
            buf[(x, y as u16)].fg
        };
        assert_eq!(colour_of("unreadable", "broken"), Color::Red, "its status");
        assert_eq!(colour_of("not gzip", "broken"), Color::Red, "its reason");
        assert_ne!(
            colour_of("redis-19.6.4", "redis"),
            Color::Red,
            "a readable record is not red"
        );
    }

    #[test]
    fn history_then_diff_of_marked_revisions() {
        let mut app = app_with_releases();
        // Rows: broken, ingress, redis, todo; select todo and open its history.
        press(&mut app, KeyCode::Char('G'));
        press(&mut app, KeyCode::Enter);
        let Some(TopView::History(h)) = &app.top else {
            panic!("history open")
        };
        assert_eq!(
            h.table.selected_key().map(|k| k.name.as_str()),
            Some("sh.helm.release.v1.todo.v3")
        );
        insta::assert_snapshot!("history", screen(&app, 120, 14));

        // Enter with nothing marked: the previous revision against this one.
        press(&mut app, KeyCode::Enter);
        let request = diff_of_2_and_3();
        assert_eq!(app.effects.pop(), Some(Effect::LoadDiff(request.clone())));
        insta::assert_snapshot!("diff_loading", screen(&app, 80, 12));
        app.update(Msg::DiffLoaded(request, Ok(diff())));
        insta::assert_snapshot!("diff", screen(&app, 80, 20));

        // Back, mark revision 1, diff it with 3.
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('g'));
        press(&mut app, KeyCode::Char('m'));
        press(&mut app, KeyCode::Char('G'));
        press(&mut app, KeyCode::Enter);
        assert!(matches!(app.effects.pop(), Some(Effect::LoadDiff(r)) if (r.from, r.to) == (1, 3)));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Esc);
        assert!(app.top.is_none(), "Esc unmarks, then closes the history");
    }

    /// What Enter on revision 3 asks for when nothing is marked.
    fn diff_of_2_and_3() -> crate::cluster::releases::DiffRequest {
        crate::cluster::releases::DiffRequest {
            namespace: "demo".into(),
            name: "todo".into(),
            from: 2,
            to: 3,
        }
    }

    #[test]
    fn a_failed_diff_says_why() {
        let mut app = app_with_releases();
        press(&mut app, KeyCode::Char('G'));
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        let request = diff_of_2_and_3();
        app.update(Msg::DiffLoaded(
            request,
            Err("release todo revision 2 in namespace demo: not found".into()),
        ));
        let text = screen(&app, 80, 12);
        assert!(text.contains("revision 2 in namespace demo: not found"), "{text}");
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
    fn diff_scrolls_and_never_past_the_end() {
        let lines = diff();
        insta::assert_snapshot!(
            "diff_scrolled",
            drawn(50, 6, |area, buf| render_diff("todo 2 → 3", &lines, 5, area, buf))
        );
        assert_eq!(
            drawn(50, 6, |area, buf| render_diff("t", &lines, 999, area, buf)),
            drawn(50, 6, |area, buf| render_diff("t", &lines, lines.len() - 4, area, buf)),
        );
        insta::assert_snapshot!(
            "diff_empty",
            drawn(30, 3, |area, buf| render_diff("t", &[], 0, area, buf))
        );
    }

    #[test]
    fn tiny_areas_do_not_panic() {
        let mut app = app_with_releases();
        press(&mut app, KeyCode::Enter);
        let lines = diff();
        for (w, h) in [(1, 1), (2, 2), (10, 3), (200, 2), (3, 40), (40, 12)] {
            screen(&app, w, h);
            drawn(w, h, |area, buf| render_diff("t", &lines, 3, area, buf));
        }
    }
}
