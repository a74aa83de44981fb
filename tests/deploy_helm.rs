//! kubedeck deploys the bundled chart through the API and records revisions in Helm's storage:
//! the real helm reads, rolls back and upgrades those releases, and kubedeck does the same to
//! releases helm made. Bad input stops before anything reaches the cluster.

mod common;

use std::time::Duration;

use common::helm;
use k8s_openapi::api::core::v1::Secret;
use kube::Api;
use kube::api::ListParams;
use kubedeck::actions::deploy;
use kubedeck::actions::release_store::ReleaseStore;

/// The chart's source folder, for the helm binary (kubedeck itself deploys its embedded copy).
const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

/// `helm history` as (revision, status, description).
fn helm_history(ns: &str) -> Vec<(i32, String, String)> {
    let json = helm(&["history", "todo", "-n", ns, "-o", "json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap() as i32,
                r["status"].as_str().unwrap().to_owned(),
                r["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn kubedeck_history(client: &kube::Client, ns: &str) -> Vec<(i32, String, String)> {
    ReleaseStore::new(client.clone(), ns, "todo")
        .history()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.version,
                r.info.status.as_ref().unwrap().as_str().to_owned(),
                r.info.description.clone(),
            )
        })
        .collect()
}

/// `helm install|upgrade todo` of the bundled chart with the local and CI values, waiting.
fn helm_chart(verb: &str, ns: &str, extra: &[&str]) {
    let values_local = format!("{CHART}/values-local.yaml");
    let ci = format!("{CHART}/ci-values.yaml");
    let mut args = vec![
        verb,
        "todo",
        CHART,
        "-n",
        ns,
        "-f",
        &ci,
        "-f",
        &values_local,
        "--wait",
        "--timeout",
        "120s",
    ];
    args.extend(extra);
    helm(&args);
}

fn quiet() -> impl Fn(String) + Send + Sync {
    |line| eprintln!("  {line}")
}

