//! Views opened on top of the panes: a release's history, and the diff of two revisions.

use super::keys::{Action, ViewKind};
use super::table::TablePane;
use super::{App, Effect, PaneId};
use crate::cluster::releases::{self, DiffLine};
use crate::cluster::store::ObjectKey;

/// Something fetched on demand.
#[derive(Debug, Clone, PartialEq)]
pub enum Loadable<T> {
    Loading,
    Ready(T),
    Failed(String),
}

/// The revisions of one release, as `helm history` lists them.
#[derive(Debug, Clone)]
pub struct HistoryView {
    pub namespace: String,
    pub name: String,
    pub table: TablePane,
    /// A revision marked to compare against.
    pub marked: Option<ObjectKey>,
}

/// The values and manifest diff between two revisions.
#[derive(Debug, Clone)]
pub struct DiffView {
    pub title: String,
    pub lines: Loadable<Vec<DiffLine>>,
    pub offset: usize,
    pub history: HistoryView,
}

#[derive(Debug, Clone)]
pub enum TopView {
    History(HistoryView),
    Diff(DiffView),
}

impl TopView {
    pub fn kind(&self) -> ViewKind {
        match self {
            TopView::History(_) => ViewKind::History,
            TopView::Diff(_) => ViewKind::Diff,
        }
    }
}

/// A request for the diff between two revisions of a release.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRequest {
    pub namespace: String,
    pub name: String,
    pub from: i32,
    pub to: i32,
}

impl App {
    /// Enter on the focused pane.
    pub(super) fn open_selected(&mut self) {
        if self.focus != PaneId::Releases {
            return;
        }
        let Some(row) = self
            .panes
            .get(PaneId::Releases)
            .selected_key()
            .and_then(|k| self.data.releases.get(k))
        else {
            return;
        };
        let mut view = HistoryView {
            namespace: row.namespace.clone(),
            name: row.name.clone(),
            table: TablePane::default(),
            marked: None,
        };
        view.table.stale = true;
        // Start on the newest revision, where the user came from.
        view.table.selected = Some(row.key.clone());
        self.top = Some(TopView::History(view));
    }

    pub(super) fn perform_in_view(&mut self, action: Action) {
        let page = self.page_size();
        let Some(top) = self.top.as_mut() else { return };
        match (top, action) {
            (_, Action::Quit) => self.should_quit = true,
            (_, Action::Help) => self.help = true,
            (TopView::History(h), Action::Back) => {
                if h.marked.take().is_none() {
                    self.top = None;
                }
            }
            (TopView::History(h), Action::Mark) => h.marked = h.table.selected_key().cloned(),
            (TopView::History(h), Action::Open) => {
                let rows = releases::history(self.data.releases.iter(), &h.namespace, &h.name);
                let Some(to) = h.table.selected_key().and_then(|k| rows.iter().find(|r| &r.key == k)) else {
                    return;
                };
                let from = match &h.marked {
                    Some(m) => rows.iter().find(|r| &r.key == m).map(|r| r.revision),
                    None => rows.iter().rev().find(|r| r.revision < to.revision).map(|r| r.revision),
                };
                let Some(from) = from else {
                    self.notice = Some("this is the first revision: mark another one with m to compare".into());
                    return;
                };
                let (from, to) = (from.min(to.revision), from.max(to.revision));
                let request = DiffRequest {
                    namespace: h.namespace.clone(),
                    name: h.name.clone(),
                    from,
                    to,
                };
                let title = format!("{} in {}: revision {from} → {to}", h.name, h.namespace);
                let history = h.clone();
                self.effects.push(Effect::LoadDiff(request));
                self.top = Some(TopView::Diff(DiffView {
                    title,
                    lines: Loadable::Loading,
                    offset: 0,
                    history,
                }));
            }
            (TopView::History(h), nav) => move_table(&mut h.table, nav, page),
            (TopView::Diff(d), Action::Back) => self.top = Some(TopView::History(d.history.clone())),
            (TopView::Diff(d), nav) => {
                let len = match &d.lines {
                    Loadable::Ready(lines) => lines.len(),
                    _ => 0,
                };
                let max = len.saturating_sub(page);
                d.offset = match nav {
                    Action::Down => d.offset + 1,
                    Action::Up => d.offset.saturating_sub(1),
                    Action::PageDown => d.offset + page,
                    Action::PageUp => d.offset.saturating_sub(page),
                    Action::Top => 0,
                    Action::Bottom => max,
                    _ => d.offset,
                }
                .min(max);
            }
        }
    }

    pub(super) fn diff_loaded(&mut self, request: DiffRequest, result: Result<Vec<DiffLine>, String>) {
        if let Some(TopView::Diff(d)) = self.top.as_mut()
            && d.history.name == request.name
            && d.history.namespace == request.namespace
        {
            d.lines = match result {
                Ok(lines) => Loadable::Ready(lines),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// Recomputes the history table when its release's revisions changed.
    pub(super) fn refresh_view(&mut self) {
        let page = self.page_size();
        if let Some(TopView::History(h)) = self.top.as_mut() {
            let rows = releases::history(self.data.releases.iter(), &h.namespace, &h.name);
            h.table.refresh(rows.into_iter(), page);
        }
    }
}

/// Moves a table's selection for a navigation action.
pub(super) fn move_table(table: &mut TablePane, action: Action, page: usize) {
    match action {
        Action::Up => table.move_by(-1, page),
        Action::Down => table.move_by(1, page),
        Action::PageUp => table.move_by(-(page as isize), page),
        Action::PageDown => table.move_by(page as isize, page),
        Action::Top => table.move_by(isize::MIN / 2, page),
        Action::Bottom => table.move_by(isize::MAX / 2, page),
        _ => {}
    }
}
