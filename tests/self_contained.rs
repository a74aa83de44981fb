//! kubedeck as a user installs it: the binary alone in a folder of its own, run from another
//! working directory with the source tree out of reach. The chart it deploys and exports is the
//! one built into the binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// The built kubedeck copied into a folder of its own, as `cargo install --root` leaves it.
/// (A nested `cargo install` would wait on the build-folder lock `cargo test` holds.)
fn install() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    std::fs::create_dir(root.path().join("bin")).unwrap();
    let binary = root.path().join("bin/kubedeck");
    std::fs::copy(env!("CARGO_BIN_EXE_kubedeck"), &binary).expect("copying the built kubedeck");
    (root, binary)
}

/// Runs the installed kubedeck in `cwd` with the source tree hidden under an empty tmpfs (a
/// mount namespace of its own), so nothing can be read from it.
fn run(binary: &Path, cwd: &Path, args: &[&str]) -> (i32, String, String) {
    let source = env!("CARGO_MANIFEST_DIR");
    let script = format!("mount -t tmpfs none '{source}' && test ! -e '{source}/Cargo.toml' && exec \"$0\" \"$@\"");
    let out = Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .arg(binary)
        .args(args)
        .current_dir(cwd)
        .env("KUBEDECK_STATE_DIR", cwd.join("state"))
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .output()
        .expect("running unshare (util-linux) as root");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test]
async fn an_installed_binary_deploys_its_embedded_chart_without_the_source_tree() {
    let client = common::client().await;
    let ns = common::namespace(&client, "installed").await;
    common::chart_volumes(&client, &ns).await;
    let (_root, binary) = install();
    let cwd = tempfile::tempdir().unwrap();
    let kubeconfig = common::sim_kubeconfig();
    let kubeconfig = kubeconfig.to_str().unwrap();

    // The chart comes out as helm reads it.
    let (code, out, err) = run(&binary, cwd.path(), &["chart", "export", "exported"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("wrote the Todo Chatbot chart"), "{out}");
    let exported = cwd.path().join("exported");
    let ci_values = exported.join("ci-values.yaml");
    let lint = common::helm(&["lint", exported.to_str().unwrap(), "-f", ci_values.to_str().unwrap()]);
    assert!(lint.contains("0 chart(s) failed"), "{lint}");
    let (code, _, err) = run(&binary, cwd.path(), &["chart", "export", "exported"]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("already exists"), "{err}");

    // The embedded chart with a values name deploys; helm sees the release.
    let (code, out, err) = run(
        &binary,
        cwd.path(),
        &[
            "deploy",
            "todo",
            "-f",
            "local",
            "-f",
            "exported/ci-values.yaml",
            "-n",
            &ns,
            "--kubeconfig",
            kubeconfig,
            "--timeout",
            "3m",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "deploy failed:\n{out}\n{err}");
    let history = common::helm(&["history", "todo", "-n", &ns, "-o", "json"]);
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history[0]["revision"], 1, "{history}");
    assert_eq!(history[0]["status"], "deployed", "{history}");
    assert_eq!(history[0]["chart"], "todo-chatbot-0.1.0", "{history}");

    // history -o yaml|json as helm history prints them.
    for format in ["yaml", "json"] {
        let (code, out, err) = run(
            &binary,
            cwd.path(),
            &["history", "todo", "-o", format, "-n", &ns, "--kubeconfig", kubeconfig],
        );
        assert_eq!(code, 0, "{err}");
        let ours: serde_yaml::Value = serde_yaml::from_str(&out).unwrap();
        assert_eq!(ours[0]["revision"], serde_yaml::Value::from(1), "{out}");
        assert_eq!(ours[0]["status"], serde_yaml::Value::from("deployed"), "{out}");
    }

    // The release name as helm spells it: positional, the same as --release.
    let (code, out, err) = run(
        &binary,
        cwd.path(),
        &[
            "deploy",
            "other",
            "-f",
            "local",
            "-f",
            ci_values.to_str().unwrap(),
            "-n",
            &ns,
            "--kubeconfig",
            kubeconfig,
            "--dry-run",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with(&format!("release other in {ns}: revision 1 would")),
        "{out}"
    );

    // A duration helm would not take is one sentence, exit 1, and no new revision.
    for args in [
        vec!["deploy", "--release", "todo", "-f", "local", "--timeout", "5x", "--yes"],
        vec!["rollback", "todo", "--timeout", "1d", "--yes"],
    ] {
        let mut args = args.clone();
        args.extend(["-n", &ns, "--kubeconfig", kubeconfig]);
        let (code, _, err) = run(&binary, cwd.path(), &args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one sentence: {err}");
        assert!(err.contains("is not a duration"), "{err}");
    }
    let history = common::helm(&["history", "todo", "-n", &ns, "-o", "json"]);
    let history: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(history.as_array().map(Vec::len), Some(1), "{history}");
    common::delete_namespace(&client, &ns).await;
}
