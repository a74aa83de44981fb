//! Pods as the dashboard shows them: a compact row per pod, with status worked out as kubectl does.

use compact_str::CompactString;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{ContainerState, ContainerStatus, Pod, PodStatus};

use super::RowUpdate;
use super::labels::Labels;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::{sanitize, sanitize_compact};

/// What a status means for the person looking at it; decides the colour of the row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Running and every container ready.
    Ready,
    /// On its way: Pending, ContainerCreating, Init:0/1, Running but not yet ready.
    Progressing,
    /// Needs attention: CrashLoopBackOff, ImagePullBackOff, Error, OOMKilled, Unknown...
    Failing,
    /// Finished successfully (Completed / Succeeded).
    Completed,
    /// Being deleted.
    Terminating,
}

/// One container of a pod, for the pod's detail view.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerBrief {
    pub name: CompactString,
    pub image: CompactString,
    pub init: bool,
    pub ready: bool,
    pub restarts: u32,
    /// "running", "waiting: CrashLoopBackOff", "terminated: Error (exit 1)".
    pub state: CompactString,
    /// Why it last stopped, e.g. "OOMKilled (exit 137)".
    pub last_termination: Option<String>,
    /// Its declared container ports (what a port-forward offers first).
    pub ports: Vec<u16>,
}

/// One pod, reduced to what the Pods pane draws. Text fields are already sanitized, and short
/// ones (24 bytes or fewer) are kept inline: 100,000 of these are what kubedeck holds at the
/// edge of a cluster's scale.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    pub key: ObjectKey,
    pub ready: u16,
    pub total: u16,
    pub status: CompactString,
    pub health: Health,
    pub restarts: u32,
    pub last_restart: Option<Timestamp>,
    pub created: Option<Timestamp>,
    pub node: CompactString,
    pub ip: CompactString,
    /// `kubectl get pods -o wide`'s NOMINATED NODE: where the scheduler means to put a pod
    /// that is waiting for a preemption, or `<none>`.
    pub nominated_node: CompactString,
    /// `-o wide`'s READINESS GATES: gates whose condition is True, of all (`1/2`), or `<none>`.
    pub readiness_gates: CompactString,
    pub labels: Labels,
    pub containers: Vec<ContainerBrief>,
    /// What the containers ask for and may use at most, added up (0 where not set).
    pub requests: super::metrics::Usage,
    pub limits: super::metrics::Usage,
}

impl Row for PodRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Pod> for PodRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Pods;

    fn from_object(pod: &Pod) -> Self {
        PodRow::from(pod)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Pods(update)
    }
}

/// What the pod watch decodes: only the row's fields (pods/slim.rs).
impl FromObject<SlimPod> for PodRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Pods;

    fn from_object(pod: &SlimPod) -> Self {
        PodRow::from(&pod.0)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Pods(update)
    }
}

impl From<&Pod> for PodRow {
    fn from(pod: &Pod) -> Self {
        let meta = &pod.metadata;
        let mut summary = summarize(pod);
        let status = pod.status.as_ref();
        if matches!(summary.reason.as_str(), "Running" | "NotReady") && dapr_sidecar_unready(pod) {
            summary.reason = format!("{DAPR_SIDECAR} not ready");
        }
        PodRow {
            key: ObjectKey::new(
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
            ),
            ready: summary.ready,
            total: summary.total,
            health: health_of(&summary.reason, summary.ready, summary.total),
            status: sanitize_compact(&summary.reason),
            restarts: summary.restarts,
            last_restart: summary.last_restart,
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
            node: sanitize_compact(
                pod.spec
                    .as_ref()
                    .and_then(|s| s.node_name.as_deref())
                    .unwrap_or("<none>"),
            ),
            ip: sanitize_compact(status.and_then(|s| s.pod_ip.as_deref()).unwrap_or("<none>")),
            nominated_node: sanitize_compact(
                status
                    .and_then(|s| s.nominated_node_name.as_deref())
                    .filter(|n| !n.is_empty())
                    .unwrap_or("<none>"),
            ),
            readiness_gates: readiness_gates_of(pod),
            labels: meta.labels.as_ref().map(Labels::from).unwrap_or_default(),
            containers: containers_of(pod),
            requests: resources_of(pod, false),
            limits: resources_of(pod, true),
        }
    }
}

