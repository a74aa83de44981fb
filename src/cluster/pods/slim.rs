//! The pod watch's own decoding: only the fields a Pods row reads come out of the JSON.
//!
//! A pod from the API server carries managedFields (a JSON tree per field manager), annotations,
//! volumes, env, probes and mounts that the row never reads; decoding them into `k8s_openapi`
//! types allocated every string of them on every change, the largest part of kubedeck's CPU under
//! pod churn. serde skips what a struct does not name without allocating, so this mirror of the
//! row's fields is decoded instead and turned into a `Pod` holding just those.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Container, ContainerPort, ContainerState, ContainerStateRunning, ContainerStateTerminated, ContainerStateWaiting,
    ContainerStatus, Pod, PodCondition, PodReadinessGate, PodSpec, PodStatus, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, Time};
use serde::{Deserialize, Deserializer};

/// A pod with only what `PodRow` reads; watched in place of `Pod`.
#[derive(Debug, Clone, Default)]
pub struct SlimPod(pub Pod);

impl k8s_openapi::Resource for SlimPod {
    const API_VERSION: &'static str = <Pod as k8s_openapi::Resource>::API_VERSION;
    const GROUP: &'static str = <Pod as k8s_openapi::Resource>::GROUP;
    const KIND: &'static str = <Pod as k8s_openapi::Resource>::KIND;
    const VERSION: &'static str = <Pod as k8s_openapi::Resource>::VERSION;
    const URL_PATH_SEGMENT: &'static str = <Pod as k8s_openapi::Resource>::URL_PATH_SEGMENT;
    type Scope = <Pod as k8s_openapi::Resource>::Scope;
}

impl k8s_openapi::Metadata for SlimPod {
    type Ty = ObjectMeta;

