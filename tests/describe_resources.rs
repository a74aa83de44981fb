//! The resource pane's kinds, describe and live usage on the sim cluster: a Service with
//! endpoints, an Ingress whose paths reach a Service with endpoints and one without, a
//! ConfigMap, a Secret, a Node; and CPU/memory from metrics-server.

mod common;

use std::time::Duration;

use kube::Api;
use kube::api::{DynamicObject, PostParams};
use kubedeck::app::Msg;
use kubedeck::cluster::describe::{self, DescribeLine};
use kubedeck::cluster::objects::{ObjectKind, ObjectRef};
use kubedeck::cluster::resources::{self, ResourceKind};
use kubedeck::cluster::{RowUpdate, Scope, metrics, store::WatchUpdate};

async fn create(client: &kube::Client, ns: &str, object: serde_json::Value) {
    let kind = object["kind"].as_str().unwrap_or_default().to_owned();
    let (group, version) = match object["apiVersion"].as_str().unwrap_or("v1").split_once('/') {
        Some((g, v)) => (g.to_owned(), v.to_owned()),
        None => (String::new(), "v1".to_owned()),
    };
    let gvk = kube::api::GroupVersionKind::gvk(&group, &version, &kind);
    let plural = match kind.as_str() {
        "Ingress" => "ingresses".to_owned(),
        other => format!("{}s", other.to_lowercase()),
    };
    let resource = kube::api::ApiResource::from_gvk_with_plural(&gvk, &plural);
    let obj: DynamicObject = serde_json::from_value(object).expect("test object");
    Api::<DynamicObject>::namespaced_with(client.clone(), ns, &resource)
        .create(&PostParams::default(), &obj)
        .await
        .unwrap_or_else(|e| panic!("creating {kind}: {e}"));
}

fn text(lines: &[DescribeLine]) -> String {
    lines.iter().map(|l| l.text.as_str()).collect::<Vec<_>>().join("\n")
}

async fn describe_until(client: &kube::Client, object: ObjectRef, what: &str, done: impl Fn(&str) -> bool) -> String {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    loop {
        let lines = describe::describe(client.clone(), &object)
            .await
            .expect("describe answers");
        let t = text(&lines);
        if done(&t) {
            return t;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "timed out waiting for {what}:\n{t}"
        );
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

async fn app_objects(client: &kube::Client, ns: &str) {
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": "backend"},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "backend"}},
                "template": {"metadata": {"labels": {"app": "backend"},
                        "annotations": {"kwok.x-k8s.io/usage-cpu": "150m", "kwok.x-k8s.io/usage-memory": "40Mi"}},
                    "spec": {"containers": [{"name": "api", "image": "todo/backend:1",
                        "ports": [{"containerPort": 8000}],
                        "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}, "limits": {"cpu": "200m"}}}]}}}
        }),
    )
    .await;
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "backend"},
            "spec": {"selector": {"app": "backend"}, "ports": [{"port": 8000, "targetPort": 8000}]}
        }),
    )
    .await;
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "v1", "kind": "Service", "metadata": {"name": "nobody"},
            "spec": {"selector": {"app": "nobody"}, "ports": [{"port": 80}]}
        }),
    )
    .await;
    // The sim cluster runs no endpoint controllers (its pod IPs are loopback, which
    // EndpointSlices refuse): the slice is written here as the controller would write it.
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "backend-abc", "labels": {"kubernetes.io/service-name": "backend"}},
            "addressType": "IPv4", "ports": [{"port": 8000, "protocol": "TCP"}],
            "endpoints": [
                {"addresses": ["10.244.0.5"], "conditions": {"ready": true}},
                {"addresses": ["10.244.0.6"], "conditions": {"ready": true}},
                {"addresses": ["10.244.0.7"], "conditions": {"ready": false}}]
        }),
    )
    .await;
    create(client, ns, serde_json::json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "todo"},
        "spec": {"rules": [{"host": "todo.local", "http": {"paths": [
            {"path": "/api", "pathType": "Prefix", "backend": {"service": {"name": "backend", "port": {"number": 8000}}}},
            {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "nobody", "port": {"number": 80}}}}]}}]}
    })).await;
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "settings"},
            "data": {"LOG_LEVEL": "debug"}
        }),
    )
    .await;
    create(
        client,
        ns,
        serde_json::json!({
            "apiVersion": "v1", "kind": "Secret", "metadata": {"name": "keys"},
            "stringData": {"OPENAI_API_KEY": "sk-very-secret"}
        }),
    )
    .await;
}

