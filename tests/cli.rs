//! The subcommands as scripts use them: read-only mode refuses what changes the cluster, every
//! attempt lands in the audit log, and failures are one sentence with a non-zero exit.

mod common;

use std::process::Command;

fn kubedeck(args: &[&str], state: &std::path::Path, config: Option<&std::path::Path>) -> (i32, String, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_kubedeck"));
    cmd.args(args)
        .arg("--kubeconfig")
        .arg(common::sim_kubeconfig())
        .env("KUBEDECK_STATE_DIR", state)
        .env(
            "KUBEDECK_CONFIG",
            config.map_or(std::path::PathBuf::from("/nonexistent"), |c| c.to_path_buf()),
        );
    let out = cmd.output().expect("running kubedeck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn read_only_refuses_and_the_audit_log_records_each_action() {
    let client = common::client().await;
    let ns = common::namespace(&client, "cli").await;
    let state = tempfile::tempdir().unwrap();

    let (code, _, err) = kubedeck(&["--readonly", "deploy", "-n", &ns, "--yes"], state.path(), None);
    assert_eq!(code, 1);
    assert!(
        err.contains("deploy of release/todo refused") && err.contains("read-only"),
        "{err}"
    );

    // Per context, from the config file.
    let context = kube::config::Kubeconfig::read_from(common::sim_kubeconfig())
        .unwrap()
        .current_context
        .unwrap();
    let config = state.path().join("config.yaml");
    std::fs::write(&config, format!("contexts:\n  {context}:\n    readonly: true\n")).unwrap();
    let (code, _, err) = kubedeck(&["uninstall", "todo", "-n", &ns, "--yes"], state.path(), Some(&config));
    assert_eq!(code, 1);
    assert!(err.contains(&format!("context {context} is read-only")), "{err}");
    // A mistake elsewhere in the file keeps its read-only setting, and is said on stderr.
    std::fs::write(&config, "readonly: true\nmouse: maybe\n").unwrap();
    let (code, _, err) = kubedeck(&["uninstall", "todo", "-n", &ns, "--yes"], state.path(), Some(&config));
    assert_eq!(code, 1);
    assert!(err.contains("config file ignored") && err.contains("mouse"), "{err}");
    assert!(err.contains(&format!("context {context} is read-only")), "{err}");

    // Without read-only: a rollback of a release that does not exist fails in one sentence, and
    // the attempt is in the audit log.
    let (code, _, err) = kubedeck(&["rollback", "todo", "1", "-n", &ns, "--yes"], state.path(), None);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("there is no release todo here"), "{err}");
    let log = std::fs::read_to_string(state.path().join("audit.log")).expect("audit log written");
    let entry: serde_json::Value = serde_json::from_str(log.lines().last().unwrap()).unwrap();
    assert_eq!(entry["namespace"], ns.as_str());
    assert_eq!(entry["context"], context.as_str());
    assert_eq!(entry["object"], "release/todo");
    assert_eq!(entry["action"], "rollback to 1");
    assert!(
        entry["result"]
            .as_str()
            .unwrap()
            .starts_with("failed: there is no release todo"),
        "{entry}"
    );

    // A target that is not there is said before anything is asked.
    let (code, _, err) = kubedeck(&["uninstall", "todo", "-n", &ns], state.path(), None);
    assert_eq!(code, 1);
    assert!(err.contains("there is no release todo here"), "{err}");
    // Without a terminal, a mutating command on one that is there needs --yes.
    common::create_deployment(&client, &ns, "web", 1).await;
    let (code, _, err) = kubedeck(&["scale", "deploy/web", "2", "-n", &ns], state.path(), None);
    assert_eq!(code, 1);
    assert!(err.contains("pass --yes"), "{err}");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn scale_restart_and_delete_pod_from_the_command_line() {
    use k8s_openapi::api::core::v1::Pod;
    use kube::api::ListParams;
    let client = common::client().await;
    let ns = common::namespace(&client, "ops").await;
    let state = tempfile::tempdir().unwrap();
    common::create_deployment(&client, &ns, "backend", 2).await;
    let pods = kube::Api::<Pod>::namespaced(client.clone(), &ns);
    let names = || async {
        let mut n: Vec<String> = pods
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .into_iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter_map(|p| p.metadata.name)
            .collect();
        n.sort();
        n
    };

    let (code, out, err) = kubedeck(
        &["scale", "deploy/backend", "4", "-n", &ns, "--yes"],
        state.path(),
        None,
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("deploy/backend in") && out.contains("runs 4 ready replicas"),
        "{out}"
    );
    assert_eq!(names().await.len(), 4);
    let (code, out, _) = kubedeck(
        &["scale", "deploy/backend", "2", "-n", &ns, "--yes"],
        state.path(),
        None,
    );
    assert_eq!(code, 0, "{out}");

    let (code, _, err) = kubedeck(
        &["scale", "deploy/backend", "1001", "-n", &ns, "--yes"],
        state.path(),
        None,
    );
    assert_eq!(code, 1);
    assert!(err.contains("whole number from 0 to 1000"), "{err}");

    let before = names().await;
    let (code, out, err) = kubedeck(&["restart", "deploy/backend", "-n", &ns, "--yes"], state.path(), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("restarted"), "{out}");
    let after = names().await;
    assert_eq!(after.len(), 2);
    assert!(
        after.iter().all(|n| !before.contains(n)),
        "new pods: {before:?} -> {after:?}"
    );

    let victim = after[0].clone();
    let (code, out, err) = kubedeck(&["delete", "pod", &victim, "-n", &ns, "--yes"], state.path(), None);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("Ready after") && out.contains("s"),
        "replacement time measured: {out}"
    );

    // Each action: a `started` line before it ran, then its outcome.
    let log = std::fs::read_to_string(state.path().join("audit.log")).unwrap();
    let entries: Vec<(String, bool)> = log
        .lines()
        .map(|l| {
            let entry = serde_json::from_str::<serde_json::Value>(l).unwrap();
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["result"] == "started",
            )
        })
        .collect();
    let actions = ["scale to 4", "scale to 2", "scale to 1001", "restart", "delete"];
    let expected: Vec<(String, bool)> = actions
        .iter()
        .flat_map(|a| [(a.to_string(), true), (a.to_string(), false)])
        .collect();
    assert_eq!(entries, expected);
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn status_is_zero_when_healthy_and_names_the_problem_when_not() {
    let client = common::client().await;
    let ns = common::namespace(&client, "status").await;
    let state = tempfile::tempdir().unwrap();
    common::create_deployment(&client, &ns, "web", 2).await;
    common::logs::running_pods(&client, &ns, "web", 2).await;
    // The Deployment's status catches up with its pods a moment later.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let out = loop {
        let (code, out, err) = kubedeck(&["status", "-n", &ns], state.path(), None);
        if code == 0 {
            break out;
        }
        assert!(std::time::Instant::now() < deadline, "never healthy: {out}{err}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    assert!(out.starts_with(&format!("namespace {ns}: healthy")), "{out}");
    assert!(out.contains("deploy/web") && out.contains("2/2"), "{out}");

    // A pod that keeps crashing (a kwok stage does it) makes it unhealthy, in text and JSON.
    let pod: k8s_openapi::api::core::v1::Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "crasher", "labels": {"kubedeck.dev/sim-fail": "crashloop"}},
        "spec": {"containers": [{"name": "main", "image": "registry.local/crasher:1"}]}
    }))
    .unwrap();
    kube::Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), &ns)
        .create(&Default::default(), &pod)
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    let (out, err) = loop {
        let (code, out, err) = kubedeck(&["status", "-n", &ns, "-o", "json"], state.path(), None);
        if code == 1 {
            break (out, err);
        }
        assert!(std::time::Instant::now() < deadline, "never unhealthy: {out}{err}");
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    };
    let report: serde_json::Value = serde_json::from_str(&out).expect("status -o json prints JSON");
    assert_eq!(report["healthy"], false);
    let problems = report["problems"].to_string();
    assert!(problems.contains("pod crasher"), "{problems}");
    assert!(
        err.contains(&format!("namespace {ns} is unhealthy: pod crasher")),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    common::delete_namespace(&client, &ns).await;
}
