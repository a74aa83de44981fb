//! The dialogs opened on top of the panes, each with its own keys: a confirmation before an
//! operation, a deploy's plan, the list of guided demos and the log of a running operation.

use super::keys::Action;
use super::text_lines::{Tone, text_width, wrap_lines};
use super::views::{Loadable, TopView, scroll};
use super::{App, Effect};
use crate::actions::deploy::{DeployPlan, DeployRequest};
use crate::actions::operate::ManagingHpa;
use crate::actions::operation::Operation;
use crate::cluster::workloads::{Rollout, WorkloadRow, gauge};

/// An operation waiting for `y`; nothing happens before it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfirmDialog {
    pub operation: Operation,
    /// What to know before saying yes (an HPA that will undo a scale, a context not local).
    pub warnings: Vec<String>,
}

/// What a deploy would change, waiting for `y`.
#[derive(Debug, Clone, PartialEq)]
pub struct PlanView {
    pub request: Box<DeployRequest>,
    pub plan: Loadable<DeployPlan>,
    pub offset: usize,
}

impl PlanView {
    /// The deploy `y` would start, once the plan is there.
    pub fn operation(&self) -> Option<Operation> {
        match &self.plan {
            Loadable::Ready(plan) => Some(Operation::Deploy {
                request: self.request.clone(),
                revision: Some(plan.revision),
            }),
            _ => None,
        }
    }

    /// The plan's lines: each added, removed and changed object and each line of a change, a
    /// heading, and the question at the end; or why there is no plan.
    pub fn lines(&self) -> Vec<(String, Tone)> {
        match (&self.plan, self.operation()) {
            (Loadable::Ready(plan), Some(operation)) => plan_lines(plan, &operation.question()),
            (Loadable::Failed(why), _) => vec![
                (why.clone(), Tone::Bad),
                ("Nothing was changed. Esc goes back.".into(), Tone::Dim),
            ],
            _ => vec![("Rendering the chart ...".into(), Tone::Dim)],
        }
    }

    /// How many rows the plan takes in a box `width` columns wide, for scrolling.
    pub fn line_count(&self, width: usize) -> usize {
        wrap_lines(self.lines(), width).len()
    }
}

fn plan_lines(plan: &DeployPlan, question: &str) -> Vec<(String, Tone)> {
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
    lines.push((question.to_owned(), Tone::Heading));
    lines.push(("y applies it; Esc cancels and changes nothing.".into(), Tone::Dim));
    lines
}

/// The guided demos, one selected; Enter asks to run it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DemoList {
    pub selected: usize,
}

/// The progress of a running operation, then how it ended.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ActionLog {
    pub title: String,
    pub lines: Vec<String>,
    /// None while running; then the final sentence, good or bad.
    pub outcome: Option<Result<String, String>>,
    pub offset: usize,
    /// The workloads whose rollout the operation moves (a deploy's, a scale's), if any.
    pub rolling: Option<Rolling>,
    /// Their rollout gauges, `(line, rolled out)`, redrawn from the watches while it runs.
    pub gauges: Vec<(String, bool)>,
}

/// Which workloads an operation rolls out: those of a release (named after it), or one.
#[derive(Debug, Clone, PartialEq)]
pub struct Rolling {
    pub namespace: String,
    /// A release's workloads are named `RELEASE` or `RELEASE-...` (the chart's fullname).
    pub release: Option<String>,
    pub workload: Option<crate::cluster::workloads::WorkloadRef>,
}

impl Rolling {
    fn of(operation: &Operation) -> Option<Rolling> {
        let (namespace, release, workload) = match operation {
            Operation::Deploy { request, .. } => (&request.namespace, Some(&request.release), None),
            Operation::Rollback { namespace, release, .. } => (namespace, Some(release), None),
            Operation::Scale {
                namespace, workload, ..
            }
            | Operation::ScaleHpa {
                namespace, workload, ..
            }
            | Operation::Restart {
                namespace, workload, ..
            } => (namespace, None, Some(workload)),
            _ => return None,
        };
        Some(Rolling {
            namespace: namespace.clone(),
            release: release.cloned(),
            workload: workload.cloned(),
        })
    }

