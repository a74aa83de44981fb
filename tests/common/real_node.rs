//! The sim cluster's real node (`scripts/sim up --real-node`): a kubelet on containerd where
//! pods run real containers. Tests that need it fail here, loudly, when it is missing.

use std::time::Duration;

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{ListParams, PostParams};
use kube::{Api, Client};

pub const NODE: &str = "sim-real-0";

/// Panics unless the real node is registered and Ready.
pub async fn require(client: &Client) {
    let node = Api::<Node>::all(client.clone()).get(NODE).await.unwrap_or_else(|e| {
        panic!(
            "the sim cluster has no real node {NODE} ({e}): these tests need containers. Run `scripts/test`, \
             or `scripts/sim up --real-node`."
        )
    });
    let ready = node
        .status
        .and_then(|s| s.conditions)
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    assert!(ready, "the real node {NODE} is not Ready: see `scripts/sim status`");
}

/// A pod spec fragment that puts a pod on the real node (it is tainted against everything else).
pub fn placement() -> serde_json::Value {
    serde_json::json!({
        "nodeSelector": {"kubedeck.dev/sim-real": "true"},
        "tolerations": [{"key": "kubedeck.dev/real-node", "operator": "Exists", "effect": "NoSchedule"}],
        "terminationGracePeriodSeconds": 1
    })
}

/// Creates a bare pod on the real node with these containers (and volumes).
pub async fn create_pod(client: &Client, ns: &str, name: &str, spec: serde_json::Value) {
    let mut full = placement();
    for (k, v) in spec.as_object().expect("a pod spec object") {
        full[k] = v.clone();
    }
    let pod: Pod =
        serde_json::from_value(serde_json::json!({"metadata": {"name": name}, "spec": full})).expect("a valid pod");
    Api::<Pod>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &pod)
        .await
        .expect("creating a pod on the real node");
}

/// Waits until `pod` is Running (all containers started); panics with its status otherwise.
pub async fn wait_running(client: &Client, ns: &str, pod: &str, timeout: Duration) -> Pod {
    let api = Api::<Pod>::namespaced(client.clone(), ns);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let p = api.get(pod).await.expect("reading the pod");
        if p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running") {
            return p;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "pod {pod} not Running after {timeout:?}: {:#?}",
            p.status
        );
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

/// The pods of namespace `ns` matching `selector` that are Ready.
pub async fn ready_pods(client: &Client, ns: &str, selector: &str) -> Vec<Pod> {
    Api::<Pod>::namespaced(client.clone(), ns)
        .list(&ListParams::default().labels(selector))
        .await
        .expect("listing pods")
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter(|p| {
            p.status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
        })
        .collect()
}

/// Runs `command` in a container through kube-rs (the API server's exec, the kubelet, the
/// runtime); returns its stdout.
pub async fn exec(client: &Client, ns: &str, pod: &str, command: &[&str]) -> String {
    use tokio::io::AsyncReadExt;
    let mut attached = Api::<Pod>::namespaced(client.clone(), ns)
        .exec(pod, command.to_vec(), &kube::api::AttachParams::default().stderr(false))
        .await
        .unwrap_or_else(|e| panic!("exec {command:?} in {pod}: {e}"));
    let mut out = String::new();
    if let Some(mut stdout) = attached.stdout() {
        stdout.read_to_string(&mut out).await.expect("reading exec output");
    }
    attached.join().await.expect("exec finished");
    out
}

/// `kubedeck ARGS` against the sim cluster, as a user runs it: exit code, stdout, stderr.
pub fn kubedeck(args: &[&str]) -> (i32, String, String) {
    let state = std::env::temp_dir().join("kubedeck-test-real-node-state");
    super::run_kubedeck(args, &super::sim_kubeconfig(), &state)
}
