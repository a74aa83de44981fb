//! The app workflow's staging commands (examples/ci/todo-chatbot.yml), run as written against the
//! sim cluster: `kubedeck deploy ... -f staging --atomic --yes` with the staging values
//! (existingSecret, NetworkPolicies, ResourceQuota, LimitRange, ServiceMonitor, PrometheusRule,
//! TLS ingress), then the `kubedeck status` gate.

mod common;

use std::process::Command;
use std::time::Duration;

use k8s_openapi::api::core::v1::{PersistentVolume, Secret};
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::PostParams;

/// The prometheus-operator kinds the staging values render, as schemaless CRDs (the sim has no
/// operator; the objects only need to be accepted).
async fn monitoring_crds(client: &kube::Client) {
    let crds = Api::<CustomResourceDefinition>::all(client.clone());
    for (kind, plural) in [
        ("ServiceMonitor", "servicemonitors"),
        ("PrometheusRule", "prometheusrules"),
    ] {
        let crd: CustomResourceDefinition = serde_json::from_value(serde_json::json!({
            "metadata": {"name": format!("{plural}.monitoring.coreos.com")},
            "spec": {
                "group": "monitoring.coreos.com",
                "scope": "Namespaced",
                "names": {"kind": kind, "plural": plural, "singular": kind.to_lowercase(), "listKind": format!("{kind}List")},
                "versions": [{"name": "v1", "served": true, "storage": true,
                    "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]
            }
        }))
        .expect("CRD JSON");
        match crds.create(&PostParams::default(), &crd).await {
            Ok(_) => {}
            Err(kube::Error::Api(e)) if e.code == 409 => {}
            Err(e) => panic!("creating the {kind} CRD: {e}"),
        }
    }
    // Discovery must serve the new kinds before the deploy looks them up.
    for _ in 0..60 {
        let established = crds
            .list(&Default::default())
            .await
            .expect("listing CRDs")
            .items
            .iter()
            .filter(|c| {
                c.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.ends_with(".monitoring.coreos.com"))
            })
            .filter(|c| {
                c.status
                    .as_ref()
                    .and_then(|s| s.conditions.as_ref())
                    .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Established" && c.status == "True"))
            })
            .count();
        if established == 2 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!("the monitoring CRDs never became established");
}

/// What the operator creates before the first deploy: the app Secret and (the sim has no
/// provisioner) a volume for Redis' claim, which asks for the default StorageClass.
async fn staging_prerequisites(client: &kube::Client, ns: &str) {
    let secret: Secret = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "todo-chatbot-secrets"},
        "stringData": {
            "DATABASE_URL": "postgresql://todo:not-a-password@db:5432/todo",
            "OPENAI_API_KEY": "sk-test-not-a-real-key",
            "BETTER_AUTH_SECRET": "test-auth-secret-not-real",
            "BETTER_AUTH_URL": "https://staging.todo.example.com",
            "REDIS_PASSWORD": "not-a-password"
        }
    }))
    .expect("Secret JSON");
    Api::<Secret>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &secret)
        .await
        .expect("creating todo-chatbot-secrets");
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
    monitoring_crds(&client).await;
    let ns = common::namespace(&client, "staging").await;
    staging_prerequisites(&client, &ns).await;

    let deploy = staging_command("Deploy", &ns);
    assert!(deploy.contains(&"--atomic".to_string()), "{deploy:?}");
    let (ok, out) = kubedeck(&deploy);
    assert!(ok, "kubedeck {deploy:?} failed:\n{out}");

    let (ok, out) = kubedeck(&staging_command("Status gate", &ns));
    assert!(ok, "the status gate failed:\n{out}");

    let policies = common::helm(&["get", "manifest", "todo", "-n", &ns]);
    for kind in [
        "NetworkPolicy",
        "ResourceQuota",
        "LimitRange",
        "ServiceMonitor",
        "PrometheusRule",
    ] {
        assert!(policies.contains(&format!("kind: {kind}")), "{kind} not in the release");
    }
    common::delete_namespace(&client, &ns).await;
}
