//! kubedeck as a user meets it, in a pseudo-terminal: the first screen, the error screens, and a
//! terminal left in cooked mode on every way out.

mod common;

use std::time::Duration;

use common::pty::Tui;

#[test]
fn closed_port_shows_the_error_screen_and_q_exits_cleanly() {
    let kubeconfig = common::closed_port_kubeconfig();
    let mut tui = Tui::spawn(&[], &kubeconfig);
    let screen = tui.wait_for(
        &["Cannot reach the cluster", "connection refused", "closed-port"],
        Duration::from_secs(20),
    );
    assert!(screen.contains("trying again in"), "says it retries:\n{screen}");
    assert!(tui.alternate_screen());
    assert!(!tui.is_cooked(), "the dashboard runs in raw mode");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked(), "terminal left in raw mode after q");
    assert!(tui.left_alternate_screen(), "alternate screen not left after q");
}

#[test]
fn missing_kubeconfig_says_what_to_do() {
    let missing = std::env::temp_dir().join("kubedeck-no-such-kubeconfig");
    let mut tui = Tui::spawn(&["--kubeconfig", missing.to_str().unwrap()], &missing);
    let screen = tui.wait_for(&["No kubeconfig at", "--kubeconfig"], Duration::from_secs(20));
    assert!(!screen.contains("panicked"), "{screen}");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked());
}

#[test]
fn unknown_context_lists_the_known_ones() {
    let kubeconfig = common::closed_port_kubeconfig();
    let mut tui = Tui::spawn(&["--context", "prod"], &kubeconfig);
    tui.wait_for(
        &["no context named \"prod\"", "Known contexts: closed-port"],
        Duration::from_secs(20),
    );
    tui.type_str("\x03"); // Ctrl-C
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked());
}

#[test]
fn sigterm_restores_the_terminal() {
    let kubeconfig = common::closed_port_kubeconfig();
    let mut tui = Tui::spawn(&[], &kubeconfig);
    tui.wait_for(&["Cannot reach the cluster"], Duration::from_secs(20));
    tui.signal(libc::SIGTERM);
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked(), "terminal left in raw mode after SIGTERM");
    assert!(tui.left_alternate_screen());
}

#[test]
fn first_screen_shows_the_pods_of_the_sim_cluster() {
    let kubeconfig = common::sim_kubeconfig();
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (client, ns) = rt.block_on(async {
        let client = common::client().await;
        let ns = common::namespace(&client, "pty").await;
        common::create_deployment(&client, &ns, "frontend", 2).await;
        (client, ns)
    });
    let mut tui = Tui::spawn(&["-n", &ns], &kubeconfig);
    let screen = tui.wait_for(
        &["frontend-", "Running", "● live", &format!("Pods ({ns}) [2]")],
        Duration::from_secs(60),
    );
    assert!(
        screen.contains("k8s v1.36"),
        "header shows the server version:\n{screen}"
    );
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked(), "terminal left in raw mode after q");
    assert!(tui.left_alternate_screen());
    rt.block_on(common::delete_namespace(&client, &ns));
}

#[test]
fn a_broken_config_file_is_explained_and_kubedeck_still_starts() {
    let kubeconfig = common::closed_port_kubeconfig();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "theme: dark\ntehme: light\n").unwrap();
    let mut tui = Tui::spawn(&["--config", config.to_str().unwrap()], &kubeconfig);
    let screen = tui.wait_for(
        &[
            "config file ignored, using defaults",
            "unknown field `tehme`",
            "Cannot reach the cluster",
        ],
        Duration::from_secs(20),
    );
    assert!(screen.contains("Cannot reach the cluster"), "{screen}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "theme: dark\ntehme: light\n",
        "the file is left as it was"
    );
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}

