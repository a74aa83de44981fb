//! kubectl's global request flags on every command that talks to the cluster: `--as` and
//! `--as-group` (impersonation, checked by the API server's RBAC) and `--request-timeout` (a
//! frozen API server is given up on in time). Alone in its own test binary because it freezes
//! the shared API server.

mod common;

use std::time::{Duration, Instant};

use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Api;
use kube::api::PostParams;

/// Thaws the API server however the test ends, so a failure here cannot hang the tests after.
struct Thaw;

impl Drop for Thaw {
    fn drop(&mut self) {
        common::sim(&["thaw-apiserver"]);
    }
}

/// A Role with `rules`, bound to `subject` (`{"kind": "User"|"Group", "name": ...}`).
async fn grant(client: &kube::Client, ns: &str, name: &str, rules: serde_json::Value, subject: serde_json::Value) {
    let role: Role = serde_json::from_value(serde_json::json!({"metadata": {"name": name}, "rules": rules})).unwrap();
    Api::<Role>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &role)
        .await
        .unwrap();
    let binding: RoleBinding = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": name},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": subject["kind"], "name": subject["name"]}]
    }))
    .unwrap();
    Api::<RoleBinding>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &binding)
        .await
        .unwrap();
}

#[tokio::test]
async fn impersonation_and_request_timeout_as_kubectl() {
    let client = common::client().await;
    let ns = common::namespace(&client, "reqflags").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let deployments =
        serde_json::json!([{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]}]);
    grant(
        &client,
        &ns,
        "no-pods",
        deployments,
        serde_json::json!({"kind": "User", "name": "alice"}),
    )
    .await;
    let pods = serde_json::json!([
        {"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "watch"]},
        {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}
    ]);
    grant(
        &client,
        &ns,
        "pod-readers",
        pods,
        serde_json::json!({"kind": "Group", "name": "pod-readers"}),
    )
    .await;
    let kubeconfig = common::sim_kubeconfig();
    let state = tempfile::tempdir().unwrap();
    let run = |extra: &[&str]| {
        let mut args = vec!["logs", "deploy/web", "--tail", "1", "-n", &ns];
        args.extend(extra);
        common::run_kubedeck(&args, &kubeconfig, state.path())
    };

    // alice may read the Deployment but not its pods: the API server's refusal, in one sentence.
    let (code, out, err) = run(&["--as", "alice"]);
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("forbidden") && err.contains("pods"), "{err}");
    assert!(err.contains("alice"), "the refusal names who asked: {err}");
    // As a member of a group that may, the pods are no longer refused.
    let (_, out, err) = run(&["--as", "bob", "--as-group", "pod-readers"]);
    assert!(!err.contains("forbidden"), "{out}{err}");
    let (code, _, err) = run(&["--as", "bob"]);
    assert_eq!(code, 1, "without the group bob may do nothing: {err}");
    assert!(err.contains("forbidden") && err.contains("bob"), "{err}");

    // A malformed timeout: one sentence, exit 1, before anything is asked of the cluster.
    let (code, _, err) = run(&["--request-timeout", "5x"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(
        err.contains("--request-timeout") && err.contains("not a duration"),
        "{err}"
    );

    // A frozen API server: given up on within the timeout, in one sentence.
    common::sim(&["freeze-apiserver"]);
    let thaw = Thaw;
    let started = Instant::now();
    let (code, _, err) = run(&["--request-timeout", "3s"]);
    let took = started.elapsed();
    drop(thaw);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("did not answer in time"), "{err}");
    assert!(took < Duration::from_secs(15), "gave up after {took:?}, not about 3 s");
    eprintln!("a frozen API server was given up on after {took:?} with --request-timeout 3s");
    common::delete_namespace(&client, &ns).await;
}
