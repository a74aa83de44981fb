//! Ingresses, reduced to the TLS secrets they serve and for which hosts.

use k8s_openapi::api::networking::v1::Ingress;

use super::super::RowUpdate;
use super::super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

/// One Ingress and the TLS secrets it references (in its own namespace). Text is sanitized.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IngressTlsRef {
    pub key: ObjectKey,
    /// One per `spec.tls[]` entry that names a secret; entries without one are served with the
    /// ingress controller's default certificate, which is not ours to check.
    pub tls: Vec<IngressTls>,
}

/// One `spec.tls[]` entry of an Ingress.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IngressTls {
    pub secret_name: String,
    pub hosts: Vec<String>,
}

impl Row for IngressTlsRef {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Ingress> for IngressTlsRef {
    const KIND: crate::cluster::store::WatchKind = crate::cluster::store::WatchKind::Ingresses;

    fn from_object(ingress: &Ingress) -> Self {
        IngressTlsRef::from(ingress)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::IngressTls(update)
    }
}

impl From<&Ingress> for IngressTlsRef {
    fn from(ingress: &Ingress) -> Self {
        let meta = &ingress.metadata;
        let entries = ingress
            .spec
            .as_ref()
            .and_then(|spec| spec.tls.as_deref())
            .unwrap_or_default();
        IngressTlsRef {
            key: ObjectKey::new(
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
            ),
            tls: entries
                .iter()
                .filter_map(|tls| {
                    let secret_name = tls.secret_name.as_deref().filter(|s| !s.is_empty())?;
                    Some(IngressTls {
                        secret_name: sanitize(secret_name),
                        hosts: tls.hosts.iter().flatten().map(|h| sanitize(h)).collect(),
                    })
                })
                .collect(),
        }
    }
}
