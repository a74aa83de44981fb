//! Shared by the benchmarks: the sim cluster's client, N bare pods created as fast as the API server takes them, the physical
//! floor (one LIST), a process tree's memory and CPU read from /proc, and medians.
#![allow(dead_code)] // each bench binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::core::v1::{Namespace, Node, Pod};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Client};

mod static_nodes;
pub use static_nodes::KWOK_PODS;

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

/// Pods a bench node takes. kwok nodes cost the API server a lease and a status update every
/// few seconds each, so 100,000 pods sit on 100 of them rather than on 910 nodes of 110.
const PODS_PER_NODE: usize = 1000;

/// Create requests in flight at once: enough to keep a 2-core API server busy, few enough that
/// it never answers 429.
const CREATE_CONCURRENCY: usize = 48;

/// Nodes enough for `pods`: kwok's, from the sim's template, or static ones above `KWOK_PODS`.
async fn ensure_nodes(client: &Client, pods: usize) -> Vec<String> {
    let count = pods.div_ceil(PODS_PER_NODE).max(1);
    if pods > KWOK_PODS {
        return static_nodes::ensure(client, count, PODS_PER_NODE).await;
    }
    let template = include_str!("../../assets/sim/node.yaml");
    let names: Vec<String> = (0..count).map(|i| format!("bench-node-{i}")).collect();
    for name in &names {
        let yaml = template
            .replace("@NODE_NAME@", name)
            .replace("\"110\"", &format!("\"{PODS_PER_NODE}\""));
        let node: Node = serde_yaml::from_str(&yaml).expect("the sim's node template parses");
        // Already there from an earlier level is fine.
        let _ = Api::<Node>::all(client.clone())
            .create(&PostParams::default(), &node)
            .await;
    }
    names
}

/// How a level's pods came to be: how many were created, how long the creation requests took
/// (as fast as the API server takes them), and how long until every bench pod was Running.
#[derive(Debug, Clone, Copy)]
pub struct Creation {
    pub created: usize,
    /// Of those, how many went on static nodes (their status written by the bench, not kwok).
    pub on_static: usize,
    pub requests: Duration,
    pub running: Duration,
}

impl Creation {
    pub fn describe(&self) -> String {
        let rate = self.created as f64 / self.requests.as_secs_f64().max(0.001);
        let on_static = match self.on_static {
            0 => String::new(),
            n => format!(
                " ({n} of them on static nodes: Running written by the bench, no metrics; kwok cannot run more than {KWOK_PODS} here)"
            ),
        };
        format!(
            "created {} pods in {:.1} s ({rate:.0}/s){on_static}, every bench pod Running after {:.1} s",
            self.created,
            self.requests.as_secs_f64(),
            self.running.as_secs_f64()
        )
    }
}

/// The sim cluster a bench runs on, holding at least `pods` bench pods (how they were made is
/// printed): its kubeconfig, a runtime and a client.
pub struct Sim {
    pub kubeconfig: PathBuf,
    pub rt: tokio::runtime::Runtime,
    pub client: Client,
}

pub fn sim_with_pods(pods: usize) -> Sim {
    let kubeconfig = sim_kubeconfig();
    let rt = tokio::runtime::Runtime::new().expect("tokio runtime");
    let client = rt.block_on(client(&kubeconfig));
    let creation = rt.block_on(ensure_pods(&client, pods));
    eprintln!("{}", creation.describe());
    Sim { kubeconfig, rt, client }
}

