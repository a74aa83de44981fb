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
