//! `kubedeck setup` driven in a pseudo-terminal against stand-in docker, minikube, kubectl and helm
//! (tests/fixtures/setup-bin, first on PATH) that print the real tools' version output and record
//! their arguments: the exact commands in order, a too-old minikube, a failing start and its
//! retry, resuming after a cancel, and a full run on the sim cluster that keeps secrets off disk.

mod common;

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::time::Duration;

use common::pty::Tui;
use k8s_openapi::api::core::v1::{PersistentVolume, Secret};
use kube::Api;
use kube::api::PostParams;

const BIN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/setup-bin");
const WAIT: Duration = Duration::from_secs(30);
const VERSION_CHECKS: [&str; 4] = [
    "docker version --format {{.Server.Version}}",
    "minikube version -o json",
    "kubectl version --client -o json",
    "helm version --short",
];

/// One wizard's folders: its state folder, the stand-ins' argv log and their counters.
struct Wizard {
    dir: tempfile::TempDir,
}

impl Wizard {
    fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp folder");
        std::fs::create_dir_all(dir.path().join("state")).unwrap();
        std::fs::create_dir_all(dir.path().join("fake")).unwrap();
        Wizard { dir }
    }

    fn state_dir(&self) -> PathBuf {
        self.dir.path().join("state")
    }

    fn argv_log(&self) -> PathBuf {
        self.dir.path().join("argv.log")
    }

    /// `kubedeck setup ARGS` with the stand-ins first on PATH and `env` for them.
    fn spawn(&self, args: &[&str], kubeconfig: &Path, env: &[(&str, &str)]) -> Tui {
        let mut argv = vec!["setup"];
        argv.extend(args);
        self.spawn_kubedeck(&argv, kubeconfig, env)
    }

    /// `kubedeck ARGV` (the dashboard unless ARGV names a command) with the stand-ins on PATH.
    fn spawn_kubedeck(&self, argv: &[&str], kubeconfig: &Path, env: &[(&str, &str)]) -> Tui {
        let path = format!("{BIN}:{}", std::env::var("PATH").unwrap_or_default());
        let mut all: Vec<(&str, OsString)> = vec![
            ("PATH", path.into()),
            ("KUBEDECK_STATE_DIR", self.state_dir().into()),
            ("FAKE_ARGV_LOG", self.argv_log().into()),
            ("FAKE_STATE_DIR", self.dir.path().join("fake").into()),
        ];
        all.extend(env.iter().map(|(k, v)| (*k, OsString::from(v))));
        let env: Vec<(&str, &std::ffi::OsStr)> = all.iter().map(|(k, v)| (*k, v.as_os_str())).collect();
        Tui::spawn_with_env(argv, kubeconfig, &env)
    }

    /// The commands the stand-ins saw, in order.
    fn commands(&self) -> Vec<String> {
        std::fs::read_to_string(self.argv_log())
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn progress(&self) -> serde_json::Value {
        let text = std::fs::read_to_string(self.state_dir().join("setup.json")).unwrap_or_else(|_| "{}".into());
        serde_json::from_str(&text).expect("setup.json is JSON")
    }
}

fn no_cluster() -> PathBuf {
    std::env::temp_dir().join("kubedeck-setup-no-kubeconfig")
}

/// Ctrl-U clears a field; Tab moves to the next one.
const CLEAR: &str = "\x15";

