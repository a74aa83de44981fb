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
