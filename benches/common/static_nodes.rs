//! Static bench nodes for the levels kwok cannot carry: nodes no kwok controller manages, kept
//! Ready by a Lease this bench renews, and pods whose Running status the bench writes itself.
//!
//! kwok-controller v0.8 on 2 cores got ~8,400 of 100,000 bound pods Running in 30 minutes (one
//! core busy, 5 GB resident): besides the status of every pod it evaluates the sim's
//! ClusterResourceUsage expressions for every container on every metrics scrape. Above
//! `KWOK_PODS` the new pods therefore go on these nodes. They carry no metrics (nothing serves a
//! kubelet for them) and their pods never change, which the bench reports next to the figures.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use k8s_openapi::api::coordination::v1::Lease;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};

/// The largest level whose pods all go on kwok's nodes (10,000 did, in 75 s).
pub const KWOK_PODS: usize = 20_000;

/// Label on every static bench node.
const LABEL: &str = "kubedeck.dev/bench-static";

/// How often a static node's Lease is renewed; the node controller waits 50 s before it calls a
/// node whose Lease stands still Unknown and starts to evict its pods.
const RENEW_EVERY: Duration = Duration::from_secs(10);

/// Whether this process already renews the static nodes' Leases.
static RENEWING: AtomicBool = AtomicBool::new(false);

/// A timestamp as the API server writes MicroTime (six fraction digits).
fn micro_now() -> String {
    jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `count` static nodes named `bench-static-N`, Ready, with a renewed Lease each. They are tainted
/// NoSchedule, so the scheduler never puts a churn or log pod (which kwok must run) on them; bench
/// pods are bound by name and are not scheduled.
pub async fn ensure(client: &Client, count: usize, pods_per_node: usize) -> Vec<String> {
    let nodes: Api<Node> = Api::all(client.clone());
    let leases: Api<Lease> = Api::namespaced(client.clone(), "kube-node-lease");
    let names: Vec<String> = (0..count).map(|i| format!("bench-static-{i}")).collect();
    for name in &names {
        let node: Node = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "labels": {
                LABEL: "true", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux",
            }},
            "spec": {"taints": [{"key": LABEL, "value": "true", "effect": "NoSchedule"}]},
        }))
        .unwrap();
        created(nodes.create(&PostParams::default(), &node).await, name, "node");
        let now = micro_now();
        let capacity = serde_json::json!({"cpu": "64", "memory": "512Gi", "pods": pods_per_node.to_string()});
        let status = serde_json::json!({"status": {
            "capacity": capacity, "allocatable": capacity,
            "addresses": [{"type": "InternalIP", "address": "127.0.0.1"}],
            "conditions": [{"type": "Ready", "status": "True", "reason": "BenchStatic",
                "message": "a static bench node: its Lease is renewed by the bench",
                "lastHeartbeatTime": now, "lastTransitionTime": now}],
            "nodeInfo": {"architecture": "amd64", "operatingSystem": "linux", "kubeletVersion": "static"},
        }});
        nodes
            .patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
            .await
            .unwrap_or_else(|e| panic!("marking static bench node {name} Ready: {e}"));
        let lease: Lease = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name},
            "spec": {"holderIdentity": name, "leaseDurationSeconds": 40, "renewTime": now},
        }))
        .unwrap();
        created(leases.create(&PostParams::default(), &lease).await, name, "Lease");
    }
    if !RENEWING.swap(true, Ordering::SeqCst) {
        tokio::spawn(renew(client.clone()));
    }
    names
}

/// A create that worked or found the object there from an earlier level; anything else stops
/// the bench, since a node without its Lease would have its pods evicted a minute later.
fn created<T>(result: Result<T, kube::Error>, name: &str, what: &str) {
    match result {
        Ok(_) => {}
        Err(kube::Error::Api(s)) if s.code == 409 => {}
        Err(e) => panic!("creating the {what} of static bench node {name}: {e}"),
    }
}

/// Renews every static node's Lease, for as long as the bench runs.
async fn renew(client: Client) {
    let nodes: Api<Node> = Api::all(client.clone());
    let leases: Api<Lease> = Api::namespaced(client, "kube-node-lease");
    loop {
        let names = match nodes.list_metadata(&ListParams::default().labels(LABEL)).await {
            Ok(list) => list.items.into_iter().filter_map(|n| n.metadata.name).collect(),
            Err(e) => {
                eprintln!("listing static bench nodes to renew their Leases: {e}");
                Vec::new()
            }
        };
        let patch = serde_json::json!({"spec": {"renewTime": micro_now()}});
        for name in names {
            if let Err(e) = leases
                .patch(&name, &PatchParams::default(), &Patch::Merge(&patch))
                .await
            {
                eprintln!("renewing the Lease of static bench node {name}: {e}");
            }
        }
        tokio::time::sleep(RENEW_EVERY).await;
    }
}

/// Writes a Running, Ready status on a bench pod bound to a static node, as a kubelet would.
pub async fn run_pod(api: &Api<Pod>, name: &str) -> Result<(), kube::Error> {
    let now = jiff::Timestamp::now().strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
    let conditions = ["PodScheduled", "Initialized", "ContainersReady", "Ready"]
        .map(|kind| serde_json::json!({"type": kind, "status": "True", "lastTransitionTime": now}));
    let status = serde_json::json!({"status": {
        "phase": "Running", "hostIP": "127.0.0.1", "podIP": "127.0.0.1", "startTime": now,
        "conditions": conditions,
        "containerStatuses": [{"name": "main", "image": "todo/backend:1", "imageID": "", "ready": true,
            "started": true, "restartCount": 0, "state": {"running": {"startedAt": now}}}],
    }});
    api.patch_status(name, &PatchParams::default(), &Patch::Merge(&status))
        .await
        .map(|_| ())
}