#[test]
fn a_too_old_minikube_blocks_with_the_upgrade_hint() {
    let w = Wizard::new();
    let mut tui = w.spawn(&[], &no_cluster(), &[("FAKE_MINIKUBE_VERSION", "v1.31.2")]);
    let screen = tui.wait_for(&["minikube 1.31.2 is older than 1.32.0", "minikube-linux-amd64"], WAIT);
    assert!(
        screen.contains("✓ helm 3.14.2: ok"),
        "the other tools are still checked:\n{screen}"
    );
    assert!(screen.contains("✗ 1. Check tools"), "marked failed:\n{screen}");
    tui.type_str("s");
    tui.wait_for(&["cannot be skipped"], WAIT);
    tui.type_str("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
    assert_eq!(w.commands(), VERSION_CHECKS, "nothing runs after a failed check");
    assert!(w.progress().pointer("/steps/tools").is_none());
}

#[test]
fn a_failing_start_shows_its_output_a_retry_succeeds_and_a_cancel_resumes() {
    let w = Wizard::new();
    let env = [("FAKE_FAIL_MINIKUBE_START", "1"), ("FAKE_SLOW_ADDONS", "60")];
    let mut tui = w.spawn(&[], &no_cluster(), &env);
    tui.wait_for(&["Memory (MB)", "✓ 1. Check tools"], WAIT);
    // Two CPUs and 2 GB fit any test machine; the defaults (4, 8192) may not.
    tui.type_str(&format!("{CLEAR}2\t{CLEAR}2048\r"));
    let screen = tui.wait_for(
        &["Exiting due to PROVIDER_DOCKER_NOT_RUNNING", "failed (exit 69)"],
        WAIT,
    );
    assert!(screen.contains("✗ 2. Start Minikube"), "{screen}");
    tui.type_str("r");
    let screen = tui.wait_for(&["✓ 2. Start Minikube", "taking 60 s"], WAIT);
    assert!(screen.contains("▶ 3. Ingress and metrics"), "{screen}");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
    let start = "minikube start --cpus=2 --memory=2048 --driver=docker";
    let mut expected: Vec<&str> = VERSION_CHECKS.to_vec();
    expected.extend([
        "minikube status -o json",
        start,
        "minikube status -o json",
        start,
        "minikube addons enable ingress",
    ]);
    assert_eq!(w.commands(), expected);
    let progress = w.progress();
    assert_eq!(progress.pointer("/steps/minikube/status"), Some(&"done".into()));
    assert_eq!(progress.pointer("/minikube/memory_mb"), Some(&2048.into()));
    assert!(
        progress.pointer("/steps/addons").is_none(),
        "a cancelled step is not remembered"
    );

    // Again: resumes at the addons, showing the first two steps as done earlier.
    let mut tui = w.spawn(&[], &no_cluster(), &env);
    let screen = tui.wait_for(&["taking 60 s"], WAIT);
    assert!(
        screen.contains("✓ 1. Check tools") && screen.contains("earlier"),
        "{screen}"
    );
    tui.type_str("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
    assert_eq!(w.commands()[expected.len()..], ["minikube addons enable ingress"]);
}

/// Volumes for the chart's Redis and PostgreSQL claims (the sim has no provisioner).
async fn volumes(client: &kube::Client, ns: &str) {
    for (i, claim) in ["data-todo-todo-chatbot-redis-0", "data-todo-todo-chatbot-postgresql-0"]
        .iter()
        .enumerate()
    {
        let pv: PersistentVolume = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{ns}-pv-{i}")},
            "spec": {"storageClassName": "standard", "capacity": {"storage": "2Gi"},
                "accessModes": ["ReadWriteOnce"], "hostPath": {"path": format!("/tmp/{ns}-pv-{i}")},
                "claimRef": {"namespace": ns, "name": claim}}
        }))
        .unwrap();
        Api::<PersistentVolume>::all(client.clone())
            .create(&PostParams::default(), &pv)
            .await
            .unwrap();
    }
}