#[tokio::test]
async fn panes_list_the_kinds_and_describe_shows_endpoints_backends_and_conditions() {
    let client = common::client().await;
    let ns = common::namespace(&client, "describe").await;
    app_objects(&client, &ns).await;

    // The Services watch, as the dashboard starts it on `:svc`, lists both.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Msg>();
    let scope = Scope::Namespace(ns.clone());
    let watch = tokio::spawn(resources::watch(
        ResourceKind::Services,
        client.clone(),
        scope.clone(),
        "sim".into(),
        tx,
    ));
    let listed = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            if let Some(Msg::Rows(RowUpdate::Resources(ResourceKind::Services, WatchUpdate::Listed(rows)))) =
                rx.recv().await
            {
                return rows;
            }
        }
    })
    .await
    .expect("the Services watch lists");
    watch.abort();
    let names: Vec<&str> = listed.iter().map(|r| r.key.name.as_str()).collect();
    assert_eq!(names, ["backend", "nobody"]);
    assert_eq!(listed[0].cells[3].text, "8000/TCP");

    let object = |kind, name: &str| ObjectRef {
        kind,
        namespace: ns.clone(),
        name: name.to_owned(),
    };
    let svc = describe_until(
        &client,
        object(ObjectKind::Service, "backend"),
        "two ready endpoints",
        |t| {
            t.lines()
                .any(|l| l.starts_with("Endpoints:") && l.matches(":8000").count() == 2)
        },
    )
    .await;
    assert!(svc.contains("Selector:") && svc.contains("app=backend"), "{svc}");
    assert!(svc.contains("Not ready:        10.244.0.7:8000"), "{svc}");
    let nobody = describe::describe(client.clone(), &object(ObjectKind::Service, "nobody"))
        .await
        .unwrap();
    assert!(
        text(&nobody).contains("no ready pod matches the selector"),
        "{}",
        text(&nobody)
    );

    let ing = describe_until(
        &client,
        object(ObjectKind::Ingress, "todo"),
        "the backend path with endpoints",
        |t| t.contains("todo.local  /api  ->  backend:8000: 2 ready"),
    )
    .await;
    assert!(
        ing.contains("todo.local  /  ->  nobody:80: no ready endpoints"),
        "{ing}"
    );

    let deploy = describe::describe(client.clone(), &object(ObjectKind::Deployment, "backend"))
        .await
        .unwrap();
    let deploy = text(&deploy);
    assert!(
        deploy.contains("Conditions:") && deploy.contains("Available"),
        "{deploy}"
    );
    assert!(
        deploy.contains("Events:") && deploy.contains("ScalingReplicaSet"),
        "{deploy}"
    );

    let cm = text(
        &describe::describe(client.clone(), &object(ObjectKind::ConfigMap, "settings"))
            .await
            .unwrap(),
    );
    assert!(cm.contains("LOG_LEVEL") && cm.contains("debug"), "{cm}");
    let secret = text(
        &describe::describe(client.clone(), &object(ObjectKind::Secret, "keys"))
            .await
            .unwrap(),
    );
    assert!(secret.contains("OPENAI_API_KEY:  14 bytes"), "{secret}");
    assert!(
        !secret.contains("sk-very-secret"),
        "describe never shows a Secret's values:\n{secret}"
    );

    // The node one of the pods runs on: its conditions and what the pods there request.
    let pods: Api<k8s_openapi::api::core::v1::Pod> = Api::namespaced(client.clone(), &ns);
    let node_name = pods
        .list(&Default::default())
        .await
        .unwrap()
        .items
        .iter()
        .find_map(|p| p.spec.as_ref()?.node_name.clone())
        .expect("a scheduled pod");
    let node = ObjectRef {
        kind: ObjectKind::Node,
        namespace: String::new(),
        name: node_name,
    };
    let node = text(&describe::describe(client.clone(), &node).await.unwrap());
    assert!(node.contains("Ready") && node.contains("MemoryPressure"), "{node}");
    assert!(node.contains("cpu requests") && node.contains("Allocatable:"), "{node}");

    let missing = describe::describe(client.clone(), &object(ObjectKind::Service, "gone"))
        .await
        .unwrap_err();
    assert!(
        missing.contains("gone"),
        "one sentence naming what is missing: {missing}"
    );
}

