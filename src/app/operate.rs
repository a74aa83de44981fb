//! Deploy and roll back from the dashboard: `d` asks for values, shows the plan and applies it
//! on `y`; `r` on a revision in a release's history shows the diff and rolls back on `y`. The
//! work runs as actions; their progress lands in a view on top.

use std::path::PathBuf;
use std::time::Duration;

use super::views::{DiffView, Loadable, TextBody, TextView, TopView};
use super::{App, Effect, Prompt, PromptKind};
use crate::actions::deploy::{DeployPlan, DeployRequest};
use crate::cluster::Scope;

/// The release the dashboard deploys: the Todo Chatbot, named as in the chart's docs.
pub const RELEASE: &str = "todo";

/// Where an action's progress is shown.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionLog {
    pub title: String,
    pub lines: Vec<String>,
    /// None while running; then the final sentence, good or bad.
    pub outcome: Option<Result<String, String>>,
}

/// An on-call action on one object, asked for with a key and confirmed with `y`.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    Scale {
        namespace: String,
        workload: crate::actions::operate::WorkloadRef,
        replicas: i32,
    },
    Restart {
        namespace: String,
        workload: crate::actions::operate::WorkloadRef,
    },
    DeletePod {
        namespace: String,
        name: String,
    },
    /// A guided demo (`:demo NAME`) on the Todo Chatbot release.
    Demo {
        namespace: String,
        release: String,
        demo: crate::actions::demo::Demo,
    },
}

impl Operation {
    /// The question that names the object and the namespace.
    pub fn question(&self) -> String {
        match self {
            Operation::Scale {
                namespace,
                workload,
                replicas,
            } => format!("Scale {workload} in {namespace} to {replicas}?"),
            Operation::Restart { namespace, workload } => format!("Restart every pod of {workload} in {namespace}?"),
            Operation::DeletePod { namespace, name } => {
                format!("Delete pod {name} in {namespace}? Its controller will replace it; kubedeck times that.")
            }
            Operation::Demo {
                namespace,
                release,
                demo,
            } => format!("{} Run it on release {release} in {namespace}?", demo.narration()),
        }
    }

    pub fn namespace(&self) -> &str {
        match self {
            Operation::Scale { namespace, .. }
            | Operation::Restart { namespace, .. }
            | Operation::DeletePod { namespace, .. }
            | Operation::Demo { namespace, .. } => namespace,
        }
    }

    /// What the audit log calls the object and the action.
    pub fn audit(&self) -> (String, String) {
        match self {
            Operation::Scale { workload, replicas, .. } => (workload.to_string(), format!("scale to {replicas}")),
            Operation::Restart { workload, .. } => (workload.to_string(), "restart".into()),
            Operation::DeletePod { name, .. } => (format!("pod/{name}"), "delete".into()),
            Operation::Demo { release, demo, .. } => (format!("release/{release}"), format!("demo {}", demo.name())),
        }
    }
}

/// A rollback the user was asked to confirm.
#[derive(Debug, Clone, PartialEq)]
pub struct RollbackRequest {
    pub namespace: String,
    pub release: String,
    pub to: i32,
}

impl App {
    fn namespace_for_actions(&mut self) -> Option<String> {
        match self.target.as_ref().map(|t| &t.scope) {
            Some(Scope::Namespace(ns)) => Some(ns.clone()),
            _ => {
                self.notice = Some("releases live in one namespace: pick one with n first".into());
                None
            }
        }
    }

