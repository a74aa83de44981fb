//! On-call keys on a pod: a shell (`x`), a port-forward (`F`) and the health probe (`P`), and
//! the list of forwards (`:pf`). The app decides what to open; the loop hands the terminal to
//! the shell (`tui/shell.rs`) and the runner keeps the forwards running (`tui/effects.rs`).

use super::prompt::{Prompt, PromptKind};
use super::{App, Effect, PaneId};
use crate::cluster::forward::{ForwardState, PortPair};
use crate::cluster::pod_target::PodTarget;

/// A shell or command to open, as the user picked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellRequest {
    pub namespace: String,
    /// A pod, or a workload whose ready pod to use.
    pub target: PodTarget,
    /// None: the pod's default container.
    pub container: Option<String>,
    /// None: `/bin/bash` where the container has it, else `/bin/sh`.
    pub command: Option<Vec<String>>,
}

/// A port-forward to start in the background.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRequest {
    /// Numbers the forward, for its messages and for stopping it.
    pub id: u64,
    pub namespace: String,
    pub target: PodTarget,
    pub ports: PortPair,
}

/// One forward in the Forwards view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForwardRow {
    pub request: ForwardRequest,
    /// None until it listens.
    pub state: Option<ForwardState>,
}

impl ForwardRow {
    /// `127.0.0.1:8000 -> pod/web-1 port 8000: pod web-1` or `...: broken: why`.
    pub fn line(&self) -> String {
        let r = &self.request;
        let head = format!("127.0.0.1:{} -> {} port {}", r.ports.local, r.target, r.ports.remote);
        match &self.state {
            None => format!("{head}: starting"),
            Some(ForwardState::Active { pod, port }) => format!("{head}: pod {pod} port {port}"),
            Some(ForwardState::Broken(why)) => format!("{head}: broken: {why}"),
        }
    }
}

/// What a running forward reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardEvent {
    State(ForwardState),
    /// It could not start (no such pod, port in use); it is gone.
    Failed(String),
}

/// The shell picker's and the forwards' state.
#[derive(Debug, Clone, Default)]
pub struct ExecState {
    /// The pod and containers the open shell prompt is about; Tab moves `chosen`.
    pub shell: Option<ShellPick>,
    /// The pod the open port prompt is about.
    pub forward_to: Option<(String, PodTarget)>,
    pub forwards: Vec<ForwardRow>,
    next_id: u64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShellPick {
    pub namespace: String,
    pub target: PodTarget,
    /// Empty for a workload: its pod's default container.
    pub containers: Vec<String>,
    pub chosen: usize,
}

impl App {
    /// The shell's end, a forward's news, the probe's answers; redraws.
    pub(super) fn on_exec_msg(&mut self, msg: super::Msg) -> bool {
        match msg {
            super::Msg::ShellDone(what, outcome) => self.shell_done(what, outcome),
            super::Msg::Forward(id, event) => self.on_forward(id, event),
            super::Msg::Probed(answers) => self.probed(answers),
            _ => {}
        }
        true
    }

    /// `x`, `F`, `P`.
    pub(super) fn on_exec_key(&mut self, action: super::keys::Action) {
        match action {
            super::keys::Action::Shell => self.open_shell(),
            super::keys::Action::PortForward => self.open_forward(),
            super::keys::Action::Probe => self.open_probe(),
            _ => {}
        }
    }

    /// `x`: the shell prompt for the selected pod (or a ready pod of the selected workload).
    pub(super) fn open_shell(&mut self) {
        let pick = match self.focus {
            PaneId::Pods => self
                .selected_pod_target()
                .map(|(namespace, target, containers)| ShellPick {
                    namespace,
                    target,
                    containers,
                    chosen: 0,
                }),
            PaneId::Workloads => {
                let key = self.panes.get(PaneId::Workloads).selected_key().cloned();
                key.and_then(|k| self.data.workload(&k).map(|row| (k.namespace.clone(), row.workload())))
                    .map(|(namespace, w)| ShellPick {
                        namespace: namespace.to_string(),
                        target: PodTarget::Workload(w),
                        containers: Vec::new(),
                        chosen: 0,
                    })
            }
            _ => None,
        };
        match pick {
            Some(pick) => {
                self.exec.shell = Some(pick);
                self.prompt = Some(Prompt::new(PromptKind::Shell, String::new()));
            }
            None => self.notice = Some("select a pod (1) or a workload (5) to open a shell in".into()),
        }
    }

