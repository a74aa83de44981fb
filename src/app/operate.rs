//! Operations asked for from the dashboard: `d` asks for values and shows the plan, `s`, `R`
//! and ctrl-d ask to scale, restart or delete a pod, `:demo` asks to run a demo. What each asks,
//! refuses and runs is described once, in `actions::operation`.

use std::path::PathBuf;
use std::time::Duration;

use super::dialogs::{DemoList, PlanView};
use super::views::{Loadable, TopView};
use super::{App, Effect, Prompt, PromptKind};
use crate::actions::deploy::DeployRequest;
use crate::actions::operate::{ManagingHpa, WorkloadRef};
pub use crate::actions::operation::Operation;
use crate::cluster::Scope;

/// The release the dashboard deploys: the Todo Chatbot, named as in the chart's docs.
pub const RELEASE: &str = "todo";

/// How long an operation started from the dashboard waits for its workloads.
pub const WAIT: Duration = Duration::from_secs(300);

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

    /// `:demo NAME`: ask to run it (saying what it does); `D` or `:demo`: the list of demos.
    pub(super) fn open_demo(&mut self, name: Option<&str>) {
        use crate::actions::demo::Demo;
        let demo = match name.map(Demo::parse) {
            Some(Ok(demo)) => demo,
            Some(Err(e)) => return self.notice = Some(e),
            None if self.is_readonly() => {
                self.notice = Some("read-only mode: demos change the cluster, so they are off here".into());
                return;
            }
            None => return self.top = Some(TopView::Demos(DemoList { selected: 0 })),
        };
        let Some(namespace) = self.namespace_for_actions() else {
            return;
        };
        let operation = Operation::Demo {
            namespace,
            release: RELEASE.into(),
            demo,
        };
        self.ask(operation, None);
    }

    /// `d`: ask for the release, chart, values files and overrides, starting from the last
    /// choice made on this context.
    pub(super) fn open_deploy(&mut self) {
        if self.namespace_for_actions().is_some() {
            let context = self.target.as_ref().map(|t| t.context.as_str()).unwrap_or_default();
            let last = self.deploy_choices.get(context).cloned();
            let line = last.unwrap_or_else(|| format!("{RELEASE} -f local"));
            self.prompt = Some(Prompt::new(PromptKind::Deploy, line));
        }
    }

    /// The deploy prompt was answered: parse it and ask for the plan.
    pub(super) fn deploy_prompt_done(&mut self, text: &str) {
        let Some(namespace) = self.namespace_for_actions() else {
            return;
        };
        match parse_deploy_line(text, &namespace) {
            Ok(req) => {
                let context = self.target.as_ref().map(|t| t.context.clone()).unwrap_or_default();
                let line = crate::actions::choices::without_secrets(text);
                self.deploy_choices.insert(context.clone(), line.clone());
                self.effects.push(Effect::RememberDeploy { context, line });
                self.effects.push(Effect::PlanDeploy(req.clone()));
                self.top = Some(TopView::Plan(PlanView {
                    request: Box::new(req),
                    plan: Loadable::Loading,
                    offset: 0,
                }));
            }
            Err(e) => self.notice = Some(e),
        }
    }

    /// The selected workload of the Workloads pane and its namespace, if that pane has focus.
    fn selected_workload(&mut self) -> Option<(String, WorkloadRef)> {
        if self.focus != super::PaneId::Workloads {
            self.notice = Some("select a Deployment or StatefulSet in Workloads (5) first".into());
            return None;
        }
        let key = self.panes.get(super::PaneId::Workloads).selected_key()?;
        let row = self.data.workload(key)?;
        Some((key.namespace.to_string(), row.workload()))
    }

    /// The scale prompt's lead: which workload, how many replicas it runs now, and the bounds of
    /// an HPA that manages it (as k9s shows them).
    pub fn scale_prompt_lead(&self) -> String {
        let row = self
            .panes
            .get(super::PaneId::Workloads)
            .selected_key()
            .and_then(|key| self.data.workload(key));
        let Some(row) = row else {
            return "replicas: ".into();
        };
        let workload = row.workload();
        let hpa = self
            .data
            .hpas
            .iter()
            .find(|h| h.key.namespace == row.key.namespace && h.scales.as_ref() == Some(&workload))
            .map(|h| format!("; HPA {} keeps it at {}..{}", h.key.name, h.min, h.max))
            .unwrap_or_default();
        format!("scale {workload} (now {}{hpa}) to replicas: ", row.desired)
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
        // An HPA that targets the workload will undo a manual scale: the question says so.
        let hpa = self
            .data
            .hpas
            .iter()
            .find(|h| h.key.namespace == namespace && h.scales.as_ref() == Some(&workload))
            .map(|h| ManagingHpa {
                name: h.key.name.to_string(),
                min: h.min,
                max: h.max,
            });
        let operation = Operation::Scale {
            namespace,
            workload,
            replicas,
            timeout: WAIT,
        };
        self.ask(operation, hpa.as_ref());
    }

    /// `R`: restart the selected workload.
    pub(super) fn open_restart(&mut self) {
        if let Some((namespace, workload)) = self.selected_workload() {
            let operation = Operation::Restart {
                namespace,
                workload,
                timeout: WAIT,
            };
            self.ask(operation, None);
        }
    }

    /// `T` on a release: run its tests as helm test does, their logs in the action log.
    pub(super) fn open_test_release(&mut self) {
        let key = self.panes.get(super::PaneId::Releases).selected_key().cloned();
        let Some(row) = key.and_then(|k| self.data.releases.get(&k)) else {
            self.notice = Some("select a release in Releases (4) first".into());
            return;
        };
        let request = crate::actions::deploy::TestRequest {
            namespace: row.namespace.clone(),
            release: row.name.clone(),
            timeout: WAIT,
            only: Vec::new(),
            skip: Vec::new(),
            logs: true,
        };
        self.ask(Operation::Test { request }, None);
    }

    /// ctrl-d: delete the selected pod.
    pub(super) fn open_delete_pod(&mut self) {
        if self.focus != super::PaneId::Pods {
            self.notice = Some("select a pod in Pods (1) first".into());
            return;
        }
        if let Some(key) = self.panes.get(super::PaneId::Pods).selected_key().cloned() {
            let operation = Operation::DeletePod {
                namespace: key.namespace.to_string(),
                name: key.name.to_string(),
                timeout: WAIT,
            };
            self.ask(operation, None);
        }
    }
}

