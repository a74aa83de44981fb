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
    let backend = "app.kubernetes.io/component=backend";
    let before = pods_not_deleted(&client, &ns, backend).await;
    let (code, out, err) = demo(&["self-healing", "-n", &ns, "--yes"], &kubeconfig);
    assert_eq!(code, 0, "{out}{err}");
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("Self-healing: backend pod ") && last.contains("Ready after"),
        "{out}"
    );
    // Not only the sentence: the pod it named is gone and a new one took its place.
    let deleted = last
        .trim_start_matches("Self-healing: backend pod ")
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert!(before.contains(&deleted), "{deleted} was a backend pod: {before:?}");
    let after = pods_not_deleted(&client, &ns, backend).await;
    assert_eq!(after.len(), before.len(), "as many backend pods as before: {after:?}");
    assert!(!after.contains(&deleted), "{deleted} was replaced: {after:?}");
    assert!(
        after.iter().any(|p| !before.contains(p)),
        "a new pod: {before:?} -> {after:?}"
    );

    let bounds_before = hpa_bounds(&client, &ns).await;
    let frontend_before = replicas(&client, &ns, "todo-todo-chatbot-frontend").await;
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
    // And the replicas and HPA bounds are back where they were.
    assert_eq!(hpa_bounds(&client, &ns).await, bounds_before, "HPA bounds restored");
    if !bounds_before.iter().any(|(name, _, _)| name.contains("frontend")) {
        assert_eq!(
            replicas(&client, &ns, "todo-todo-chatbot-frontend").await,
            frontend_before,
            "frontend replicas restored"
        );
    }

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
    let bounds = hpa_bounds(&client, &ns).await;
    let (code, out, err) = demo(&["autoscaling", "-n", &ns, "--yes"], &common::sim_kubeconfig());
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        hpa_bounds(&client, &ns).await,
        bounds,
        "the demo leaves the HPA's bounds as they were"
    );
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

/// Each HPA's (name, min, max).
async fn hpa_bounds(client: &kube::Client, ns: &str) -> Vec<(String, i32, i32)> {
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    let list = kube::Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), ns)
        .list(&Default::default())
        .await
        .expect("listing HPAs");
    let mut bounds: Vec<(String, i32, i32)> = list
        .items
        .into_iter()
        .filter_map(|h| {
            let spec = h.spec;
            Some((h.metadata.name?, spec.min_replicas.unwrap_or(1), spec.max_replicas))
        })
        .collect();
    bounds.sort();
    bounds
}

/// A Deployment's asked-for replicas.
async fn replicas(client: &kube::Client, ns: &str, name: &str) -> Option<i32> {
    kube::Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .expect("reading the Deployment")
        .spec
        .and_then(|s| s.replicas)
}

/// The pods with these labels that are not being deleted, by name.
async fn pods_not_deleted(client: &kube::Client, ns: &str, selector: &str) -> Vec<String> {
    let list = kube::Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), ns)
        .list(&kube::api::ListParams::default().labels(selector))
        .await
        .expect("listing pods");
    let mut names: Vec<String> = list
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    names
}