    /// The selected pod of the Pods pane, its namespace and its (non-init) containers.
    /// The Service selected in the resource pane, with its first port (`8000` of `8000/TCP`).
    fn selected_service(&self) -> Option<(String, String, Option<String>)> {
        use crate::cluster::resources::{ResourceKind, SERVICE_PORTS_CELL};
        if self.focus != PaneId::Resources || self.resource_kind != ResourceKind::Services {
            return None;
        }
        let key = self.panes.get(PaneId::Resources).selected_key()?;
        let row = self.data.resources.get(&ResourceKind::Services)?.get(key)?;
        let port = row.cells.get(SERVICE_PORTS_CELL).and_then(|c| {
            let first: String = c.text.chars().take_while(char::is_ascii_digit).collect();
            (!first.is_empty()).then_some(first)
        });
        Some((key.namespace.to_string(), key.name.to_string(), port))
    }

    fn selected_pod_target(&self) -> Option<(String, PodTarget, Vec<String>)> {
        let key = self.panes.get(PaneId::Pods).selected_key()?;
        let row = self.data.pods.iter().find(|p| &p.key == key)?;
        let containers = row
            .containers
            .iter()
            .filter(|c| !c.init)
            .map(|c| c.name.to_string())
            .collect();
        Some((
            key.namespace.to_string(),
            PodTarget::Pod(key.name.to_string()),
            containers,
        ))
    }

    /// Tab in the shell prompt: the next container.
    pub(super) fn shell_next_container(&mut self) {
        if let Some(pick) = self.exec.shell.as_mut()
            && !pick.containers.is_empty()
        {
            pick.chosen = (pick.chosen + 1) % pick.containers.len();
        }
    }

    /// The shell prompt's lead: where the shell opens and how to change it.
    pub fn shell_prompt_lead(&self) -> String {
        let Some(pick) = &self.exec.shell else {
            return "command: ".into();
        };
        let container = pick
            .containers
            .get(pick.chosen)
            .map_or("its default container".to_owned(), |c| format!("container {c}"));
        let tab = if pick.containers.len() > 1 {
            ", Tab: next container"
        } else {
            ""
        };
        format!(
            "shell in {} {container}{tab} (Enter: bash, else sh; or type a command): ",
            pick.target
        )
    }

    pub(super) fn shell_prompt_done(&mut self, text: &str) {
        let Some(pick) = self.exec.shell.take() else { return };
        // Split as a shell would: `sh -c 'ls /app'` is two words and one quoted argument.
        let Some(words) = shlex::split(text) else {
            self.notice = Some(format!(
                "{:?} has an unclosed quote or a stray backslash: nothing was run",
                crate::text::sanitize(text)
            ));
            return;
        };
        self.effects.push(Effect::Shell(ShellRequest {
            namespace: pick.namespace,
            target: pick.target,
            container: pick.containers.get(pick.chosen).cloned(),
            command: (!words.is_empty()).then_some(words),
        }));
    }

    /// The shell ended (or never started): its status in the footer.
    pub(super) fn shell_done(&mut self, what: String, outcome: Result<i32, String>) {
        self.notice = Some(match outcome {
            Ok(code) => format!("{what} exited {code}"),
            Err(why) => format!("{what}: {why}"),
        });
        self.mark_all_stale();
    }

    /// `F`: the port prompt for the selected pod, offering its first container port, or for the
    /// selected Service (`:svc`), offering its first port.
    pub(super) fn open_forward(&mut self) {
        if let Some((namespace, name, port)) = self.selected_service() {
            self.exec.forward_to = Some((namespace, PodTarget::Service(name)));
            self.prompt = Some(Prompt::new(PromptKind::Forward, port.unwrap_or_default()));
            return;
        }
        let Some((namespace, target, _)) = self.selected_pod_target() else {
            self.notice = Some("select a pod in Pods (1) or a Service in :svc to forward a port to".into());
            return;
        };
        let suggested = self
            .data
            .pods
            .iter()
            .find(|p| PodTarget::Pod(p.key.name.to_string()) == target && p.key.namespace == namespace)
            .and_then(|p| p.containers.iter().flat_map(|c| &c.ports).next().copied())
            .map_or(String::new(), |port| port.to_string());
        self.exec.forward_to = Some((namespace, target));
        self.prompt = Some(Prompt::new(PromptKind::Forward, suggested));
    }

    pub(super) fn forward_prompt_done(&mut self, text: &str) {
        let Some((namespace, target)) = self.exec.forward_to.take() else {
            return;
        };
        let ports = match PortPair::parse(text) {
            Ok(p) => p,
            Err(e) => return self.notice = Some(e),
        };
        self.exec.next_id += 1;
        let request = ForwardRequest {
            id: self.exec.next_id,
            namespace,
            target,
            ports,
        };
        self.exec.forwards.push(ForwardRow {
            request: request.clone(),
            state: None,
        });
        self.effects.push(Effect::StartForward(request));
        self.notice = Some("forward starting; :pf lists the forwards".into());
    }