    fn covers(&self, row: &WorkloadRow) -> bool {
        row.key.namespace == self.namespace
            && match (&self.release, &self.workload) {
                (Some(release), _) => {
                    row.name == *release
                        || row
                            .name
                            .strip_prefix(release.as_str())
                            .is_some_and(|r| r.starts_with('-'))
                }
                (None, Some(w)) => row.workload() == *w,
                (None, None) => false,
            }
    }
}

impl ActionLog {
    /// Its lines, the gauges, a blank line and the outcome (or "working").
    pub fn lines_shown(&self) -> Vec<(String, Tone)> {
        let mut lines: Vec<(String, Tone)> = self.lines.iter().map(|l| (l.clone(), Tone::Plain)).collect();
        lines.extend(
            self.gauges
                .iter()
                .map(|(g, done)| (g.clone(), if *done { Tone::Good } else { Tone::Warn })),
        );
        lines.push((String::new(), Tone::Plain));
        lines.push(match &self.outcome {
            None => ("working ...".into(), Tone::Dim),
            Some(Ok(done)) => (done.clone(), Tone::Good),
            Some(Err(why)) => (why.clone(), Tone::Bad),
        });
        lines
    }

    /// How many rows the log takes in a box `width` columns wide, for scrolling.
    pub fn line_count(&self, width: usize) -> usize {
        wrap_lines(self.lines_shown(), width).len()
    }
}

impl App {
    /// Before a frame: the operation's gauges from what the watches last said. They go on
    /// following the watches after it ends: its own last check can be ahead of the watch events,
    /// and a gauge frozen a moment early would contradict the "3/3 ready" line above it.
    /// A workload below its HPA's floor is measured against the floor, as a deploy's wait holds
    /// it: a chart that leaves `replicas` to the HPA starts at one pod, and a full gauge then
    /// would say "done" beside the line that waits for the HPA.
    pub(super) fn refresh_gauges(&mut self) {
        let Some(TopView::ActionLog(log)) = self.top.as_mut() else {
            return;
        };
        let Some(rolling) = &log.rolling else {
            return;
        };
        let hpas = &self.data.hpas;
        log.gauges = (self.data.deployments.iter().chain(self.data.statefulsets.iter()))
            .filter(|w| rolling.covers(w))
            .map(|w| {
                let floor = hpas
                    .iter()
                    .filter(|h| h.key.namespace == w.key.namespace && h.scales.as_ref() == Some(&w.workload()))
                    .map(|h| h.min)
                    .find(|&min| w.desired > 0 && w.desired < min);
                match floor {
                    Some(floor) => (format!("{} {}", w.name, gauge(w.updated, w.ready, floor)), false),
                    None => (format!("{} {}", w.name, w.gauge()), w.rollout != Rollout::Progressing),
                }
            })
            .collect();
    }
}

impl App {
    /// Opens the confirmation for an operation, unless read-only mode forbids it.
    pub(super) fn ask(&mut self, operation: Operation, hpa: Option<&ManagingHpa>) {
        let context = self.target.as_ref().map_or("", |t| t.context.as_str());
        if let Err(refusal) = operation.permitted(self.is_readonly(), context) {
            self.notice = Some(refusal);
            return;
        }
        let warnings = operation.warnings(context, hpa);
        self.top = Some(TopView::Confirm(ConfirmDialog { operation, warnings }));
    }

    /// Starts an operation the user said yes to; its progress shows in an action log. Read-only
    /// mode is asked again: it may have come on (a context switch, the kubeconfig's context
    /// arriving) while the question was open.
    pub(super) fn start(&mut self, operation: Operation) {
        let context = self.target.as_ref().map_or("", |t| t.context.as_str());
        if let Err(refusal) = operation.permitted(self.is_readonly(), context) {
            self.top = None;
            self.notice = Some(refusal);
            return;
        }
        let title = operation.doing();
        let rolling = Rolling::of(&operation);
        self.effects.push(Effect::Operate(operation));
        self.operations_running += 1;
        self.top = Some(TopView::ActionLog(ActionLog {
            title,
            rolling,
            ..Default::default()
        }));
        self.refresh_gauges();
    }

