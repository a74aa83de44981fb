//! Shared by the integration tests: the sim cluster's kubeconfig, a namespace per test, a
//! dashboard driven without a terminal, and kubedeck in a pseudo-terminal.
#![allow(dead_code)] // each test binary uses a different part of this module

pub mod logs;
pub mod proxy;
pub mod pty;
pub mod real_node;
mod sim;

pub use sim::sim;

use std::path::PathBuf;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Namespace;
use kube::api::{DeleteParams, PostParams};
use kube::{Api, Client};
use kubedeck::app::{App, Effect, Msg};
use kubedeck::cluster::store::WatchUpdate;
use kubedeck::cluster::watch::WatchStatus;
use kubedeck::cluster::{ConnectOptions, RowUpdate, session};
use tokio::sync::mpsc;

/// The sim cluster's kubeconfig. Tests that need the cluster fail here, loudly, when it is not up.
pub fn sim_kubeconfig() -> PathBuf {
    let path = std::env::var_os("KUBEDECK_SIM_KUBECONFIG")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!(
                "KUBEDECK_SIM_KUBECONFIG is not set: these tests need the sim cluster. Run `scripts/test`, \
             or `scripts/sim up` and `export KUBEDECK_SIM_KUBECONFIG=$(scripts/sim kubeconfig)`."
            )
        });
    assert!(
        path.is_file(),
        "KUBEDECK_SIM_KUBECONFIG={} does not exist: is the sim cluster up?",
        path.display()
    );
    path
}

pub async fn client() -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(sim_kubeconfig()).expect("reading the sim kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("sim kubeconfig usable");
    Client::try_from(config).expect("client for the sim cluster")
}

/// A fresh namespace for one test, so tests never see each other's pods.
pub async fn namespace(client: &Client, prefix: &str) -> String {
    let name = format!("{prefix}-{}", std::process::id() % 100_000 + rand_suffix());
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
    Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
        .expect("creating test namespace");
    // The API server refuses pods in a namespace until its controller has made the "default"
    // service account ("error looking up service account"): wait for it, so no test races it.
    let accounts = Api::<k8s_openapi::api::core::v1::ServiceAccount>::namespaced(client.clone(), &name);
    let made = kube::runtime::wait::await_condition(accounts, "default", |sa: Option<&_>| sa.is_some());
    tokio::time::timeout(std::time::Duration::from_secs(30), made)
        .await
        .unwrap_or_else(|_| panic!("namespace {name}: no default service account after 30 s"))
        .expect("watching for the namespace's default service account");
    name
}

fn rand_suffix() -> u32 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos() % 100_000
}

pub async fn delete_namespace(client: &Client, name: &str) {
    let _ = Api::<Namespace>::all(client.clone())
        .delete(name, &DeleteParams::default())
        .await;
}

/// A Deployment of `replicas` pods with label app=`name`.
pub async fn create_deployment(client: &Client, ns: &str, name: &str, replicas: i32) {
    let deploy: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": [{"name": "main", "image": "registry.local/todo/backend:1.0"}]}
            }
        }
    }))
    .unwrap();
    Api::<Deployment>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &deploy)
        .await
        .expect("creating deployment");
}

/// The fake node the bulk pods of `create_bare_pods` run on: kwok fakes it like the sim's own,
/// but it is tainted NoSchedule, so the scheduler never puts another test's pods there, and
/// thousands of bulk pods (bound by name, no scheduler) leave the sim nodes' room to the others.
pub const BULK_NODE: &str = "bulk-node-0";

async fn ensure_bulk_node(client: &Client) {
    use k8s_openapi::api::core::v1::Node;
    let yaml = include_str!("../../assets/sim/node.yaml")
        .replace("@NODE_NAME@", BULK_NODE)
        .replace("\"110\"", "\"100000\"")
        .replace("kubedeck.dev/sim: \"true\"", "kubedeck.dev/sim: bulk")
        .replace(
            "spec: {}",
            "spec:\n  taints:\n  - {key: kubedeck.dev/bulk, value: \"true\", effect: NoSchedule}",
        );
    let node: Node = serde_yaml::from_str(&yaml).expect("the sim's node template parses");
    // Already there from an earlier test is fine.
    let _ = Api::<Node>::all(client.clone())
        .create(&PostParams::default(), &node)
        .await;
}

