//! Views opened on top of the panes: a release's history and the diff of two revisions, an
//! object's YAML, its events, and a pod's containers.

use super::keys::{Action, ViewKind};
use super::table::TablePane;
use super::{App, Effect, PaneId};
use crate::cluster::objects::{self, ObjectKind, ObjectRef};
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
    /// Set when the diff was opened with `r`: `y` rolls back to that revision.
    pub rollback: Option<super::operate::RollbackRequest>,
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
}

impl TopView {
    pub fn kind(&self) -> ViewKind {
        match self {
            TopView::History(_) => ViewKind::History,
            TopView::Diff(_) => ViewKind::Diff,
            TopView::Text(_) => ViewKind::Text,
            TopView::Logs(_) => ViewKind::Logs,
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
    /// What a deploy would change, waiting for `y`.
    Plan {
        request: Box<crate::actions::deploy::DeployRequest>,
        plan: Loadable<crate::actions::deploy::DeployPlan>,
    },
    /// A running or finished deploy or rollback.
    Log(super::operate::ActionLog),
    /// The guided demos, one selected; Enter asks to run it.
    Demos { selected: usize },
    /// An on-call action waiting for `y`.
    Confirm {
        operation: super::operate::Operation,
        warning: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct TextView {
    pub body: TextBody,
    pub offset: usize,
}

/// How a line of a text view is meant to look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Plain,
    Heading,
    Good,
    Warn,
    Bad,
    Dim,
}

impl TextView {
    pub fn title(&self) -> String {
        match &self.body {
            TextBody::Yaml { object, .. } => format!("YAML of {object}"),
            TextBody::Events(object) => format!("Events of {object}"),
            TextBody::PodDetail(key) => format!("Pod {key}"),
            TextBody::Plan { request, .. } => {
                format!(
                    "Deploy {} to {} (y applies, Esc cancels)",
                    request.release, request.namespace
                )
            }
            TextBody::Log(log) => log.title.clone(),
            TextBody::Confirm { .. } => "Confirm (y does it, Esc cancels)".into(),
            TextBody::Demos { .. } => "Guided demos (j/k choose, Enter runs after asking, Esc back)".into(),
        }
    }

    /// The lines to show, worked out from the state each time so live views stay live.
    pub fn lines(&self, app: &App) -> Vec<(String, Tone)> {
        match &self.body {
            TextBody::Yaml {
                value: Loadable::Loading,
                ..
            } => vec![("Reading the object ...".into(), Tone::Dim)],
            TextBody::Yaml {
                value: Loadable::Failed(why),
                ..
            } => vec![(why.clone(), Tone::Bad)],
            TextBody::Yaml {
                value: Loadable::Ready(v),
                revealed,
                ..
            } => {
                let (lines, _) = objects::yaml_lines(v, revealed.as_deref());
                lines.into_iter().map(|l| (l, Tone::Plain)).collect()
            }
            TextBody::Events(object) => {
                let target = format!("{}/{}", object.kind.name(), object.name);
                let rows = crate::cluster::events::default_order(
                    app.data
                        .events
                        .iter()
                        .filter(|e| e.object == target && e.key.namespace == object.namespace),
                );
                if rows.is_empty() {
                    return vec![(
                        "No events for this object (Kubernetes keeps them for an hour).".into(),
                        Tone::Dim,
                    )];
                }
                rows.into_iter()
                    .map(|e| {
                        let when = e.last_seen.map(|t| crate::text::age(t, app.now)).unwrap_or_default();
                        let tone = if e.warning { Tone::Warn } else { Tone::Plain };
                        (
                            format!("{when:>6} ago  {:<20} x{:<4} {}", e.reason, e.count, e.message),
                            tone,
                        )
                    })
                    .collect()
            }
            TextBody::Plan {
                plan: Loadable::Loading,
                ..
            } => vec![("Rendering the chart ...".into(), Tone::Dim)],
            TextBody::Plan {
                plan: Loadable::Failed(why),
                ..
            } => vec![
                (why.clone(), Tone::Bad),
                ("Nothing was changed. Esc goes back.".into(), Tone::Dim),
            ],
            TextBody::Plan {
                plan: Loadable::Ready(plan),
                ..
            } => plan_lines(plan),
            TextBody::Demos { selected } => {
                let mut lines = vec![
                    (
                        "Each demo says what it does, does it on this cluster and ends with what it measured.".into(),
                        Tone::Dim,
                    ),
                    (String::new(), Tone::Plain),
                ];
                for (i, demo) in crate::actions::demo::Demo::ALL.iter().enumerate() {
                    let marker = if i == *selected { "▶" } else { " " };
                    let tone = if i == *selected { Tone::Heading } else { Tone::Plain };
                    lines.push((format!("{marker} {}. {}", i + 1, demo.name()), tone));
                    lines.push((format!("     {}", demo.narration()), Tone::Dim));
                }
                lines
            }
            TextBody::Confirm { operation, warning } => {
                let mut lines = vec![(operation.question(), Tone::Heading)];
                if let Some(w) = warning {
                    lines.push((w.clone(), Tone::Warn));
                }
                lines.push((String::new(), Tone::Plain));
                lines.push(("y does it; Esc cancels and changes nothing.".into(), Tone::Dim));
                lines
            }
            TextBody::Log(log) => {
                let mut lines: Vec<(String, Tone)> = log.lines.iter().map(|l| (l.clone(), Tone::Plain)).collect();
                lines.push((String::new(), Tone::Plain));
                lines.push(match &log.outcome {
                    None => ("working ...".into(), Tone::Dim),
                    Some(Ok(done)) => (done.clone(), Tone::Good),
                    Some(Err(why)) => (why.clone(), Tone::Bad),
                });
                lines
            }
            TextBody::PodDetail(key) => match app.data.pods.get(key) {
                None => vec![("The pod is gone.".into(), Tone::Dim)],
                Some(pod) => pod_detail(pod),
            },
        }
    }
}

fn plan_lines(plan: &crate::actions::deploy::DeployPlan) -> Vec<(String, Tone)> {
    let mut lines = vec![(format!("Revision {} would:", plan.revision), Tone::Heading)];
    lines.extend(plan.added.iter().map(|id| (format!("  + add {id}"), Tone::Good)));
    lines.extend(plan.removed.iter().map(|id| (format!("  - remove {id}"), Tone::Bad)));
    for (id, diff) in &plan.changed {
        lines.push((format!("  ~ change {id}"), Tone::Warn));
        for l in diff.lines() {
            let tone = match l.chars().next() {
                Some('+') => Tone::Good,
                Some('-') => Tone::Bad,
                _ => Tone::Dim,
            };
            lines.push((format!("      {l}"), tone));
        }
    }
    if plan.added.is_empty() && plan.removed.is_empty() && plan.changed.is_empty() {
        lines.push((
            "  no object changes (a new revision is still recorded)".into(),
            Tone::Dim,
        ));
    }
    lines.push((String::new(), Tone::Plain));
    lines.push(("y applies it; Esc cancels and changes nothing.".into(), Tone::Heading));
    lines
}

fn pod_detail(pod: &crate::cluster::pods::PodRow) -> Vec<(String, Tone)> {
    let mut lines = vec![
        (
            format!(
                "Status:   {}   Ready {}/{}   Restarts {}",
                pod.status, pod.ready, pod.total, pod.restarts
            ),
            Tone::Heading,
        ),
        (format!("Node:     {}", pod.node), Tone::Plain),
        (format!("IP:       {}", pod.ip), Tone::Plain),
    ];
    if !pod.labels.is_empty() {
        let labels: Vec<String> = pod.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        lines.push((
            format!("Labels:   {}", crate::text::sanitize(&labels.join(", "))),
            Tone::Plain,
        ));
    }
    lines.push((String::new(), Tone::Plain));
    lines.push(("Containers:".into(), Tone::Heading));
    for c in &pod.containers {
        let tone = if c.ready || c.state.starts_with("terminated: Completed") {
            Tone::Good
        } else if c.state.starts_with("waiting: ContainerCreating") || c.state == "not started" {
            Tone::Warn
        } else {
            Tone::Bad
        };
        let kind = if c.init { " (init)" } else { "" };
        lines.push((format!("  {}{kind}: {}", c.name, c.state), tone));
        lines.push((
            format!("    image {}   ready {}   restarts {}", c.image, c.ready, c.restarts),
            Tone::Plain,
        ));
        if let Some(last) = &c.last_termination {
            lines.push((format!("    last terminated: {last}"), Tone::Warn));
        }
    }
    lines
}

pub use crate::cluster::releases::DiffRequest;

impl App {
    /// The object under the selection of the focused pane.
    pub fn selected_object(&self) -> Option<ObjectRef> {
        let key = self.panes.get(self.focus).selected_key()?;
        let (kind, name) = match self.focus {
            PaneId::Pods => (ObjectKind::Pod, key.name.clone()),
            PaneId::Workloads => {
                let row = self.data.workload(key)?;
                let kind = match row.kind {
                    crate::cluster::workloads::WorkloadKind::Deployment => ObjectKind::Deployment,
                    crate::cluster::workloads::WorkloadKind::StatefulSet => ObjectKind::StatefulSet,
                };
                (kind, row.name.clone())
            }
            PaneId::Hpas => (ObjectKind::Hpa, key.name.clone()),
            PaneId::Events => (ObjectKind::Event, key.name.clone()),
            PaneId::Releases => (ObjectKind::Secret, key.name.clone()),
            PaneId::Certificates => {
                let entry = self.data.cert_entries.get(key)?;
                let kind = if entry.source.cert_manager {
                    ObjectKind::Certificate
                } else {
                    ObjectKind::Secret
                };
                (kind, entry.key.name.clone())
            }
        };
        Some(ObjectRef {
            kind,
            namespace: key.namespace.clone(),
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
        self.top = Some(TopView::Text(TextView { body, offset: 0 }));
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
        self.top = Some(TopView::Text(TextView {
            body: TextBody::Events(object),
            offset: 0,
        }));
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
                    self.top = Some(TopView::Text(TextView {
                        body: TextBody::PodDetail(key),
                        offset: 0,
                    }));
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

    pub(super) fn perform_in_view(&mut self, action: Action) {
        if action.is_mutating() && self.is_readonly() {
            self.notice = Some("read-only mode: nothing that changes the cluster is allowed here".into());
            return;
        }
        let page = self.page_size();
        let text_len = match &self.top {
            Some(TopView::Text(t)) => t.lines(self).len(),
            _ => 0,
        };
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
                    rollback: None,
                }));
            }
            (TopView::Diff(d), Action::Back) => self.top = Some(TopView::History(d.history.clone())),
            // The log view has its own keys (`perform_in_logs`).
            (TopView::Logs(_), _) => {}
            (TopView::Text(_), Action::Back) => self.top = None,
            (
                TopView::Text(TextView {
                    body: TextBody::Demos { selected },
                    ..
                }),
                action,
            ) => {
                let last = crate::actions::demo::Demo::ALL.len() - 1;
                match action {
                    Action::Up => *selected = selected.saturating_sub(1),
                    Action::Down => *selected = (*selected + 1).min(last),
                    Action::Top => *selected = 0,
                    Action::Bottom => *selected = last,
                    Action::Open => {
                        let name = crate::actions::demo::Demo::ALL[*selected].name();
                        self.open_demo(Some(name));
                    }
                    _ => {}
                }
            }
            (TopView::Text(_) | TopView::Diff(_), Action::Confirm) => self.confirm(),
            (TopView::History(h), Action::Rollback) => {
                let rows = releases::history(self.data.releases.iter(), &h.namespace, &h.name);
                let Some(target) = h.table.selected_key().and_then(|k| rows.iter().find(|r| &r.key == k)) else {
                    return;
                };
                let Some(current) = rows
                    .iter()
                    .rev()
                    .find(|r| r.status == crate::cluster::releases::ReleaseStatus::Deployed)
                else {
                    self.notice = Some("no revision is deployed now: deploy with d instead".into());
                    return;
                };
                if current.revision == target.revision {
                    self.notice = Some(format!("revision {} is the one deployed", target.revision));
                    return;
                }
                let request = DiffRequest {
                    namespace: h.namespace.clone(),
                    name: h.name.clone(),
                    from: current.revision,
                    to: target.revision,
                };
                let rollback = super::operate::RollbackRequest {
                    namespace: h.namespace.clone(),
                    release: h.name.clone(),
                    to: target.revision,
                };
                let title = format!(
                    "Roll {} back from {} to {}? y rolls back, Esc cancels",
                    h.name, current.revision, target.revision
                );
                let history = h.clone();
                self.effects.push(Effect::LoadDiff(request));
                self.top = Some(TopView::Diff(DiffView {
                    title,
                    lines: Loadable::Loading,
                    offset: 0,
                    history,
                    rollback: Some(rollback),
                }));
            }
            (TopView::History(h), nav) => move_table(&mut h.table, nav, page),
            (TopView::Text(t), Action::Reveal) => {
                if let TextBody::Yaml {
                    value: Loadable::Ready(v),
                    revealed,
                    ..
                } = &mut t.body
                {
                    let (_, keys) = objects::yaml_lines(v, None);
                    // One value at a time: the next key, then none again after the last.
                    let next = match revealed.as_ref().and_then(|r| keys.iter().position(|k| k == r)) {
                        None => keys.first(),
                        Some(i) => keys.get(i + 1),
                    };
                    *revealed = next.cloned();
                    if keys.is_empty() {
                        self.notice = Some("nothing to reveal: only Secret values are masked".into());
                    }
                }
            }
            (TopView::Text(t), nav) => {
                t.offset = scroll(t.offset, nav, page, text_len);
            }
            (TopView::Diff(d), nav) => {
                let len = match &d.lines {
                    Loadable::Ready(lines) => lines.len(),
                    _ => 0,
                };
                d.offset = scroll(d.offset, nav, page, len);
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

/// A scroll position after a navigation action, never past the last page.
fn scroll(offset: usize, action: Action, page: usize, len: usize) -> usize {
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
