//! Deployments and StatefulSets as the Workloads pane shows them, with their rollout state.

use jiff::Timestamp;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::RowUpdate;
use super::rollout::{RollingWorkload, rolled_out};
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

/// Where a rollout stands.
#[derive(Debug, Clone, PartialEq)]
pub enum Rollout {
    Complete,
    /// Pods are being replaced or started.
    Progressing,
    /// The controller gave up waiting (ProgressDeadlineExceeded, ReplicaFailure...).
    Stalled(String),
    /// Scaled to zero.
    ScaledDown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
}

impl WorkloadKind {
    pub fn short(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deploy",
            WorkloadKind::StatefulSet => "sts",
        }
    }
}

/// A Deployment or StatefulSet, as `deploy/NAME` or `sts/NAME` on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkloadRef {
    pub statefulset: bool,
    pub name: String,
}

impl WorkloadRef {
    pub fn parse(text: &str) -> Result<WorkloadRef, String> {
        match text.split_once('/') {
            Some(("deploy" | "deployment" | "deployments", name)) if !name.is_empty() => Ok(WorkloadRef {
                statefulset: false,
                name: name.into(),
            }),
            Some(("sts" | "statefulset" | "statefulsets", name)) if !name.is_empty() => Ok(WorkloadRef {
                statefulset: true,
                name: name.into(),
            }),
            _ => Err(format!("{text:?} is not a workload: write deploy/NAME or sts/NAME")),
        }
    }

    /// From an object reference's `kind` and `name` (an HPA's scaleTargetRef); None for kinds
    /// other than Deployment and StatefulSet.
    pub fn of_kind(kind: &str, name: &str) -> Option<WorkloadRef> {
        let statefulset = match kind {
            "Deployment" => false,
            "StatefulSet" => true,
            _ => return None,
        };
        Some(WorkloadRef {
            statefulset,
            name: sanitize(name),
        })
    }

    /// The API kind, as in `kind:` of the object.
    pub fn kind(&self) -> &'static str {
        if self.statefulset { "StatefulSet" } else { "Deployment" }
    }
}

impl std::fmt::Display for WorkloadRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", if self.statefulset { "sts" } else { "deploy" }, self.name)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct WorkloadRow {
    /// Namespace and `kind/name`, so a Deployment and a StatefulSet of the same name differ.
    pub key: ObjectKey,
    pub kind: WorkloadKind,
    pub name: String,
    pub desired: i32,
    pub ready: i32,
    pub updated: i32,
    pub available: i32,
    pub images: Vec<String>,
    /// Container names, for `-o wide`'s CONTAINERS.
    pub containers: Vec<String>,
    /// The pod selector as kubectl prints it (`app=backend,tier in (web)`), for `-o wide`.
    pub selector: String,
    pub rollout: Rollout,
    pub created: Option<Timestamp>,
}

impl WorkloadRow {
    /// Its rollout as a gauge (see `gauge`).
    pub fn gauge(&self) -> String {
        gauge(self.updated, self.ready, self.desired)
    }

    /// Which workload this row is, for the actions that act on it.
    pub fn workload(&self) -> WorkloadRef {
        WorkloadRef {
            statefulset: self.kind == WorkloadKind::StatefulSet,
            name: self.name.clone(),
        }
    }
}

impl Row for WorkloadRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

fn base(meta: &ObjectMeta, kind: WorkloadKind, images: Vec<String>) -> WorkloadRow {
    let name = sanitize(meta.name.as_deref().unwrap_or_default());
    WorkloadRow {
        key: ObjectKey::new(
            meta.namespace.as_deref().unwrap_or_default(),
            &format!("{}/{name}", kind.short()),
        ),
        kind,
        name,
        desired: 0,
        ready: 0,
        updated: 0,
        available: 0,
        images,
        containers: Vec::new(),
        selector: String::new(),
        rollout: Rollout::Complete,
        created: meta.creation_timestamp.as_ref().map(|t| t.0),
    }
}