    /// A forward's news: its pod, broken, or gone because it could not start.
    pub(super) fn on_forward(&mut self, id: u64, event: ForwardEvent) {
        match event {
            ForwardEvent::State(state) => {
                if let Some(row) = self.exec.forwards.iter_mut().find(|f| f.request.id == id) {
                    row.state = Some(state);
                    self.notice = Some(row.line());
                }
            }
            ForwardEvent::Failed(why) => {
                self.exec.forwards.retain(|f| f.request.id != id);
                self.notice = Some(why);
            }
        }
    }

    /// `:pf` / `:forwards`: the forwards, each with its number; `:pf stop N` stops one.
    pub(super) fn forwards_command(&mut self, arg: Option<&str>, number: Option<&str>) {
        if arg == Some("stop") {
            let n = number.and_then(|n| n.parse::<usize>().ok());
            let Some(row) = n.and_then(|n| self.exec.forwards.get(n.wrapping_sub(1))).cloned() else {
                self.notice = Some("usage: :pf stop N, with N a forward's number in :pf".into());
                return;
            };
            self.exec.forwards.retain(|f| f.request.id != row.request.id);
            self.effects.push(Effect::StopForward(row.request.id));
            self.notice = Some(format!("stopped {}", row.line()));
            return;
        }
        let lines: Vec<String> = self
            .exec
            .forwards
            .iter()
            .enumerate()
            .map(|(i, f)| format!("{}. {}", i + 1, f.line()))
            .collect();
        let outcome = match lines.is_empty() {
            true => "no port-forwards: press F on a pod to start one".to_owned(),
            false => ":pf stop N stops forward N; Esc closes this list (the forwards go on)".to_owned(),
        };
        self.top = Some(super::views::TopView::ActionLog(super::dialogs::ActionLog {
            title: "Port-forwards".into(),
            lines,
            outcome: Some(Ok(outcome)),
            ..Default::default()
        }));
    }

    /// The probe's answers, one line each, in the progress view it opened.
    pub(super) fn probed(&mut self, answers: Result<Vec<crate::cluster::probe::ProbeAnswer>, String>) {
        let answers = match answers {
            Ok(a) => a,
            Err(why) => return self.action_done(Err(why)),
        };
        for answer in &answers {
            self.action_progress(answer.line());
        }
        let failed = answers.iter().filter(|a| !a.ok()).count();
        self.action_done(match (failed, answers.len()) {
            (_, 0) => Err("no Deployment here has an HTTP probe to call".into()),
            (0, n) => Ok(format!("all {n} health endpoints answered")),
            (f, n) => Err(format!("{f} of {n} health endpoints failed")),
        });
    }

    /// `P`: the health endpoints of the namespace's Deployments, in the progress view.
    pub(super) fn open_probe(&mut self) {
        let namespace = match self.target.as_ref().map(|t| &t.scope) {
            Some(crate::cluster::Scope::Namespace(ns)) => ns.clone(),
            _ => {
                self.notice = Some("the probe works on one namespace: pick one with n first".into());
                return;
            }
        };
        self.top = Some(super::views::TopView::ActionLog(super::dialogs::ActionLog {
            title: format!("Health endpoints in {namespace} (through a port-forward)"),
            lines: Vec::new(),
            outcome: None,
            ..Default::default()
        }));
        self.effects.push(Effect::Probe(namespace));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn picked() -> App {
        let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (100, 30));
        app.exec.shell = Some(ShellPick {
            namespace: "todo".into(),
            target: PodTarget::Pod("web-1".into()),
            containers: vec!["app".into()],
            chosen: 0,
        });
        app
    }

    #[test]
    fn a_typed_command_is_split_as_a_shell_would() {
        let mut app = picked();
        app.shell_prompt_done("sh -c 'ls /app | head -3'");
        let Some(Effect::Shell(request)) = app.effects.pop() else {
            panic!("runs: {:?}", app.notice)
        };
        assert_eq!(
            request.command,
            Some(vec!["sh".into(), "-c".into(), "ls /app | head -3".into()])
        );
        // An unclosed quote runs nothing, and says so.
        let mut app = picked();
        app.shell_prompt_done("sh -c 'oops");
        assert!(app.effects.is_empty());
        assert_eq!(
            app.notice.as_deref(),
            Some("\"sh -c 'oops\" has an unclosed quote or a stray backslash: nothing was run")
        );
    }
}