/// Bare pods `{prefix}-{i}` for i in `range`, bound to BULK_NODE (no scheduler involved),
/// created 64 at a time: 10,000 in about two minutes on the sim.
pub async fn create_bare_pods(client: &Client, ns: &str, prefix: &str, range: std::ops::Range<usize>) {
    use futures::StreamExt;
    use k8s_openapi::api::core::v1::Pod;
    ensure_bulk_node(client).await;
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    futures::stream::iter(range)
        .map(|i| {
            let api = api.clone();
            let pod: Pod = serde_json::from_value(serde_json::json!({
                "metadata": {"name": format!("{prefix}-{i}"), "labels": {"app": prefix}},
                "spec": {"nodeName": BULK_NODE,
                    "tolerations": [{"key": "kubedeck.dev/bulk", "operator": "Exists"}],
                    "containers": [{"name": "main", "image": "registry.local/todo/backend:1.0"}]}
            }))
            .unwrap();
            async move {
                api.create(&PostParams::default(), &pod)
                    .await
                    .unwrap_or_else(|e| panic!("creating pod {prefix}-{i}: {e}"));
            }
        })
        .buffer_unordered(64)
        .collect::<()>()
        .await;
}

/// kubedeck's state and update loop, fed by its real session and watches, without a terminal.
pub struct Dashboard {
    pub app: App,
    /// Every watch failure the session reported, as "kind: message".
    pub watch_failures: Vec<String>,
    /// Complete listings of pods received (the first, then one per re-list).
    pub pod_listings: usize,
    rx: mpsc::UnboundedReceiver<Msg>,
    tx: mpsc::UnboundedSender<Msg>,
    session: tokio::task::JoinHandle<()>,
    /// The session's client, for the watches the app asks for once a pane is shown.
    client: Option<kube::Client>,
    watches: Vec<tokio::task::JoinHandle<()>>,
}

impl Dashboard {
    pub fn start(opts: ConnectOptions) -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        let session = tokio::spawn(session::run(opts.clone(), tx.clone()));
        Dashboard {
            app: App::new(opts, jiff::Timestamp::now(), (120, 40)),
            watch_failures: Vec::new(),
            pod_listings: 0,
            rx,
            tx,
            session,
            client: None,
            watches: Vec::new(),
        }
    }

    /// One message, as the dashboard's loop handles it: applied, the panes refreshed, and the
    /// watches the app asked for started (the Events watch once its pane is shown).
    pub fn apply(&mut self, msg: Msg) {
        if let Msg::Session(session::SessionEvent::Client(handle)) = &msg {
            self.client = Some(handle.0.clone());
        }
        self.app.update(msg);
        self.app.refresh();
        for effect in std::mem::take(&mut self.app.effects) {
            if let (Effect::WatchEvents, Some(client), Some(target)) = (&effect, &self.client, &self.app.target) {
                self.watches.push(tokio::spawn(kubedeck::cluster::events::watch(
                    client.clone(),
                    target.scope.clone(),
                    target.server.clone(),
                    self.tx.clone(),
                )));
            }
        }
    }

    pub fn in_namespace(ns: &str) -> Self {
        Self::start(ConnectOptions {
            kubeconfig: Some(sim_kubeconfig()),
            namespace: Some(ns.to_owned()),
            ..Default::default()
        })
    }

    /// Feeds messages into the app until `done` holds; panics with `what` and the last state
    /// after `timeout`.
    pub async fn wait_until(&mut self, what: &str, timeout: Duration, done: impl Fn(&App) -> bool) {
        let deadline = tokio::time::Instant::now() + timeout;
        while !done(&self.app) {
            match tokio::time::timeout_at(deadline, self.rx.recv()).await {
                Ok(Some(msg)) => {
                    if let Msg::Watch(WatchStatus::Failed { kind, message, .. }) = &msg {
                        self.watch_failures.push(format!("{kind}: {message}"));
                    }
                    if let Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(_))) = &msg {
                        self.pod_listings += 1;
                    }
                    self.apply(msg);
                }
                Ok(None) => panic!("the session ended while waiting for: {what}"),
                Err(_) => panic!(
                    "timed out after {timeout:?} waiting for: {what}\nconnection: {:?}\npods: {:#?}\ndeployments: {:?}\nwatch failures: {:#?}",
                    self.app.connection,
                    self.app
                        .data
                        .pods
                        .iter()
                        .map(|p| (&p.key.name, &p.status))
                        .collect::<Vec<_>>(),
                    self.app
                        .data
                        .deployments
                        .iter()
                        .map(|d| &d.key.name)
                        .collect::<Vec<_>>(),
                    self.watch_failures,
                ),
            }
        }
    }

    /// Feeds messages into the app for `how_long`, whatever they say.
    pub async fn run_for(&mut self, how_long: Duration) {
        let deadline = tokio::time::Instant::now() + how_long;
        while let Ok(Some(msg)) = tokio::time::timeout_at(deadline, self.rx.recv()).await {
            self.apply(msg);
        }
    }

    /// Names and statuses of the pods the dashboard shows.
    pub fn pods(&self) -> Vec<(String, String)> {
        self.app
            .data
            .pods
            .iter()
            .map(|p| (p.key.name.to_string(), p.status.to_string()))
            .collect()
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        self.session.abort();
        for watch in &self.watches {
            watch.abort();
        }
    }
}