#[cfg(test)]
impl PodRow {
    /// A pod row for tests of the state and the views.
    pub fn example(namespace: &str, name: &str, status: &str, created: &str) -> Self {
        let created: Timestamp = created.parse().expect("test timestamp");
        PodRow {
            key: ObjectKey::new(namespace, name),
            ready: u16::from(status == "Running"),
            total: 1,
            status: status.into(),
            health: health_of(status, u16::from(status == "Running"), 1),
            restarts: 0,
            last_restart: None,
            created: Some(created),
            node: "sim-node-0".into(),
            ip: "10.0.0.1".into(),
            nominated_node: "<none>".into(),
            readiness_gates: "<none>".into(),
            labels: Labels::default(),
            containers: Vec::new(),
            requests: Default::default(),
            limits: Default::default(),
        }
    }
}

/// The containers' requests (or limits) added up.
fn resources_of(pod: &Pod, limits: bool) -> super::metrics::Usage {
    use super::resources::quantity::{bytes, cpu_millis};
    let mut sum = super::metrics::Usage::default();
    for c in pod.spec.iter().flat_map(|s| &s.containers) {
        let r = c.resources.as_ref();
        let map = if limits {
            r.and_then(|r| r.limits.as_ref())
        } else {
            r.and_then(|r| r.requests.as_ref())
        };
        let get = |name: &str| map.and_then(|m| m.get(name)).map(|q| q.0.as_str());
        sum.cpu_millis += get("cpu").and_then(cpu_millis).unwrap_or(0.0);
        sum.memory_bytes += get("memory").and_then(bytes).unwrap_or(0.0);
    }
    sum
}

struct Summary {
    reason: String,
    ready: u16,
    total: u16,
    restarts: u32,
    last_restart: Option<Timestamp>,
}