    fn metadata(&self) -> &ObjectMeta {
        &self.0.metadata
    }

    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        &mut self.0.metadata
    }
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Meta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    labels: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Spec {
    node_name: Option<String>,
    containers: Vec<SlimContainer>,
    init_containers: Option<Vec<SlimContainer>>,
    readiness_gates: Option<Vec<PodReadinessGate>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SlimContainer {
    name: String,
    image: Option<String>,
    ports: Option<Vec<Port>>,
    resources: Option<ResourceRequirements>,
    restart_policy: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Port {
    container_port: i32,
}

/// The status fields the row reads: condition and container-state times, images, IDs, host and
/// pod IP lists, resources and QoS class are skipped (each condition's time was a parse per
/// change).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Status {
    phase: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    #[serde(rename = "podIP")]
    pod_ip: Option<String>,
    nominated_node_name: Option<String>,
    conditions: Option<Vec<Condition>>,
    container_statuses: Option<Vec<SlimContainerStatus>>,
    init_container_statuses: Option<Vec<SlimContainerStatus>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Condition {
    #[serde(rename = "type")]
    type_: String,
    status: String,
    reason: Option<String>,
    message: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct SlimContainerStatus {
    name: String,
    ready: bool,
    restart_count: i32,
    started: Option<bool>,
    state: Option<State>,
    last_state: Option<State>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct State {
    running: Option<serde::de::IgnoredAny>,
    waiting: Option<ContainerStateWaiting>,
    terminated: Option<Terminated>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
struct Terminated {
    exit_code: i32,
    signal: Option<i32>,
    reason: Option<String>,
    message: Option<String>,
    finished_at: Option<Time>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Slim {
    metadata: Meta,
    spec: Option<Spec>,
    status: Option<Status>,
}

impl Status {
    fn into_status(self) -> PodStatus {
        let statuses = |s: Option<Vec<SlimContainerStatus>>| {
            s.map(|s| s.into_iter().map(SlimContainerStatus::into_status).collect())
        };
        PodStatus {
            phase: self.phase,
            reason: self.reason,
            message: self.message,
            pod_ip: self.pod_ip,
            nominated_node_name: self.nominated_node_name,
            conditions: self.conditions.map(|c| {
                c.into_iter()
                    .map(|c| PodCondition {
                        type_: c.type_,
                        status: c.status,
                        reason: c.reason,
                        message: c.message,
                        ..Default::default()
                    })
                    .collect()
            }),
            container_statuses: statuses(self.container_statuses),
            init_container_statuses: statuses(self.init_container_statuses),
            ..Default::default()
        }
    }
}

impl SlimContainerStatus {
    fn into_status(self) -> ContainerStatus {
        ContainerStatus {
            name: self.name,
            ready: self.ready,
            restart_count: self.restart_count,
            started: self.started,
            state: self.state.map(State::into_state),
            last_state: self.last_state.map(State::into_state),
            ..Default::default()
        }
    }
}

impl State {
    fn into_state(self) -> ContainerState {
        ContainerState {
            running: self.running.map(|_| ContainerStateRunning::default()),
            waiting: self.waiting,
            terminated: self.terminated.map(|t| ContainerStateTerminated {
                exit_code: t.exit_code,
                signal: t.signal,
                reason: t.reason,
                message: t.message,
                finished_at: t.finished_at,
                ..Default::default()
            }),
        }
    }
}

impl SlimContainer {
    fn into_container(self) -> Container {
        Container {
            name: self.name,
            image: self.image,
            ports: self.ports.map(|ports| {
                ports
                    .into_iter()
                    .map(|p| ContainerPort {
                        container_port: p.container_port,
                        ..Default::default()
                    })
                    .collect()
            }),
            resources: self.resources,
            restart_policy: self.restart_policy,
            ..Default::default()
        }
    }
}

impl<'de> Deserialize<'de> for SlimPod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let Slim {
            metadata: m,
            spec,
            status,
        } = Slim::deserialize(deserializer)?;
        let metadata = ObjectMeta {
            name: m.name,
            namespace: m.namespace,
            uid: m.uid,
            resource_version: m.resource_version,
            creation_timestamp: m.creation_timestamp,
            deletion_timestamp: m.deletion_timestamp,
            labels: m.labels,
            ..Default::default()
        };
        let spec = spec.map(|s| PodSpec {
            node_name: s.node_name,
            containers: s.containers.into_iter().map(SlimContainer::into_container).collect(),
            init_containers: s
                .init_containers
                .map(|c| c.into_iter().map(SlimContainer::into_container).collect()),
            readiness_gates: s.readiness_gates,
            ..Default::default()
        });
        Ok(SlimPod(Pod {
            metadata,
            spec,
            status: status.map(Status::into_status),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cluster::pods::PodRow;

    /// A pod as the API server sends it, managedFields, volumes and env included.
    const POD: &str = r#"{
      "apiVersion": "v1", "kind": "Pod",
      "metadata": {
        "name": "backend-7c9d-x2x", "namespace": "todo", "uid": "u-1", "resourceVersion": "42",
        "creationTimestamp": "2026-11-23T11:00:00Z",
        "labels": {"app": "backend"},
        "annotations": {"kubectl.kubernetes.io/restartedAt": "2026-11-23T10:00:00Z"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "backend-7c9d", "uid": "u-0"}],
        "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "v1",
          "fieldsType": "FieldsV1", "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}}}}]
      },
      "spec": {
        "nodeName": "sim-node-0",
        "volumes": [{"name": "data", "emptyDir": {}}],
        "initContainers": [{"name": "migrate", "image": "todo/backend:1", "command": ["alembic", "upgrade"]},
                           {"name": "daprd", "image": "daprio/daprd:1.14", "restartPolicy": "Always"}],
        "containers": [{"name": "api", "image": "todo/backend:1",
          "env": [{"name": "A", "value": "b"}],
          "ports": [{"containerPort": 8000, "protocol": "TCP", "name": "http"}],
          "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m"}},
          "readinessProbe": {"httpGet": {"path": "/ready", "port": 8000}}}],
        "readinessGates": [{"conditionType": "example.com/gate"}]
      },
      "status": {
        "phase": "Running", "podIP": "10.0.0.7", "podIPs": [{"ip": "10.0.0.7"}], "hostIP": "10.0.1.1",
        "startTime": "2026-11-23T11:00:01Z", "qosClass": "Burstable",
        "conditions": [{"type": "Ready", "status": "True", "lastTransitionTime": "2026-11-23T11:00:12Z"},
                       {"type": "Initialized", "status": "True", "lastProbeTime": null}],
        "initContainerStatuses": [
          {"name": "migrate", "ready": true, "restartCount": 0, "image": "todo/backend:1", "imageID": "",
           "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}},
          {"name": "daprd", "ready": true, "restartCount": 0, "image": "daprio/daprd:1.14", "imageID": "",
           "state": {"running": {"startedAt": "2026-11-23T11:00:05Z"}}}],
        "containerStatuses": [{"name": "api", "ready": true, "restartCount": 2, "image": "todo/backend:1",
          "imageID": "", "state": {"running": {"startedAt": "2026-11-23T11:00:10Z"}},
          "lastState": {"terminated": {"exitCode": 137, "reason": "OOMKilled",
            "finishedAt": "2026-11-23T11:00:09Z"}}}]
      }
    }"#;

    /// A pod that cannot start: scheduling gated, a crash-looping container, an evicted one.
    const TROUBLED: [&str; 3] = [
        r#"{"metadata": {"name": "gated", "namespace": "todo"},
            "spec": {"containers": [{"name": "api"}]},
            "status": {"phase": "Pending", "conditions": [{"type": "PodScheduled", "status": "False",
              "reason": "SchedulingGated", "message": "waiting for gates",
              "lastTransitionTime": "2026-11-23T11:00:00Z"}]}}"#,
        r#"{"metadata": {"name": "crashing", "namespace": "todo",
              "deletionTimestamp": "2026-11-23T11:05:00Z"},
            "spec": {"containers": [{"name": "api"}, {"name": "daprd"}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}],
              "containerStatuses": [
                {"name": "api", "ready": false, "restartCount": 7, "started": false,
                 "containerID": "containerd://1", "image": "i", "imageID": "",
                 "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s"}},
                 "lastState": {"terminated": {"exitCode": 1, "signal": 9, "reason": "Error", "message": "boom",
                   "startedAt": "2026-11-23T11:03:00Z", "finishedAt": "2026-11-23T11:04:00Z",
                   "containerID": "containerd://0"}}},
                {"name": "daprd", "ready": false, "restartCount": 0, "image": "d", "imageID": "",
                 "state": {"running": {"startedAt": "2026-11-23T11:00:00Z"}}}]}}"#,
        r#"{"metadata": {"name": "evicted", "namespace": "todo"},
            "spec": {"containers": [{"name": "api"}]},
            "status": {"phase": "Failed", "reason": "Evicted", "message": "The node was low on memory.",
              "nominatedNodeName": "sim-node-1",
              "containerStatuses": [{"name": "api", "ready": false, "restartCount": 0, "image": "i",
                "imageID": "", "state": {"terminated": {"exitCode": 137, "signal": 9}}}]}}"#,
    ];

    #[test]
    fn a_troubled_pod_decodes_slim_to_the_same_row_as_whole() {
        for json in TROUBLED {
            let whole: Pod = serde_json::from_str(json).unwrap();
            let slim: SlimPod = serde_json::from_str(json).unwrap();
            assert_eq!(PodRow::from(&slim.0), PodRow::from(&whole), "{json}");
        }
    }

    #[test]
    fn the_slim_decoding_gives_the_same_row_as_the_whole_pod() {
        let whole: Pod = serde_json::from_str(POD).unwrap();
        let slim: SlimPod = serde_json::from_str(POD).unwrap();
        assert_eq!(PodRow::from(&slim.0), PodRow::from(&whole));
        let status = slim.0.status.as_ref().unwrap();
        assert!(
            status.host_ip.is_none() && status.start_time.is_none(),
            "status fields the row does not read are not decoded"
        );
        assert_eq!(slim.0.metadata.resource_version.as_deref(), Some("42"));
        assert!(
            slim.0.metadata.managed_fields.is_none(),
            "managedFields are not decoded"
        );
        assert!(
            slim.0.spec.as_ref().unwrap().volumes.is_none(),
            "volumes are not decoded"
        );
    }

    #[test]
    fn a_deleted_pod_with_little_in_it_still_decodes() {
        let slim: SlimPod = serde_json::from_str(r#"{"metadata": {"name": "p", "namespace": "n"}}"#).unwrap();
        assert_eq!(PodRow::from(&slim.0).key.name, "p");
    }
}