    /// Keys in a confirmation: `y` starts the operation, Esc changes nothing.
    pub(super) fn in_confirm(&mut self, action: Action) {
        match action {
            Action::Confirm => {
                if let Some(TopView::Confirm(dialog)) = self.top.take() {
                    self.start(dialog.operation);
                }
            }
            Action::Back => self.top = None,
            _ => {}
        }
    }

    /// Keys in a deploy's plan: `y` applies it once it is there, Esc changes nothing.
    pub(super) fn in_plan(&mut self, action: Action) {
        let (page, width) = (self.page_size(), text_width(self));
        let Some(TopView::Plan(view)) = self.top.as_mut() else {
            return;
        };
        match action {
            Action::Confirm => {
                if let Some(operation) = view.operation() {
                    self.start(operation);
                }
            }
            Action::Back => self.top = None,
            nav => view.offset = scroll(view.offset, nav, page, view.line_count(width)),
        }
    }

    pub(super) fn plan_ready(&mut self, result: Result<DeployPlan, String>) {
        if let Some(TopView::Plan(view)) = self.top.as_mut() {
            view.plan = match result {
                Ok(p) => Loadable::Ready(p),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// Keys in the list of demos: move, Enter asks to run the selected one.
    pub(super) fn in_demos(&mut self, action: Action) {
        use crate::actions::demo::Demo;
        let Some(TopView::Demos(list)) = self.top.as_mut() else {
            return;
        };
        let last = Demo::LISTED.len() - 1;
        match action {
            Action::Up => list.selected = list.selected.saturating_sub(1),
            Action::Down => list.selected = (list.selected + 1).min(last),
            Action::Top => list.selected = 0,
            Action::Bottom => list.selected = last,
            Action::Open => {
                let name = Demo::LISTED[list.selected.min(last)].name();
                self.open_demo(Some(name));
            }
            Action::Back => self.top = None,
            _ => {}
        }
    }

    /// Keys in an action log: scroll; Esc closes it while the operation goes on.
    pub(super) fn in_action_log(&mut self, action: Action) {
        let (page, width) = (self.page_size(), text_width(self));
        let Some(TopView::ActionLog(log)) = self.top.as_mut() else {
            return;
        };
        match action {
            Action::Back => self.top = None,
            nav => log.offset = scroll(log.offset, nav, page, log.line_count(width)),
        }
    }

    pub(super) fn action_progress(&mut self, line: String) {
        let width = text_width(self);
        if let Some(TopView::ActionLog(log)) = self.top.as_mut() {
            log.lines.push(crate::text::sanitize(&line));
            // Follow the newest line.
            log.offset = log.line_count(width);
        }
    }

    /// The operation ended: in its log if that is still open, else as a notice.
    pub(super) fn action_done(&mut self, outcome: Result<String, String>) {
        self.operations_running = self.operations_running.saturating_sub(1);
        let width = text_width(self);
        match self.top.as_mut() {
            Some(TopView::ActionLog(log)) => {
                log.outcome = Some(outcome);
                log.offset = log.line_count(width);
            }
            _ => {
                self.notice = Some(match outcome {
                    Ok(s) | Err(s) => s,
                })
            }
        }
    }
}

impl App {
    /// `q`: quits, unless an operation is still running and this is the first `q` (its log may
    /// be closed): then it says what quitting would do to it, and `q` again quits.
    pub(crate) fn quit(&mut self) {
        if self.operations_running == 0 || self.quit_armed {
            self.should_quit = true;
            return;
        }
        self.quit_asked = true;
        self.notice = Some(
            "an operation is still running: q again quits and stops it (a deploy or rollback is then marked failed, \
             as helm marks a cancelled one; a demo puts back what it changed); any other key stays"
                .into(),
        );
    }
}