/// Makes `pods` bare bench pods exist (`bench-0/load-000000` ..), spread over the namespaces and
/// bound straight to the bench nodes (no scheduler or controller in the way: the creation goes as
/// fast as the API server takes it), deletes the surplus of a larger earlier level, and waits
/// until every bench pod is Running. Above `KWOK_PODS` the new pods go on static nodes and the
/// bench writes their Running status itself, right after each create.
pub async fn ensure_pods(client: &Client, pods: usize) -> Creation {
    let nodes = ensure_nodes(client, pods).await;
    let on_static = pods > KWOK_PODS;
    let per_ns = pods / NAMESPACES;
    let mut wanted = Vec::new();
    let mut surplus = Vec::new();
    for i in 0..NAMESPACES {
        let ns = format!("bench-{i}");
        let namespace: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
        let _ = Api::<Namespace>::all(client.clone())
            .create(&PostParams::default(), &namespace)
            .await;
        let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
        let have: std::collections::HashSet<String> = api
            .list_metadata(&ListParams::default().labels("app=load"))
            .await
            .expect("listing bench pods")
            .items
            .into_iter()
            .filter_map(|p| p.metadata.name)
            .collect();
        for j in 0..per_ns {
            let name = format!("load-{j:06}");
            if !have.contains(&name) {
                wanted.push((ns.clone(), name, nodes[(i * per_ns + j) % nodes.len()].clone()));
            }
        }
        for name in have {
            if name
                .strip_prefix("load-")
                .and_then(|n| n.parse::<usize>().ok())
                .is_none_or(|n| n >= per_ns)
            {
                surplus.push((ns.clone(), name));
            }
        }
    }
    let started = Instant::now();
    let created = wanted.len();
    futures::stream::iter(wanted)
        .for_each_concurrent(CREATE_CONCURRENCY, |(ns, name, node)| {
            create_pod(client, ns, name, node, on_static)
        })
        .await;
    futures::stream::iter(surplus)
        .for_each_concurrent(CREATE_CONCURRENCY, |(ns, name)| async move {
            let _ = Api::<Pod>::namespaced(client.clone(), &ns)
                .delete(&name, &kube::api::DeleteParams::default().grace_period(0))
                .await;
        })
        .await;
    let requests = started.elapsed();
    wait_running(client, per_ns * NAMESPACES).await;
    Creation {
        created,
        on_static: if on_static { created } else { 0 },
        requests,
        running: started.elapsed(),
    }
}

/// One bench pod (and on a static node its Running status), retried while the API server sheds
/// load (429, 5xx, a dropped connection).
async fn create_pod(client: &Client, ns: String, name: String, node: String, on_static: bool) {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "labels": {"app": "load"}},
        "spec": {"nodeName": node, "containers": [{"name": "main", "image": "todo/backend:1"}]}
    }))
    .unwrap();
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    let mut created = false;
    for attempt in 0.. {
        if !created {
            match api.create(&PostParams::default(), &pod).await {
                Ok(_) => created = true,
                Err(kube::Error::Api(s)) if s.code == 409 => created = true,
                Err(e) => retry(attempt, &format!("creating bench pod {ns}/{name}"), e).await,
            }
        }
        if created && !on_static {
            return;
        }
        if created {
            match static_nodes::run_pod(&api, &name).await {
                Ok(()) => return,
                Err(e) => retry(attempt, &format!("marking bench pod {ns}/{name} Running"), e).await,
            }
        }
    }
}

/// Waits before the next attempt of `what`, or gives up after 20.
async fn retry(attempt: u64, what: &str, e: kube::Error) {
    assert!(attempt < 20, "{what}: {e}");
    if attempt == 5 {
        eprintln!("{what} keeps failing ({e}); retrying");
    }
    tokio::time::sleep(Duration::from_millis(200 * (attempt + 1))).await;
}

