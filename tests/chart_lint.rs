//! The bundled Todo Chatbot chart passes the real `helm lint` with every values file, and its
//! values schema and required secrets stop bad input before anything is rendered.

mod common;

use std::path::Path;

use common::helm_output as helm;

const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

const SECRETS: [&str; 8] = [
    "--set",
    "secrets.openaiApiKey=sk-test",
    "--set",
    "secrets.betterAuthSecret=test-auth-secret",
    "--set",
    "secrets.databaseUrl=postgresql://todo:pw@db:5432/todo",
    "--set",
    "secrets.redisPassword=test-redis",
];

#[test]
fn helm_lint_passes_with_every_values_file() {
    for values in [
        "values.yaml",
        "values-local.yaml",
        "values-staging.yaml",
        "values-production.yaml",
        "ci/everything-values.yaml",
    ] {
        let file = Path::new(CHART).join(values);
        let mut args = vec!["lint", "--strict", CHART, "-f", file.to_str().unwrap()];
        args.extend(SECRETS);
        let (ok, out) = helm(&args);
        assert!(ok, "helm lint with {values} failed:\n{out}");
    }
}

#[test]
fn bad_values_are_refused_with_a_message_naming_the_value() {
    let mut args = vec!["template", "todo", CHART, "--set", "frontend.replicas=abc"];
    args.extend(SECRETS);
    let (ok, out) = helm(&args);
    assert!(!ok && out.contains("frontend") && out.contains("replicas"), "{out}");

    let (ok, out) = helm(&["template", "todo", CHART]);
    assert!(!ok && out.contains("secrets.openaiApiKey is required"), "{out}");
}

#[test]
fn unknown_keys_are_refused_at_every_level() {
    for (set, at, key) in [
        ("frontend.replica=3", "/frontend", "replica"),
        ("backend.probes.liveness.pth=/x", "/backend/probes/liveness", "pth"),
        ("redis.persistence.sise=2Gi", "/redis/persistence", "sise"),
        ("ingress.tls.issuer=x", "/ingress/tls", "issuer"),
        ("monitorin.enabled=true", "", "monitorin"),
    ] {
        let mut args = vec!["template", "todo", CHART, "--set", set];
        args.extend(SECRETS);
        let (ok, out) = helm(&args);
        assert!(!ok, "--set {set} was accepted");
        assert!(
            out.contains(&format!("at '{at}'")) && out.contains(&format!("'{key}' not allowed")),
            "--set {set}: {out}"
        );
    }
}

/// Every object schema in values.schema.json closes its keys, and every key values.yaml sets is
/// one the schema knows (so the closed schema never rejects the chart's own defaults).
#[test]
fn the_schema_closes_every_object_and_knows_every_default() {
    let text = std::fs::read_to_string(Path::new(CHART).join("values.schema.json")).unwrap();
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    fn walk(node: &serde_json::Value, at: &str, open: &mut Vec<String>) {
        if let Some(props) = node.get("properties").and_then(|p| p.as_object()) {
            if node.get("additionalProperties") != Some(&serde_json::Value::Bool(false)) {
                open.push(at.to_string());
            }
            for (k, v) in props {
                walk(v, &format!("{at}.{k}"), open);
            }
        }
        for key in ["items", "additionalProperties"] {
            if let Some(inner) = node.get(key).filter(|i| i.is_object()) {
                walk(inner, &format!("{at}[{key}]"), open);
            }
        }
        if let Some(defs) = node.get("definitions").and_then(|d| d.as_object()) {
            for (k, v) in defs {
                walk(v, &format!("#{k}"), open);
            }
        }
    }
    let mut open = Vec::new();
    walk(&schema, "", &mut open);
    assert!(open.is_empty(), "objects that accept unknown keys: {open:?}");
    // The defaults themselves pass (helm lint above renders them; this names a missing key).
    let mut args = vec!["template", "todo", CHART];
    args.extend(SECRETS);
    let (ok, out) = helm(&args);
    assert!(ok, "{out}");
}
