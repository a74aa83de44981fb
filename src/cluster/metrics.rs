//! Live CPU and memory from metrics.k8s.io (metrics-server). The API has no watch, so it is
//! read on metrics-server's own period, 15 s, and only for the namespace in view (and the
//! nodes). A cluster without it answers 404 or 503: that is said as "metrics unavailable",
//! once, and the reading goes on in case it is installed later.

use std::time::Duration;

use jiff::Timestamp;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};
use serde_json::Value;

use super::resources::quantity::{bytes, cpu_millis};
use super::store::ObjectKey;
use super::{ClusterEvent, EventSink, Scope};

/// metrics-server's resolution: reading more often only returns the same numbers.
pub const PERIOD: Duration = Duration::from_secs(15);

/// CPU in millicores and memory in bytes, as used now.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Usage {
    pub cpu_millis: f64,
    pub memory_bytes: f64,
}

/// One reading of the metrics API.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricsReading {
    pub at: Timestamp,
    /// Each pod in view (all its containers added up), or why there are no numbers.
    pub pods: Result<Vec<(ObjectKey, Usage)>, String>,
    /// Each node, or why there are no numbers.
    pub nodes: Result<Vec<(String, Usage)>, String>,
}

fn resource(kind: &str, plural: &str) -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("metrics.k8s.io", "v1beta1", kind), plural)
}

/// Reads every PERIOD until the receiver goes away.
pub async fn poll(client: Client, scope: Scope, tx: impl EventSink) {
    loop {
        let reading = read(&client, &scope).await;
        if !tx.emit(ClusterEvent::Metrics(reading)) {
            return;
        }
        tokio::time::sleep(PERIOD).await;
    }
}

/// One reading of the pods in `scope` and of the nodes.
pub async fn read(client: &Client, scope: &Scope) -> MetricsReading {
    let pod_resource = resource("PodMetrics", "pods");
    let pods: Api<DynamicObject> = match scope {
        Scope::All => Api::all_with(client.clone(), &pod_resource),
        Scope::Namespace(ns) => Api::namespaced_with(client.clone(), ns, &pod_resource),
    };
    let nodes: Api<DynamicObject> = Api::all_with(client.clone(), &resource("NodeMetrics", "nodes"));
    let all = ListParams::default();
    let (pods, nodes) = futures::join!(pods.list(&all), nodes.list(&all));
    MetricsReading {
        at: Timestamp::now(),
        pods: pods.map_err(|e| unavailable(&e, "pods")).map(|list| {
            list.items
                .iter()
                .map(|m| {
                    let key = ObjectKey::new(
                        m.metadata.namespace.as_deref().unwrap_or_default(),
                        m.metadata.name.as_deref().unwrap_or_default(),
                    );
                    (key, pod_usage(&m.data))
                })
                .collect()
        }),
        nodes: nodes.map_err(|e| unavailable(&e, "nodes")).map(|list| {
            list.items
                .iter()
                .map(|m| {
                    let name = crate::text::sanitize(m.metadata.name.as_deref().unwrap_or_default());
                    (name, usage(m.data.get("usage")))
                })
                .collect()
        }),
    }
}

/// A PodMetrics' containers added up.
pub fn pod_usage(data: &Value) -> Usage {
    let containers = data.get("containers").and_then(Value::as_array);
    containers.into_iter().flatten().fold(Usage::default(), |sum, c| {
        let u = usage(c.get("usage"));
        Usage {
            cpu_millis: sum.cpu_millis + u.cpu_millis,
            memory_bytes: sum.memory_bytes + u.memory_bytes,
        }
    })
}

fn usage(value: Option<&Value>) -> Usage {
    let field = |name: &str| value.and_then(|u| u.get(name)).and_then(Value::as_str);
    Usage {
        cpu_millis: field("cpu").and_then(cpu_millis).unwrap_or(0.0),
        memory_bytes: field("memory").and_then(bytes).unwrap_or(0.0),
    }
}

/// Why there are no numbers, in one sentence.
fn unavailable(e: &kube::Error, what: &str) -> String {
    match e {
        kube::Error::Api(status) if matches!(status.code, 404 | 503) => {
            "metrics unavailable: the cluster does not serve metrics.k8s.io (install metrics-server)".into()
        }
        kube::Error::Api(status) if status.code == 403 => {
            format!("metrics unavailable: you may not list {what} in metrics.k8s.io")
        }
        other => format!(
            "metrics unavailable: {}",
            crate::text::sanitize(&super::error_chain(other))
        ),
    }
}

#[cfg(test)]
mod tests {
    use kube::core::Status;

    use super::*;

    #[test]
    fn containers_add_up_and_a_missing_api_is_said_plainly() {
        let data = serde_json::json!({"containers": [
            {"name": "a", "usage": {"cpu": "150m", "memory": "64Mi"}},
            {"name": "b", "usage": {"cpu": "2500000n", "memory": "1Mi"}}]});
        let u = pod_usage(&data);
        assert!((u.cpu_millis - 152.5).abs() < 1e-9, "{u:?}");
        assert_eq!(u.memory_bytes, 65.0 * 1048576.0);
        let missing = kube::Error::Api(
            Status::failure("the server could not find the requested resource", "NotFound")
                .with_code(404)
                .boxed(),
        );
        assert_eq!(
            unavailable(&missing, "pods"),
            "metrics unavailable: the cluster does not serve metrics.k8s.io (install metrics-server)"
        );
        let down = kube::Error::Api(
            Status::failure("service unavailable", "ServiceUnavailable")
                .with_code(503)
                .boxed(),
        );
        assert!(unavailable(&down, "pods").starts_with("metrics unavailable: the cluster does not serve"));
    }
}