/// Serves `pod`'s logs from a file of its own (a kwok `Logs` object); returns the file.
pub fn pod_log_file(ns: &str, pod: &str) -> PathBuf {
    PathBuf::from(sim(&["pod-log", pod, "-n", ns]))
}

/// Appends lines to a pod log file in the CRI format kwok serves, stamped now.
pub fn append_log(file: &std::path::Path, lines: &[&str]) {
    use std::io::Write;
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(file)
        .expect("opening the pod log file");
    let mut text = String::new();
    for line in lines {
        text.push_str(&format!("{} stdout F {line}\n", jiff::Timestamp::now()));
    }
    f.write_all(text.as_bytes()).expect("appending to the pod log file");
}

/// Runs the real helm (scripts/test puts the sim cluster's on PATH) with its caches in the temp
/// folder; returns whether it succeeded and what it printed.
pub fn helm_output(args: &[&str]) -> (bool, String) {
    let helm_home = std::env::temp_dir().join("kubedeck-test-helm");
    let out = std::process::Command::new("helm")
        .args(args)
        .env("HELM_CACHE_HOME", helm_home.join("cache"))
        .env("HELM_CONFIG_HOME", helm_home.join("config"))
        .env("HELM_DATA_HOME", helm_home.join("data"))
        .output()
        .expect("running helm: scripts/test puts the sim cluster's helm on PATH");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// helm against the sim cluster; panics with its output when it fails.
pub fn helm(args: &[&str]) -> String {
    let kubeconfig = sim_kubeconfig();
    let mut all = args.to_vec();
    all.extend(["--kubeconfig", kubeconfig.to_str().expect("utf-8 path")]);
    let (ok, text) = helm_output(&all);
    assert!(ok, "helm {args:?} failed:\n{text}");
    text
}

/// A deploy of the bundled chart with the test secrets and the local values.
pub fn chart_request(ns: &str, set: &[&str]) -> kubedeck::actions::deploy::DeployRequest {
    kubedeck::actions::deploy::DeployRequest {
        release: "todo".into(),
        namespace: ns.into(),
        chart_dir: std::path::PathBuf::from(kubedeck::chart::BUNDLED_CHART),
        values_files: vec![
            std::path::PathBuf::from(kubedeck::chart::BUNDLED_CHART).join("ci-values.yaml"),
            std::path::PathBuf::from(kubedeck::chart::BUNDLED_CHART).join("values-local.yaml"),
        ],
        set: set.iter().map(|s| s.to_string()).collect(),
        atomic: false,
        timeout: std::time::Duration::from_secs(180),
        history_max: 10,
        helm_renderer: false,
        base_values: Default::default(),
        options: Default::default(),
    }
}

/// Volumes for the chart's Redis and PostgreSQL claims (the sim has no provisioner).
pub async fn chart_volumes(client: &kube::Client, ns: &str) {
    for i in 0..2 {
        let pv: k8s_openapi::api::core::v1::PersistentVolume = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{ns}-pv-{i}")},
            "spec": {"storageClassName": "standard", "capacity": {"storage": "2Gi"},
                "accessModes": ["ReadWriteOnce"], "hostPath": {"path": format!("/tmp/{ns}-pv-{i}")},
                "claimRef": {"namespace": ns, "name": if i == 0 { "data-todo-todo-chatbot-redis-0" } else { "data-todo-todo-chatbot-postgresql-0" }}}
        }))
        .unwrap();
        kube::Api::<k8s_openapi::api::core::v1::PersistentVolume>::all(client.clone())
            .create(&kube::api::PostParams::default(), &pv)
            .await
            .unwrap();
    }
}