#[tokio::test]
async fn read_only_mode_hides_and_refuses_every_key_that_changes_the_cluster() {
    let client = common::client().await;
    let ns = common::namespace(&client, "readonly-keys").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pod = common::logs::running_pods(&client, &ns, "web", 1).await.remove(0);
    let mut tui = Tui::spawn(&["--readonly", "-n", &ns], &common::sim_kubeconfig());
    let screen = tui.wait_for(&[&pod, "Running"], Duration::from_secs(30));
    assert!(!screen.contains("deploy a chart"), "d is not offered:\n{screen}");
    assert!(!screen.contains("delete the pod"), "Ctrl-D is not offered:\n{screen}");
    // Every mutating key, on the pane where it would apply; nothing may open a prompt or a plan.
    // Keys are handled in order: `?` after each one opens the help only once that key was
    // handled and drawn, so the test waits for that frame, not for a fixed time. A key that
    // opened a prompt would take the `?` as text, and the help would never come.
    for keys in ["d", "\x04", "5s", "5R"] {
        tui.type_str(&format!("{keys}?"));
        let screen = tui.wait_for(&[" Keys: "], Duration::from_secs(10));
        assert!(
            !screen.contains("replicas:") && !screen.contains("Confirm") && !screen.contains("deploy [RELEASE"),
            "{keys:?} was not refused:\n{screen}"
        );
        // Esc alone (a key right after it would read as Alt-key) closes the help; then Pods.
        tui.type_str("\x1b");
        tui.poll_until(Duration::from_secs(10), |s| !s.contains(" Keys: "))
            .expect("Esc closes the help");
        tui.type_str("1");
    }
    tui.type_str("?");
    let help = tui.wait_for(&[" Keys: ", "quit"], Duration::from_secs(5));
    assert!(
        !help.contains("scale the workload") && !help.contains("restart the workload"),
        "{help}"
    );
    tui.type_str("\x1b");
    tui.poll_until(Duration::from_secs(10), |s| !s.contains(" Keys: "))
        .expect("Esc closes the help");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    // The pod is still there, unchanged.
    assert_eq!(common::logs::running_pods(&client, &ns, "web", 1).await, [pod]);
    common::delete_namespace(&client, &ns).await;
}

/// The header line of the Pods table on `screen`.
fn pods_header(screen: &str) -> String {
    screen
        .lines()
        .find(|l| l.contains("NAME") && l.contains("READY") && l.contains("STATUS"))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn hidden_columns_and_wide_mode_are_remembered_in_the_config_file() {
    let client = common::client().await;
    let ns = common::namespace(&client, "cols").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pod = common::logs::running_pods(&client, &ns, "web", 1).await.remove(0);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(
        &config,
        "# my settings\ntheme: dark # easier on the eyes\nkeys:\n  help: '?'\n",
    )
    .unwrap();
    let args = ["--config", config.to_str().unwrap(), "-n", &ns];
    let mut tui = Tui::spawn(&args, &common::sim_kubeconfig());
    tui.wait_for(&[&pod, "Running"], Duration::from_secs(30));
    tui.type_str("z");
    let screen = tui.wait_for(&["AGE"], Duration::from_secs(5));
    assert!(!pods_header(&screen).contains("NOMINATED NODE"), "{screen}");

    // :cols, down to AGE (NAMESPACE, NAME, READY, STATUS, RESTARTS, AGE), Space hides it.
    tui.type_str(":cols\r");
    tui.wait_for(&["Columns of Pods", "[x] AGE"], Duration::from_secs(5));
    tui.type_str("jjjjj ");
    tui.wait_for(&["[ ] AGE"], Duration::from_secs(5));
    tui.type_str("\x1b");
    std::thread::sleep(Duration::from_millis(300));
    tui.type_str("W");
    let screen = tui.wait_for(&["NOMINATED NODE", "READINESS GATES"], Duration::from_secs(5));
    let header = pods_header(&screen);
    assert!(!header.contains("AGE") && header.contains("NOMINATED NODE"), "{screen}");
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);

    let saved = std::fs::read_to_string(&config).unwrap();
    assert!(
        saved.starts_with("# my settings\ntheme: dark # easier on the eyes\nkeys:\n  help: '?'\n"),
        "the user's settings and comments stay:\n{saved}"
    );
    assert!(
        saved.contains("columns:") && saved.contains("AGE") && saved.contains("wide: true"),
        "{saved}"
    );

    // Started again: the same columns, without touching anything.
    let mut tui = Tui::spawn(&args, &common::sim_kubeconfig());
    tui.wait_for(&[&pod, "Running"], Duration::from_secs(30));
    tui.type_str("z");
    let screen = tui.wait_for(&["NOMINATED NODE"], Duration::from_secs(5));
    assert!(!pods_header(&screen).contains("AGE"), "{screen}");
    assert!(
        !screen.contains("config:"),
        "the saved file reads back without a problem:\n{screen}"
    );
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    common::delete_namespace(&client, &ns).await;
}
