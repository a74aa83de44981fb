//! The guided demos on the sim cluster's real node (containers on containerd, values-sim.yaml):
//! the whole walkthrough with its summary, and a rollback demo stopped by Ctrl-C in the middle
//! that still leaves the release where it started. These fail, never skip, without the real node.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Instant;

use common::real_node::{self, kubedeck};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Api;
use kubedeck::actions::demo::DEMO_VARIABLE;
use kubedeck::actions::release_store::ReleaseStore;

async fn deployed(prefix: &str) -> (kube::Client, String) {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, prefix).await;
    let (code, out, err) = kubedeck(&["deploy", "-n", &ns, "-f", "sim", "--yes", "--timeout", "180"]);
    assert_eq!(code, 0, "kubedeck deploy -f sim failed:\n{out}{err}");
    (client, ns)
}

/// The backend Deployment's template and its Ready pods' processes both lack the demo variable.
async fn backend_runs_without_the_demo_variable(client: &kube::Client, ns: &str) {
    let deployment = Api::<Deployment>::namespaced(client.clone(), ns)
        .get("todo-todo-chatbot-backend")
        .await
        .expect("the backend Deployment");
    let template = serde_json::to_string(&deployment.spec.unwrap().template).unwrap();
    assert!(
        !template.contains(DEMO_VARIABLE),
        "the live Deployment still sets it: {template}"
    );
    let pods = real_node::ready_pods(client, ns, "app.kubernetes.io/component=backend").await;
    assert!(!pods.is_empty(), "no Ready backend pod");
    for pod in pods {
        let name = pod.metadata.name.unwrap();
        let env = real_node::exec(client, ns, &name, &["env"]).await;
        // An exec that printed nothing would also lack the variable: the environment must be there.
        assert!(env.contains("PATH="), "no environment read from {name}: {env:?}");
        assert!(!env.contains(DEMO_VARIABLE), "{name} runs with it: {env}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_walkthrough_runs_every_demo_on_real_containers_and_sums_them_up() {
    let (client, ns) = deployed("real-walk").await;
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args([
            "demo",
            "all",
            "-n",
            &ns,
            "--yes",
            "--no-pause",
            "--record",
            "--kubeconfig",
        ])
        .arg(common::sim_kubeconfig())
        .env("KUBEDECK_STATE_DIR", dir.path())
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .current_dir(dir.path())
        .output()
        .expect("running kubedeck demo all");
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    eprintln!(
        "[demo all] {:.0}s on the real node:\n{stdout}",
        started.elapsed().as_secs_f32()
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    // Recording mode: the cursor hidden first and shown again last, the narration double-height.
    assert!(stdout.starts_with("\x1b[?25l"), "{stdout:?}");
    let shown = stdout.rfind("\x1b[?25h").unwrap_or(0);
    assert!(
        shown > stdout.rfind("\x1b#4").unwrap_or(usize::MAX),
        "the cursor comes back after the last narration: {stdout:?}"
    );
    assert!(stdout.contains("\x1b#3\x1b[1m1/5 Self-healing"), "{stdout:?}");
    for (demo, measure) in [
        ("self-healing", "replacement time"),
        ("scaling", "scale-out time"),
        ("autoscaling", "HPA reaction"),
        ("rollback", "rollback time"),
        ("persistence", "data kept"),
    ] {
        let row = stdout.lines().find(|l| l.starts_with(demo) && l.contains(measure));
        assert!(
            row.is_some_and(|r| !r.contains("failed")),
            "no passing {demo} row:\n{stdout}"
        );
    }
    assert!(
        stdout.contains(&format!("no {DEMO_VARIABLE}")),
        "the rollback showed the pods' value:\n{stdout}"
    );
    let saved = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".md"))
        .expect("the Markdown summary in the current folder");
    let markdown = std::fs::read_to_string(saved.path()).unwrap();
    assert!(markdown.contains("| rollback | rollback time |"), "{markdown}");
    assert!(markdown.contains("5 of 5 demos passed"), "{markdown}");
    assert!(
        stdout.contains(&format!("summary saved to {}", saved.file_name().to_string_lossy())),
        "{stdout}"
    );
    backend_runs_without_the_demo_variable(&client, &ns).await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rollback_demo_stopped_by_ctrl_c_leaves_the_release_where_it_started() {
    let (client, ns) = deployed("real-interrupt").await;
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args(["demo", "rollback", "-n", &ns, "--yes", "--kubeconfig"])
        .arg(common::sim_kubeconfig())
        .env(
            "KUBEDECK_STATE_DIR",
            std::env::temp_dir().join("kubedeck-test-real-interrupt"),
        )
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kubedeck demo rollback");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut seen = String::new();
    // In the middle: the demo's revision 2 is being applied and is not Ready yet.
    loop {
        let mut line = String::new();
        assert!(
            stdout.read_line(&mut line).unwrap() > 0,
            "the demo ended early:\n{seen}"
        );
        seen.push_str(&line);
        if line.contains("revision 2: Preparing upgrade") {
            break;
        }
    }
    // Its objects being applied, its new pods starting.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let started = Instant::now();
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGINT) }, 0);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let status = child.wait().unwrap();
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    eprintln!(
        "[interrupted rollback] put back {:.1}s after Ctrl-C:\n{seen}{rest}{err}",
        started.elapsed().as_secs_f32()
    );
    assert_eq!(status.code(), Some(1), "{seen}{rest}{err}");
    assert!(err.contains("interrupted (Ctrl-C): the rollback demo stopped"), "{err}");
    assert!(
        rest.contains("Put back: release todo was at revision 2")
            && rest.contains("rolled back to revision 1 as revision 3"),
        "says what it undid:\n{rest}"
    );
    let history = ReleaseStore::new(client.clone(), &ns, "todo").history().await.unwrap();
    let states: Vec<(i32, &str, &str)> = history
        .iter()
        .map(|r| {
            (
                r.version,
                r.info.status.as_ref().map_or("", |s| s.as_str()),
                r.info.description.as_str(),
            )
        })
        .collect();
    assert_eq!(states.len(), 3, "{states:?}");
    assert_eq!((states[1].0, states[1].1), (2, "failed"), "{states:?}");
    assert_eq!(&states[2], &(3, "deployed", "Rollback to 1"), "{states:?}");
    assert_eq!(history[2].manifest, history[0].manifest);
    backend_runs_without_the_demo_variable(&client, &ns).await;
    common::delete_namespace(&client, &ns).await;
}
