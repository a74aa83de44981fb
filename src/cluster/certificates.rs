//! TLS certificates as the Certificates pane shows them: cert-manager Certificates (read as
//! dynamic objects, so kubedeck needs none of cert-manager's types), TLS secrets and the Ingresses
//! that reference them, and how the three are joined into one list.

mod ingress;
mod listing;
mod tls_secret;

use futures::FutureExt;
use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use kube::api::{ApiResource, DynamicObject, GroupVersionKind};
use kube::{Api, Client};
use serde_json::Value;

pub use self::ingress::{IngressTls, IngressTlsRef};
pub use self::listing::{CertificateEntry, Source, Urgency, days_left, ingress_secret_entries, pane_entries, urgency};
pub use self::tls_secret::TlsSecretRow;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use super::{RowUpdate, Scope, watch};
use crate::text::sanitize;

/// cert-manager's Certificate, as the dynamic API addresses it.
pub fn certificate_resource() -> ApiResource {
    let gvk = GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate");
    ApiResource::from_gvk_with_plural(&gvk, "certificates")
}

/// Runs the three watches behind the Certificates pane until the app goes away. The one on
/// certificates fails with `FailureKind::NotInstalled` where cert-manager is absent; the other two
/// go on regardless.
pub async fn watch(client: Client, scope: &Scope, server: String, tx: impl super::EventSink) {
    let resource = certificate_resource();
    let certificates: Api<DynamicObject> = match scope {
        Scope::All => Api::all_with(client.clone(), &resource),
        Scope::Namespace(ns) => Api::namespaced_with(client.clone(), ns, &resource),
    };
    let secrets: Api<Secret> = scope.api(client.clone());
    let ingresses: Api<Ingress> = scope.api(client);
    let all = watch::config;
    // Only TLS secrets: others (service account tokens, Helm records) can be large and are
    // never shown, so they are not even sent.
    let tls_only = watch::config().fields("type=kubernetes.io/tls");
    watch::run_all(vec![
        watch::run::<DynamicObject, CertificateRow>(certificates, all(), server.clone(), tx.clone()).boxed(),
        watch::run::<Secret, TlsSecretRow>(secrets, tls_only, server.clone(), tx.clone()).boxed(),
        watch::run::<Ingress, IngressTlsRef>(ingresses, all(), server, tx).boxed(),
    ])
    .await;
}

/// The status of a Ready condition, as cert-manager reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Readiness {
    Ready,
    NotReady,
    /// No Ready condition yet, or its status is Unknown (e.g. just created, being issued).
    Unknown,
}

impl Readiness {
    /// As kubectl prints the READY column of certificates.
    pub fn label(self) -> &'static str {
        match self {
            Readiness::Ready => "True",
            Readiness::NotReady => "False",
            Readiness::Unknown => "Unknown",
        }
    }
}

/// Who issues a Certificate: `spec.issuerRef`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IssuerRef {
    /// `Issuer` or `ClusterIssuer` (cert-manager's default is `Issuer`), or an external kind.
    pub kind: String,
    pub name: String,
}

/// One cert-manager Certificate, reduced to what the pane draws. Text fields are sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct CertificateRow {
    pub key: ObjectKey,
    pub ready: Readiness,
    /// Reason and message of the Ready condition, empty when absent.
    pub ready_reason: String,
    pub ready_message: String,
    pub dns_names: Vec<String>,
    pub issuer: IssuerRef,
    /// The Secret cert-manager writes the certificate to, in the Certificate's namespace.
    pub secret_name: String,
    pub not_after: Option<Timestamp>,
    pub renewal_time: Option<Timestamp>,
}

impl Row for CertificateRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<DynamicObject> for CertificateRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Certificates;

    fn from_object(object: &DynamicObject) -> Self {
        CertificateRow::from(object)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Certificates(update)
    }
}

impl From<&DynamicObject> for CertificateRow {
    fn from(object: &DynamicObject) -> Self {
        let meta = &object.metadata;
        let data = &object.data;
        let ready = data
            .pointer("/status/conditions")
            .and_then(Value::as_array)
            .and_then(|conditions| {
                conditions
                    .iter()
                    .find(|c| c.get("type").and_then(Value::as_str) == Some("Ready"))
            });
        let field = |value: Option<&Value>, name: &str| sanitize(value.and_then(|v| text(v, name)).unwrap_or_default());
        CertificateRow {
            key: ObjectKey::new(
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
            ),
            ready: match ready.and_then(|c| text(c, "status")) {
                Some("True") => Readiness::Ready,
                Some("False") => Readiness::NotReady,
                _ => Readiness::Unknown,
            },
            ready_reason: field(ready, "reason"),
            ready_message: field(ready, "message"),
            dns_names: data
                .pointer("/spec/dnsNames")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).map(sanitize).collect())
                .unwrap_or_default(),
            issuer: IssuerRef {
                kind: match field(data.pointer("/spec/issuerRef"), "kind") {
                    kind if kind.is_empty() => "Issuer".to_owned(),
                    kind => kind,
                },
                name: field(data.pointer("/spec/issuerRef"), "name"),
            },
            secret_name: field(data.get("spec"), "secretName"),
            not_after: timestamp(data.pointer("/status/notAfter")),
            renewal_time: timestamp(data.pointer("/status/renewalTime")),
        }
    }
}

fn text<'a>(object: &'a Value, name: &str) -> Option<&'a str> {
    object.get(name).and_then(Value::as_str)
}

/// An RFC 3339 time as cert-manager writes them; anything else counts as absent.
fn timestamp(value: Option<&Value>) -> Option<Timestamp> {
    value.and_then(Value::as_str).and_then(|s| s.parse().ok())
}

#[cfg(test)]
mod tests;
