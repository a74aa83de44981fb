//! The app workflow's staging commands (examples/ci/todo-chatbot.yml), run as written against the
//! sim cluster: `kubedeck deploy ... -f staging --atomic --yes` with the staging values (the cloud
//! shape: five services, Dapr pub/sub Component and Configuration, existingSecret, NetworkPolicies,
//! ResourceQuota, LimitRange, ServiceMonitors, PrometheusRule, TLS ingress), then the `kubedeck
//! status` gate; then a Dapr sidecar that is not ready fails the gate and shows in the dashboard.

mod common;

use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{PersistentVolume, Pod, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind, PostParams};

/// The CRDs the staging values need: the prometheus-operator kinds, schemaless (the sim has no
/// operator; the objects only need to be accepted), and Dapr's from the project's own definitions
/// (structural schemas; no operator or sidecar injector).
async fn staging_crds(client: &kube::Client) {
    let mut crds: Vec<CustomResourceDefinition> = [("ServiceMonitor", "servicemonitors"), ("PrometheusRule", "prometheusrules")]
        .iter()
        .map(|(kind, plural)| {
            serde_json::from_value(serde_json::json!({
                "metadata": {"name": format!("{plural}.monitoring.coreos.com")},
                "spec": {
                    "group": "monitoring.coreos.com",
                    "scope": "Namespaced",
                    "names": {"kind": kind, "plural": plural, "singular": kind.to_lowercase(), "listKind": format!("{kind}List")},
                    "versions": [{"name": "v1", "served": true, "storage": true,
                        "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
                }
            }))
            .expect("CRD JSON")
        })
        .collect();
    crds.extend(common::crds_in(include_str!("../assets/crds/dapr.yaml")));
    common::install_crds(client, &crds).await;
}

/// What the operator creates before the first deploy: the app Secret and (the sim has no
/// provisioner) a volume for Redis' claim, which asks for the default StorageClass.
async fn staging_prerequisites(client: &kube::Client, ns: &str) {
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "app-secrets"},
        "stringData": {
            "DATABASE_URL": "postgresql://todo:not-a-password@db:5432/todo",
            "OPENAI_API_KEY": "sk-test-not-a-real-key",
            "BETTER_AUTH_SECRET": "test-auth-secret-not-real",
            "BETTER_AUTH_URL": "https://staging.todo.example.com",
            "REDIS_PASSWORD": "not-a-password",
            "REDPANDA_BROKERS": "seed-0.redpanda.example.com:9092",
            "REDPANDA_USERNAME": "staging-todo-app",
            "REDPANDA_PASSWORD": "not-a-password"
        }
    }))
    .expect("Secret JSON");
    Api::<Secret>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("creating app-secrets");
    let pv: PersistentVolume = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("{ns}-redis")},
        "spec": {"storageClassName": "", "capacity": {"storage": "2Gi"}, "accessModes": ["ReadWriteOnce"],
            "hostPath": {"path": format!("/tmp/{ns}-redis")},
            "claimRef": {"namespace": ns, "name": "data-todo-todo-chatbot-redis-0"}}
    }))
    .expect("PV JSON");
    Api::<PersistentVolume>::all(client.clone())
        .create(&PostParams::default(), &pv)
        .await
        .expect("creating the Redis volume");
}

/// The workflow's `run:` line for a staging step, with the runner's variables filled in.
fn staging_command(step: &str, ns: &str) -> Vec<String> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/examples/ci/todo-chatbot.yml"))
        .expect("the example workflow");
    let wf: serde_yaml::Value = serde_yaml::from_str(&text).expect("valid YAML");
    let run = wf["jobs"]["deploy-staging"]["steps"]
        .as_sequence()
        .expect("steps")
        .iter()
        .find(|s| s["name"].as_str() == Some(step))
        .and_then(|s| s["run"].as_str())
        .unwrap_or_else(|| panic!("no step {step}"));
    let kubeconfig = common::sim_kubeconfig();
    let words: Vec<&str> = run.split_whitespace().collect();
    // Skip "kubedeck"; each word is read with the one before it (the flag it belongs to).
    words
        .windows(2)
        .map(|pair| match (pair[0], pair[1]) {
            (_, "\"$RUNNER_TEMP/kubeconfig\"") => kubeconfig.display().to_string(),
            ("-n", _) => ns.to_string(),
            ("--chart", _) => kubedeck::chart::BUNDLED_CHART.to_string(),
            (_, w) => w.replace("\"$IMAGE_TAG\"", "sha-0123abc"),
        })
        .collect()
}

