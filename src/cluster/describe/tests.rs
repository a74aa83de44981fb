use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::api::discovery::v1::EndpointSlice;

use super::network::endpoints_of;
use super::node::requested;
use super::*;

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("test object")
}

#[test]
fn endpoints_are_split_into_ready_and_not_ready() {
    let slice: EndpointSlice = from_json(serde_json::json!({
        "metadata": {"name": "backend-abc"}, "addressType": "IPv4",
        "ports": [{"port": 8000}],
        "endpoints": [
            {"addresses": ["10.0.0.2"], "conditions": {"ready": true}},
            {"addresses": ["10.0.0.3"], "conditions": {"ready": false}}]
    }));
    let e = endpoints_of(&[slice]);
    assert_eq!(e.ready, ["10.0.0.2:8000"]);
    assert_eq!(e.not_ready, ["10.0.0.3:8000"]);
}

#[test]
fn a_node_adds_up_the_requests_of_pods_still_running() {
    let pod = |phase: &str, cpu: &str| -> Pod {
        from_json(serde_json::json!({
            "metadata": {"name": "p"},
            "spec": {"containers": [{"name": "c", "resources": {"requests": {"cpu": cpu, "memory": "64Mi"}, "limits": {"cpu": "1"}}}]},
            "status": {"phase": phase}
        }))
    };
    let r = requested(&[pod("Running", "100m"), pod("Pending", "250m"), pod("Succeeded", "4")]);
    assert_eq!(r.pods, 2);
    assert_eq!(r.cpu_millis, 350.0);
    assert_eq!(r.cpu_limit_millis, 2000.0);
    assert_eq!(r.memory_bytes, 128.0 * 1048576.0);
}

#[test]
fn lines_are_sanitized_and_conditions_coloured_by_meaning() {
    let mut doc = Doc::default();
    doc.field("Name", "web\u{1b}[2Jx");
    doc.conditions(&[
        Condition::new("Ready", "True", None, None),
        Condition::new("MemoryPressure", "True", None, Some(&"low\nmemory".to_owned())),
    ]);
    assert!(doc.lines.iter().all(|l| !l.text.contains('\u{1b}')));
    assert!(doc.lines[0].text.starts_with("Name:"), "{:?}", doc.lines[0]);
    let tones: Vec<Tone> = doc.lines.iter().rev().take(2).map(|l| l.tone).collect();
    assert_eq!(tones, [Tone::Bad, Tone::Good]);
    assert!(doc.lines.last().is_some_and(|l| l.text.ends_with("low memory")));
}

#[test]
fn a_label_as_wide_as_its_column_keeps_a_space_before_the_value() {
    let mut doc = Doc::default();
    doc.field("Name", "web");
    doc.field("CreationTimestamp", "Fri, 04 Dec 2026 19:24:12 UTC");
    doc.field("A label longer than the column", "x");
    let texts: Vec<&str> = doc.lines.iter().map(|l| l.text.as_str()).collect();
    assert_eq!(
        texts,
        [
            "Name:             web",
            "CreationTimestamp: Fri, 04 Dec 2026 19:24:12 UTC",
            "A label longer than the column: x",
        ]
    );
}