/// Waits until exactly `want` bench pods exist and all are Running. The pods not yet Running are
/// counted first (the server filters them, so late polls are small) and the whole set only once
/// none is left, so a 100,000-pod level is not listed whole every poll.
async fn wait_running(client: &Client, want: usize) {
    let deadline = Instant::now() + Duration::from_secs(3600);
    loop {
        let not_running = count(client, "status.phase!=Running").await;
        if not_running == 0 && count(client, "").await == want {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "{not_running} bench pods still not Running (want {want} Running) after an hour"
        );
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// How many bench pods match the field selector, counted page by page from their metadata (the
/// server leaves `remainingItemCount` out when a selector is given).
async fn count(client: &Client, fields: &str) -> usize {
    let api = Api::<Pod>::all(client.clone());
    let mut params = ListParams::default().labels("app=load").limit(5000);
    if !fields.is_empty() {
        params = params.fields(fields);
    }
    let mut total = 0;
    loop {
        let page = api.list_metadata(&params).await.expect("counting bench pods");
        total += page.items.len();
        match page.metadata.continue_ {
            Some(token) if !token.is_empty() => params = params.continue_token(&token),
            _ => return total,
        }
    }
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

/// Churn pods live here: the namespace and names sort first, and every new name sorts before the
/// previous one, so the newest churn pod is the top row of a namespace/name-ordered view.
pub const CHURN_NS: &str = "aaa-churn";
/// How long a churn pod lives before it is deleted.
pub const CHURN_LIFETIME: Duration = Duration::from_secs(5);

/// Creates a pod every 1/rate s for `window`, deleting each after CHURN_LIFETIME.
pub async fn churn(
    client: Client,
    rate: f64,
    window: Duration,
    seq: Arc<AtomicUsize>,
    created: Arc<Mutex<Vec<(String, Instant)>>>,
    done: Arc<AtomicBool>,
) {
    let api: Api<Pod> = Api::namespaced(client.clone(), CHURN_NS);
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": CHURN_NS}})).unwrap();
    let _ = Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await;
    let mut tick = tokio::time::interval(Duration::from_secs_f64(1.0 / rate));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let start = Instant::now();
    let mut tasks = Vec::new();
    while start.elapsed() < window {
        tick.tick().await;
        let name = format!("aaa-{:06}", 999_999 - seq.fetch_add(1, Ordering::Relaxed));
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "labels": {"app": "churn"}},
            "spec": {"containers": [{"name": "main", "image": "todo/backend:1"}]}
        }))
        .unwrap();
        let (api, created) = (api.clone(), Arc::clone(&created));
        // Each pod has its own task so a slow request never slows the rate.
        tasks.push(tokio::spawn(async move {
            let sent = Instant::now();
            if api.create(&PostParams::default(), &pod).await.is_ok() {
                created.lock().unwrap().push((name.clone(), sent));
                tokio::time::sleep(CHURN_LIFETIME).await;
                let _ = api.delete(&name, &DeleteParams::default().grace_period(0)).await;
            }
        }));
    }
    done.store(true, Ordering::Relaxed);
    for t in tasks {
        let _ = t.await;
    }
}

/// Deletes every churn pod left and waits until they are gone, so the next run sees `total` again.
pub async fn clear_churn(client: &Client) {
    let api: Api<Pod> = Api::namespaced(client.clone(), CHURN_NS);
    let _ = api
        .delete_collection(&DeleteParams::default().grace_period(0), &ListParams::default())
        .await;
    for _ in 0..300 {
        match api.list(&ListParams::default()).await {
            Ok(list) if !list.items.is_empty() => tokio::time::sleep(Duration::from_millis(100)).await,
            _ => return,
        }
    }
}

/// A small deterministic shuffle (xorshift64*), so the benches need no random-number crate and a
/// run order can be replayed from its printed seed.
pub struct Shuffle(u64);

impl Shuffle {
    /// From BENCH_SEED, or from the clock; the seed is printed so the order can be replayed.
    pub fn from_env() -> Shuffle {
        let clock = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64);
        let seed = knob("BENCH_SEED", clock).max(1);
        eprintln!("run order seed: BENCH_SEED={seed}");
        Shuffle(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = (self.next() % (i as u64 + 1)) as usize;
            items.swap(i, j);
        }
    }
}

/// The commit the figures are taken on, and whether the tree differs from it.
pub fn commit() -> (String, bool) {
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    };
    let head = git(&["rev-parse", "--short=12", "HEAD"]).unwrap_or_else(|| "unknown".to_owned());
    let dirty = git(&["status", "--porcelain", "--untracked-files=no"]).is_none_or(|s| !s.is_empty());
    (head, dirty)
}

/// The 1-minute load average, as /proc/loadavg gives it.
pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(f64::NAN)
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
