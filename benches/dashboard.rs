//! Dashboard benchmark on the sim cluster: how fast kubedeck shows N pods, how much memory it
//! settles at, and how much CPU it burns while nothing happens. Run with `scripts/bench`
//! (which starts a sim cluster), or `cargo bench --bench dashboard` with
//! KUBEDECK_SIM_KUBECONFIG set. BENCH_PODS (default 1000) sets the pod count.

#[path = "../tests/common/pty.rs"]
#[allow(dead_code)]
mod pty;

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod};
use kube::api::{ListParams, PostParams};
use kube::{Api, Client};

const NAMESPACES: usize = 10;

fn main() {
    let kubeconfig = std::env::var_os("KUBEDECK_SIM_KUBECONFIG")
        .map(std::path::PathBuf::from)
        .expect("KUBEDECK_SIM_KUBECONFIG is not set: run scripts/bench, which starts a sim cluster");
    let pods: usize = std::env::var("BENCH_PODS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let client = rt.block_on(async {
        let config = kube::Config::from_custom_kubeconfig(
            kube::config::Kubeconfig::read_from(&kubeconfig).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap();
        Client::try_from(config).unwrap()
    });
    rt.block_on(ensure_pods(&client, pods));
    let total = rt.block_on(running_pods(&client));
    println!("cluster: {total} pods Running in all namespaces (asked for {pods} in {NAMESPACES} namespaces)");

    let mut floor = Vec::new();
    for _ in 0..runs {
        let start = Instant::now();
        let listed = rt
            .block_on(Api::<Pod>::all(client.clone()).list(&ListParams::default()))
            .unwrap();
        assert!(listed.items.len() >= total);
        floor.push(start.elapsed());
    }

    let mut first_screen = Vec::new();
    let mut rss = Vec::new();
    let mut idle_cpu = Vec::new();
    for _ in 0..runs {
        let mut tui = pty::Tui::spawn(&["-A"], &kubeconfig);
        let start = Instant::now();
        tui.wait_for(&[&format!("Pods (all namespaces) [{total}]")], Duration::from_secs(120));
        first_screen.push(start.elapsed());
        std::thread::sleep(Duration::from_secs(5));
        let pid = tui.pid();
        rss.push(rss_mib(pid));
        let before = cpu_seconds(pid);
        std::thread::sleep(Duration::from_secs(20));
        idle_cpu.push((cpu_seconds(pid) - before) / 20.0 * 100.0);
        tui.type_str("q");
        tui.wait_exit(Duration::from_secs(10));
    }
    println!("physical floor (one LIST, decoded): median {:?}", median(&mut floor));
    println!(
        "first complete screen:              median {:?} (runs {first_screen:?})",
        median(&mut first_screen.clone())
    );
    println!(
        "settled RSS:                        median {:.1} MiB (runs {rss:.1?})",
        median_f(&mut rss.clone())
    );
    println!(
        "idle CPU over 20 s:                 median {:.2}% of a core (runs {idle_cpu:.2?})",
        median_f(&mut idle_cpu.clone())
    );
}

/// Fake nodes enough for `pods` (the sim's own three take 110 each), from the sim's template.
async fn ensure_nodes(client: &Client, pods: usize) {
    let template = include_str!("../assets/sim/node.yaml");
    for i in 0..pods.div_ceil(500) {
        let yaml = template
            .replace("@NODE_NAME@", &format!("bench-node-{i}"))
            .replace("\"110\"", "\"500\"");
        let node: k8s_openapi::api::core::v1::Node = serde_yaml::from_str(&yaml).unwrap();
        let _ = Api::<k8s_openapi::api::core::v1::Node>::all(client.clone())
            .create(&PostParams::default(), &node)
            .await;
    }
}

async fn ensure_pods(client: &Client, pods: usize) {
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
            api.patch(
                "load",
                &kube::api::PatchParams::default(),
                &kube::api::Patch::Merge(&patch),
            )
            .await
            .unwrap();
        }
    }
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let running = bench_running(client).await;
        if running >= per_ns * NAMESPACES {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "only {running} bench pods Running after 10 minutes"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn bench_running(client: &Client) -> usize {
    let mut running = 0;
    for i in 0..NAMESPACES {
        let list = Api::<Pod>::namespaced(client.clone(), &format!("bench-{i}"))
            .list(&ListParams::default().fields("status.phase=Running"))
            .await
            .unwrap();
        running += list.items.len();
    }
    running
}

async fn running_pods(client: &Client) -> usize {
    Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap()
        .items
        .len()
}

fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let kb: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap();
    kb / 1024.0
}

fn cpu_seconds(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the command name (which may contain spaces) start after the last ')'.
    let fields: Vec<&str> = stat[stat.rfind(')').unwrap() + 2..].split_whitespace().collect();
    let ticks: f64 = fields[11].parse::<f64>().unwrap() + fields[12].parse::<f64>().unwrap();
    // SAFETY: sysconf has no preconditions.
    ticks / unsafe { libc::sysconf(libc::_SC_CLK_TCK) } as f64
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn median_f(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}
