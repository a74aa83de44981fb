//! Describing a Node: ready and pressure conditions, taints, what it can give (allocatable),
//! what the pods on it ask for (the sum of their requests, over every namespace, as kubectl's
//! "Allocated resources"), and how many pods run there.

use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::ListParams;
use kube::{Api, Client};

use super::workloads::meta;
use super::{Doc, Tone};
use crate::cluster::objects::ObjectRef;
use crate::cluster::resources::quantity::{bytes, cpu_millis, format_bytes, format_cpu};

/// What the pods on a node ask for.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Requested {
    pub cpu_millis: f64,
    pub memory_bytes: f64,
    pub cpu_limit_millis: f64,
    pub memory_limit_bytes: f64,
    pub pods: usize,
}

/// The requests and limits of the pods still running or waiting (not Succeeded or Failed).
pub fn requested(pods: &[Pod]) -> Requested {
    let mut sum = Requested::default();
    for pod in pods {
        let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
        if matches!(phase, Some("Succeeded" | "Failed")) {
            continue;
        }
        sum.pods += 1;
        for c in pod.spec.iter().flat_map(|s| &s.containers) {
            let r = c.resources.as_ref();
            let get = |limits: bool, name: &str| {
                let map = if limits {
                    r.and_then(|r| r.limits.as_ref())
                } else {
                    r.and_then(|r| r.requests.as_ref())
                };
                map.and_then(|m| m.get(name)).map(|q| q.0.clone())
            };
            sum.cpu_millis += get(false, "cpu").and_then(|q| cpu_millis(&q)).unwrap_or(0.0);
            sum.memory_bytes += get(false, "memory").and_then(|q| bytes(&q)).unwrap_or(0.0);
            sum.cpu_limit_millis += get(true, "cpu").and_then(|q| cpu_millis(&q)).unwrap_or(0.0);
            sum.memory_limit_bytes += get(true, "memory").and_then(|q| bytes(&q)).unwrap_or(0.0);
        }
    }
    sum
}

/// "250m (12%)", coloured from 80 % up.
fn share(text: String, part: f64, whole: f64) -> (String, Tone) {
    if whole <= 0.0 {
        return (text, Tone::Plain);
    }
    let pct = part / whole * 100.0;
    let tone = if pct >= 100.0 {
        Tone::Bad
    } else if pct >= 80.0 {
        Tone::Warn
    } else {
        Tone::Plain
    };
    (format!("{text} ({pct:.0}%)"), tone)
}

pub(super) async fn node(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let node: Node = super::read(Api::all(client.clone()), object).await?;
    meta(doc, &node.metadata);
    let spec = node.spec.clone().unwrap_or_default();
    let status = node.status.clone().unwrap_or_default();
    let taints: Vec<String> = spec
        .taints
        .iter()
        .flatten()
        .map(|t| {
            format!(
                "{}{}:{}",
                t.key,
                t.value.as_ref().map(|v| format!("={v}")).unwrap_or_default(),
                t.effect
            )
        })
        .collect();
    doc.field_toned(
        "Taints",
        taints.join(", "),
        if taints.is_empty() { Tone::Plain } else { Tone::Warn },
    );
    doc.field("Unschedulable", spec.unschedulable.unwrap_or(false).to_string());
    let addresses: Vec<String> = status
        .addresses
        .iter()
        .flatten()
        .map(|a| format!("{}={}", a.type_, a.address))
        .collect();
    doc.field("Addresses", addresses.join(", "));
    if let Some(info) = &status.node_info {
        doc.field("Kubelet Version", &info.kubelet_version);
        doc.field("OS Image", &info.os_image);
    }
    doc.conditions(&conditions!(status.conditions));
    let allocatable = status.allocatable.clone().unwrap_or_default();
    let cpu = allocatable.get("cpu").and_then(|q| cpu_millis(&q.0)).unwrap_or(0.0);
    let memory = allocatable.get("memory").and_then(|q| bytes(&q.0)).unwrap_or(0.0);
    let max_pods: f64 = allocatable.get("pods").and_then(|q| q.0.parse().ok()).unwrap_or(0.0);
    doc.blank();
    doc.heading("Allocatable");
    doc.line(
        format!(
            "  cpu {}   memory {}   pods {max_pods}",
            format_cpu(cpu),
            format_bytes(memory)
        ),
        Tone::Plain,
    );
    allocated(client, &object.name, (cpu, memory, max_pods), doc).await;
    Ok(())
}

/// What the pods on the node ask for, against what it can give (cpu, memory, pods).
async fn allocated(client: &Client, node: &str, (cpu, memory, max_pods): (f64, f64, f64), doc: &mut Doc) {
    let pods: Api<Pod> = Api::all(client.clone());
    let on_node = ListParams::default().fields(&format!("spec.nodeName={}", node));
    doc.blank();
    doc.heading("Allocated resources (requests and limits of the pods on this node)");
    match pods.list(&on_node).await {
        Ok(list) => {
            let r = requested(&list.items);
            let lines = [
                ("cpu requests", share(format_cpu(r.cpu_millis), r.cpu_millis, cpu)),
                (
                    "cpu limits",
                    share(format_cpu(r.cpu_limit_millis), r.cpu_limit_millis, cpu),
                ),
                (
                    "memory requests",
                    share(format_bytes(r.memory_bytes), r.memory_bytes, memory),
                ),
                (
                    "memory limits",
                    share(format_bytes(r.memory_limit_bytes), r.memory_limit_bytes, memory),
                ),
                ("pods", share(r.pods.to_string(), r.pods as f64, max_pods)),
            ];
            for (label, (text, tone)) in lines {
                doc.line(format!("  {label:<16} {text}"), tone);
            }
        }
        Err(e) => doc.line(
            format!(
                "  cannot list the pods on this node: {}",
                super::super::describe_client_error(&e, "the API server").1
            ),
            Tone::Bad,
        ),
    }
}