/// `todo --chart ./mychart -f local -f ./mine.yaml --set a.b=c`: the release name (first, as
/// helm's positional, or `--release`), the chart (`--chart PATH`, default the one built into
/// kubedeck, also `--chart embedded`), values by name (the chart's values-NAME.yaml) or path.
pub fn parse_deploy_line(text: &str, namespace: &str) -> Result<DeployRequest, String> {
    let mut req = DeployRequest {
        release: RELEASE.into(),
        namespace: namespace.into(),
        chart_dir: PathBuf::from(crate::chart::BUNDLED_CHART),
        values_files: Vec::new(),
        set: Vec::new(),
        atomic: false,
        timeout: WAIT,
        history_max: 10,
        helm_renderer: false,
        base_values: Default::default(),
        options: Default::default(),
    };
    let mut values = Vec::new();
    let mut words = text.split_whitespace().peekable();
    if let Some(name) = words.next_if(|w| !w.starts_with('-')) {
        req.release = crate::cluster::releases::release_name(name)?;
    }
    while let Some(word) = words.next() {
        match word {
            "-f" | "--values" => values.push(words.next().ok_or("-f needs a values name or file")?),
            "--set" => req.set.push(words.next().ok_or("--set needs key=value")?.to_owned()),
            "--release" => {
                req.release = crate::cluster::releases::release_name(words.next().ok_or("--release needs a name")?)?
            }
            "--chart" => {
                req.chart_dir = match words.next().ok_or("--chart needs a folder, or `embedded`")? {
                    "embedded" => PathBuf::from(crate::chart::BUNDLED_CHART),
                    path => PathBuf::from(path),
                }
            }
            "--atomic" => req.atomic = true,
            "--renderer=helm" => req.helm_renderer = true,
            other => {
                return Err(format!(
                    "{other:?} is not understood here: use RELEASE, --chart PATH|embedded, \
                     -f local|staging|production|PATH, --set key=value, --atomic"
                ));
            }
        }
    }
    for v in values {
        req.values_files.push(crate::chart::values_file(&req.chart_dir, v)?);
    }
    Ok(req)
}