#[tokio::test]
async fn kubedeck_and_helm_work_on_the_same_release() {
    let client = common::client().await;
    let ns = common::namespace(&client, "deploy").await;
    common::chart_volumes(&client, &ns).await;
    let progress = quiet();

    assert_eq!(
        deploy::deploy(&client, &common::chart_request(&ns, &[]), &progress).await,
        Ok(1)
    );
    let original = backend_image(&client, &ns).await;
    assert!(!original.ends_with(":1.1") && !original.ends_with(":1.2"), "{original}");
    assert_eq!(
        deploy::deploy(
            &client,
            &common::chart_request(&ns, &["backend.image.tag=1.1"]),
            &progress
        )
        .await,
        Ok(2)
    );
    assert_eq!(
        deploy::deploy(
            &client,
            &common::chart_request(&ns, &["backend.image.tag=1.2"]),
            &progress
        )
        .await,
        Ok(3)
    );
    let expected = [
        (1, "superseded".to_owned(), "Install complete".to_owned()),
        (2, "superseded".into(), "Upgrade complete".into()),
        (3, "deployed".into(), "Upgrade complete".into()),
    ];
    assert_eq!(helm_history(&ns), expected);
    assert_eq!(kubedeck_history(&client, &ns).await, expected);
    // The plan compares with what is live: only the backend Deployment would change.
    let plan = deploy::plan(&client, &common::chart_request(&ns, &["backend.image.tag=1.3"]))
        .await
        .unwrap();
    assert_eq!(plan.revision, 4);
    assert!(plan.added.is_empty() && plan.removed.is_empty(), "{plan:?}");
    let changed: Vec<String> = plan.changed.iter().map(|(id, _)| id.to_string()).collect();
    assert_eq!(changed, ["Deployment/todo-todo-chatbot-backend"]);
    assert!(
        plan.changed[0]
            .1
            .contains("-        image: ghcr.io/todo-chatbot/backend:1.2"),
        "{}",
        plan.changed[0].1
    );
    assert!(
        plan.changed[0]
            .1
            .contains("+        image: ghcr.io/todo-chatbot/backend:1.3"),
        "{}",
        plan.changed[0].1
    );

    // The applied objects carry Helm's ownership, so helm can adopt them.
    let values = helm(&["get", "values", "todo", "-n", &ns, "-o", "json"]);
    assert!(values.contains("\"tag\":\"1.2\""), "user values recorded: {values}");

    // helm rolls back kubedeck's release; kubedeck reads it and rolls back in turn.
    helm(&["rollback", "todo", "1", "-n", &ns, "--wait", "--timeout", "120s"]);
    assert_eq!(
        kubedeck_history(&client, &ns).await.last().unwrap(),
        &(4, "deployed".into(), "Rollback to 1".into())
    );
    // Not only the history: the live Deployment runs revision 1's image again.
    assert_eq!(backend_image(&client, &ns).await, original);
    assert_eq!(
        deploy::rollback(&client, &ns, "todo", Some(2), Duration::from_secs(180), &progress).await,
        Ok(5)
    );
    let history = helm_history(&ns);
    assert_eq!(
        history.last().unwrap(),
        &(5, "deployed".to_owned(), "Rollback to 2".to_owned())
    );
    assert_eq!(
        backend_image(&client, &ns).await,
        "ghcr.io/todo-chatbot/backend:1.1",
        "kubedeck's rollback to 2 put revision 2's image back"
    );
    assert_eq!(
        history.iter().filter(|(_, s, _)| s == "deployed").count(),
        1,
        "{history:?}"
    );

    // And helm upgrades it.
    helm_chart("upgrade", &ns, &[]);
    assert_eq!(
        kubedeck_history(&client, &ns).await.last().unwrap(),
        &(6, "deployed".into(), "Upgrade complete".into())
    );

    deploy::uninstall(&client, &ns, "todo", false, &progress).await.unwrap();
    assert!(kubedeck_history(&client, &ns).await.is_empty());
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_release_helm_installed_is_rolled_back_by_kubedeck() {
    let client = common::client().await;
    let ns = common::namespace(&client, "helmfirst").await;
    common::chart_volumes(&client, &ns).await;
    helm_chart("install", &ns, &[]);
    helm_chart("upgrade", &ns, &["--set", "frontend.image.tag=2.0"]);
    let progress = quiet();
    assert_eq!(
        deploy::rollback(&client, &ns, "todo", None, Duration::from_secs(180), &progress).await,
        Ok(3)
    );
    let history = helm_history(&ns);
    assert_eq!(
        history,
        [
            (1, "superseded".to_owned(), "Install complete".to_owned()),
            (2, "superseded".into(), "Upgrade complete".into()),
            (3, "deployed".into(), "Rollback to 1".into()),
        ]
    );
    deploy::uninstall(&client, &ns, "todo", true, &progress).await.unwrap();
    assert_eq!(helm_history(&ns).last().unwrap().1, "uninstalled");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_deploy_whose_pods_never_get_ready_fails_and_atomic_rolls_it_back() {
    let client = common::client().await;
    let ns = common::namespace(&client, "unready").await;
    common::chart_volumes(&client, &ns).await;
    let progress = quiet();
    assert_eq!(
        deploy::deploy(&client, &common::chart_request(&ns, &[]), &progress).await,
        Ok(1)
    );
    let original = backend_image(&client, &ns).await;

    // kwok's sim stage keeps pods with this label Running but never Ready.
    let unready = [
        "backend.podLabels.kubedeck\\.dev/sim-fail=unready",
        "backend.image.tag=broken",
    ];
    let mut req = common::chart_request(&ns, &unready);
    req.timeout = Duration::from_secs(20);
    let err = deploy::deploy(&client, &req, &progress).await.unwrap_err();
    assert!(
        err.starts_with("Upgrade \"todo\" failed: not ready after 20s") && err.contains("backend"),
        "{err}"
    );
    assert_eq!(helm_history(&ns).last().unwrap().1, "failed");

    req.atomic = true;
    let err = deploy::deploy(&client, &req, &progress).await.unwrap_err();
    assert!(err.contains("rolled back: revision 4 deployed"), "{err}");
    let history = helm_history(&ns);
    let statuses: Vec<(i32, &str)> = history.iter().map(|(r, s, _)| (*r, s.as_str())).collect();
    assert_eq!(
        statuses,
        [(1, "superseded"), (2, "failed"), (3, "failed"), (4, "deployed")]
    );
    // Revision 3 says why it failed, as helm writes it; 4 says what it rolled back to.
    assert!(
        history[2].2.starts_with("Upgrade \"todo\" failed: not ready after 20s") && history[2].2.contains("backend"),
        "{history:?}"
    );
    assert_eq!(history[3].2, "Rollback to 1");
    // The rollback put revision 1's backend back: its image, and pods that get Ready.
    assert_eq!(backend_image(&client, &ns).await, original);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn bad_input_is_explained_and_nothing_reaches_the_cluster() {
    let client = common::client().await;
    let ns = common::namespace(&client, "badinput").await;
    let progress = quiet();
    let dir = tempfile::tempdir().unwrap();
    let not_yaml = dir.path().join("broken.yaml");
    std::fs::write(&not_yaml, "backend: [unclosed\n").unwrap();

    let mut req = common::chart_request(&ns, &[]);
    req.values_files.push(not_yaml.clone());
    let err = deploy::deploy(&client, &req, &progress).await.unwrap_err();
    assert!(err.contains("broken.yaml") && err.contains("not valid YAML"), "{err}");

    let err = deploy::deploy(
        &client,
        &common::chart_request(&ns, &["frontend.replicas=abc"]),
        &progress,
    )
    .await
    .unwrap_err();
    assert!(err.contains("frontend") && err.contains("replicas"), "{err}");

    let mut req = common::chart_request(&ns, &[]);
    req.values_files.clear();
    let err = deploy::deploy(&client, &req, &progress).await.unwrap_err();
    // A required secret is missing: the message names the value and how to set it.
    assert!(err.contains("--set secrets."), "{err}");

    let records = Api::<Secret>::namespaced(client.clone(), &ns)
        .list(&ListParams::default().labels("owner=helm"))
        .await
        .unwrap();
    assert!(records.items.is_empty(), "no revision recorded");
    let deployments = Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), &ns)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(deployments.items.is_empty(), "nothing applied");
    common::delete_namespace(&client, &ns).await;
}

/// The image the live backend Deployment runs.
async fn backend_image(client: &kube::Client, ns: &str) -> String {
    let deployment = kube::Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), ns)
        .get("todo-todo-chatbot-backend")
        .await
        .expect("the backend Deployment");
    deployment
        .spec
        .and_then(|s| s.template.spec)
        .and_then(|s| s.containers.into_iter().next())
        .and_then(|c| c.image)
        .unwrap_or_default()
}

