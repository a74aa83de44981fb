//! Each kind's object made into a resource row: the cells `kubectl get` shows for it.

use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Node, PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::quantity::{bytes, cpu_millis, format_bytes, format_cpu};
use super::{Capacity, Cell, ResourceKind, ResourceRow, Tone};
use crate::cluster::RowUpdate;
use crate::cluster::store::{FromObject, ObjectKey, WatchKind, WatchUpdate};

fn row(kind: ResourceKind, meta: &ObjectMeta, cells: Vec<Cell>) -> ResourceRow {
    ResourceRow {
        kind,
        key: ObjectKey::new(
            meta.namespace.as_deref().unwrap_or_default(),
            meta.name.as_deref().unwrap_or_default(),
        ),
        cells,
        created: meta.creation_timestamp.as_ref().map(|t| t.0),
        labels: meta
            .labels
            .as_ref()
            .map(crate::cluster::labels::Labels::from)
            .unwrap_or_default(),
        allocatable: None,
    }
}

/// Implements `FromObject` for one kind: which watch it is, and how its rows are tagged.
macro_rules! resource_rows {
    ($object:ty, $kind:expr, $convert:ident) => {
        impl FromObject<$object> for ResourceRow {
            const KIND: WatchKind = WatchKind::Resources($kind);
            fn from_object(object: &$object) -> Self {
                $convert(object)
            }
            fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
                RowUpdate::Resources($kind, update)
            }
        }
    };
}

resource_rows!(Service, ResourceKind::Services, service);
resource_rows!(Ingress, ResourceKind::Ingresses, ingress);
resource_rows!(PersistentVolumeClaim, ResourceKind::Pvcs, pvc);
resource_rows!(Job, ResourceKind::Jobs, job);
resource_rows!(CronJob, ResourceKind::CronJobs, cronjob);
resource_rows!(ConfigMap, ResourceKind::ConfigMaps, configmap);
resource_rows!(Node, ResourceKind::Nodes, node);

fn or_none(text: String) -> String {
    if text.is_empty() { "<none>".into() } else { text }
}

/// Where a Service row keeps its PORTS cell (`8000/TCP,80:30080/TCP`): `F` offers the first.
pub const SERVICE_PORTS_CELL: usize = 3;

pub(super) fn service(svc: &Service) -> ResourceRow {
    let spec = svc.spec.clone().unwrap_or_default();
    let ports: Vec<String> = spec
        .ports
        .iter()
        .flatten()
        .map(|p| {
            let node = p.node_port.map(|n| format!(":{n}")).unwrap_or_default();
            format!("{}{node}/{}", p.port, p.protocol.as_deref().unwrap_or("TCP"))
        })
        .collect();
    let external: Vec<String> = svc
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .chain(spec.external_ips.iter().flatten().cloned())
        .collect();
    let selector: Vec<String> = spec
        .selector
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    let kind = spec.type_.clone().unwrap_or_else(|| "ClusterIP".into());
    let pending = kind == "LoadBalancer" && external.is_empty();
    let cells = vec![
        Cell::text(&kind),
        Cell::text(spec.cluster_ip.as_deref().unwrap_or("<none>")),
        Cell::text(if pending {
            "<pending>".into()
        } else {
            or_none(external.join(","))
        })
        .tone(if pending { Tone::Warn } else { Tone::Plain }),
        Cell::text(or_none(ports.join(","))),
        Cell::text(or_none(selector.join(","))),
    ];
    row(ResourceKind::Services, &svc.metadata, cells)
}

pub(super) fn ingress(ing: &Ingress) -> ResourceRow {
    let spec = ing.spec.clone().unwrap_or_default();
    let hosts: Vec<String> = spec
        .rules
        .iter()
        .flatten()
        .map(|r| r.host.clone().unwrap_or_else(|| "*".into()))
        .collect();
    let address: Vec<String> = ing
        .status
        .as_ref()
        .and_then(|s| s.load_balancer.as_ref())
        .and_then(|lb| lb.ingress.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|i| i.ip.clone().or_else(|| i.hostname.clone()))
        .collect();
    let ports = if spec.tls.as_ref().is_some_and(|t| !t.is_empty()) {
        "80, 443"
    } else {
        "80"
    };
    let cells = vec![
        Cell::text(spec.ingress_class_name.as_deref().unwrap_or("<none>")),
        Cell::text(or_none(hosts.join(","))),
        Cell::text(or_none(address.join(","))),
        Cell::text(ports),
    ];
    row(ResourceKind::Ingresses, &ing.metadata, cells)
}