    /// `:demo NAME`: say what the demo does, warn when the context does not look local, ask.
    pub(super) fn open_demo(&mut self, name: Option<&str>) {
        use crate::actions::demo::{Demo, looks_local};
        if self.is_readonly() {
            self.notice = Some("read-only mode: demos change the cluster, so they are off here".into());
            return;
        }
        let demo = match name.map(Demo::parse) {
            Some(Ok(demo)) => demo,
            Some(Err(e)) => return self.notice = Some(e),
            None => {
                let body = super::views::TextBody::Demos { selected: 0 };
                self.top = Some(TopView::Text(TextView { body, offset: 0 }));
                return;
            }
        };
        let Some(namespace) = self.namespace_for_actions() else {
            return;
        };
        let context = self.target.as_ref().map(|t| t.context.clone()).unwrap_or_default();
        let warning = (!looks_local(&context)).then(|| {
            format!(
                "Context {context} does not look like a local cluster (minikube, kind, kwok, docker-desktop): \
                 this demo deletes or changes real pods there."
            )
        });
        let operation = Operation::Demo {
            namespace,
            release: RELEASE.into(),
            demo,
        };
        self.ask(operation, warning);
    }

    /// `d`: ask for values files and overrides.
    pub(super) fn open_deploy(&mut self) {
        if self.namespace_for_actions().is_some() {
            self.prompt = Some(Prompt::new(PromptKind::Deploy, "-f local".into()));
        }
    }

    /// The deploy prompt was answered: parse it and ask for the plan.
    pub(super) fn deploy_prompt_done(&mut self, text: &str) {
        let Some(namespace) = self.namespace_for_actions() else {
            return;
        };
        match parse_deploy_line(text, &namespace) {
            Ok(req) => {
                self.effects.push(Effect::PlanDeploy(req.clone()));
                let body = TextBody::Plan {
                    request: Box::new(req),
                    plan: Loadable::Loading,
                };
                self.top = Some(TopView::Text(TextView { body, offset: 0 }));
            }
            Err(e) => self.notice = Some(e),
        }
    }