/// A chart whose `extra` value adds a ConfigMap and a Deployment whose pods kwok keeps unready,
/// so an upgrade that turns it on fails its wait.
fn extra_chart(dir: &std::path::Path) -> String {
    let chart = dir.join("extra");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: extra\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(chart.join("values.yaml"), "extra: false\n").unwrap();
    std::fs::write(
        chart.join("templates/base.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-base\ndata: {a: b}\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/extra.yaml"),
        r#"{{- if .Values.extra }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-extra
data: {a: b}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-stuck
spec:
  replicas: 1
  selector: {matchLabels: {app: stuck}}
  template:
    metadata:
      labels: {app: stuck, kubedeck.dev/sim-fail: unready}
    spec:
      containers: [{name: main, image: busybox:1.36}]
{{- end }}
"#,
    )
    .unwrap();
    chart.to_string_lossy().into_owned()
}

/// What of the chart's objects exists in `ns`.
async fn extra_objects(client: &kube::Client, ns: &str) -> (bool, bool, bool) {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::core::v1::ConfigMap;
    let maps = Api::<ConfigMap>::namespaced(client.clone(), ns);
    let deployments = Api::<Deployment>::namespaced(client.clone(), ns);
    (
        maps.get_opt("extra-base").await.unwrap().is_some(),
        maps.get_opt("extra-extra").await.unwrap().is_some(),
        deployments
            .get_opt("extra-stuck")
            .await
            .unwrap()
            .is_some_and(|d| d.metadata.deletion_timestamp.is_none()),
    )
}

/// After an upgrade that added objects and failed, a rollback deletes what the failed revision
/// added, as `helm rollback` does (it compares with the last revision, not the last deployed one).
#[tokio::test]
async fn a_rollback_after_a_failed_upgrade_removes_what_it_added_as_helm() {
    let client = common::client().await;
    let (ours, theirs) = (
        common::namespace(&client, "added-kd").await,
        common::namespace(&client, "added-helm").await,
    );
    let dir = tempfile::tempdir().unwrap();
    let chart = extra_chart(dir.path());
    let state = tempfile::tempdir().unwrap();
    let kubeconfig = common::sim_kubeconfig();
    let kubedeck = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["-n", &ours, "--yes"]);
        common::run_kubedeck(&args, &kubeconfig, state.path())
    };
    let helm = |args: &[&str]| {
        let mut args = args.to_vec();
        args.extend(["-n", &theirs, "--kubeconfig", kubeconfig.to_str().unwrap()]);
        common::helm_output(&args)
    };

    let (code, out, err) = kubedeck(&["deploy", "extra", "--chart", &chart]);
    assert_eq!(code, 0, "{out}{err}");
    let (ok, out) = helm(&["install", "extra", &chart, "--wait"]);
    assert!(ok, "{out}");
    let failing = ["--set", "extra=true", "--timeout", "10s"];
    let (code, out, err) = kubedeck(&[&["deploy", "extra", "--chart", &chart][..], &failing].concat());
    assert_eq!(code, 1, "the upgrade must fail its wait: {out}{err}");
    let (ok, out) = helm(&[&["upgrade", "extra", &chart, "--wait"][..], &failing].concat());
    assert!(!ok, "helm's upgrade must fail too: {out}");
    for ns in [&ours, &theirs] {
        assert_eq!(
            extra_objects(&client, ns).await,
            (true, true, true),
            "{ns}: the failed revision's objects"
        );
    }

    let (code, out, err) = kubedeck(&["rollback", "extra", "--timeout", "60s"]);
    assert_eq!(code, 0, "{out}{err}");
    let (ok, out) = helm(&["rollback", "extra", "--wait", "--timeout", "60s"]);
    assert!(ok, "{out}");
    for ns in [&ours, &theirs] {
        assert_eq!(
            extra_objects(&client, ns).await,
            (true, false, false),
            "{ns}: the rollback must remove what the failed revision added"
        );
    }
    let statuses = |ns: &str| {
        let (ok, json) = common::helm_output(&[
            "history",
            "extra",
            "-n",
            ns,
            "-o",
            "json",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ]);
        assert!(ok, "{json}");
        let rows: Vec<serde_json::Value> = serde_json::from_str(&json).unwrap();
        rows.iter()
            .map(|r| r["status"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(statuses(&ours), ["superseded", "failed", "deployed"]);
    assert_eq!(statuses(&ours), statuses(&theirs));
    common::delete_namespace(&client, &ours).await;
    common::delete_namespace(&client, &theirs).await;
}