/// The container names of a pod template and its selector, as `kubectl get -o wide` shows them.
fn wide_parts(
    row: &mut WorkloadRow,
    template: Option<&k8s_openapi::api::core::v1::PodSpec>,
    selector: Option<&k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector>,
) {
    row.containers = template
        .map(|s| s.containers.iter().map(|c| sanitize(&c.name)).collect())
        .unwrap_or_default();
    // kubectl prints an empty selector as <none>, like a missing one.
    let text = selector.map(super::logs::selector_string).unwrap_or_default();
    row.selector = if text.is_empty() {
        "<none>".to_owned()
    } else {
        sanitize(&text)
    };
}

fn images_of(spec: Option<&k8s_openapi::api::core::v1::PodSpec>) -> Vec<String> {
    spec.map(|s| {
        s.containers
            .iter()
            .filter_map(|c| c.image.as_deref())
            .map(sanitize)
            .collect()
    })
    .unwrap_or_default()
}

impl FromObject<Deployment> for WorkloadRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Deployments;

    fn from_object(d: &Deployment) -> Self {
        let spec = d.spec.as_ref();
        let mut row = base(
            &d.metadata,
            WorkloadKind::Deployment,
            images_of(spec.and_then(|s| s.template.spec.as_ref())),
        );
        wide_parts(
            &mut row,
            spec.and_then(|s| s.template.spec.as_ref()),
            spec.map(|s| &s.selector),
        );
        let status = d.status.clone().unwrap_or_default();
        row.desired = spec.and_then(|s| s.replicas).unwrap_or(1);
        row.ready = status.ready_replicas.unwrap_or(0);
        row.updated = status.updated_replicas.unwrap_or(0);
        row.available = status.available_replicas.unwrap_or(0);
        let conditions = status.conditions.unwrap_or_default();
        let stalled = conditions.iter().find(|c| {
            (c.type_ == "Progressing" && c.status == "False") || (c.type_ == "ReplicaFailure" && c.status == "True")
        });
        row.rollout = if let Some(c) = stalled {
            Rollout::Stalled(sanitize(
                c.message
                    .as_deref()
                    .or(c.reason.as_deref())
                    .unwrap_or("rollout stalled"),
            ))
        } else if row.desired == 0 && status.replicas.unwrap_or(0) == 0 {
            Rollout::ScaledDown
        } else if rolled_out(RollingWorkload::Deployment(d)) {
            Rollout::Complete
        } else {
            Rollout::Progressing
        };
        row
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Deployments(update)
    }
}

impl FromObject<StatefulSet> for WorkloadRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::StatefulSets;

    fn from_object(s: &StatefulSet) -> Self {
        let spec = s.spec.as_ref();
        let mut row = base(
            &s.metadata,
            WorkloadKind::StatefulSet,
            images_of(spec.and_then(|s| s.template.spec.as_ref())),
        );
        wide_parts(
            &mut row,
            spec.and_then(|s| s.template.spec.as_ref()),
            spec.map(|s| &s.selector),
        );
        let status = s.status.clone().unwrap_or_default();
        row.desired = spec.and_then(|s| s.replicas).unwrap_or(1);
        row.ready = status.ready_replicas.unwrap_or(0);
        row.updated = status.updated_replicas.unwrap_or(0);
        row.available = status.available_replicas.unwrap_or(0);
        row.rollout = if row.desired == 0 && status.replicas == 0 {
            Rollout::ScaledDown
        } else if rolled_out(RollingWorkload::StatefulSet(s)) {
            Rollout::Complete
        } else {
            Rollout::Progressing
        };
        row
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::StatefulSets(update)
    }
}

impl Rollout {
    pub fn label(&self) -> &'static str {
        match self {
            Rollout::Complete => "complete",
            Rollout::Progressing => "progressing",
            Rollout::Stalled(_) => "stalled",
            Rollout::ScaledDown => "scaled to 0",
        }
    }
}