fn kubedeck(args: &[String]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .args(args)
        .env(
            "KUBEDECK_STATE_DIR",
            std::env::temp_dir().join("kubedeck-test-delivery-state"),
        )
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .output()
        .expect("running kubedeck");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[tokio::test]
async fn the_staging_job_deploys_atomically_and_passes_its_status_gate() {
    let client = common::client().await;
    staging_crds(&client).await;
    let ns = common::namespace(&client, "staging").await;
    staging_prerequisites(&client, &ns).await;

    let deploy = staging_command("Deploy", &ns);
    assert!(deploy.contains(&"--atomic".to_string()), "{deploy:?}");
    let (ok, out) = kubedeck(&deploy);
    assert!(ok, "kubedeck {deploy:?} failed:\n{out}");

    let (ok, out) = kubedeck(&staging_command("Status gate", &ns));
    assert!(ok, "the status gate failed:\n{out}");

    // The gate names the pub/sub and the Secret keys it reads, never their values.
    assert!(
        out.contains("pubsub (pubsub.kafka v1; reads Secret app-secrets keys REDPANDA_BROKERS, REDPANDA_USERNAME, REDPANDA_PASSWORD"),
        "{out}"
    );
    assert!(
        !out.contains("not-a-password") && !out.contains("redpanda.example.com"),
        "{out}"
    );

    let manifest = common::helm(&["get", "manifest", "todo", "-n", &ns]);
    for kind in [
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "ServiceMonitor",
        "PrometheusRule",
        "Component",
        "Configuration",
    ] {
        assert!(manifest.contains(&format!("kind: {kind}")), "{kind} not in the release");
    }
    let dapr = |kind: &str, plural: &str| {
        let resource = ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("dapr.io", "v1alpha1", kind), plural);
        Api::<DynamicObject>::namespaced_with(client.clone(), &ns, &resource)
    };
    let pubsub = dapr("Component", "components")
        .get("pubsub")
        .await
        .expect("the pub/sub Component");
    assert_eq!(pubsub.data["spec"]["type"], "pubsub.kafka");
    let config = dapr("Configuration", "configurations")
        .get("todo-todo-chatbot-dapr")
        .await
        .expect("the Dapr Configuration");
    assert_eq!(config.data["spec"]["mtls"]["enabled"], true);
    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns)
        .list(&Default::default())
        .await
        .expect("listing Deployments");
    assert_eq!(deployments.items.len(), 5, "five services");

    daprd_unready_fails_the_gate_and_shows(&client, &ns).await;
    common::delete_namespace(&client, &ns).await;
}

/// A backend pod as Dapr's injector would make it (the sim has none): the app and `daprd`, whose
/// readiness the kwok stage `daprd-unready` keeps false while the app is ready.
async fn daprd_unready_fails_the_gate_and_shows(client: &kube::Client, ns: &str) {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "todo-todo-chatbot-backend-injected", "labels": {
            "app.kubernetes.io/name": "todo-chatbot", "app.kubernetes.io/instance": "todo",
            "app.kubernetes.io/component": "backend", "kubedeck.dev/sim-fail": "daprd-unready"}},
        "spec": {"containers": [
            {"name": "backend", "image": "ghcr.io/todo-chatbot/hackathon-todo/backend:sha-0123abc",
             "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}},
            {"name": "daprd", "image": "daprio/daprd:1.14.4",
             "resources": {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "100m", "memory": "128Mi"}}}]}
    }))
    .expect("Pod JSON");
    Api::<Pod>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &pod)
        .await
        .expect("creating the injected pod");
    let status = ["status", "-n", ns, "--kubeconfig"]
        .iter()
        .map(|s| s.to_string())
        .chain([common::sim_kubeconfig().display().to_string()])
        .collect::<Vec<_>>();
    let mut last = String::new();
    for _ in 0..60 {
        let (ok, out) = kubedeck(&status);
        if !ok && out.contains("todo-todo-chatbot-backend-injected: daprd not ready") {
            last.clear();
            break;
        }
        last = out;
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    assert!(last.is_empty(), "status never failed on the unready sidecar:\n{last}");

    let mut tui = common::pty::Tui::spawn(&["-n", ns], &common::sim_kubeconfig());
    let screen = tui.wait_for(&["backend-injected", "daprd not ready"], Duration::from_secs(30));
    assert!(screen.contains("1/2"), "READY shows the sidecar missing:\n{screen}");
    // The release's describe lists the pub/sub Component and the Secret keys it reads.
    tui.type_str("4");
    tui.wait_for(&["deployed"], Duration::from_secs(10));
    tui.type_str("i");
    let screen = tui.wait_for(
        &["Dapr Components", "pubsub (pubsub.kafka v1; reads Secret app-secrets"],
        Duration::from_secs(10),
    );
    assert!(!screen.contains("not-a-password"), "{screen}");
    tui.kill();
}
