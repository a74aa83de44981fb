//! Trust under failure (issue 19), on the sim cluster: a namespace that does not exist or is not a
//! valid name is never called healthy or empty, a forbidden list is one sentence saying what to
//! ask for (never kube's Status dump), and a negative number is a bad value like any other.

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8s_openapi::api::core::v1::ServiceAccount;
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Api;
use kube::api::PostParams;

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("test object")
}

/// Runs kubedeck with this kubeconfig; (exit code, stdout, stderr).
fn kubedeck(args: &[&str], kubeconfig: &Path, state: &Path) -> (i32, String, String) {
    common::run_kubedeck(args, kubeconfig, state)
}

/// One sentence on stderr: one line, kubedeck's prefix, no Debug dump of an API type.
fn assert_one_sentence(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.contains("warning:")).collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(lines[0].starts_with("kubedeck: "), "{stderr}");
    for leak in ["Status {", "Some(", "ListMeta", "ErrorResponse", "tip:", "Usage:"] {
        assert!(!stderr.contains(leak), "{leak} in {stderr}");
    }
}

/// A service account that may read pods and workloads in `ns` and nothing else (no HPAs, no
/// Secrets, no namespaces), and a kubeconfig with its token.
async fn namespace_only_viewer(client: &kube::Client, ns: &str, dir: &Path) -> PathBuf {
    let pp = PostParams::default();
    Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create(&pp, &from_json(serde_json::json!({"metadata": {"name": "viewer"}})))
        .await
        .unwrap();
    let role: Role = from_json(serde_json::json!({
        "metadata": {"name": "workloads-only"},
        "rules": [
            {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "deployments/scale"],
             "verbs": ["get", "list", "watch", "patch"]}
        ]
    }));
    Api::<Role>::namespaced(client.clone(), ns)
        .create(&pp, &role)
        .await
        .unwrap();
    let binding: RoleBinding = from_json(serde_json::json!({
        "metadata": {"name": "viewer-workloads-only"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "workloads-only"},
        "subjects": [{"kind": "ServiceAccount", "name": "viewer", "namespace": ns}]
    }));
    Api::<RoleBinding>::namespaced(client.clone(), ns)
        .create(&pp, &binding)
        .await
        .unwrap();
    let token_request = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600}});
    let response: serde_json::Value = Api::<ServiceAccount>::namespaced(client.clone(), ns)
        .create_subresource("token", "viewer", &pp, &token_request)
        .await
        .expect("TokenRequest for the viewer service account");
    let token = response["status"]["token"].as_str().expect("a token").to_owned();
    common::token_kubeconfig(dir, &token, ns)
}