pub(super) fn pvc(claim: &PersistentVolumeClaim) -> ResourceRow {
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    let phase = status.phase.clone().unwrap_or_else(|| "Pending".into());
    let tone = match phase.as_str() {
        "Bound" => Tone::Good,
        "Lost" => Tone::Bad,
        _ => Tone::Warn,
    };
    let capacity = status
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone());
    let modes: Vec<String> = status
        .access_modes
        .iter()
        .flatten()
        .map(|m| match m.as_str() {
            "ReadWriteOnce" => "RWO".to_owned(),
            "ReadOnlyMany" => "ROX".to_owned(),
            "ReadWriteMany" => "RWX".to_owned(),
            "ReadWriteOncePod" => "RWOP".to_owned(),
            other => other.to_owned(),
        })
        .collect();
    let cells = vec![
        Cell::text(&phase).tone(tone),
        Cell::text(spec.volume_name.as_deref().unwrap_or("")),
        match &capacity {
            Some(c) => Cell::number(c, bytes(c).unwrap_or(0.0)),
            None => Cell::text(""),
        },
        Cell::text(modes.join(",")),
        Cell::text(spec.storage_class_name.as_deref().unwrap_or("<none>")),
    ];
    row(ResourceKind::Pvcs, &claim.metadata, cells)
}

pub(super) fn job(job: &Job) -> ResourceRow {
    let spec = job.spec.clone().unwrap_or_default();
    let status = job.status.clone().unwrap_or_default();
    let condition = |kind: &str| {
        status
            .conditions
            .iter()
            .flatten()
            .any(|c| c.type_ == kind && c.status == "True")
    };
    let (label, tone) = if condition("Complete") {
        ("Complete", Tone::Good)
    } else if condition("Failed") {
        ("Failed", Tone::Bad)
    } else if spec.suspend == Some(true) {
        ("Suspended", Tone::Dim)
    } else {
        ("Running", Tone::Warn)
    };
    let completions = spec.completions.unwrap_or(1);
    let succeeded = status.succeeded.unwrap_or(0);
    let duration = match (&status.start_time, &status.completion_time) {
        (Some(start), Some(end)) => {
            let d = end.0.duration_since(start.0).unsigned_abs();
            Cell::number(crate::text::human_duration(d), d.as_secs_f64())
        }
        _ => Cell::text(""),
    };
    let cells = vec![
        Cell::text(label).tone(tone),
        Cell::number(format!("{succeeded}/{completions}"), f64::from(succeeded)),
        duration,
    ];
    row(ResourceKind::Jobs, &job.metadata, cells)
}

pub(super) fn cronjob(cj: &CronJob) -> ResourceRow {
    let spec = cj.spec.clone();
    let status = cj.status.clone().unwrap_or_default();
    let active = status.active.as_ref().map_or(0, Vec::len);
    let last = status.last_schedule_time.as_ref().map(|t| t.0);
    let suspended = spec.suspend == Some(true);
    let cells = vec![
        Cell::text(&spec.schedule),
        Cell::text(if suspended { "True" } else { "False" }).tone(if suspended { Tone::Warn } else { Tone::Plain }),
        Cell::number(active.to_string(), active as f64),
        match last {
            Some(t) => Cell::number(t.strftime("%Y-%m-%d %H:%M").to_string(), t.as_second() as f64),
            None => Cell::text("<none>").tone(Tone::Dim),
        },
    ];
    row(ResourceKind::CronJobs, &cj.metadata, cells)
}

pub(super) fn configmap(cm: &ConfigMap) -> ResourceRow {
    let count = cm.data.as_ref().map_or(0, |d| d.len()) + cm.binary_data.as_ref().map_or(0, |d| d.len());
    let cells = vec![Cell::number(count.to_string(), count as f64)];
    row(ResourceKind::ConfigMaps, &cm.metadata, cells)
}

