//! Shared by the benchmarks: the sim cluster's client, N pods through Deployments, the physical
//! floor (one LIST), a process tree's memory and CPU read from /proc, and medians.
#![allow(dead_code)] // each bench binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};

/// Bench pods are spread over this many namespaces, `bench-0` .. `bench-9`.
pub const NAMESPACES: usize = 10;

/// The sim cluster's kubeconfig, from KUBEDECK_SIM_KUBECONFIG (set by scripts/bench*).
pub fn sim_kubeconfig() -> PathBuf {
    std::env::var_os("KUBEDECK_SIM_KUBECONFIG").map(PathBuf::from).expect(
        "KUBEDECK_SIM_KUBECONFIG is not set: run scripts/bench or scripts/bench-peers, which start a sim cluster",
    )
}

/// An environment knob, or `default` when unset; a value that does not parse is a mistake worth stopping for.
pub fn knob<T: FromStr>(name: &str, default: T) -> T {
    match std::env::var(name) {
        Ok(v) => v.parse().unwrap_or_else(|_| panic!("{name}={v} does not parse")),
        Err(_) => default,
    }
}

pub async fn client(kubeconfig: &Path) -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig).expect("reading the sim kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("sim kubeconfig usable");
    Client::try_from(config).expect("client for the sim cluster")
}

/// Fake nodes enough for `pods` (the sim's own three take 110 each), from the sim's template.
async fn ensure_nodes(client: &Client, pods: usize) {
    let template = include_str!("../../assets/sim/node.yaml");
    for i in 0..pods.div_ceil(500) {
        let yaml = template
            .replace("@NODE_NAME@", &format!("bench-node-{i}"))
            .replace("\"110\"", "\"500\"");
        let node: Node = serde_yaml::from_str(&yaml).expect("the sim's node template parses");
        // Already there from an earlier run is fine.
        let _ = Api::<Node>::all(client.clone())
            .create(&PostParams::default(), &node)
            .await;
    }
}

/// Scales Deployment `load` in each bench namespace so `pods` bench pods exist, and waits until
/// they are Running and the surplus of a larger earlier count is gone.
pub async fn ensure_pods(client: &Client, pods: usize) {
    ensure_nodes(client, pods).await;
    let per_ns = pods / NAMESPACES;
    for i in 0..NAMESPACES {
        let ns = format!("bench-{i}");
        let namespace: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
        let _ = Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await;
        let deploy: Deployment = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "load"},
            "spec": {"replicas": per_ns, "selector": {"matchLabels": {"app": "load"}},
                "template": {"metadata": {"labels": {"app": "load"}},
                    "spec": {"containers": [{"name": "main", "image": "todo/backend:1"}]}}}
        }))
        .unwrap();
        let api: Api<Deployment> = Api::namespaced(client.clone(), &ns);
        if api.create(&PostParams::default(), &deploy).await.is_err() {
            let patch = serde_json::json!({"spec": {"replicas": per_ns}});
            api.patch("load", &PatchParams::default(), &Patch::Merge(&patch))
                .await
                .expect("scaling the bench deployment");
        }
    }
    // The controller-manager creates ~20 pods a second: 10,000 take ~10 minutes.
    let deadline = Instant::now() + Duration::from_secs(1200);
    loop {
        let (running, all) = bench_pods(client).await;
        if running >= per_ns * NAMESPACES && all == per_ns * NAMESPACES {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {running} of {} bench pods Running ({all} exist) after 20 minutes",
            per_ns * NAMESPACES
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

/// Bench pods Running, and bench pods in existence.
async fn bench_pods(client: &Client) -> (usize, usize) {
    let (mut running, mut all) = (0, 0);
    for i in 0..NAMESPACES {
        let list = Api::<Pod>::namespaced(client.clone(), &format!("bench-{i}"))
            .list(&ListParams::default())
            .await
            .expect("listing bench pods");
        all += list.items.len();
        running += list
            .items
            .iter()
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .count();
    }
    (running, all)
}

/// Pods in all namespaces, as one LIST sees them.
pub async fn all_pods(client: &Client) -> usize {
    Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .expect("listing all pods")
        .items
        .len()
}

/// The physical floor: one LIST of all pods, received and decoded in this process.
pub async fn list_floor(client: &Client, expect: usize) -> Duration {
    let start = Instant::now();
    let listed = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .expect("listing all pods");
    let took = start.elapsed();
    assert!(
        listed.items.len() >= expect,
        "the floor LIST saw fewer pods than expected"
    );
    took
}

/// `pid` and all its descendants, so a tool that runs helpers (kubectl, shells) is measured whole.
pub fn process_tree(pid: u32) -> Vec<u32> {
    let mut parents: Vec<(u32, u32)> = Vec::new();
    if let Ok(entries) = std::fs::read_dir("/proc") {
        for entry in entries.flatten() {
            let Some(child) = entry.file_name().to_str().and_then(|n| n.parse::<u32>().ok()) else {
                continue;
            };
            if let Some(ppid) = stat_fields(child).and_then(|f| f.get(1).and_then(|p| p.parse().ok())) {
                parents.push((child, ppid));
            }
        }
    }
    let mut tree = vec![pid];
    let mut i = 0;
    while i < tree.len() {
        let parent = tree[i];
        tree.extend(parents.iter().filter(|(_, p)| *p == parent).map(|(c, _)| *c));
        i += 1;
    }
    tree
}

/// Fields of /proc/PID/stat after the command name (state is [0], ppid [1], utime [11]).
fn stat_fields(pid: u32) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may contain spaces and parentheses: fields start after the last ')'.
    let rest = stat.get(stat.rfind(')')? + 2..)?;
    Some(rest.split_whitespace().map(str::to_owned).collect())
}

fn status_kib(pid: u32, field: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix(field))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0.0)
}

/// Resident memory of the process tree, MiB.
pub fn rss_mib(pid: u32) -> f64 {
    process_tree(pid).iter().map(|p| status_kib(*p, "VmRSS:")).sum::<f64>() / 1024.0
}

/// Peak resident memory (VmHWM) of the process tree, MiB.
pub fn peak_rss_mib(pid: u32) -> f64 {
    process_tree(pid).iter().map(|p| status_kib(*p, "VmHWM:")).sum::<f64>() / 1024.0
}

/// User+system CPU seconds used so far by the process tree.
pub fn cpu_seconds(pid: u32) -> f64 {
    // SAFETY: sysconf has no preconditions.
    let ticks_per_s = unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64;
    process_tree(pid)
        .iter()
        .filter_map(|p| stat_fields(*p))
        .map(|f| {
            let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
            ticks(11) + ticks(12)
        })
        .sum::<f64>()
        / ticks_per_s
}

/// Median, min and max of some runs.
#[derive(Debug, Clone, Copy)]
pub struct Spread {
    pub median: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Option<Spread> {
        let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(Spread {
            median: v[v.len() / 2],
            min: v[0],
            max: v[v.len() - 1],
        })
    }
}

/// The value at quantile `q` (0..=1) of `values`, nearest rank.
pub fn quantile(values: &[f64], q: f64) -> Option<f64> {
    let mut v = values.to_vec();
    if v.is_empty() {
        return None;
    }
    v.sort_by(f64::total_cmp);
    let rank = ((q * v.len() as f64).ceil() as usize).clamp(1, v.len());
    Some(v[rank - 1])
}