    pub(super) fn plan_ready(&mut self, result: Result<DeployPlan, String>) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Plan { plan, .. },
            ..
        })) = self.top.as_mut()
        {
            *plan = match result {
                Ok(p) => Loadable::Ready(p),
                Err(e) => Loadable::Failed(e),
            };
        }
    }

    /// `y` on a plan or a rollback diff: do it.
    pub(super) fn confirm(&mut self) {
        match self.top.take() {
            Some(TopView::Text(TextView {
                body:
                    TextBody::Plan {
                        request,
                        plan: Loadable::Ready(plan),
                    },
                ..
            })) => {
                let title = format!(
                    "Deploying {} revision {} to {}",
                    request.release, plan.revision, request.namespace
                );
                self.effects.push(Effect::Deploy(*request));
                self.open_log(title);
            }
            Some(TopView::Diff(DiffView {
                rollback: Some(req), ..
            })) => {
                let title = format!(
                    "Rolling {} back to revision {} in {}",
                    req.release, req.to, req.namespace
                );
                self.effects.push(Effect::Rollback(req));
                self.open_log(title);
            }
            Some(TopView::Text(TextView {
                body: TextBody::Confirm { operation, .. },
                ..
            })) => {
                let title = operation.question().trim_end_matches('?').to_owned();
                self.effects.push(Effect::Operate(operation));
                self.open_log(title);
            }
            other => self.top = other,
        }
    }

    /// Opens the confirmation for an operation; nothing happens before `y`.
    fn ask(&mut self, operation: Operation, warning: Option<String>) {
        let body = TextBody::Confirm { operation, warning };
        self.top = Some(TopView::Text(TextView { body, offset: 0 }));
    }

    /// The selected workload of the Workloads pane and its namespace, if that pane has focus.
    fn selected_workload(&mut self) -> Option<(String, crate::actions::operate::WorkloadRef)> {
        if self.focus != super::PaneId::Workloads {
            self.notice = Some("select a Deployment or StatefulSet in Workloads (5) first".into());
            return None;
        }
        let key = self.panes.get(super::PaneId::Workloads).selected_key()?;
        let row = self.data.workload(key)?;
        Some((key.namespace.clone(), row.workload()))
    }

    /// `s`: ask for a replica count.
    pub(super) fn open_scale(&mut self) {
        if self.selected_workload().is_some() {
            self.prompt = Some(Prompt::new(PromptKind::Scale, String::new()));
        }
    }

    pub(super) fn scale_prompt_done(&mut self, text: &str) {
        let Some((namespace, workload)) = self.selected_workload() else {
            return;
        };
        let replicas = match crate::actions::operate::parse_replicas(text) {
            Ok(n) => n,
            Err(e) => return self.notice = Some(e),
        };
        // An HPA that targets the workload will undo a manual scale: say so before asking.
        let warning = self.data.hpas.iter().find(|h| h.key.namespace == namespace && h.scales.as_ref() == Some(&workload)).map(|h| {
            format!(
                "HPA {} manages it ({}..{} replicas) and will override this; `kubedeck scale {workload} {replicas} --hpa` changes the HPA instead.",
                h.key.name, h.min, h.max
            )
        });
        self.ask(
            Operation::Scale {
                namespace,
                workload,
                replicas,
            },
            warning,
        );
    }

    /// `R`: restart the selected workload.
    pub(super) fn open_restart(&mut self) {
        if let Some((namespace, workload)) = self.selected_workload() {
            self.ask(Operation::Restart { namespace, workload }, None);
        }
    }

    /// ctrl-d: delete the selected pod.
    pub(super) fn open_delete_pod(&mut self) {
        if self.focus != super::PaneId::Pods {
            self.notice = Some("select a pod in Pods (1) first".into());
            return;
        }
        if let Some(key) = self.panes.get(super::PaneId::Pods).selected_key().cloned() {
            self.ask(
                Operation::DeletePod {
                    namespace: key.namespace,
                    name: key.name,
                },
                None,
            );
        }
    }

    fn open_log(&mut self, title: String) {
        let log = ActionLog {
            title,
            lines: Vec::new(),
            outcome: None,
        };
        self.top = Some(TopView::Text(TextView {
            body: TextBody::Log(log),
            offset: 0,
        }));
    }

    pub(super) fn action_progress(&mut self, line: String) {
        if let Some(TopView::Text(TextView {
            body: TextBody::Log(log),
            offset,
        })) = self.top.as_mut()
        {
            log.lines.push(crate::text::sanitize(&line));
            // Follow the newest line.
            *offset = log.lines.len();
        }
    }

    pub(super) fn action_done(&mut self, outcome: Result<String, String>) {
        match self.top.as_mut() {
            Some(TopView::Text(TextView {
                body: TextBody::Log(log),
                offset,
            })) => {
                log.outcome = Some(outcome);
                *offset = log.lines.len() + 2;
            }
            _ => {
                self.notice = Some(match outcome {
                    Ok(s) | Err(s) => s,
                })
            }
        }
    }
}

/// `-f local -f ./mine.yaml --set a.b=c`: values by name (the chart's values-NAME.yaml) or path.
pub fn parse_deploy_line(text: &str, namespace: &str) -> Result<DeployRequest, String> {
    let chart_dir = PathBuf::from(crate::chart::BUNDLED_CHART);
    let mut req = DeployRequest {
        release: RELEASE.into(),
        namespace: namespace.into(),
        chart_dir: chart_dir.clone(),
        values_files: Vec::new(),
        set: Vec::new(),
        atomic: false,
        timeout: Duration::from_secs(300),
        history_max: 10,
        helm_renderer: false,
        base_values: Default::default(),
    };
    let mut words = text.split_whitespace();
    while let Some(word) = words.next() {
        match word {
            "-f" | "--values" => {
                let v = words.next().ok_or("-f needs a values name or file")?;
                req.values_files.push(crate::chart::values_file(&chart_dir, v)?);
            }
            "--set" => req.set.push(words.next().ok_or("--set needs key=value")?.to_owned()),
            "--atomic" => req.atomic = true,
            "--renderer=helm" => req.helm_renderer = true,
            other => {
                return Err(format!(
                    "{other:?} is not understood here: use -f local|staging|production|PATH, --set key=value, --atomic"
                ));
            }
        }
    }
    Ok(req)
}