#[tokio::test]
async fn hpas_forbidden_by_rbac_are_one_sentence_in_status_and_scale() {
    let client = common::client().await;
    let ns = common::namespace(&client, "trust-rbac").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let dir = tempfile::tempdir().unwrap();
    let viewer = namespace_only_viewer(&client, &ns, dir.path()).await;
    // Ready first, so the only thing wrong is what cannot be read.
    let deployments = Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), &ns);
    for _ in 0..120 {
        let web = deployments.get("web").await.unwrap();
        if web.status.and_then(|s| s.ready_replicas) == Some(1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }

    // status: what it could read (the Deployment), what it could not (HPAs, Helm records), exit 1.
    let (code, out, err) = kubedeck(&["status", "-n", &ns], &viewer, dir.path());
    assert_eq!(code, 1, "{out}{err}");
    assert_one_sentence(&err);
    assert!(err.contains("you cannot list"), "{err}");
    assert!(out.contains("web"), "the readable workloads are still reported: {out}");
    assert!(
        out.contains(&format!("you cannot list HPAs in {ns} (RBAC:"))
            && out.contains(&format!("ask for get/list on horizontalpodautoscalers in {ns}")),
        "{out}"
    );
    assert!(!out.contains("Status {") && !out.contains("healthy\n"), "{out}");

    let (code, out, _) = kubedeck(&["status", "-n", &ns, "-o", "json"], &viewer, dir.path());
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).expect("status JSON");
    assert_eq!(report["healthy"], false, "{out}");
    assert_eq!(report["workloads"][0]["name"], "deploy/web", "{out}");
    let kinds: Vec<&str> = report["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["kind"].as_str())
        .collect();
    assert!(kinds.contains(&"horizontalpodautoscalers"), "{out}");
    assert!(!kinds.contains(&"pods") && !kinds.contains(&"deployments"), "{out}");

    // scale looks for the HPA that would undo it, and may not.
    let (code, out, err) = kubedeck(&["scale", "deploy/web", "2", "-n", &ns, "--yes"], &viewer, dir.path());
    assert_eq!(code, 1, "{out}{err}");
    assert_one_sentence(&err);
    assert!(
        err.contains(&format!("you cannot list HPAs in {ns}"))
            && err.contains("ask for get/list on horizontalpodautoscalers"),
        "{err}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_namespace_that_does_not_exist_or_is_not_a_name_is_never_healthy() {
    let admin = common::sim_kubeconfig();
    let state = tempfile::tempdir().unwrap();
    let missing = "trust-no-such-namespace";
    let (code, out, err) = kubedeck(&["status", "-n", missing], &admin, state.path());
    assert_eq!(code, 1, "{out}{err}");
    assert_one_sentence(&err);
    assert!(err.contains(&format!("namespace {missing} does not exist")), "{err}");
    assert!(!out.contains(": healthy"), "{out}");

    let (code, out, _) = kubedeck(&["status", "-n", missing, "-o", "json"], &admin, state.path());
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&out).expect("status JSON");
    assert_eq!(report["healthy"], false, "{out}");
    assert_eq!(report["errors"][0]["kind"], "namespace", "{out}");

    let (code, out, err) = kubedeck(&["status", "-n", "Bad_NS!"], &admin, state.path());
    assert_eq!(code, 1, "{out}{err}");
    assert_one_sentence(&err);
    assert!(err.contains("\"Bad_NS!\" is not a valid namespace name"), "{err}");

    // Every other subcommand says the same before it does anything.
    for args in [
        vec!["scale", "deploy/web", "2", "--yes"],
        vec!["restart", "deploy/web", "--yes"],
        vec!["history", "todo"],
        vec!["logs", "deploy/web"],
        vec!["rollback", "todo", "--yes"],
    ] {
        let mut args = args.clone();
        args.extend(["-n", missing]);
        let (code, _, err) = kubedeck(&args, &admin, state.path());
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_one_sentence(&err);
        assert!(
            err.contains(&format!("namespace {missing} does not exist")),
            "{args:?}: {err}"
        );
    }
}

