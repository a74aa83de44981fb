//! The chart's NetworkPolicies (`networkPolicy.enabled`) enforced for real, on the sim cluster's
//! real node (kube-network-policies runs beside its kubelet, `scripts/sim up --real-node`): with
//! the chart deployed there, connections that the policies forbid fail and those they allow get
//! an answer. Both directions are asserted, so the test fails when nothing enforces them.
//!
//! The sim has no kube-proxy (Services get no endpoints) and no DNS, so the probes connect to
//! pod IPs, which is what a Service would forward to.

mod common;

use std::time::{Duration, Instant};

use common::real_node::{self, kubedeck};
use k8s_openapi::api::networking::v1::NetworkPolicy;
use kube::{Api, Client};

const WAIT: Duration = Duration::from_secs(120);
/// Policies take effect once the enforcer has seen the pods and policies (within a second here).
const SETTLE: Duration = Duration::from_secs(30);

/// The pod IP of the release's `component` and the container port named `port`.
async fn address(client: &Client, ns: &str, component: &str, port: &str) -> (String, i32) {
    let selector = format!("app.kubernetes.io/instance=todo,app.kubernetes.io/component={component}");
    let pods = real_node::ready_pods(client, ns, &selector).await;
    let pod = pods.first().unwrap_or_else(|| panic!("no ready {component} pod"));
    let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).expect("a pod IP");
    let number = pod
        .spec
        .as_ref()
        .and_then(|s| s.containers[0].ports.as_ref())
        .and_then(|ps| ps.iter().find(|p| p.name.as_deref() == Some(port)))
        .map(|p| p.container_port)
        .unwrap_or_else(|| panic!("{component} has no port named {port}"));
    (ip, number)
}

/// The name of a ready pod of the release's `component`.
async fn pod_of(client: &Client, ns: &str, component: &str) -> String {
    let selector = format!("app.kubernetes.io/instance=todo,app.kubernetes.io/component={component}");
    let pods = real_node::ready_pods(client, ns, &selector).await;
    pods.first()
        .and_then(|p| p.metadata.name.clone())
        .unwrap_or_else(|| panic!("no ready {component} pod"))
}

/// Sends `request` to ip:port with busybox nc from inside `pod` (3 s to connect); what came back.
async fn talk(client: &Client, ns: &str, pod: &str, ip: &str, port: i32, request: &str) -> String {
    let script = format!("printf '{request}' | timeout 6 nc -w 3 {ip} {port} 2>&1; echo \"[nc exit $?]\"");
    real_node::exec(client, ns, pod, &["sh", "-c", &script]).await
}

/// Repeats `talk` until `done` holds for its answer or SETTLE passes; the last answer.
async fn talk_until(
    client: &Client,
    (ns, pod): (&str, &str),
    (ip, port): (&str, i32),
    request: &str,
    done: impl Fn(&str) -> bool,
) -> String {
    let deadline = Instant::now() + SETTLE;
    loop {
        let answer = talk(client, ns, pod, ip, port, request).await;
        if done(&answer) || Instant::now() >= deadline {
            return answer;
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

/// Redis answers PING with +PONG, or -NOAUTH when it wants its password: either way it answered.
fn redis_answered(answer: &str) -> bool {
    answer.contains("PONG") || answer.contains("NOAUTH")
}

fn http_answered(answer: &str) -> bool {
    answer.starts_with("HTTP/1.")
}

/// Nothing came back and nc finished (it timed out connecting): the connection was dropped.
fn refused(answer: &str) -> bool {
    answer.lines().count() >= 1 && answer.contains("[nc exit") && !answer.contains("HTTP/1.") && !redis_answered(answer)
}

/// A busybox pod on the real node in `ns`, running until the namespace goes.
async fn busybox(client: &Client, ns: &str) -> String {
    real_node::create_pod(
        client,
        ns,
        "prober",
        serde_json::json!({"containers": [{"name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never",
            "command": ["sleep", "3600"]}]}),
    )
    .await;
    real_node::wait_running(client, ns, "prober", WAIT).await;
    "prober".to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_charts_network_policies_are_enforced_on_the_real_node() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "netpol").await;
    // Namespaces for the ingress controller (allowed to reach the frontend and backend) and
    // for anyone else (not allowed).
    let ingress_ns = common::namespace(&client, "netpol-ingress").await;
    let other_ns = common::namespace(&client, "netpol-other").await;
    let dir = tempfile::tempdir().unwrap();
    let values = dir.path().join("network-policy.yaml");
    std::fs::write(
        &values,
        format!(
            "networkPolicy:\n  enabled: true\n  ingressControllerNamespaceSelector:\n    \
             kubernetes.io/metadata.name: {ingress_ns}\n"
        ),
    )
    .unwrap();
    let started = Instant::now();
    let (code, out, err) = kubedeck(&[
        "deploy",
        "-n",
        &ns,
        "-f",
        "sim",
        "-f",
        values.to_str().unwrap(),
        "--yes",
        "--timeout",
        "180",
    ]);
    assert_eq!(
        code, 0,
        "kubedeck deploy -f sim with network policies failed:\n{out}{err}"
    );
    eprintln!(
        "[netpol] chart with NetworkPolicies Ready on the real node in {:.1}s",
        started.elapsed().as_secs_f32()
    );
    let policies = Api::<NetworkPolicy>::namespaced(client.clone(), &ns)
        .list(&Default::default())
        .await
        .expect("listing NetworkPolicies");
    assert!(policies.items.len() >= 4, "the chart rendered its NetworkPolicies");

    let (redis_ip, redis_port) = address(&client, &ns, "redis", "redis").await;
    let (backend_ip, backend_port) = address(&client, &ns, "backend", "http").await;
    let frontend = pod_of(&client, &ns, "frontend").await;
    let backend = pod_of(&client, &ns, "backend").await;
    let ping = "PING\\r\\n";
    let get = "GET /health HTTP/1.0\\r\\n\\r\\n";

    // The backend is Redis's client: allowed.
    let answer = talk_until(&client, (&ns, &backend), (&redis_ip, redis_port), ping, redis_answered).await;
    assert!(redis_answered(&answer), "backend -> redis must be allowed: {answer:?}");
    // The frontend is not: its packets to Redis are dropped.
    let timed = Instant::now();
    let answer = talk_until(&client, (&ns, &frontend), (&redis_ip, redis_port), ping, refused).await;
    assert!(refused(&answer), "frontend -> redis must be denied: {answer:?}");
    eprintln!(
        "[netpol] frontend -> redis {redis_ip}:{redis_port} denied ({:.1}s to give up): {}",
        timed.elapsed().as_secs_f32(),
        answer.trim().replace('\n', " ")
    );

    // The backend accepts the ingress controller's namespace and nobody else's.
    let from_ingress = busybox(&client, &ingress_ns).await;
    let answer = talk_until(
        &client,
        (&ingress_ns, &from_ingress),
        (&backend_ip, backend_port),
        get,
        http_answered,
    )
    .await;
    assert!(
        http_answered(&answer),
        "ingress namespace -> backend must be allowed: {answer:?}"
    );
    let from_other = busybox(&client, &other_ns).await;
    let answer = talk_until(
        &client,
        (&other_ns, &from_other),
        (&backend_ip, backend_port),
        get,
        refused,
    )
    .await;
    assert!(
        refused(&answer),
        "another namespace -> backend must be denied: {answer:?}"
    );

    for n in [&ns, &ingress_ns, &other_ns] {
        common::delete_namespace(&client, n).await;
    }
}
