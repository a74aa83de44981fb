//! Views opened on top of the panes: a release's history and the diff of two revisions, an
//! object's YAML, its events, and a pod's containers; and the keys of each, next to its state.
//! The dialogs live in `dialogs`, the log view in `logs`.

use super::dialogs::{ActionLog, ConfirmDialog, DemoList, PlanView};
use super::keys::{Action, ViewKind};
use super::table::TablePane;
use super::{App, Effect, PaneId};
use crate::actions::operation::Operation;
use crate::cluster::events::EventRow;
use crate::cluster::objects::{self, ObjectKind, ObjectRef};
use crate::cluster::releases::{self, DiffLine, ReleaseRow, ReleaseStatus};
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
    /// Set when the diff was opened with `r`: `y` runs this rollback.
    pub rollback: Option<Operation>,
    pub lines: Loadable<Vec<DiffLine>>,
    pub offset: usize,
    pub history: HistoryView,
}

#[derive(Debug, Clone)]
pub enum TopView {
    History(HistoryView),
    Diff(DiffView),
    Text(TextView),
    Logs(Box<super::logs::LogView>),
    Plan(PlanView),
    Confirm(ConfirmDialog),
    Demos(DemoList),
    ActionLog(ActionLog),
}

impl TopView {
    pub fn kind(&self) -> ViewKind {
        match self {
            TopView::History(_) => ViewKind::History,
            TopView::Diff(_) => ViewKind::Diff,
            TopView::Text(TextView {
                body: TextBody::Yaml { .. },
                ..
            }) => ViewKind::Yaml,
            TopView::Text(_) => ViewKind::Text,
            TopView::Logs(_) => ViewKind::Logs,
            TopView::Plan(_) => ViewKind::Plan,
            TopView::Confirm(_) => ViewKind::Confirm,
            TopView::Demos(_) => ViewKind::Demos,
            TopView::ActionLog(_) => ViewKind::ActionLog,
        }
    }
}

