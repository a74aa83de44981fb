//! Log tail on the sim cluster: `kubedeck logs` and the dashboard's `l`, reading kwok pod logs
//! that grow while we watch.

mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::logs::{LogsProcess, running_pods};
use common::pty::Tui;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::DeleteParams;

#[tokio::test]
async fn follow_prints_every_line_in_order_while_the_log_grows() {
    let client = common::client().await;
    let ns = common::namespace(&client, "logs-follow").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pod = running_pods(&client, &ns, "web", 1).await.remove(0);
    let file = common::pod_log_file(&ns, &pod);
    common::append_log(&file, &["before the tail 1", "before the tail 2"]);

    let logs = LogsProcess::start(&[&pod, "-n", &ns, "-f", "--tail", "1"]);
    let first = logs.read_until("before the tail 2", Duration::from_secs(20));
    assert!(
        !first.iter().any(|l| l.contains("before the tail 1")),
        "--tail 1 starts at the last line: {first:?}"
    );
    // Three bursts while following; every line must come, once, in order.
    let mut expected = Vec::new();
    for burst in 0..3 {
        let lines: Vec<String> = (0..200).map(|i| format!("burst {burst} line {i:03}")).collect();
        let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
        common::append_log(&file, &refs);
        expected.extend(lines);
        std::thread::sleep(Duration::from_millis(300));
    }
    let got = logs.read_until("burst 2 line 199", Duration::from_secs(30));
    assert_eq!(got, expected, "lines lost, doubled or out of order");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_workload_tail_interleaves_pods_and_picks_up_a_replacement_pod() {
    let client = common::client().await;
    let ns = common::namespace(&client, "logs-workload").await;
    common::create_deployment(&client, &ns, "api", 2).await;
    let pods = running_pods(&client, &ns, "api", 2).await;
    let files: Vec<_> = pods.iter().map(|p| common::pod_log_file(&ns, p)).collect();

    let logs = LogsProcess::start(&["deploy/api", "-n", &ns, "-f", "--tail", "0"]);
    // Lines of both pods arrive, each prefixed with its pod and container.
    for (pod, file) in pods.iter().zip(&files) {
        let marker = format!("hello from {pod}");
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            common::append_log(file, &[&marker]);
            match logs.out.recv_timeout(Duration::from_secs(2)) {
                Ok(line) if line.contains(&marker) => {
                    assert_eq!(line, format!("{pod}/main {marker}"));
                    break;
                }
                _ => assert!(Instant::now() < deadline, "no line from {pod}"),
            }
        }
    }

    // Delete one pod: its stream stops, the Deployment's replacement joins the tail.
    Api::<Pod>::namespaced(client.clone(), &ns)
        .delete(&pods[0], &DeleteParams::default().grace_period(0))
        .await
        .unwrap();
    logs.stderr_until(&format!("pod {} is going away", pods[0]), Duration::from_secs(30));
    let joined = logs.stderr_until("joined", Duration::from_secs(60));
    let newcomer = joined
        .last()
        .and_then(|l| l.split_whitespace().nth(2))
        .expect("the joined notice names the pod")
        .to_owned();
    assert!(!pods.contains(&newcomer), "a new pod: {newcomer}");
    // The newcomer has no log file of its own yet: kwok serves it the sim's default log.
    let default_log = std::path::PathBuf::from(common::sim(&["logdir"])).join("default.log");
    let marker = format!("after the replacement in {ns}");
    let deadline = Instant::now() + Duration::from_secs(40);
    loop {
        common::append_log(&default_log, &[&marker]);
        match logs.out.recv_timeout(Duration::from_secs(2)) {
            Ok(line) if line == format!("{newcomer}/main {marker}") => break,
            _ => assert!(Instant::now() < deadline, "no line from the replacement {newcomer}"),
        }
    }
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn bad_targets_fail_with_one_sentence() {
    let client = common::client().await;
    let ns = common::namespace(&client, "logs-bad").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    running_pods(&client, &ns, "web", 1).await;
    for (args, says) in [
        (vec!["no-such-pod"], "pod no-such-pod in"),
        (vec!["deploy/ghost"], "deploy/ghost in"),
        (vec!["svc/web"], "is not a log target"),
        (vec!["x", "--since", "five minutes"], "is not a duration"),
        // Every stream refused and no line shown: a failure, as kubectl's, not a quiet exit 0.
        (vec!["deploy/web", "-c", "nope"], "container nope is not valid for pod"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
            .arg("logs")
            .args(&args)
            .args(["-n", &ns])
            .env("KUBECONFIG", common::sim_kubeconfig())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {stderr}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert_eq!(stderr.trim().lines().count(), 1, "one sentence: {stderr}");
    }
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn the_log_view_follows_pauses_searches_and_draws_escapes_harmlessly() {
    let client = common::client().await;
    let ns = common::namespace(&client, "logs-tui").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pod = running_pods(&client, &ns, "web", 1).await.remove(0);
    let file = common::pod_log_file(&ns, &pod);
    common::append_log(&file, &["startup complete"]);

    let mut tui = Tui::spawn(&["-n", &ns], &common::sim_kubeconfig());
    tui.wait_for(&[&pod], Duration::from_secs(30));
    tui.type_str("l");
    tui.wait_for(
        &["Logs of pod/", "startup complete", "following"],
        Duration::from_secs(20),
    );

    let evil = [
        "\x1b[2J\x1b[Hcleared?",
        "\x1b[5;5Hmoved?",
        "\x1b]0;pwned-title\x07title?",
        "\x1b]52;c;c2VjcmV0\x07clipboard?",
        "\x1b[31mred error\x1b[0m end",
    ];
    common::append_log(&file, &evil);
    let screen = tui.wait_for(
        &["cleared?", "moved?", "title?", "clipboard?", "red error end"],
        Duration::from_secs(20),
    );
    assert!(screen.contains("startup complete"), "nothing was cleared:\n{screen}");
    let escapes = tui.escapes();
    assert!(escapes.titles.iter().all(|t| !t.contains("pwned")), "{escapes:?}");
    assert!(escapes.clipboard.is_empty(), "{escapes:?}");

    // Paused, the view stays where it is and new lines are counted below it; Space follows again.
    let filler: Vec<String> = (0..60).map(|i| format!("filler {i:02}")).collect();
    common::append_log(&file, &filler.iter().map(String::as_str).collect::<Vec<_>>());
    tui.wait_for(&["filler 59"], Duration::from_secs(20));
    tui.type_str(" ");
    tui.wait_for(&["paused, 0 new"], Duration::from_secs(5));
    common::append_log(&file, &["while paused 1", "while paused 2"]);
    let screen = tui.wait_for(&["paused, 2 new"], Duration::from_secs(20));
    assert!(!screen.contains("while paused 2"), "{screen}");
    tui.type_str(" ");
    tui.wait_for(&["following", "while paused 2"], Duration::from_secs(5));

    // Search, then filter to matching lines only.
    tui.type_str("/paused\r");
    tui.wait_for(&["search /paused/"], Duration::from_secs(5));
    tui.type_str("f");
    let screen = tui.wait_for(&["only lines matching /paused/"], Duration::from_secs(5));
    assert!(!screen.contains("filler 59"), "filtered out:\n{screen}");
    assert!(screen.contains("while paused 1"), "{screen}");

    tui.type_str("\x1b");
    tui.wait_for(&["Pods"], Duration::from_secs(5));
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    common::delete_namespace(&client, &ns).await;
}
