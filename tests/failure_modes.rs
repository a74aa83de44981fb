//! Failure modes of the actions (issue 19), as a user meets them on the sim cluster: kubedeck
//! killed with SIGKILL in the middle of a deploy, two kubedecks deploying one release at once,
//! and an audit log that cannot be written. Each runs the real binary, as a script would.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::Api;
use kube::api::ListParams;
use kubedeck::actions::release_store::ReleaseStore;

/// The chart's source folder, for its CI values file (kubedeck deploys its embedded copy).
const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

/// `kubedeck deploy` of the bundled chart with the CI and local values, `--yes`, and more args.
fn deploy_args<'a>(ns: &'a str, ci: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["deploy", "-n", ns, "--yes", "-f", ci, "-f", "local"];
    args.extend(extra);
    args
}

fn kubedeck(args: &[&str], state: &Path) -> (i32, String, String) {
    common::run_kubedeck(args, &common::sim_kubeconfig(), state)
}

/// kubedeck started in the background, its output discarded.
fn spawn_kubedeck(args: &[&str], state: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args(args)
        .arg("--kubeconfig")
        .arg(common::sim_kubeconfig())
        .env("KUBEDECK_STATE_DIR", state)
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting kubedeck")
}

/// (revision, status, description) of each stored revision, as kubedeck reads them.
async fn history(client: &kube::Client, ns: &str) -> Vec<(i32, String, String)> {
    ReleaseStore::new(client.clone(), ns, "todo")
        .history()
        .await
        .expect("readable history")
        .iter()
        .map(|r| {
            let status = r.info.status.as_ref().map_or("", |s| s.as_str()).to_owned();
            (r.version, status, r.info.description.clone())
        })
        .collect()
}

