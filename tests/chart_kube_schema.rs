//! Every object the bundled chart renders, for every values file, is a valid Kubernetes v1.36
//! object: it deserializes into k8s-openapi's v1_36 type (right types, required fields present)
//! and serializes back without losing a field (so no unknown or misplaced field), which is what
//! kubeconform's strict mode checks, offline. The Dapr kinds are checked against the structural
//! schemas of the project's own CRDs (assets/crds/dapr.yaml), strictly (no field the schema does
//! not list); the prometheus-operator and cert-manager kinds have no types there and are only
//! checked for apiVersion/kind.

use k8s_openapi::api::{apps, autoscaling, batch, core, networking, policy};
use kubedeck::chart::{BUNDLED_CHART, RenderOptions, load_chart, render};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The values files the chart ships and its `ci/` option sets, each with the CI secrets.
fn variants() -> Vec<Vec<PathBuf>> {
    let dir = Path::new(BUNDLED_CHART);
    let ci = dir.join("ci-values.yaml");
    let mut out = vec![vec![ci.clone()]];
    let mut files: Vec<PathBuf> = ["values-local.yaml", "values-staging.yaml", "values-production.yaml"]
        .iter()
        .map(|f| dir.join(f))
        .collect();
    // The option sets are listed from the source folder; they are read, like the chart, from
    // the copy built into kubedeck.
    let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/chart/todo-chatbot/ci");
    let mut extra: Vec<PathBuf> = std::fs::read_dir(source)
        .expect("the chart's ci/ folder")
        .flatten()
        .map(|e| dir.join("ci").join(e.file_name()))
        .collect();
    extra.sort();
    files.extend(extra);
    out.extend(files.into_iter().map(|f| vec![ci.clone(), f]));
    out
}

/// Where `original` has something the typed round trip lost or changed.
fn lost(original: &Value, typed: &Value, at: &str) -> Option<String> {
    match (original, typed) {
        (Value::Object(o), Value::Object(t)) => o.iter().find_map(|(k, v)| match t.get(k) {
            Some(tv) => lost(v, tv, &format!("{at}.{k}")),
            None if v.is_null() => None,
            None => Some(format!("{at}.{k} is not a field of this kind")),
        }),
        (Value::Array(o), Value::Array(t)) if o.len() == t.len() => o
            .iter()
            .zip(t)
            .enumerate()
            .find_map(|(i, (ov, tv))| lost(ov, tv, &format!("{at}[{i}]"))),
        (Value::Number(o), Value::Number(t)) if o.as_f64() == t.as_f64() => None,
        (o, t) if o == t => None,
        (o, t) => Some(format!("{at}: {o} became {t}")),
    }
}

fn strict<T: DeserializeOwned + Serialize>(object: &Value) -> Result<(), String> {
    let typed: T = serde_json::from_value(object.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    lost(object, &back, "").map_or(Ok(()), Err)
}

/// Structural schemas leave out `additionalProperties`; kubeconform's strict mode rejects what a
/// schema does not list, so every object schema that lists properties and does not preserve
/// unknown fields gets `additionalProperties: false`.
fn strictly(schema: &mut Value) {
    if let Value::Object(map) = schema {
        let lists = map.contains_key("properties");
        let preserves = map.get("x-kubernetes-preserve-unknown-fields") == Some(&Value::Bool(true));
        if lists && !preserves && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        map.values_mut().for_each(strictly);
    } else if let Value::Array(items) = schema {
        items.iter_mut().for_each(strictly);
    }
}

/// A Dapr object against the openAPIV3Schema of its CRD in assets/crds/dapr.yaml.
fn against_crd(object: &Value, kind: &str) -> Result<(), String> {
    let crds = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/crds/dapr.yaml"))
        .map_err(|e| e.to_string())?;
    let crd = serde_yaml::Deserializer::from_str(&crds)
        .filter_map(|d| serde_yaml::Value::deserialize(d).ok())
        .find(|c| c["spec"]["names"]["kind"].as_str() == Some(kind))
        .ok_or_else(|| format!("assets/crds/dapr.yaml has no CRD for {kind}"))?;
    let mut schema =
        serde_json::to_value(&crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]).map_err(|e| e.to_string())?;
    strictly(&mut schema);
    let validator = jsonschema::validator_for(&schema).map_err(|e| e.to_string())?;
    let errors: Vec<String> = validator
        .iter_errors(object)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("; "))
    }
}