#[tokio::test]
async fn metrics_server_gives_each_pod_its_cpu_and_memory() {
    let client = common::client().await;
    let ns = common::namespace(&client, "usage").await;
    app_objects(&client, &ns).await;
    let scope = Scope::Namespace(ns.clone());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(150);
    loop {
        let reading = metrics::read(&client, &scope).await;
        let pods = reading.pods.clone().unwrap_or_default();
        if pods.len() == 2 && pods.iter().all(|(_, u)| u.cpu_millis > 100.0 && u.memory_bytes > 1e6) {
            let nodes = reading.nodes.expect("node metrics");
            assert!(nodes.iter().any(|(_, u)| u.cpu_millis > 0.0), "{nodes:?}");
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "no usage for the pods: {reading:?}"
        );
        tokio::time::sleep(Duration::from_secs(5)).await;
    }
}

/// As a k9s user would: `keys: k9s` in the config, `?` lists `d` for describe, `:svc` lists the
/// Services, `d` describes the selected one with its endpoints, `:no` lists the nodes.
#[tokio::test]
async fn the_k9s_preset_in_the_binary_switcher_and_describe() {
    use common::pty::Tui;
    let client = common::client().await;
    let ns = common::namespace(&client, "k9s").await;
    app_objects(&client, &ns).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.yaml");
    std::fs::write(&config, "keys: k9s\n").unwrap();
    let kubeconfig = common::sim_kubeconfig();
    // Tall enough for the whole help view.
    let home = std::env::temp_dir().join("kubedeck-test-home");
    std::fs::create_dir_all(&home).unwrap();
    let env = [("KUBECONFIG", kubeconfig.as_os_str()), ("HOME", home.as_os_str())];
    let args = ["--config", config.to_str().unwrap(), "-n", &ns];
    let mut tui = Tui::spawn_program(
        std::path::Path::new(env!("CARGO_BIN_EXE_kubedeck")),
        &args,
        &env,
        160,
        90,
    );
    tui.wait_for(&["backend-"], Duration::from_secs(30));
    tui.type_str("?");
    let help = tui.wait_for(&["describe the selected object"], Duration::from_secs(10));
    assert!(
        help.lines()
            .any(|l| l.contains("d ") && l.contains("describe the selected object")),
        "{help}"
    );
    tui.type_str("q");
    tui.type_str(":svc\r");
    tui.wait_for(&["Services (", "nobody", "8000/TCP"], Duration::from_secs(30));
    tui.type_str("d");
    let described = tui.wait_for(
        &["Describe Service/backend", "Endpoints:", "10.244.0.5:8000"],
        Duration::from_secs(30),
    );
    assert!(described.contains("Events:"), "{described}");
    tui.type_str("\x1b");
    // Apart, or the terminal reads Esc and ':' as Alt-:.
    tui.wait_for(&["Services ("], Duration::from_secs(10));
    tui.type_str(":no\r");
    tui.wait_for(&["Nodes [", "sim-node-0", "Ready"], Duration::from_secs(30));
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
}