/// Port of kubectl's `printPod` (pkg/printers/internalversion/printers.go): the STATUS, READY and
/// RESTARTS columns of `kubectl get pods`, so kubedeck and kubectl never disagree.
fn summarize(pod: &Pod) -> Summary {
    let default_status = PodStatus::default();
    let status = pod.status.as_ref().unwrap_or(&default_status);
    let spec = pod.spec.as_ref();
    let init_specs = spec
        .map(|s| s.init_containers.as_deref().unwrap_or_default())
        .unwrap_or_default();
    let is_sidecar = |name: &str| {
        init_specs
            .iter()
            .any(|c| c.name == name && c.restart_policy.as_deref() == Some("Always"))
    };

    let mut total = spec.map_or(0, |s| s.containers.len()) as u16;
    total += init_specs
        .iter()
        .filter(|c| c.restart_policy.as_deref() == Some("Always"))
        .count() as u16;
    let mut ready = 0u16;
    let mut restarts = 0u32;
    let mut last_restart: Option<Timestamp> = None;
    let mut note_restart = |cs: &ContainerStatus| {
        if let Some(t) = cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
        {
            last_restart = Some(last_restart.map_or(t.0, |l| l.max(t.0)));
        }
    };

    let mut reason = status
        .reason
        .clone()
        .filter(|r| !r.is_empty())
        .or_else(|| status.phase.clone())
        .unwrap_or_else(|| "Unknown".to_owned());
    let conditions = status.conditions.as_deref().unwrap_or_default();
    if conditions
        .iter()
        .any(|c| c.type_ == "PodScheduled" && c.reason.as_deref() == Some("SchedulingGated"))
    {
        reason = "SchedulingGated".to_owned();
    }

    let mut initializing = false;
    let init_statuses = status.init_container_statuses.as_deref().unwrap_or_default();
    for (i, cs) in init_statuses.iter().enumerate() {
        restarts += cs.restart_count.max(0) as u32;
        note_restart(cs);
        if is_sidecar(&cs.name) && cs.started == Some(true) {
            if cs.ready {
                ready += 1;
            }
            continue;
        }
        let state = cs.state.as_ref();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let waiting = state.and_then(|s| s.waiting.as_ref());
        match (terminated, waiting) {
            (Some(t), _) if t.exit_code == 0 => continue,
            (Some(t), _) => {
                reason = match t.reason.as_deref() {
                    Some(r) if !r.is_empty() => format!("Init:{r}"),
                    _ if t.signal.unwrap_or(0) != 0 => format!("Init:Signal:{}", t.signal.unwrap_or(0)),
                    _ => format!("Init:ExitCode:{}", t.exit_code),
                };
            }
            (None, Some(w))
                if w.reason
                    .as_deref()
                    .is_some_and(|r| !r.is_empty() && r != "PodInitializing") =>
            {
                reason = format!("Init:{}", w.reason.as_deref().unwrap_or_default());
            }
            _ => reason = format!("Init:{}/{}", i, init_specs.len()),
        }
        initializing = true;
        break;
    }

    let initialized = conditions
        .iter()
        .any(|c| c.type_ == "Initialized" && c.status == "True");
    if !initializing || initialized {
        restarts = 0;
        let mut has_running = false;
        for cs in status.container_statuses.as_deref().unwrap_or_default().iter().rev() {
            restarts += cs.restart_count.max(0) as u32;
            note_restart(cs);
            let state = cs.state.as_ref();
            if let Some(r) = waiting_reason(state) {
                reason = r.to_owned();
            } else if let Some(t) = state.and_then(|s| s.terminated.as_ref()) {
                reason = match t.reason.as_deref() {
                    Some(r) if !r.is_empty() => r.to_owned(),
                    _ if t.signal.unwrap_or(0) != 0 => format!("Signal:{}", t.signal.unwrap_or(0)),
                    _ => format!("ExitCode:{}", t.exit_code),
                };
            } else if cs.ready && state.is_some_and(|s| s.running.is_some()) {
                has_running = true;
                ready += 1;
            }
        }
        if reason == "Completed" && has_running {
            let pod_ready = conditions.iter().any(|c| c.type_ == "Ready" && c.status == "True");
            reason = if pod_ready { "Running" } else { "NotReady" }.to_owned();
        }
    }

    if pod.metadata.deletion_timestamp.is_some() {
        if status.reason.as_deref() == Some("NodeLost") {
            reason = "Unknown".to_owned();
        } else if !matches!(status.phase.as_deref(), Some("Succeeded" | "Failed")) {
            reason = "Terminating".to_owned();
        }
    }

    Summary {
        reason,
        ready,
        total,
        restarts,
        last_restart,
    }
}

/// As kubectl prints it: how many of the pod's readiness gates have a True condition, of all.
fn readiness_gates_of(pod: &Pod) -> CompactString {
    let gates = pod
        .spec
        .as_ref()
        .and_then(|s| s.readiness_gates.as_ref())
        .filter(|g| !g.is_empty());
    let Some(gates) = gates else {
        return "<none>".into();
    };
    let conditions = pod.status.as_ref().and_then(|s| s.conditions.as_ref());
    let met = gates
        .iter()
        .filter(|g| conditions.is_some_and(|cs| cs.iter().any(|c| c.type_ == g.condition_type && c.status == "True")))
        .count();
    compact_str::format_compact!("{met}/{}", gates.len())
}