#[tokio::test]
async fn negative_numbers_are_bad_values_in_one_sentence() {
    let client = common::client().await;
    let ns = common::namespace(&client, "trust-numbers").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let admin = common::sim_kubeconfig();
    let state = tempfile::tempdir().unwrap();
    for (args, says) in [
        (
            vec!["scale", "deploy/web", "-1", "--yes"],
            "\"-1\" is not a replica count",
        ),
        (
            vec!["scale", "deploy/web", "two", "--yes"],
            "\"two\" is not a replica count",
        ),
        (
            vec!["scale", "deploy/web", "2", "--timeout", "-5", "--yes"],
            "--timeout \"-5\" is not a duration",
        ),
        (vec!["rollback", "todo", "-2", "--yes"], "\"-2\" is not a revision"),
        (
            vec!["logs", "deploy/web", "--tail", "-7"],
            "--tail \"-7\" is not a number of lines",
        ),
    ] {
        let mut args = args.clone();
        args.extend(["-n", &ns]);
        let (code, _, err) = kubedeck(&args, &admin, state.path());
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_one_sentence(&err);
        assert!(err.contains(says), "{args:?}: {err}");
    }
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn the_dashboard_says_a_namespace_does_not_exist_instead_of_no_pods() {
    let missing = "trust-dashboard-missing";
    let mut dash = common::Dashboard::in_namespace(missing);
    dash.wait_until("the namespaces listed", Duration::from_secs(60), |app| {
        app.data.namespaces.is_synced() && app.data.pods.is_synced()
    })
    .await;
    let scope = dash.app.target.as_ref().map(|t| &t.scope);
    let problem = dash.app.data.namespace_problem(scope).expect("a namespace problem");
    assert!(
        problem.contains(&format!("namespace {missing} does not exist")),
        "{problem}"
    );
    assert_eq!(dash.app.notice.as_deref(), Some(problem.as_str()));
    dash.app.refresh();
    let screen = screen_text(&dash.app);
    assert!(screen.contains("does not exist"), "{screen}");
    assert!(!screen.contains(&format!("No pods in {missing}.")), "{screen}");

    let mut bad = common::Dashboard::in_namespace("Bad_NS!");
    bad.wait_until("the pods listed", Duration::from_secs(60), |app| {
        app.data.pods.is_synced() || app.target.is_some()
    })
    .await;
    let scope = bad.app.target.as_ref().map(|t| &t.scope);
    let problem = bad.app.data.namespace_problem(scope).expect("a namespace problem");
    assert!(problem.contains("is not a valid namespace name"), "{problem}");
}

/// The dashboard drawn on a 120x40 screen, as text.
fn screen_text(app: &kubedeck::app::App) -> String {
    let area = ratatui::layout::Rect::new(0, 0, 120, 40);
    let mut buf = ratatui::buffer::Buffer::empty(area);
    kubedeck::views::render_app(app, area, &mut buf);
    let mut text = String::new();
    for y in 0..area.height {
        for x in 0..area.width {
            text.push_str(buf[(x, y)].symbol());
        }
        text.push('\n');
    }
    text
}

#[tokio::test]
async fn read_only_refuses_every_mutating_subcommand_and_changes_nothing() {
    let client = common::client().await;
    let ns = common::namespace(&client, "trust-readonly").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pods = Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), &ns);
    let mut pod = None;
    for _ in 0..120 {
        pod = pods.list(&Default::default()).await.unwrap().items.into_iter().next();
        if pod.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let pod = pod.expect("the web pod");
    let pod_name = pod.metadata.name.clone().unwrap();
    let deployments = Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), &ns);
    let before = deployments.get("web").await.unwrap();

    let admin = common::sim_kubeconfig();
    let state = tempfile::tempdir().unwrap();
    for args in [
        vec!["scale", "deploy/web", "3"],
        vec!["restart", "deploy/web"],
        vec!["delete", "pod", pod_name.as_str()],
        vec!["rollback", "todo"],
        vec!["uninstall", "todo"],
        vec!["demo", "self-healing"],
        vec!["deploy"],
        vec!["setup"],
    ] {
        let mut args = args.clone();
        if args[0] != "setup" {
            args.push("--yes");
        }
        args.extend(["--readonly", "-n", &ns]);
        let (code, out, err) = kubedeck(&args, &admin, state.path());
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert_one_sentence(&err);
        assert!(err.contains("refuse") && err.contains("read-only"), "{args:?}: {err}");
    }
    let after = deployments.get("web").await.unwrap();
    assert_eq!(after.spec.as_ref().unwrap().replicas, Some(1), "scale went through");
    assert_eq!(
        before.spec.as_ref().unwrap().template.metadata,
        after.spec.as_ref().unwrap().template.metadata,
        "restart went through"
    );
    let still = pods.get(&pod_name).await.expect("the pod was not deleted");
    assert_eq!(still.metadata.uid, pod.metadata.uid);
    assert!(still.metadata.deletion_timestamp.is_none(), "delete went through");
    common::delete_namespace(&client, &ns).await;
}
