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

    // Without a terminal, a mutating command needs --yes.
    let (code, _, err) = kubedeck(&["uninstall", "todo", "-n", &ns], state.path(), None);
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

    let log = std::fs::read_to_string(state.path().join("audit.log")).unwrap();
    let actions: Vec<String> = log
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["action"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(
        actions,
        ["scale to 4", "scale to 2", "scale to 1001", "restart", "delete"]
    );
    common::delete_namespace(&client, &ns).await;
}