/// `helm history todo` as (revision, status, description).
fn helm_history(ns: &str) -> Vec<(i32, String, String)> {
    let json = common::helm(&["history", "todo", "-n", ns, "-o", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).expect("helm history as JSON");
    rows.iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap_or_default() as i32,
                r["status"].as_str().unwrap_or_default().to_owned(),
                r["description"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

async fn backend(client: &kube::Client, ns: &str) -> Option<Deployment> {
    Api::<Deployment>::namespaced(client.clone(), ns)
        .get_opt("todo-todo-chatbot-backend")
        .await
        .expect("reading the backend Deployment")
}

/// The image the live backend Deployment's pods run.
async fn backend_image(client: &kube::Client, ns: &str) -> String {
    backend(client, ns)
        .await
        .and_then(|d| d.spec)
        .and_then(|s| s.template.spec)
        .and_then(|s| s.containers.into_iter().next())
        .and_then(|c| c.image)
        .unwrap_or_default()
}

/// The audit log's entries as (action, result).
fn audit(state: &Path) -> Vec<(String, String)> {
    let log = std::fs::read_to_string(state.join("audit.log")).unwrap_or_default();
    log.lines()
        .map(|l| {
            let e: serde_json::Value = serde_json::from_str(l).expect("one JSON entry per line");
            (
                e["action"].as_str().unwrap_or_default().to_owned(),
                e["result"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_deploy_killed_half_way_is_refused_with_the_way_out_and_rollback_recovers() {
    let client = common::client().await;
    let ns = common::namespace(&client, "killed").await;
    common::chart_volumes(&client, &ns).await;
    let state = tempfile::tempdir().unwrap();
    let ci = format!("{CHART}/ci-values.yaml");

    let (code, out, err) = kubedeck(&deploy_args(&ns, &ci, &[]), state.path());
    assert_eq!(code, 0, "{out}{err}");
    let original = backend_image(&client, &ns).await;

    // An upgrade whose backend never gets Ready (kwok keeps pods with this label unready), so
    // the deploy is still waiting when it is killed: after its record and its apply.
    let upgrade = deploy_args(
        &ns,
        &ci,
        &[
            "--set",
            "backend.image.tag=broken",
            "--set",
            "backend.podLabels.kubedeck\\.dev/sim-fail=unready",
            "--timeout",
            "5m",
        ],
    );
    let mut child = spawn_kubedeck(&upgrade, state.path());
    let deadline = Instant::now() + Duration::from_secs(120);
    while !backend_image(&client, &ns).await.ends_with(":broken") {
        assert!(Instant::now() < deadline, "the upgrade never applied the new image");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    child.kill().expect("SIGKILL"); // std's kill is SIGKILL on Unix
    let status = child.wait().expect("waiting for the killed kubedeck");
    assert!(!status.success(), "{status:?}");

    // What was applied has its record: revision 2, pending, whose manifest has the live image.
    let records = history(&client, &ns).await;
    assert_eq!(
        records.last().map(|r| (r.0, r.1.as_str())),
        Some((2, "pending-upgrade"))
    );
    let secret = Api::<Secret>::namespaced(client.clone(), &ns)
        .get("sh.helm.release.v1.todo.v2")
        .await
        .expect("revision 2's record");
    let release = kubedeck::cluster::releases::release_from_secret(&secret).expect("readable record");
    assert!(
        release.manifest.contains("ghcr.io/todo-chatbot/backend:broken"),
        "the live image is in the record's manifest: {:?}",
        release
            .manifest
            .lines()
            .filter(|l| l.contains("image:"))
            .collect::<Vec<_>>()
    );
    // The audit log says it started, with no outcome.
    assert_eq!(
        audit(state.path()).last(),
        Some(&("deploy".to_owned(), "started".to_owned()))
    );

    // The next deploy is refused in one sentence naming the way out.
    let (code, _, err) = kubedeck(&deploy_args(&ns, &ci, &[]), state.path());
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("revision 2 is still pending-upgrade") && err.contains("kubedeck rollback todo"),
        "{err}"
    );
    assert_eq!(history(&client, &ns).await.len(), 2, "the refusal wrote nothing");

    let (code, out, err) = kubedeck(&["rollback", "todo", "-n", &ns, "--yes"], state.path());
    assert_eq!(code, 0, "{out}{err}");
    let expected = [
        (1, "superseded".to_owned(), "Install complete".to_owned()),
        (2, "superseded".into(), "Preparing upgrade".into()),
        (3, "deployed".into(), "Rollback to 1".into()),
    ];
    assert_eq!(helm_history(&ns), expected);
    assert_eq!(history(&client, &ns).await, expected);
    assert_eq!(
        backend_image(&client, &ns).await,
        original,
        "revision 1's image runs again"
    );
    let labels = backend(&client, &ns)
        .await
        .and_then(|d| d.spec)
        .and_then(|s| s.template.metadata)
        .and_then(|m| m.labels)
        .unwrap_or_default();
    assert!(!labels.contains_key("kubedeck.dev/sim-fail"), "{labels:?}");

    // And the release deploys again.
    let (code, out, err) = kubedeck(&deploy_args(&ns, &ci, &[]), state.path());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        helm_history(&ns).last().map(|r| (r.0, r.1.clone())),
        Some((4, "deployed".into()))
    );
    common::delete_namespace(&client, &ns).await;
}

/// A deploy whose backend no node takes says the scheduler's answer beside the workload while it
/// waits, and again when the wait gives up, instead of only "0/1 ready".
#[tokio::test]
async fn a_deploy_no_node_takes_says_the_schedulers_answer() {
    let client = common::client().await;
    let ns = common::namespace(&client, "nowhere").await;
    common::chart_volumes(&client, &ns).await;
    let state = tempfile::tempdir().unwrap();
    let ci = format!("{CHART}/ci-values.yaml");
    let nowhere = [
        "--set-string",
        "backend.nodeSelector.kubedeck\\.dev/nowhere=true",
        "--timeout",
        "30s",
    ];
    let (code, out, err) = kubedeck(&deploy_args(&ns, &ci, &nowhere), state.path());
    assert_eq!(code, 1, "{out}{err}");
    let scheduler = "didn't match Pod's node affinity/selector";
    let said_while_waiting = out
        .lines()
        .chain(err.lines())
        .find(|l| l.contains("backend") && l.contains("not scheduled:") && l.contains(scheduler));
    assert!(
        said_while_waiting.is_some(),
        "no progress line names the scheduler's answer:\n{out}{err}"
    );
    let last = err.trim().lines().last().unwrap_or_default();
    assert!(
        last.contains("not ready after 30s") && last.contains("not scheduled:") && last.contains(scheduler),
        "the failure must say why the backend is not ready: {err}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn two_deploys_of_one_release_at_once_one_wins_the_other_is_told() {
    let client = common::client().await;
    let ns = common::namespace(&client, "race").await;
    common::chart_volumes(&client, &ns).await;
    let state = tempfile::tempdir().unwrap();
    let ci = format!("{CHART}/ci-values.yaml");
    let (code, out, err) = kubedeck(&deploy_args(&ns, &ci, &[]), state.path());
    assert_eq!(code, 0, "{out}{err}");

    let a = spawn_kubedeck(
        &deploy_args(&ns, &ci, &["--set", "backend.image.tag=1.1"]),
        state.path(),
    );
    let b = spawn_kubedeck(
        &deploy_args(&ns, &ci, &["--set", "backend.image.tag=1.2"]),
        state.path(),
    );
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    let outcome = |o: &std::process::Output| (o.status.success(), String::from_utf8_lossy(&o.stderr).into_owned());
    let (a, b) = (outcome(&a), outcome(&b));
    let (winner, loser) = match (&a, &b) {
        ((true, _), (false, _)) => ("1.1", &b.1),
        ((false, _), (true, _)) => ("1.2", &a.1),
        _ => panic!("exactly one deploy must win: {a:?} {b:?}"),
    };
    assert!(loser.contains("another operation is in progress"), "{loser}");
    assert_eq!(loser.lines().count(), 1, "one sentence: {loser}");
    assert_eq!(
        history(&client, &ns).await,
        [
            (1, "superseded".to_owned(), "Install complete".to_owned()),
            (2, "deployed".into(), "Upgrade complete".into()),
        ],
        "one new revision, the winner's"
    );
    assert_eq!(
        backend_image(&client, &ns).await,
        format!("ghcr.io/todo-chatbot/backend:{winner}")
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn an_audit_log_that_cannot_be_written_refuses_changes_before_they_run() {
    let client = common::client().await;
    let ns = common::namespace(&client, "audit").await;
    common::create_deployment(&client, &ns, "backend", 2).await;
    let pods = Api::<Pod>::namespaced(client.clone(), &ns);
    let deadline = Instant::now() + Duration::from_secs(60);
    while pods.list(&ListParams::default()).await.unwrap().items.len() < 2 {
        assert!(Instant::now() < deadline, "the pods never came");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let victim = pods.list(&ListParams::default()).await.unwrap().items[0]
        .metadata
        .name
        .clone()
        .unwrap();

    // A full disk: the log is /dev/full, where every write fails with ENOSPC (the suite runs as
    // root, so a read-only folder would not stop it). And a state folder that cannot be made.
    let full = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/dev/full", full.path().join("audit.log")).unwrap();
    let blocker = tempfile::NamedTempFile::new().unwrap();
    let impossible = blocker.path().join("state");
    for (state, why) in [
        (full.path(), "No space left on device"),
        (impossible.as_path(), "Not a directory"),
    ] {
        let refused = [
            vec!["scale", "deploy/backend", "3", "-n", &ns, "--yes"],
            vec!["restart", "deploy/backend", "-n", &ns, "--yes"],
            vec!["delete", "pod", &victim, "-n", &ns, "--yes"],
            vec!["rollback", "todo", "-n", &ns, "--yes"],
        ];
        for args in refused {
            let (code, out, err) = kubedeck(&args, state);
            assert_eq!(code, 1, "{args:?}: {out}{err}");
            assert_eq!(err.lines().count(), 1, "one sentence: {err}");
            assert!(
                err.contains("refused: the audit log cannot be written") && err.contains(why),
                "{args:?}: {err}"
            );
        }
        // Reading needs no audit entry.
        let (code, out, err) = kubedeck(&["status", "-n", &ns], state);
        assert_eq!(code, 0, "{out}{err}");
    }
    // Nothing ran.
    let deployment = Api::<Deployment>::namespaced(client.clone(), &ns)
        .get("backend")
        .await
        .unwrap();
    assert_eq!(deployment.spec.as_ref().and_then(|s| s.replicas), Some(2));
    let annotations = deployment
        .spec
        .and_then(|s| s.template.metadata)
        .and_then(|m| m.annotations)
        .unwrap_or_default();
    assert!(
        !annotations.contains_key("kubectl.kubernetes.io/restartedAt"),
        "not restarted: {annotations:?}"
    );
    assert!(
        pods.get_opt(&victim).await.unwrap().is_some(),
        "the pod was not deleted"
    );

    // The dashboard refuses the same, in its action log, and stays up.
    let mut tui = common::pty::Tui::spawn_with_env(
        &["-n", &ns],
        &common::sim_kubeconfig(),
        &[("KUBEDECK_STATE_DIR", full.path().as_os_str())],
    );
    tui.wait_for(&["● live", "backend"], Duration::from_secs(60));
    tui.type_str("5");
    tui.type_str("s");
    tui.wait_for(&["replicas: "], Duration::from_secs(10));
    tui.type_str("3\r");
    tui.wait_for(&["Scale deploy/backend in"], Duration::from_secs(10));
    tui.type_str("y");
    let screen = tui.wait_for(&["refused: the audit log cannot be written"], Duration::from_secs(20));
    assert!(screen.contains("No space left on device"), "{screen}");
    tui.type_str("\x1b");
    tui.poll_until(Duration::from_secs(10), |s| !s.contains("Scaling deploy/backend"))
        .expect("Esc closes the action log");
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));
    let replicas = Api::<Deployment>::namespaced(client.clone(), &ns)
        .get("backend")
        .await
        .unwrap()
        .spec
        .and_then(|s| s.replicas);
    assert_eq!(replicas, Some(2), "the dashboard's scale did not run");
    common::delete_namespace(&client, &ns).await;
}

/// A fresh token for service account `name` in `ns` (created if missing), bound to the `view`
/// ClusterRole in `ns` only.
async fn viewer_token(client: &kube::Client, ns: &str, name: &str) -> String {
    use k8s_openapi::api::core::v1::ServiceAccount;
    use k8s_openapi::api::rbac::v1::RoleBinding;
    use kube::api::PostParams;
    let pp = PostParams::default();
    let account: ServiceAccount = serde_json::from_value(serde_json::json!({"metadata": {"name": name}})).unwrap();
    Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create(&pp, &account)
        .await
        .expect("creating the service account");
    let binding: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
        "subjects": [{"kind": "ServiceAccount", "name": name, "namespace": ns}]
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(client.clone(), ns)
        .create(&pp, &binding)
        .await
        .expect("binding view");
    let request = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 600}});
    let response: serde_json::Value = Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create_subresource("token", name, &pp, &request)
        .await
        .expect("TokenRequest");
    response["status"]["token"].as_str().expect("a token").to_owned()
}

#[tokio::test]
async fn credentials_that_stop_working_mid_session_are_said_and_c_reloads_them() {
    let client = common::client().await;
    let ns = common::namespace(&client, "token").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = common::token_kubeconfig(dir.path(), &viewer_token(&client, &ns, "first").await, &ns);
    let mut tui = common::pty::Tui::spawn(&[], &kubeconfig);
    tui.wait_for(&["● live", "web-"], Duration::from_secs(60));

    // The API server raises a TokenRequest's expiration to at least 10 minutes, too long to wait
    // for here; deleting the service account revokes its tokens at once, and the server answers
    // them exactly as an expired one: 401.
    Api::<k8s_openapi::api::core::v1::ServiceAccount>::namespaced(client.clone(), &ns)
        .delete("first", &Default::default())
        .await
        .expect("deleting the service account");
    let revoked = Instant::now();
    let screen = tui.wait_for(&["● credentials rejected"], Duration::from_secs(30));
    eprintln!(
        "rejected credentials shown {:?} after the revocation",
        revoked.elapsed()
    );
    assert!(
        screen.contains("the token expired or was revoked") && screen.contains("press c and pick the context"),
        "{screen}"
    );
    assert!(!screen.contains("● live"), "{screen}");
    assert!(screen.contains("web-"), "the last rows stay:\n{screen}");

    // Log in again (a new token in the same kubeconfig file), then `c` and the context re-read it.
    common::token_kubeconfig(dir.path(), &viewer_token(&client, &ns, "second").await, &ns);
    tui.type_str("c");
    tui.wait_for(&["viewer"], Duration::from_secs(10));
    tui.type_str("\r");
    let screen = tui.wait_for(&["● live", "web-"], Duration::from_secs(60));
    assert!(!screen.contains("credentials rejected"), "{screen}");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0, "no crash");
    common::delete_namespace(&client, &ns).await;
}