pub(super) fn node(node: &Node) -> ResourceRow {
    let status = node.status.clone().unwrap_or_default();
    let spec = node.spec.clone().unwrap_or_default();
    let ready = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "Ready")
        .map(|c| c.status == "True");
    let pressure: Vec<String> = status
        .conditions
        .iter()
        .flatten()
        .filter(|c| c.type_ != "Ready" && c.status == "True")
        .map(|c| c.type_.clone())
        .collect();
    let mut state = match ready {
        Some(true) => "Ready".to_owned(),
        Some(false) => "NotReady".to_owned(),
        None => "Unknown".to_owned(),
    };
    if spec.unschedulable == Some(true) {
        state.push_str(",SchedulingDisabled");
    }
    for p in &pressure {
        state.push(',');
        state.push_str(p);
    }
    let tone = match (ready, pressure.is_empty() && spec.unschedulable != Some(true)) {
        (Some(true), true) => Tone::Good,
        (Some(true), false) => Tone::Warn,
        _ => Tone::Bad,
    };
    let labels = node.metadata.labels.clone().unwrap_or_default();
    let roles: Vec<&str> = labels
        .keys()
        .filter_map(|k| k.strip_prefix("node-role.kubernetes.io/"))
        .collect();
    let allocatable = status.allocatable.clone().unwrap_or_default();
    let cpu = allocatable.get("cpu").and_then(|q| cpu_millis(&q.0)).unwrap_or(0.0);
    let memory = allocatable.get("memory").and_then(|q| bytes(&q.0)).unwrap_or(0.0);
    let pods = allocatable.get("pods").map(|q| q.0.clone()).unwrap_or_default();
    let taints = spec.taints.as_ref().map_or(0, Vec::len);
    let version = status
        .node_info
        .as_ref()
        .map(|i| i.kubelet_version.clone())
        .unwrap_or_default();
    let cells = vec![
        Cell::text(&state).tone(tone),
        Cell::text(if roles.is_empty() {
            "<none>".into()
        } else {
            roles.join(",")
        }),
        Cell::number(taints.to_string(), taints as f64).tone(if taints > 0 { Tone::Warn } else { Tone::Plain }),
        Cell::number(format_cpu(cpu), cpu),
        Cell::number(format_bytes(memory), memory),
        Cell::number(&pods, pods.parse().unwrap_or(0.0)),
        Cell::text(&version),
    ];
    let mut row = row(ResourceKind::Nodes, &node.metadata, cells);
    row.allocatable = Some(Capacity {
        cpu_millis: cpu,
        memory_bytes: memory,
    });
    row
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
        serde_json::from_value(v).expect("test object")
    }

    fn texts(row: &ResourceRow) -> Vec<&str> {
        row.cells.iter().map(|c| c.text.as_str()).collect()
    }

    #[test]
    fn services_read_as_kubectl_get_svc() {
        let svc: Service = from_json(serde_json::json!({
            "metadata": {"name": "backend", "namespace": "todo"},
            "spec": {"type": "LoadBalancer", "clusterIP": "10.96.0.7",
                "ports": [{"port": 8000, "nodePort": 30080, "protocol": "TCP"}],
                "selector": {"app": "backend"}}
        }));
        let row = service(&svc);
        assert_eq!(row.key, ObjectKey::new("todo", "backend"));
        assert_eq!(
            texts(&row),
            [
                "LoadBalancer",
                "10.96.0.7",
                "<pending>",
                "8000:30080/TCP",
                "app=backend"
            ]
        );
        assert_eq!(row.cells[2].tone, Tone::Warn);
        assert_eq!(row.cells[SERVICE_PORTS_CELL].text, "8000:30080/TCP");
    }

    #[test]
    fn nodes_say_ready_pressure_taints_and_what_they_can_give() {
        let n: Node = from_json(serde_json::json!({
            "metadata": {"name": "n1", "labels": {"node-role.kubernetes.io/control-plane": ""}},
            "spec": {"taints": [{"key": "k", "effect": "NoSchedule"}]},
            "status": {"conditions": [
                {"type": "Ready", "status": "True"},
                {"type": "MemoryPressure", "status": "True"}],
                "allocatable": {"cpu": "4", "memory": "8Gi", "pods": "110"},
                "nodeInfo": {"kubeletVersion": "v1.33.0", "machineID": "", "systemUUID": "", "bootID": "",
                    "kernelVersion": "", "osImage": "", "containerRuntimeVersion": "", "kubeProxyVersion": "",
                    "operatingSystem": "linux", "architecture": "amd64"}}
        }));
        let row = node(&n);
        assert_eq!(
            texts(&row),
            [
                "Ready,MemoryPressure",
                "control-plane",
                "1",
                "4000m",
                "8.0Gi",
                "110",
                "v1.33.0"
            ]
        );
        assert_eq!(row.cells[0].tone, Tone::Warn);
        assert_eq!(row.allocatable.map(|a| a.cpu_millis), Some(4000.0));
    }

    #[test]
    fn jobs_and_claims_say_where_they_are() {
        let j: Job = from_json(serde_json::json!({
            "metadata": {"name": "migrate", "namespace": "todo"},
            "spec": {"completions": 1, "template": {"spec": {"containers": []}}},
            "status": {"succeeded": 1, "conditions": [{"type": "Complete", "status": "True"}],
                "startTime": "2026-01-01T00:00:00Z", "completionTime": "2026-01-01T00:00:42Z"}
        }));
        assert_eq!(texts(&job(&j)), ["Complete", "1/1", "42s"]);
        let c: PersistentVolumeClaim = from_json(serde_json::json!({
            "metadata": {"name": "data", "namespace": "todo"},
            "spec": {"volumeName": "pv-1", "storageClassName": "standard"},
            "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}
        }));
        assert_eq!(texts(&pvc(&c)), ["Bound", "pv-1", "1Gi", "RWO", "standard"]);
    }
}