/// What a text view shows.
#[derive(Debug, Clone, PartialEq)]
pub enum TextBody {
    /// An object read from the cluster, as YAML; Secret values stay masked but `revealed`.
    Yaml {
        object: ObjectRef,
        value: Loadable<serde_json::Value>,
        revealed: Option<String>,
    },
    /// The events of one object, live from the events watch.
    Events(ObjectRef),
    /// A pod's containers, live from the pods watch.
    PodDetail(ObjectKey),
    /// `kubectl describe` of an object, read when opened.
    Describe {
        object: ObjectRef,
        lines: Loadable<Vec<crate::cluster::describe::DescribeLine>>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextView {
    pub body: TextBody,
    /// The first screen row shown (lines wrap at words, so a line may take several rows).
    pub offset: usize,
    /// The YAML view's `/` search: matches are highlighted and counted, `n`/`N` go to them.
    pub search: Option<super::logs::LogSearch>,
}

impl TextView {
    pub fn new(body: TextBody) -> Self {
        TextView {
            body,
            offset: 0,
            search: None,
        }
    }

    /// How many rows it takes on screen, for scrolling: the lines `text_lines::rows` wraps.
    pub fn line_count(&self, app: &App) -> usize {
        super::text_lines::rows(app, self, super::text_lines::text_width(app)).len()
    }
}

use crate::cluster::releases::DiffRequest;

impl App {
    /// The object under the selection of the focused pane.
    pub fn selected_object(&self) -> Option<ObjectRef> {
        let key = self.panes.get(self.focus).selected_key()?;
        let (kind, name) = match self.focus {
            PaneId::Pods => (ObjectKind::Pod, key.name.to_string()),
            PaneId::Workloads => {
                let row = self.data.workload(key)?;
                let kind = match row.kind {
                    crate::cluster::workloads::WorkloadKind::Deployment => ObjectKind::Deployment,
                    crate::cluster::workloads::WorkloadKind::StatefulSet => ObjectKind::StatefulSet,
                };
                (kind, row.name.clone())
            }
            PaneId::Hpas => (ObjectKind::Hpa, key.name.to_string()),
            PaneId::Events => (ObjectKind::Event, key.name.to_string()),
            PaneId::Releases => (ObjectKind::Secret, key.name.to_string()),
            PaneId::Resources => {
                use crate::cluster::resources::ResourceKind as R;
                let kind = match self.resource_kind {
                    R::Services => ObjectKind::Service,
                    R::Ingresses => ObjectKind::Ingress,
                    R::Pvcs => ObjectKind::Pvc,
                    R::Jobs => ObjectKind::Job,
                    R::CronJobs => ObjectKind::CronJob,
                    R::ConfigMaps => ObjectKind::ConfigMap,
                    R::Nodes => ObjectKind::Node,
                };
                (kind, key.name.to_string())
            }
            PaneId::Certificates => {
                let entry = self.data.cert_entries.get(key)?;
                let kind = if entry.source.cert_manager {
                    ObjectKind::Certificate
                } else {
                    ObjectKind::Secret
                };
                (kind, entry.key.name.to_string())
            }
        };
        Some(ObjectRef {
            kind,
            namespace: key.namespace.to_string(),
            name,
        })
    }

    /// `y`: the selected object as YAML, read from the cluster.
    pub(super) fn open_yaml(&mut self) {
        let Some(object) = self.selected_object() else { return };
        self.effects.push(Effect::LoadObject(object.clone()));
        let body = TextBody::Yaml {
            object,
            value: Loadable::Loading,
            revealed: None,
        };
        self.top = Some(TopView::Text(TextView::new(body)));
    }

    /// `i`: the selected object described, as `kubectl describe` does.
    pub(super) fn open_describe(&mut self) {
        let Some(object) = self.selected_object() else { return };
        self.effects.push(Effect::Describe(object.clone()));
        let body = TextBody::Describe {
            object,
            lines: Loadable::Loading,
        };
        self.top = Some(TopView::Text(TextView::new(body)));
    }

    pub(super) fn described(
        &mut self,
        object: ObjectRef,
        result: Result<Vec<crate::cluster::describe::DescribeLine>, String>,
    ) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Describe { object: o, lines },
            ..
        })) = self.top.as_mut()
            && *o == object
        {
            *lines = match result {
                Ok(l) => Loadable::Ready(l),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// `e`: the selected object's events.
    pub(super) fn open_events(&mut self) {
        let Some(mut object) = self.selected_object() else {
            return;
        };
        if self.focus == PaneId::Events {
            // The events of an event are those of the object it is about.
            let Some(row) = self
                .panes
                .get(PaneId::Events)
                .selected_key()
                .and_then(|k| self.data.events.get(k))
            else {
                return;
            };
            let Some((kind, name)) = row.object.split_once('/') else {
                return;
            };
            let kind = [
                ObjectKind::Pod,
                ObjectKind::Deployment,
                ObjectKind::StatefulSet,
                ObjectKind::Hpa,
            ]
            .into_iter()
            .find(|k| k.name() == kind)
            .unwrap_or(ObjectKind::Pod);
            object = ObjectRef {
                kind,
                namespace: object.namespace,
                name: name.to_owned(),
            };
        }
        self.top = Some(TopView::Text(TextView::new(TextBody::Events(object))));
    }

    pub(super) fn object_loaded(&mut self, object: ObjectRef, result: Result<serde_json::Value, String>) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Yaml { object: o, value, .. },
            ..
        })) = self.top.as_mut()
            && *o == object
        {
            *value = match result {
                Ok(v) => Loadable::Ready(v),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// Enter on the focused pane.
    pub(super) fn open_selected(&mut self) {
        match self.focus {
            PaneId::Releases => {}
            PaneId::Pods => {
                if let Some(key) = self.panes.get(PaneId::Pods).selected_key().cloned() {
                    self.top = Some(TopView::Text(TextView::new(TextBody::PodDetail(key))));
                }
                return;
            }
            _ => return self.open_yaml(),
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

    /// The events about one object, newest first.
    pub fn events_of(&self, object: &ObjectRef) -> Vec<&EventRow> {
        let target = format!("{}/{}", object.kind.name(), object.name);
        crate::cluster::events::default_order(
            self.data
                .events
                .iter()
                .filter(|e| e.object == target && e.key.namespace == object.namespace),
        )
    }

    /// A key in the view on top: each kind of view has its own keys and its own handler.
    pub(super) fn perform_in_view(&mut self, action: Action) {
        if action.is_mutating() && self.is_readonly() {
            self.notice = Some("read-only mode: nothing that changes the cluster is allowed here".into());
            return;
        }
        match action {
            Action::Quit => return self.quit(),
            Action::Help => return self.help = Some(0),
            _ => {}
        }
        let Some(kind) = self.top.as_ref().map(TopView::kind) else {
            return;
        };
        match kind {
            ViewKind::History => self.in_history(action),
            ViewKind::Diff => self.in_diff(action),
            ViewKind::Yaml | ViewKind::Text => self.in_text(action),
            ViewKind::Logs => self.perform_in_logs(action),
            ViewKind::Plan => self.in_plan(action),
            ViewKind::Confirm => self.in_confirm(action),
            ViewKind::Demos => self.in_demos(action),
            ViewKind::ActionLog => self.in_action_log(action),
        }
    }

    /// Keys in a release's history: move, mark, diff (Enter) or roll back (`r`).
    fn in_history(&mut self, action: Action) {
        let page = self.page_size();
        let Some(TopView::History(h)) = self.top.as_mut() else {
            return;
        };
        match action {
            Action::Back => {
                if h.marked.take().is_none() {
                    self.top = None;
                }
            }
            Action::Mark => h.marked = h.table.selected_key().cloned(),
            Action::Open => self.diff_selected_revision(),
            Action::Rollback => self.ask_rollback(),
            nav => move_table(&mut h.table, nav, page),
        }
    }

    /// The open history, its release's revisions oldest first, and the selected revision.
    fn history_selection(&self) -> Option<(&HistoryView, Vec<&ReleaseRow>, i32)> {
        let Some(TopView::History(h)) = self.top.as_ref() else {
            return None;
        };
        let rows = releases::history(self.data.releases.iter(), &h.namespace, &h.name);
        let selected = h.table.selected_key().and_then(|k| rows.iter().find(|r| &r.key == k))?;
        let revision = selected.revision;
        Some((h, rows, revision))
    }

    /// Enter in a history: the selected revision against the marked one, else the one before.
    fn diff_selected_revision(&mut self) {
        let Some((h, rows, selected)) = self.history_selection() else {
            return;
        };
        let from = match &h.marked {
            Some(m) => rows.iter().find(|r| &r.key == m).map(|r| r.revision),
            None => rows.iter().rev().find(|r| r.revision < selected).map(|r| r.revision),
        };
        let history = h.clone();
        let Some(from) = from else {
            self.notice = Some("this is the first revision: mark another one with m to compare".into());
            return;
        };
        let (from, to) = (from.min(selected), from.max(selected));
        let title = format!("{} in {}: revision {from} → {to}", history.name, history.namespace);
        self.open_diff(history, from, to, title, None);
    }

    /// `r` in a history: the diff from the deployed revision to the selected one; `y` there
    /// rolls back.
    fn ask_rollback(&mut self) {
        let Some((h, rows, selected)) = self.history_selection() else {
            return;
        };
        // From the newest revision, whatever its status: one left pending-upgrade by an
        // interrupted deploy is what the rollback gets the release out of.
        let Some(newest) = rows.iter().max_by_key(|r| r.revision) else {
            return;
        };
        let (current, status) = (newest.revision, newest.status.clone());
        let history = h.clone();
        if current == selected {
            self.notice = Some(match status {
                ReleaseStatus::Deployed => format!("revision {selected} is the one deployed"),
                other => format!(
                    "revision {selected} is the newest ({}): pick an earlier one to roll back to",
                    other.as_str()
                ),
            });
            return;
        }
        let rollback = Operation::Rollback {
            namespace: history.namespace.clone(),
            release: history.name.clone(),
            to: Some(selected),
            timeout: super::operate::WAIT,
            waiting: Default::default(),
        };
        let title = format!("{} y rolls back, Esc cancels", rollback.question());
        self.open_diff(history, current, selected, title, Some(rollback));
    }

    /// Reads the diff of two revisions of the history's release and shows it when it comes.
    fn open_diff(&mut self, history: HistoryView, from: i32, to: i32, title: String, rollback: Option<Operation>) {
        self.effects.push(Effect::LoadDiff(DiffRequest {
            namespace: history.namespace.clone(),
            name: history.name.clone(),
            from,
            to,
        }));
        self.top = Some(TopView::Diff(DiffView {
            title,
            lines: Loadable::Loading,
            offset: 0,
            history,
            rollback,
        }));
    }

    /// Keys in a diff: scroll, back to the history, `y` to roll back when opened with `r`.
    fn in_diff(&mut self, action: Action) {
        let page = self.page_size();
        let Some(TopView::Diff(d)) = self.top.as_mut() else {
            return;
        };
        match action {
            Action::Back => self.top = Some(TopView::History(d.history.clone())),
            Action::Confirm => {
                if let Some(rollback) = d.rollback.clone() {
                    self.start(rollback);
                }
            }
            nav => {
                let len = match &d.lines {
                    Loadable::Ready(lines) => lines.len(),
                    _ => 0,
                };
                d.offset = scroll(d.offset, nav, page, len);
            }
        }
    }

    /// Keys in a YAML, events or pod view: scroll, back, and `x` in a YAML view.
    fn in_text(&mut self, action: Action) {
        let page = self.page_size();
        let len = match &self.top {
            Some(TopView::Text(t)) => t.line_count(self),
            _ => 0,
        };
        let Some(TopView::Text(t)) = self.top.as_mut() else {
            return;
        };
        match action {
            Action::Back => self.top = None,
            Action::Reveal => {
                if !reveal_next(&mut t.body) {
                    self.notice = Some("nothing to reveal: only Secret values are masked".into());
                }
            }
            Action::LogSearch => self.open_text_search(),
            Action::LogNext => self.find_in_text(Some(true)),
            Action::LogPrevMatch => self.find_in_text(Some(false)),
            nav => t.offset = scroll(t.offset, nav, page, len),
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

/// In a YAML view: reveals the next Secret value, one at a time, then none again after the
/// last. False when there is nothing masked to reveal.
fn reveal_next(body: &mut TextBody) -> bool {
    let TextBody::Yaml {
        value: Loadable::Ready(v),
        revealed,
        ..
    } = body
    else {
        return true;
    };
    let (_, keys) = objects::yaml_lines(v, None);
    let next = match revealed.as_ref().and_then(|r| keys.iter().position(|k| k == r)) {
        None => keys.first(),
        Some(i) => keys.get(i + 1),
    };
    *revealed = next.cloned();
    !keys.is_empty()
}

/// A scroll position after a navigation action, never past the last page.
pub(super) fn scroll(offset: usize, action: Action, page: usize, len: usize) -> usize {
    let max = len.saturating_sub(page);
    match action {
        Action::Down => offset + 1,
        Action::Up => offset.saturating_sub(1),
        Action::PageDown => offset + page,
        Action::PageUp => offset.saturating_sub(page),
        Action::Top => 0,
        Action::Bottom => max,
        _ => offset,
    }
    .min(max)
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