/// Runs the kubedeck binary with `args` against `kubeconfig`, its state folder `state` and no
/// config file, as a script would: (exit code, stdout, stderr).
pub fn run_kubedeck(args: &[&str], kubeconfig: &std::path::Path, state: &std::path::Path) -> (i32, String, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args(args)
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .env("KUBEDECK_STATE_DIR", state)
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .output()
        .expect("running kubedeck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A kubeconfig in `dir` for the sim's API server that signs in with `token` (a service
/// account's), with `ns` as its namespace.
pub fn token_kubeconfig(dir: &std::path::Path, token: &str, ns: &str) -> PathBuf {
    let admin = kube::config::Kubeconfig::read_from(sim_kubeconfig()).expect("reading the sim kubeconfig");
    let cluster = admin.clusters[0]
        .cluster
        .clone()
        .expect("the sim kubeconfig names its cluster");
    let kubeconfig = dir.join("viewer.kubeconfig");
    let yaml = serde_json::json!({
        "apiVersion": "v1", "kind": "Config",
        "clusters": [{"name": "sim", "cluster": {"server": cluster.server,
            "certificate-authority": cluster.certificate_authority}}],
        "users": [{"name": "viewer", "user": {"token": token}}],
        "contexts": [{"name": "viewer", "context": {"cluster": "sim", "user": "viewer", "namespace": ns}}],
        "current-context": "viewer"
    });
    std::fs::write(&kubeconfig, serde_yaml::to_string(&yaml).expect("writing YAML")).expect("writing the kubeconfig");
    kubeconfig
}

/// Creates `crds` (those that already exist are left as they are) and waits until the API server
/// serves them, so a deploy's discovery finds their kinds.
pub async fn install_crds(
    client: &Client,
    crds: &[k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition],
) {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let api = Api::<CustomResourceDefinition>::all(client.clone());
    for crd in crds {
        match api.create(&PostParams::default(), crd).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => panic!("creating CRD {:?}: {e}", crd.metadata.name),
        }
    }
    for crd in crds {
        let name = crd.metadata.name.as_deref().unwrap_or_default();
        let mut established = false;
        for _ in 0..60 {
            let current = api.get(name).await.expect("reading a CRD");
            established = current
                .status
                .and_then(|s| s.conditions)
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Established" && c.status == "True"));
            if established {
                break;
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        assert!(established, "CRD {name} never became established");
    }
}

/// The CRDs of a multi-document YAML file of the project (assets/crds/...).
pub fn crds_in(
    yaml: &str,
) -> Vec<k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| {
            k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition::deserialize(
                doc,
            )
            .expect("a CRD")
        })
        .collect()
}

/// A kubeconfig that is valid but points at a port where nothing listens.
pub fn closed_port_kubeconfig() -> tempfile::TempPath {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("its address").port();
    drop(listener);
    let yaml = format!(
        "apiVersion: v1
kind: Config
clusters: [{{name: nowhere, cluster: {{server: 'https://127.0.0.1:{port}', insecure-skip-tls-verify: true}}}}]
users: [{{name: nobody, user: {{token: not-a-real-token}}}}]
contexts: [{{name: closed-port, context: {{cluster: nowhere, user: nobody, namespace: default}}}}]
current-context: closed-port
"
    );
    let mut file = tempfile::NamedTempFile::new().expect("temp kubeconfig");
    std::io::Write::write_all(&mut file, yaml.as_bytes()).expect("writing temp kubeconfig");
    file.into_temp_path()
}
