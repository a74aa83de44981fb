//! `kubedeck test RELEASE` against the real helm on the sim cluster's real node: the chart's test
//! pods call the backend, frontend, MCP server and Redis for real; kubedeck records each run in
//! the release as helm does, so `helm status` shows the same TEST SUITE lines after either tool;
//! a failing test exits 1; bad input is one sentence. Fails, never skips, without the real node.

mod common;

use std::time::Duration;

use common::helm;
use common::real_node::{self, kubedeck};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;

/// `helm status`'s TEST SUITE blocks as (name, phase), times left out: they differ by run.
fn test_suite(ns: &str) -> Vec<(String, String)> {
    let status = helm(&["status", "todo", "-n", ns]);
    let lines: Vec<&str> = status.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, l)| l.strip_prefix("TEST SUITE:     ").map(|name| (i, name)))
        .map(|(i, name)| {
            let phase = lines[i + 3].strip_prefix("Phase:          ").expect("a Phase line");
            (name.to_owned(), phase.to_owned())
        })
        .collect()
}

/// The pod IP of a component's one ready pod.
async fn pod_ip(client: &kube::Client, ns: &str, component: &str) -> String {
    let pods = real_node::ready_pods(client, ns, &format!("app.kubernetes.io/component={component}")).await;
    let ip = pods.first().and_then(|p| p.status.as_ref()?.pod_ip.clone());
    ip.unwrap_or_else(|| panic!("no ready {component} pod with an IP in {ns}"))
}

const BACKEND_TEST: &str = "todo-todo-chatbot-backend-test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kubedeck_test_runs_the_charts_tests_and_records_them_as_helm_test_does() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-helm-test").await;
    let (code, out, err) = kubedeck(&["deploy", "-n", &ns, "-f", "sim", "--yes", "--timeout", "180"]);
    assert_eq!(code, 0, "deploy -f sim:\n{out}{err}");
    // No DNS and no kube-proxy on the sim: the tests are told the pods' addresses.
    let mut set = Vec::new();
    for (key, component) in [
        ("frontend", "frontend"),
        ("backend", "backend"),
        ("mcpServer", "mcp-server"),
        ("redis", "redis"),
    ] {
        set.push(format!(
            "tests.podAddresses.{key}={}",
            pod_ip(&client, &ns, component).await
        ));
    }
    let mut args = vec!["deploy", "-n", &ns, "-f", "sim", "--yes", "--timeout", "180"];
    for s in &set {
        args.extend(["--set", s.as_str()]);
    }
    let (code, out, err) = kubedeck(&args);
    assert_eq!(code, 0, "deploy with the pod addresses:\n{out}{err}");

    // Before any run, helm lists no TEST SUITE block (the hooks never ran).
    assert_eq!(test_suite(&ns), Vec::<(String, String)>::new());
    let helm_said = helm(&["test", "todo", "-n", &ns, "--timeout", "120s"]);
    let after_helm = test_suite(&ns);
    assert_eq!(after_helm.len(), 4, "{helm_said}");
    assert!(
        after_helm.iter().all(|(_, phase)| phase == "Succeeded"),
        "{after_helm:?}"
    );

    let (code, out, err) = kubedeck(&["test", "todo", "-n", &ns, "--timeout", "2m", "--logs"]);
    assert_eq!(code, 0, "kubedeck test:\n{out}{err}");
    assert_eq!(test_suite(&ns), after_helm, "helm status after kubedeck test");
    for (name, _) in &after_helm {
        assert!(out.contains(&format!("TEST SUITE:     {name}\n")), "{out}");
    }
    // --logs shows what each test pod printed, although hook-succeeded deleted the pods:
    // the backend stand-in's /health body.
    assert!(out.contains(&format!("POD LOGS: {BACKEND_TEST}\n")), "{out}");
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    assert!(
        pods.get_opt(BACKEND_TEST).await.expect("get").is_none(),
        "hook-succeeded keeps no pod"
    );

    // The backend gone: its test fails, kubedeck exits 1 and names it, helm status agrees with
    // helm test's own run on the same state, and hook-succeeded keeps the failed pod to read.
    let (code, out, err) = kubedeck(&["scale", "-n", &ns, "deploy/todo-todo-chatbot-backend", "0", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    // Its pods keep serving through their preStop sleep: wait until they are gone.
    let backend = kube::api::ListParams::default().labels("app.kubernetes.io/component=backend");
    let deadline = std::time::Instant::now() + Duration::from_secs(120);
    while !pods.list(&backend).await.expect("list").items.is_empty() {
        assert!(
            std::time::Instant::now() < deadline,
            "backend pods still there after 120 s"
        );
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let filter = format!("name={BACKEND_TEST}");
    let (ok, helm_failed) = common::helm_output(&[
        "test",
        "todo",
        "-n",
        &ns,
        "--filter",
        &filter,
        "--timeout",
        "60s",
        "--kubeconfig",
        common::sim_kubeconfig().to_str().expect("utf-8"),
    ]);
    assert!(!ok, "helm test should fail:\n{helm_failed}");
    let after_helm = test_suite(&ns);
    let (code, out, err) = kubedeck(&["test", "todo", "-n", &ns, "--filter", &filter, "--timeout", "60s"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.contains(&format!("test {BACKEND_TEST} failed: the Pod failed")),
        "{err}"
    );
    assert!(out.contains("Phase:          Failed"), "{out}");
    assert_eq!(test_suite(&ns), after_helm, "helm status after a failed kubedeck test");
    assert!(
        after_helm.contains(&(BACKEND_TEST.to_owned(), "Failed".to_owned())),
        "{after_helm:?}"
    );
    assert!(
        pods.get_opt(BACKEND_TEST).await.expect("get").is_some(),
        "a failed test pod stays"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_test_input_is_one_sentence_and_read_only_refuses() {
    let client = common::client().await;
    let ns = common::namespace(&client, "helm-test-input").await;
    let cases: [(&[&str], &str); 4] = [
        (
            &["--filter", "kind=Pod"],
            "--filter \"kind=Pod\" is not a test filter: write name=TEST to run only TEST, or '!name=TEST' to skip it",
        ),
        (
            &["--timeout", "five"],
            "--timeout \"five\" is not a duration: write it as helm does, e.g. 90s, 5m or 1h30m",
        ),
        (
            &[],
            "release todo not found in namespace NS: check the name (kubedeck history) or pick the namespace with -n",
        ),
        (
            &["--readonly"],
            "test of release/todo refused: context kwok-SIM is read-only (--readonly, or readonly in the config file)",
        ),
    ];
    let sim = std::env::var("KUBEDECK_SIM_NAME").unwrap_or_else(|_| "kubedeck".into());
    for (extra, want) in cases {
        let mut args = vec!["test", "todo", "-n", &ns];
        args.extend(extra);
        let (code, out, err) = kubedeck(&args);
        let want = want.replace("NS", &ns).replace("SIM", &sim);
        assert_eq!(
            (code, err.trim()),
            (1, format!("kubedeck: {want}").as_str()),
            "{args:?}: {out}"
        );
    }
    // Nothing was left behind by the refusals.
    let left = Api::<Pod>::namespaced(client.clone(), &ns)
        .list(&Default::default())
        .await
        .expect("list");
    assert!(left.items.is_empty());
    common::delete_namespace(&client, &ns).await;
}