fn validate(object: &Value) -> Result<(), String> {
    let api_version = object["apiVersion"].as_str().unwrap_or_default();
    let kind = object["kind"].as_str().unwrap_or_default();
    match (api_version, kind) {
        ("v1", "ConfigMap") => strict::<core::v1::ConfigMap>(object),
        ("v1", "Secret") => strict::<core::v1::Secret>(object),
        ("v1", "Service") => strict::<core::v1::Service>(object),
        ("v1", "ServiceAccount") => strict::<core::v1::ServiceAccount>(object),
        ("v1", "Pod") => strict::<core::v1::Pod>(object),
        ("v1", "ResourceQuota") => strict::<core::v1::ResourceQuota>(object),
        ("v1", "LimitRange") => strict::<core::v1::LimitRange>(object),
        ("apps/v1", "Deployment") => strict::<apps::v1::Deployment>(object),
        ("apps/v1", "StatefulSet") => strict::<apps::v1::StatefulSet>(object),
        ("batch/v1", "Job") => strict::<batch::v1::Job>(object),
        ("autoscaling/v2", "HorizontalPodAutoscaler") => strict::<autoscaling::v2::HorizontalPodAutoscaler>(object),
        ("policy/v1", "PodDisruptionBudget") => strict::<policy::v1::PodDisruptionBudget>(object),
        ("networking.k8s.io/v1", "Ingress") => strict::<networking::v1::Ingress>(object),
        ("networking.k8s.io/v1", "NetworkPolicy") => strict::<networking::v1::NetworkPolicy>(object),
        ("dapr.io/v1alpha1", "Component" | "Configuration") => against_crd(object, kind),
        ("monitoring.coreos.com/v1", "ServiceMonitor" | "PrometheusRule") | ("cert-manager.io/v1", "ClusterIssuer") => {
            Ok(())
        }
        _ => Err(format!("{api_version} {kind} is not a kind this test knows")),
    }
}

#[test]
fn every_rendered_object_is_a_valid_v1_36_object() {
    let chart = load_chart(BUNDLED_CHART).expect("the bundled chart loads");
    let mut checked = 0;
    for files in variants() {
        let opts = RenderOptions {
            release_name: "todo".into(),
            namespace: "todo".into(),
            values_files: files.clone(),
            ..Default::default()
        };
        let rendered = render(&chart, &opts).unwrap_or_else(|e| panic!("{files:?}: {e}"));
        let objects = rendered.objects.iter().chain(rendered.hooks.iter().map(|h| &h.object));
        for o in objects {
            let json = serde_json::to_value(&o.yaml).expect("YAML as JSON");
            if let Err(e) = validate(&json) {
                panic!("{} {} (values {files:?}): {e}", o.kind, o.name);
            }
            checked += 1;
        }
    }
    assert!(checked > 100, "only {checked} objects checked");
}

#[test]
fn the_check_catches_unknown_fields_and_wrong_types() {
    let misspelled = serde_json::json!({
        "apiVersion": "v1", "kind": "Service", "metadata": {"name": "x"},
        "spec": {"ports": [{"port": 80, "targetPrt": "http"}]}
    });
    assert_eq!(
        validate(&misspelled),
        Err(".spec.ports[0].targetPrt is not a field of this kind".into())
    );
    let wrong_type = serde_json::json!({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "x"},
        "spec": {"replicas": "two", "selector": {}, "template": {}}
    });
    assert!(validate(&wrong_type).is_err());
}

#[test]
fn the_cluster_bootstrap_manifests_are_valid() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/bootstrap");
    let mut kinds = Vec::new();
    for file in ["dapr-configuration.yaml", "cluster-issuers.yaml"] {
        let text = std::fs::read_to_string(dir.join(file)).expect("a bootstrap manifest");
        for doc in serde_yaml::Deserializer::from_str(&text) {
            let object = serde_json::to_value(serde_yaml::Value::deserialize(doc).expect("YAML")).expect("JSON");
            validate(&object).unwrap_or_else(|e| panic!("{file}: {e}"));
            kinds.push(format!(
                "{} {}",
                object["kind"].as_str().unwrap_or_default(),
                object["metadata"]["name"].as_str().unwrap_or_default()
            ));
        }
    }
    assert_eq!(
        kinds,
        [
            "Configuration dapr-config",
            "ClusterIssuer letsencrypt-staging",
            "ClusterIssuer letsencrypt-prod"
        ]
    );
}
