//! Describing PVCs (bound volume, capacity, the pods using them), ConfigMaps (their data),
//! Secrets (their keys and sizes, never their values) and cert-manager Certificates.

use k8s_openapi::api::core::v1::{ConfigMap, PersistentVolumeClaim, Pod, Secret};
use kube::api::{DynamicObject, ListParams};
use kube::{Api, Client};
use serde_json::Value;
use std::collections::BTreeMap;

use super::workloads::meta;
use super::{Condition, Doc, Tone, get};
use crate::cluster::objects::ObjectRef;

pub(super) async fn pvc(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let claim: PersistentVolumeClaim = get(client, object).await?;
    meta(doc, &claim.metadata);
    let spec = claim.spec.clone().unwrap_or_default();
    let status = claim.status.clone().unwrap_or_default();
    doc.field("StorageClass", spec.storage_class_name.clone().unwrap_or_default());
    let phase = status.phase.clone().unwrap_or_else(|| "Pending".into());
    let tone = if phase == "Bound" { Tone::Good } else { Tone::Warn };
    doc.field_toned("Status", &phase, tone);
    doc.field("Volume", spec.volume_name.clone().unwrap_or_default());
    let capacity = status
        .capacity
        .as_ref()
        .and_then(|c| c.get("storage"))
        .map(|q| q.0.clone());
    doc.field("Capacity", capacity.unwrap_or_default());
    let requested = spec
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|r| r.get("storage"));
    doc.field("Requested", requested.map(|q| q.0.clone()).unwrap_or_default());
    doc.field(
        "Access Modes",
        status.access_modes.clone().unwrap_or_default().join(","),
    );
    doc.field(
        "VolumeMode",
        spec.volume_mode.clone().unwrap_or_else(|| "Filesystem".into()),
    );
    let pods: Api<Pod> = Api::namespaced(client.clone(), &object.namespace);
    match pods.list(&ListParams::default()).await {
        Ok(list) => {
            let users: Vec<String> = list
                .items
                .iter()
                .filter(|p| {
                    p.spec.iter().flat_map(|s| s.volumes.iter().flatten()).any(|v| {
                        v.persistent_volume_claim
                            .as_ref()
                            .is_some_and(|c| c.claim_name == object.name)
                    })
                })
                .filter_map(|p| p.metadata.name.clone())
                .collect();
            doc.field_toned(
                "Used By",
                users.join(", "),
                if users.is_empty() { Tone::Dim } else { Tone::Plain },
            );
        }
        Err(e) => doc.field_toned(
            "Used By",
            format!(
                "cannot list pods: {}",
                super::super::describe_client_error(&e, "the API server").1
            ),
            Tone::Bad,
        ),
    }
    doc.conditions(&conditions!(status.conditions));
    Ok(())
}

pub(super) async fn configmap(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let cm: ConfigMap = get(client, object).await?;
    meta(doc, &cm.metadata);
    doc.blank();
    doc.heading("Data");
    for (key, value) in cm.data.iter().flatten() {
        doc.line(key, Tone::Heading);
        doc.line("----", Tone::Dim);
        doc.line(value, Tone::Plain);
        doc.blank();
    }
    for (key, value) in cm.binary_data.iter().flatten() {
        doc.line(format!("{key}: {} bytes of binary data", value.0.len()), Tone::Plain);
    }
    if cm.data.as_ref().is_none_or(|d| d.is_empty()) && cm.binary_data.as_ref().is_none_or(|d| d.is_empty()) {
        doc.line("  <none>", Tone::Dim);
    }
    Ok(())
}

/// Keys and sizes only: describe never shows a Secret's values (the YAML view masks them too).
pub(super) async fn secret(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let secret: Secret = get(client, object).await?;
    meta(doc, &secret.metadata);
    doc.field("Type", secret.type_.clone().unwrap_or_else(|| "Opaque".into()));
    doc.blank();
    doc.heading("Data (values are never shown)");
    for (key, value) in secret.data.iter().flatten() {
        doc.line(format!("  {key}:  {} bytes", value.0.len()), Tone::Plain);
    }
    if secret.data.as_ref().is_none_or(|d| d.is_empty()) {
        doc.line("  <none>", Tone::Dim);
    }
    if secret.type_.as_deref() == Some("helm.sh/release.v1") {
        release(client, &object.namespace, secret.metadata.labels.as_ref(), doc).await;
    }
    Ok(())
}

/// A Helm release record: the release it is a revision of, and the Dapr Components of its
/// namespace (what its pods publish through), with the Secret keys they read, never the values.
async fn release(client: &Client, namespace: &str, labels: Option<&BTreeMap<String, String>>, doc: &mut Doc) {
    let label = |k: &str| labels.and_then(|l| l.get(k)).map_or("<unknown>", String::as_str);
    doc.blank();
    doc.heading("Release");
    doc.field("Name", crate::text::sanitize(label("name")));
    doc.field("Revision", crate::text::sanitize(label("version")));
    doc.field("Status", crate::text::sanitize(label("status")));
    doc.blank();
    doc.heading("Dapr Components");
    match crate::cluster::dapr::components(client, namespace).await {
        Ok(found) if found.is_empty() => doc.line("  <none>", Tone::Dim),
        Ok(found) => found
            .iter()
            .for_each(|c| doc.line(format!("  {}", c.summary()), Tone::Plain)),
        Err(e) => doc.line(format!("  {e}"), Tone::Bad),
    }
}

pub(super) async fn certificate(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), &object.namespace, &object.kind.resource());
    let cert = api.get(&object.name).await.map_err(|e| {
        format!(
            "reading {object}: {}",
            super::super::describe_client_error(&e, "the API server").1
        )
    })?;
    doc.field("Name", &object.name);
    doc.field("Namespace", &object.namespace);
    let text = |pointer: &str| {
        cert.data
            .pointer(pointer)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let names: Vec<String> = cert
        .data
        .pointer("/spec/dnsNames")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(String::from))
        .collect();
    doc.field("DNS Names", names.join(", "));
    doc.field("Secret Name", text("/spec/secretName"));
    doc.field(
        "Issuer",
        format!("{} {}", text("/spec/issuerRef/kind"), text("/spec/issuerRef/name")),
    );
    doc.field("Not After", text("/status/notAfter"));
    doc.field("Renewal Time", text("/status/renewalTime"));
    let conditions: Vec<Condition> = cert
        .data
        .pointer("/status/conditions")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|c| {
            let field = |k: &str| c.get(k).and_then(Value::as_str).map(String::from);
            Condition::new(
                &field("type").unwrap_or_default(),
                &field("status").unwrap_or_default(),
                field("reason").as_ref(),
                field("message").as_ref(),
            )
        })
        .collect();
    doc.conditions(&conditions);
    Ok(())
}
