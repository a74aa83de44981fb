//! The guided demos, end to end on the sim cluster against a deployed Todo Chatbot, each ending
//! with its measured result; and the guard that keeps them off clusters that do not look local.

mod common;

use kubedeck::actions::deploy;

/// A namespace with the chart deployed (local values, test secrets, volumes for the claims).
async fn deployed(prefix: &str) -> (kube::Client, String) {
    let client = common::client().await;
    let ns = common::namespace(&client, prefix).await;
    common::chart_volumes(&client, &ns).await;
    let progress = |_: String| {};
    deploy::deploy(&client, &common::chart_request(&ns, &[]), &progress)
        .await
        .expect("deploying the chart");
    (client, ns)
}

/// `kubedeck demo ARGS` against the sim: exit code, stdout, stderr.
fn demo(args: &[&str], kubeconfig: &std::path::Path) -> (i32, String, String) {
    let state = std::env::temp_dir().join("kubedeck-test-demo-state");
    let args: Vec<&str> = ["demo"].into_iter().chain(args.iter().copied()).collect();
    common::run_kubedeck(&args, kubeconfig, &state)
}

#[tokio::test]
async fn self_healing_scaling_and_rollback_report_what_they_measured() {
    let (client, ns) = deployed("demo").await;
    let kubeconfig = common::sim_kubeconfig();
    let (code, out, err) = demo(&["self-healing", "-n", &ns, "--yes"], &kubeconfig);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Self-healing: backend pod ") && last.contains("Ready after"),
        "{out}"
    );
    assert!(
        out.starts_with("Self-healing: delete a backend pod."),
        "narrates first:\n{out}"
    );

    let (code, out, err) = demo(&["scaling", "-n", &ns, "--yes"], &kubeconfig);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("4 of 4 ready"), "{out}");
    assert!(
        out.lines().last().unwrap_or_default().contains("had 4 Ready replicas"),
        "{out}"
    );

    let (code, out, err) = demo(&["rollback", "-n", &ns, "--yes"], &kubeconfig);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.lines()
            .last()
            .unwrap_or_default()
            .contains("\"Rollback to 1\" is revision 3"),
        "{out}"
    );
    let history = kubedeck::actions::release_store::ReleaseStore::new(client.clone(), &ns, "todo")
        .history()
        .await
        .unwrap();
    let described: Vec<&str> = history.iter().map(|r| r.info.description.as_str()).collect();
    assert_eq!(described.last(), Some(&"Rollback to 1"), "{described:?}");
    // The demo's revision kept the release's values (the test secrets) and changed only the tag.
    assert_eq!(history[1].config["secrets"], history[0].config["secrets"]);

    // kwok pods run no Redis: the persistence demo says so instead of pretending.
    let (code, _, err) = demo(&["persistence", "-n", &ns, "--yes"], &kubeconfig);
    assert_eq!(code, 1);
    assert!(err.contains("needs a real cluster"), "{err}");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn autoscaling_adds_backend_replicas_under_load() {
    let (client, ns) = deployed("demo-hpa").await;
    let (code, out, err) = demo(&["autoscaling", "-n", &ns, "--yes"], &common::sim_kubeconfig());
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Autoscaling: HPA ") && last.contains("from 2 to"),
        "{out}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_demo_asks_before_touching_a_context_that_does_not_look_local() {
    let (client, ns) = deployed("demo-guard").await;
    // The sim's kubeconfig with its context renamed to something that sounds like production.
    let text = std::fs::read_to_string(common::sim_kubeconfig()).unwrap();
    let context = kube::config::Kubeconfig::read_from(common::sim_kubeconfig())
        .unwrap()
        .current_context
        .unwrap();
    let prod = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(prod.path(), text.replace(&context, "gke_shop_prod")).unwrap();
    let before = common::logs::running_pods_with(&client, &ns, "app.kubernetes.io/component=backend").await;
    let (code, _, err) = demo(&["self-healing", "-n", &ns], prod.path());
    assert_eq!(code, 1);
    assert!(
        err.contains("gke_shop_prod does not look like a local cluster") && err.contains("--yes"),
        "{err}"
    );
    let after = common::logs::running_pods_with(&client, &ns, "app.kubernetes.io/component=backend").await;
    assert_eq!(before, after, "no pod was deleted");
    common::delete_namespace(&client, &ns).await;
}