/// A rollout in progress as a gauge: ready pods `█`, updated but not ready `▓`, the rest `░`,
/// then the numbers ("█▓░ 2/3 updated, 1/3 ready").
pub fn gauge(updated: i32, ready: i32, desired: i32) -> String {
    const WIDTH: i32 = 10;
    // Scaled to zero: an empty bar, and the numbers say 0/0 as kubectl does.
    let whole = desired.max(1);
    let cells = |n: i32| (n.clamp(0, whole) * WIDTH / whole) as usize;
    let (done, moving) = (cells(ready.min(updated)), cells(updated));
    let bar: String =
        "█".repeat(done) + &"▓".repeat(moving.saturating_sub(done)) + &"░".repeat(WIDTH as usize - moving.max(done));
    format!("{bar} {updated}/{desired} updated, {ready}/{desired} ready")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deploy(yaml: &str) -> WorkloadRow {
        WorkloadRow::from_object(&serde_yaml::from_str::<Deployment>(yaml).unwrap())
    }

    #[test]
    fn deployment_rollout_states() {
        let meta = "metadata: {name: backend, namespace: todo, generation: 2}";
        let spec =
            "spec: {replicas: 3, selector: {}, template: {spec: {containers: [{name: a, image: 'todo/backend:1.1'}]}}}";
        let done = deploy(&format!(
            "{meta}\n{spec}\nstatus: {{observedGeneration: 2, replicas: 3, readyReplicas: 3, updatedReplicas: 3, availableReplicas: 3}}"
        ));
        assert_eq!(
            (done.rollout.clone(), done.key.name.as_str(), done.name.as_str()),
            (Rollout::Complete, "deploy/backend", "backend")
        );
        assert_eq!(done.images, ["todo/backend:1.1"]);
        assert_eq!(
            (done.containers.clone(), done.selector.as_str()),
            (vec!["a".to_owned()], "<none>")
        );
        let selected = deploy(&format!(
            "{meta}\nspec: {{selector: {{matchLabels: {{app: backend, release: todo}},
              matchExpressions: [{{key: tier, operator: In, values: [web, api]}}, {{key: canary, operator: DoesNotExist}}]}},
              template: {{spec: {{containers: [{{name: api, image: x}}, {{name: proxy, image: y}}]}}}}}}"
        ));
        assert_eq!(selected.selector, "app=backend,release=todo,tier in (web,api),!canary");
        assert_eq!(selected.containers, ["api", "proxy"]);

        let rolling = deploy(&format!(
            "{meta}\n{spec}\nstatus: {{observedGeneration: 2, replicas: 4, readyReplicas: 3, updatedReplicas: 1, availableReplicas: 3}}"
        ));
        assert_eq!(rolling.rollout, Rollout::Progressing);

        let stalled = deploy(&format!(
            "{meta}\n{spec}\nstatus: {{observedGeneration: 2, replicas: 3, conditions: [{{type: Progressing, status: 'False',
              reason: ProgressDeadlineExceeded, message: 'ReplicaSet \"backend-7c\" has timed out progressing.'}}]}}"
        ));
        assert_eq!(
            stalled.rollout,
            Rollout::Stalled("ReplicaSet \"backend-7c\" has timed out progressing.".into())
        );
    }

    #[test]
    fn statefulset_rows_are_keyed_apart_from_deployments() {
        let sts: StatefulSet = serde_yaml::from_str(
            "metadata: {name: redis, namespace: todo}
spec: {replicas: 1, selector: {}, serviceName: redis, template: {spec: {containers: [{name: r, image: 'redis:7'}]}}}
status: {replicas: 1, readyReplicas: 1, updatedReplicas: 1, currentRevision: r1, updateRevision: r1}",
        )
        .unwrap();
        let row = WorkloadRow::from_object(&sts);
        assert_eq!(
            (row.key.name.as_str(), row.rollout.clone()),
            ("sts/redis", Rollout::Complete)
        );
    }
}