/// Every file under `dir`, read as bytes, searched for `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return found;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        // Never follow links or open sockets and pipes (a read would block); skip huge files.
        let Ok(meta) = std::fs::symlink_metadata(&path) else {
            continue;
        };
        if meta.is_dir() {
            found.extend(files_containing(&path, needle));
        } else if meta.is_file()
            && meta.len() < 64 << 20
            && std::fs::read(&path).is_ok_and(|b| String::from_utf8_lossy(&b).contains(needle))
        {
            found.push(path);
        }
    }
    found
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_run_on_the_sim_cluster_deploys_and_keeps_secrets_off_disk() {
    let kubeconfig = common::sim_kubeconfig();
    let client = common::client().await;
    let ns = common::namespace(&client, "setup").await;
    volumes(&client, &ns).await;
    let w = Wizard::new();
    let frontend_src = w.dir.path().join("frontend-src");
    std::fs::create_dir_all(&frontend_src).unwrap();
    // A source folder with its own Dockerfile: the wizard builds it as it is (it offers its
    // templates only for a folder without one).
    std::fs::write(frontend_src.join("Dockerfile"), "FROM scratch\n").unwrap();
    // Unique to this run, so a file an earlier run left cannot be mistaken for a leak.
    let secret = format!("sk-setup-wizard-NEVER-ON-DISK-{}", std::process::id());
    let secret = secret.as_str();
    let args = ["-n", ns.as_str()];
    let mut tui = w.spawn(&args, &kubeconfig, &[("FAKE_MINIKUBE_RUNNING", "1")]);

    let screen = tui.wait_for(&["Memory (MB)"], WAIT);
    assert!(screen.contains("✓ 1. Check tools"), "{screen}");
    // Checked against the host even though a running profile is then reused as it is.
    tui.type_str(&format!("{CLEAR}2\t{CLEAR}2048\r"));
    // Step 3 asks the sim cluster through kube-rs; it has no ingress-nginx, so skip the wait.
    tui.wait_for(&["ingress controller 0/0 ready"], WAIT);
    tui.type_str("s");
    tui.wait_for(&["↷ 3. Ingress and metrics", "Frontend"], WAIT);
    let images = format!(
        "{CLEAR}{}\t{CLEAR}registry.local/todo/backend:1.0\t{CLEAR}registry.local/todo/mcp-server:1.0\r",
        frontend_src.display()
    );
    tui.type_str(&images);
    tui.wait_for(&["OPENAI_API_KEY"], WAIT);
    tui.type_str(&format!("\t{secret}"));
    let screen = tui.wait_for(&["••••••••••"], WAIT);
    assert!(!screen.contains(secret), "typed secret shown:\n{screen}");
    tui.type_str("\x07\r");
    tui.wait_for(&["✓ 5. Secrets"], WAIT);
    let screen = tui.wait_for(&["✓ 6. Deploy the chart"], Duration::from_secs(240));
    assert!(!screen.contains(secret), "{screen}");
    // No ingress answers at the stand-in's TEST-NET address: the step says so and can be skipped.
    tui.wait_for(
        &[
            "192.0.2.10 todo.local",
            "nothing answers HTTP at 192.0.2.10:80",
            "✗ 7. Open the app",
        ],
        WAIT,
    );
    tui.type_str("s");
    tui.wait_for(&["All steps finished"], WAIT);
    tui.type_str("q");
    assert_eq!(tui.wait_exit(WAIT), 0);

    let commands = w.commands();
    let tail = [
        "minikube status -o json",
        "minikube addons enable ingress",
        "minikube addons enable metrics-server",
        &format!(
            "minikube image build -t ghcr.io/todo-chatbot/frontend:local {}",
            frontend_src.display()
        ),
        "minikube ip",
    ];
    assert_eq!(commands[..4], VERSION_CHECKS);
    assert_eq!(commands[4..], tail);

    let history = kubedeck::actions::release_store::ReleaseStore::new(client.clone(), &ns, "todo")
        .history()
        .await
        .expect("reading the release");
    assert_eq!(history.len(), 1, "one revision deployed");
    let stored = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("todo-chatbot-secrets")
        .await
        .expect("the wizard created the Secret");
    let data = stored.data.unwrap_or_default();
    assert_eq!(
        data.get("OPENAI_API_KEY").map(|v| v.0.as_slice()),
        Some(secret.as_bytes())
    );
    assert_eq!(data.get("BETTER_AUTH_SECRET").map(|v| v.0.len()), Some(64));
    assert!(
        data.contains_key("POSTGRES_PASSWORD"),
        "in-cluster PostgreSQL: {:?}",
        data.keys()
    );

    // Not in the wizard's folders, nor anywhere in the temp folder, which also holds the test
    // HOME (kubedeck-test-home) where a config or cache would land.
    let home = std::env::temp_dir().join("kubedeck-test-home");
    assert!(home.is_dir(), "the test HOME is under the temp folder");
    let leaked = files_containing(&std::env::temp_dir(), secret);
    assert!(leaked.is_empty(), "secret on disk: {leaked:?}");
    let progress = w.progress();
    assert_eq!(progress.pointer("/secret/database"), Some(&"in-cluster".into()));
    assert_eq!(
        progress.pointer("/images/backend/image"),
        Some(&"registry.local/todo/backend:1.0".into())
    );
    common::delete_namespace(&client, &ns).await;
    for i in 0..2 {
        let _ = Api::<PersistentVolume>::all(client.clone())
            .delete(&format!("{ns}-pv-{i}"), &Default::default())
            .await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_addon_wait_sees_pods_become_ready_through_the_api() {
    use kubedeck::actions::setup::cluster::{PodGroup, wait_for_pods};
    let client = common::client().await;
    let ns = common::namespace(&client, "setup-addons").await;
    common::create_deployment(&client, &ns, "fake-controller", 1).await;
    let opts = kubedeck::cluster::ConnectOptions {
        kubeconfig: Some(common::sim_kubeconfig()),
        ..Default::default()
    };
    let groups = [PodGroup {
        what: "controller".into(),
        namespace: ns.clone(),
        selector: "app=fake-controller".into(),
    }];
    let lines = std::sync::Mutex::new(Vec::new());
    let out = |l: String| lines.lock().unwrap().push(l);
    let done = wait_for_pods(&opts, &groups, Duration::from_secs(60), &out).await;
    assert!(
        done.as_ref().is_ok_and(|d| d.contains("controller 1/1 ready")),
        "{done:?} {lines:?}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[test]
fn s_on_the_no_cluster_screen_starts_the_wizard() {
    let w = Wizard::new();
    let mut tui = w.spawn_kubedeck(&[], &no_cluster(), &[("FAKE_MINIKUBE_VERSION", "v1.31.2")]);
    tui.wait_for(&["No kubeconfig at", "Press S for the first-run wizard"], WAIT);
    tui.type_str("S");
    tui.wait_for(&["kubedeck setup", "minikube 1.31.2 is older than 1.32.0"], WAIT);
    tui.type_str("q");
    assert_eq!(tui.wait_exit(WAIT), 0);
    assert!(tui.is_cooked());
}
