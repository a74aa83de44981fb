//! kubedeck as a user installs it (`cargo install`): the binary alone in a folder of its own, run from another
//! working directory with the source tree out of reach. The chart it deploys and exports is the
//! one built into the binary.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// kubedeck installed as the README says, `cargo install --locked --path . --root TMP`, into the
/// target folder `cargo test` just built in (the debug profile, and the same dependency features:
/// see Cargo.toml; the environment `cargo build` had), so it only copies kubedeck. `cargo test` has let go of the folder's
/// lock before it runs the tests, so the install cannot wait on it; a hung install still fails
/// after 20 minutes with cargo's output. The binary is then moved out of the install root into a
/// folder of its own, away from both.
fn install() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    // CARGO_BIN_EXE_kubedeck is TARGET/PROFILE/kubedeck, whatever chose TARGET.
    let built = Path::new(env!("CARGO_BIN_EXE_kubedeck"));
    let target = built.parent().and_then(Path::parent).expect("the target folder");
    let mut cargo = Command::new(env!("CARGO"));
    cargo.args(["install", "--locked", "--offline", "--path", "."]);
    if cfg!(debug_assertions) {
        cargo.arg("--debug");
    }
    // What `cargo test` sets for this test process (the package's CARGO_PKG_*, CARGO_MANIFEST_DIR,
    // ...) is not the environment the build ran in: ring's build script reruns when those
    // change, and everything above ring with it. The nested cargo gets them unset again.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_by_cargo_test = ["CARGO_PKG_", "CARGO_MANIFEST_", "CARGO_BIN_EXE_"]
            .iter()
            .any(|p| name.starts_with(p))
            || [
                "CARGO_CRATE_NAME",
                "CARGO_BIN_NAME",
                "CARGO_PRIMARY_PACKAGE",
                "CARGO_TARGET_TMPDIR",
                "CARGO_RUSTC_CURRENT_DIR",
                "OUT_DIR",
            ]
            .contains(&name.as_ref());
        if set_by_cargo_test {
            cargo.env_remove(name.as_ref());
        }
    }
    let log = root.path().join("cargo-install.log");
    let file = std::fs::File::create(&log).unwrap();
    let started = std::time::Instant::now();
    let mut child = cargo
        .arg("--root")
        .arg(root.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_TERM_COLOR", "never")
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .spawn()
        .expect("running cargo install");
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > std::time::Duration::from_secs(1200) {
            let _ = child.kill();
            let said = std::fs::read_to_string(&log).unwrap_or_default();
            panic!("cargo install took over 20 minutes (is the target folder locked?):\n{said}");
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    let said = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(status.success(), "cargo install failed ({status}):\n{said}");
    eprintln!("cargo install took {:.1?}:\n{said}", started.elapsed());
    // Anything but kubedeck compiled again means the install resolved other dependency features
    // than the test build (a dev-dependency turning one on): align them in Cargo.toml.
    let rebuilt: Vec<&str> = said
        .lines()
        .filter_map(|l| l.trim().strip_prefix("Compiling "))
        .filter(|c| !c.starts_with("kubedeck "))
        .collect();
    assert!(
        rebuilt.is_empty(),
        "cargo install rebuilt dependencies {rebuilt:?}:\n{said}"
    );
    let installed = root.path().join("bin/kubedeck");
    assert!(
        installed.is_file(),
        "cargo install left no bin/kubedeck in {}:\n{said}",
        root.path().display()
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let binary = elsewhere.path().join("kubedeck");
    std::fs::copy(&installed, &binary).expect("copying the installed kubedeck");
    (elsewhere, binary)
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
        .env("HOME", cwd)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("XDG_STATE_HOME")
        .env_remove("XDG_DATA_HOME")
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
