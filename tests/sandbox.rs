//! The first five minutes on a machine with no cluster: the no-cluster screen offers the Minikube
//! wizard and the local sandbox, and `kubedeck sandbox` (reached with B from that screen) builds
//! and starts its own cluster, deploys the chart and opens the dashboard on it. Needs the sim
//! build cached (`scripts/sim build --real-node`, which `scripts/test` runs first) and root.

mod common;

use std::ffi::OsStr;
use std::path::PathBuf;
use std::time::Duration;

use common::pty::Tui;

/// The sim's cache with its build, as the developer's own runs left it.
fn sim_cache() -> PathBuf {
    let cache = std::env::var_os("KUBEDECK_SIM_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").expect("HOME");
            PathBuf::from(home).join(".cache/kubedeck/sim")
        });
    assert!(
        kubedeck::actions::sandbox::build_cached(&cache),
        "the sim build is not cached in {}: run scripts/sim build --real-node (scripts/test does) first",
        cache.display()
    );
    cache
}

/// Removes the sandbox however the test ends, so a failure never leaves a cluster behind.
struct Sandbox {
    name: String,
    cache: PathBuf,
}

impl Sandbox {
    fn kubedeck(&self, args: &[&str]) -> std::process::Output {
        std::process::Command::new(env!("CARGO_BIN_EXE_kubedeck"))
            .args(args)
            .env("KUBEDECK_SIM_CACHE", &self.cache)
            .env("KUBEDECK_SANDBOX_NAME", &self.name)
            .env_remove("KUBECONFIG")
            .output()
            .expect("running kubedeck")
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.kubedeck(&["sandbox", "down"]);
    }
}

#[test]
fn without_go_the_no_cluster_screen_says_what_the_sandbox_needs() {
    let kubeconfig = common::closed_port_kubeconfig();
    // No Go on PATH, and (HOME is an empty folder) no cached build: the sandbox cannot be built.
    let path = OsStr::new("/usr/sbin:/usr/bin:/sbin:/bin");
    let mut tui = Tui::spawn_with_env(
        &[],
        &kubeconfig,
        &[("PATH", path), ("KUBEDECK_SIM_CACHE", OsStr::new("/nonexistent/sim"))],
    );
    let screen = tui.wait_for(
        &["Cannot reach the cluster", "Press S for the first-run wizard"],
        Duration::from_secs(20),
    );
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("No local sandbox (B) here:") && flat.contains("needs Go 1.26.4"),
        "{screen}"
    );
    assert!(!flat.contains("Or press B for a sandbox"), "{screen}");
    // B says the same and leaves the dashboard where it is.
    tui.type_str("B");
    std::thread::sleep(Duration::from_millis(500));
    let screen = tui.wait_for(&["Cannot reach the cluster"], Duration::from_secs(5));
    assert!(
        tui.alternate_screen(),
        "B without Go must not leave the dashboard:\n{screen}"
    );
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}

#[test]
fn b_on_the_no_cluster_screen_builds_the_sandbox_and_opens_the_chart_in_it() {
    let cache = sim_cache();
    let sandbox = Sandbox {
        name: format!("kd-sbx-{}", std::process::id()),
        cache: cache.clone(),
    };
    let kubeconfig = common::closed_port_kubeconfig();
    let env = [
        ("KUBEDECK_SIM_CACHE", cache.as_os_str()),
        ("KUBEDECK_SANDBOX_NAME", OsStr::new(&sandbox.name)),
    ];
    let mut tui = Tui::spawn_with_env(&[], &kubeconfig, &env);
    let screen = tui.wait_for(
        &["Cannot reach the cluster", "Press S for the first-run wizard"],
        Duration::from_secs(20),
    );
    let flat = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        flat.contains("Or press B for a sandbox: a local cluster with the Todo Chatbot"),
        "{screen}"
    );

    tui.type_str("B");
    // The progress view, below the prompt, while the steps run.
    let progress = tui.wait_for(
        &[&format!("kubedeck sandbox {}", sandbox.name), "steps done"],
        Duration::from_secs(60),
    );
    assert!(
        progress.contains("Kubernetes v1.36.3") && progress.contains("the Todo Chatbot chart"),
        "{progress}"
    );
    // Then the dashboard on the sandbox, with the release deployed and its pods.
    // (The header names the sandbox's own context: never one of the user's.)
    let context = format!("ctx kwok-{}", sandbox.name);
    let dashboard = tui.wait_for(
        &[&context, "release todo rev 1 deployed", "Running"],
        Duration::from_secs(300),
    );
    assert!(dashboard.contains("redis"), "the chart's pods:\n{dashboard}");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked());

    // Its kubeconfig is its own and its server listens on loopback only.
    let kubeconfig = kubedeck::actions::sandbox::kubeconfig(&cache, &sandbox.name);
    let text = std::fs::read_to_string(&kubeconfig).expect("the sandbox's kubeconfig");
    assert!(text.contains("server: https://127.0.0.1:"), "{text}");

    // Without a terminal: one line per step, nothing rebuilt, and how to open the dashboard.
    let out = sandbox.kubedeck(&["sandbox", "--no-dashboard"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}{}", String::from_utf8_lossy(&out.stderr));
    assert!(
        stdout.contains("[5/13] Kubernetes v1.36.3") && stdout.contains("ready (cached)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("[13/13] the Todo Chatbot chart (release todo, namespace todo): done in"),
        "{stdout}"
    );
    assert!(
        stdout.contains(&format!(
            "open it with: kubedeck --kubeconfig {} -n todo",
            kubeconfig.display()
        )),
        "{stdout}"
    );

    let out = sandbox.kubedeck(&["sandbox", "down"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!kubeconfig.exists(), "sandbox down leaves {}", kubeconfig.display());
}
