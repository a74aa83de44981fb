//! Live CPU and memory from metrics.k8s.io (metrics-server). The API has no watch, so it is
//! read on metrics-server's own period, 15 s, and only for the namespace in view (and the
//! nodes). A cluster without it answers 404 or 503: that is said as "metrics unavailable",
//! once, and the reading goes on in case it is installed later.

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use kube::Client;
use kube::api::ListParams;
use serde::Deserialize;
use tokio::sync::Notify;

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

/// A list of metrics.k8s.io objects, decoded straight into the few fields a reading keeps: at
/// 100,000 pods a list is ~35 MB of JSON every 15 s, and a `DynamicObject` per pod (a JSON tree
/// with its managed fields and labels) cost several times that in memory and CPU.
#[derive(Deserialize)]
struct MetricsList<T> {
    #[serde(default = "Vec::new")]
    items: Vec<T>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Meta {
    name: String,
    namespace: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RawUsage {
    cpu: Option<String>,
    memory: Option<String>,
}

impl RawUsage {
    fn usage(&self) -> Usage {
        Usage {
            cpu_millis: self.cpu.as_deref().and_then(cpu_millis).unwrap_or(0.0),
            memory_bytes: self.memory.as_deref().and_then(bytes).unwrap_or(0.0),
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ContainerMetrics {
    usage: RawUsage,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PodMetrics {
    metadata: Meta,
    containers: Vec<ContainerMetrics>,
}

impl PodMetrics {
    /// Its containers added up.
    fn usage(&self) -> Usage {
        self.containers.iter().fold(Usage::default(), |sum, c| {
            let u = c.usage.usage();
            Usage {
                cpu_millis: sum.cpu_millis + u.cpu_millis,
                memory_bytes: sum.memory_bytes + u.memory_bytes,
            }
        })
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NodeMetrics {
    metadata: Meta,
    usage: RawUsage,
}

const METRICS_API: &str = "/apis/metrics.k8s.io/v1beta1";

/// Lists one kind of the metrics API at `path` (under METRICS_API).
async fn list<T: serde::de::DeserializeOwned>(client: &Client, path: &str) -> Result<Vec<T>, kube::Error> {
    let request = kube::core::Request::new(format!("{METRICS_API}/{path}"))
        .list(&ListParams::default())
        .map_err(kube::Error::BuildRequest)?;
    Ok(client.request::<MetricsList<T>>(request).await?.items)
}

/// How long the first reading waits for the pods' first listing.
const FIRST_READING_WAIT: Duration = Duration::from_secs(5);

/// Reads every PERIOD until the receiver goes away. The first reading waits until `pods_listed`
/// is notified (the pods watch has its first listing) or FIRST_READING_WAIT passes: at 10,000
/// pods both are megabytes the API server, the metrics server and kubedeck must encode and
/// decode, and on a small machine the reading would slow the first screen the user waits for.
pub async fn poll(client: Client, scope: Scope, tx: impl EventSink, pods_listed: Arc<Notify>) {
    let _ = tokio::time::timeout(FIRST_READING_WAIT, pods_listed.notified()).await;
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
    let pods_path = match scope {
        Scope::All => "pods".to_owned(),
        Scope::Namespace(ns) => format!("namespaces/{ns}/pods"),
    };
    let (pods, nodes) = futures::join!(
        list::<PodMetrics>(client, &pods_path),
        list::<NodeMetrics>(client, "nodes")
    );
    MetricsReading {
        at: Timestamp::now(),
        pods: pods.map_err(|e| unavailable(&e, "pods")).map(|items| {
            items
                .into_iter()
                .map(|m| (ObjectKey::new(&m.metadata.namespace, &m.metadata.name), m.usage()))
                .collect()
        }),
        nodes: nodes.map_err(|e| unavailable(&e, "nodes")).map(|items| {
            items
                .into_iter()
                .map(|m| (crate::text::sanitize(&m.metadata.name), m.usage.usage()))
                .collect()
        }),
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
        let data = serde_json::json!({"metadata": {"name": "p", "namespace": "n", "labels": {"a": "b"}},
            "timestamp": "2026-12-02T08:00:00Z", "window": "15s", "containers": [
            {"name": "a", "usage": {"cpu": "150m", "memory": "64Mi"}},
            {"name": "b", "usage": {"cpu": "2500000n", "memory": "1Mi"}},
            {"name": "c"}]});
        let m: PodMetrics = serde_json::from_value(data).unwrap();
        assert_eq!((m.metadata.namespace.as_str(), m.metadata.name.as_str()), ("n", "p"));
        let u = m.usage();
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