fn containers_of(pod: &Pod) -> Vec<ContainerBrief> {
    let status = pod.status.as_ref();
    let spec = pod.spec.as_ref();
    let init = spec
        .and_then(|s| s.init_containers.as_deref())
        .unwrap_or_default()
        .iter()
        .map(|c| (c, true));
    let main = spec
        .map(|s| s.containers.as_slice())
        .unwrap_or_default()
        .iter()
        .map(|c| (c, false));
    init.chain(main)
        .map(|(c, is_init)| {
            let statuses = if is_init {
                status.and_then(|s| s.init_container_statuses.as_deref())
            } else {
                status.and_then(|s| s.container_statuses.as_deref())
            };
            let cs = statuses.unwrap_or_default().iter().find(|s| s.name == c.name);
            ContainerBrief {
                name: sanitize_compact(&c.name),
                image: sanitize_compact(c.image.as_deref().unwrap_or_default()),
                init: is_init,
                ports: c
                    .ports
                    .iter()
                    .flatten()
                    .filter_map(|p| u16::try_from(p.container_port).ok())
                    .collect(),
                ready: cs.is_some_and(|s| s.ready),
                restarts: cs.map_or(0, |s| s.restart_count.max(0) as u32),
                state: sanitize_compact(
                    &cs.and_then(|s| s.state.as_ref())
                        .map_or("not started".into(), describe_state),
                ),
                last_termination: cs
                    .and_then(|s| s.last_state.as_ref())
                    .and_then(|s| s.terminated.as_ref())
                    .map(|t| {
                        sanitize(&format!(
                            "{} (exit {})",
                            t.reason.as_deref().unwrap_or("terminated"),
                            t.exit_code
                        ))
                    }),
            }
        })
        .collect()
}

fn describe_state(state: &ContainerState) -> String {
    if state.running.is_some() {
        "running".into()
    } else if let Some(w) = &state.waiting {
        format!("waiting: {}", w.reason.as_deref().unwrap_or("unknown"))
    } else if let Some(t) = &state.terminated {
        format!(
            "terminated: {} (exit {})",
            t.reason.as_deref().unwrap_or("no reason"),
            t.exit_code
        )
    } else {
        "unknown".into()
    }
}

/// The container Dapr's injector adds beside the app (a plain container, or a native sidecar).
pub const DAPR_SIDECAR: &str = "daprd";

/// Whether the pod has a Dapr sidecar that has started but is not ready: the app may answer its
/// own probes while it can neither publish nor receive events, which the READY column alone hides.
fn dapr_sidecar_unready(pod: &Pod) -> bool {
    let Some(status) = pod.status.as_ref() else {
        return false;
    };
    let statuses = status
        .container_statuses
        .iter()
        .chain(status.init_container_statuses.iter());
    statuses
        .flatten()
        .any(|cs| cs.name == DAPR_SIDECAR && !cs.ready && cs.state.as_ref().is_some_and(|s| s.running.is_some()))
}

fn waiting_reason(state: Option<&ContainerState>) -> Option<&str> {
    state
        .and_then(|s| s.waiting.as_ref())
        .and_then(|w| w.reason.as_deref())
        .filter(|r| !r.is_empty())
}

fn health_of(reason: &str, ready: u16, total: u16) -> Health {
    match reason {
        "Running" if ready == total => Health::Ready,
        "Running" | "Pending" | "ContainerCreating" | "PodInitializing" | "NotReady" | "SchedulingGated" => {
            Health::Progressing
        }
        r if r.starts_with("Init:") && r[5..].chars().next().is_some_and(|c| c.is_ascii_digit()) => Health::Progressing,
        "Completed" | "Succeeded" => Health::Completed,
        "Terminating" => Health::Terminating,
        r if r.ends_with(" not ready") => Health::Failing,
        _ => Health::Failing,
    }
}

mod blocker;
mod slim;
pub use blocker::{Blocker, blocker};
pub use slim::SlimPod;

#[cfg(test)]
mod tests;
