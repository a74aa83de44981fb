//! What a shell, an exec or a port-forward reaches: a pod named on the command line or picked in
//! a pane, or a ready pod behind a workload or a Service, and which of its containers.

use k8s_openapi::api::core::v1::{Pod, Service};
use kube::api::ListParams;
use kube::{Api, Client};

use super::workloads::WorkloadRef;
use super::{Attempt, explain};

/// A pod, or whatever picks one: `NAME`, `pod/NAME`, `deploy/NAME`, `sts/NAME`, `svc/NAME`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PodTarget {
    Pod(String),
    /// A ready pod of the workload.
    Workload(WorkloadRef),
    /// A ready pod the Service selects.
    Service(String),
}

impl PodTarget {
    pub fn parse(text: &str) -> Result<PodTarget, String> {
        match text.split_once('/') {
            None if !text.is_empty() => Ok(PodTarget::Pod(text.to_owned())),
            Some(("pod" | "pods" | "po", name)) if !name.is_empty() => Ok(PodTarget::Pod(name.to_owned())),
            Some(("svc" | "service" | "services", name)) if !name.is_empty() => Ok(PodTarget::Service(name.to_owned())),
            _ => WorkloadRef::parse(text).map(PodTarget::Workload).map_err(|_| {
                format!("{text:?} is not a pod: write a pod name, pod/NAME, deploy/NAME, sts/NAME or svc/NAME")
            }),
        }
    }
}

impl std::fmt::Display for PodTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PodTarget::Pod(name) => write!(f, "pod/{name}"),
            PodTarget::Workload(w) => write!(f, "{w}"),
            PodTarget::Service(name) => write!(f, "svc/{name}"),
        }
    }
}

/// The pod `target` names (it must be running), or a ready pod behind it.
pub async fn find_pod(client: &Client, namespace: &str, target: &PodTarget) -> Result<Pod, String> {
    let pods = Api::<Pod>::namespaced(client.clone(), namespace);
    let selector = match target {
        PodTarget::Pod(name) => {
            let pod = pods
                .get_opt(name)
                .await
                .map_err(|e| explain(&e, Attempt::new("read", &format!("pod {name}"), namespace)))?;
            let pod = pod.ok_or_else(|| {
                format!("there is no pod {name} in {namespace}: check the name (kubedeck status lists the pods)")
            })?;
            let phase = pod.status.as_ref().and_then(|s| s.phase.clone()).unwrap_or_default();
            if phase != "Running" {
                return Err(format!(
                    "pod {name} is {}, not Running: its containers cannot be reached yet",
                    if phase.is_empty() { "without a phase" } else { &phase }
                ));
            }
            return Ok(pod);
        }
        PodTarget::Workload(w) => super::logs::workload_selector(client, namespace, w)
            .await
            .map_err(|e| explain(&e, Attempt::new("read", &w.to_string(), namespace)))?,
        PodTarget::Service(name) => service_selector(client, namespace, name).await?,
    };
    let listed = pods
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| explain(&e, Attempt::new("list", "pods", namespace)))?;
    listed
        .items
        .into_iter()
        .find(is_ready)
        .ok_or_else(|| format!("{target} has no ready pod in {namespace}: wait for one (or check kubedeck status)"))
}

/// Ready, and not on its way out.
pub fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

async fn service_selector(client: &Client, namespace: &str, name: &str) -> Result<String, String> {
    let service = get_service(client, namespace, name).await?;
    let selector = service.spec.and_then(|s| s.selector).unwrap_or_default();
    if selector.is_empty() {
        return Err(format!(
            "service {name} selects no pods (it has no selector): forward to a pod instead"
        ));
    }
    Ok(selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(","))
}

pub(crate) async fn get_service(client: &Client, namespace: &str, name: &str) -> Result<Service, String> {
    Api::<Service>::namespaced(client.clone(), namespace)
        .get_opt(name)
        .await
        .map_err(|e| explain(&e, Attempt::new("read", &format!("service {name}"), namespace)))?
        .ok_or_else(|| format!("there is no service {name} in {namespace}: check the name"))
}

/// The container to use: the one asked for (it must exist), else the pod's
/// `kubectl.kubernetes.io/default-container`, else its first.
pub fn container_of(pod: &Pod, wanted: Option<&str>) -> Result<String, String> {
    let names = super::logs::container_names(pod);
    let pod_name = pod.metadata.name.as_deref().unwrap_or_default();
    match wanted {
        Some(name) if names.iter().any(|n| n == name) => Ok(name.to_owned()),
        Some(name) => Err(format!(
            "pod {pod_name} has no container {name:?}: its containers are {}",
            names.join(", ")
        )),
        None => {
            let annotated = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
                .filter(|c| names.contains(c));
            annotated
                .or(names.first())
                .cloned()
                .ok_or_else(|| format!("pod {pod_name} has no containers"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_like_kubectl_writes_them() {
        assert_eq!(PodTarget::parse("web-1"), Ok(PodTarget::Pod("web-1".into())));
        assert_eq!(PodTarget::parse("pod/web-1"), Ok(PodTarget::Pod("web-1".into())));
        assert_eq!(
            PodTarget::parse("svc/backend"),
            Ok(PodTarget::Service("backend".into()))
        );
        assert!(matches!(PodTarget::parse("deploy/backend"), Ok(PodTarget::Workload(w)) if w.name == "backend"));
        let bad = PodTarget::parse("cm/x").unwrap_err();
        assert!(bad.contains("is not a pod"), "{bad}");
    }

    #[test]
    fn a_missing_container_is_named_with_the_ones_there_are() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "app"}, {"name": "sidecar"}]}
        }))
        .unwrap();
        assert_eq!(container_of(&pod, None).unwrap(), "app");
        assert_eq!(container_of(&pod, Some("sidecar")).unwrap(), "sidecar");
        assert_eq!(
            container_of(&pod, Some("db")).unwrap_err(),
            "pod p has no container \"db\": its containers are app, sidecar"
        );
    }
}
