//! Namespace names, for the namespace switcher.

use k8s_openapi::api::core::v1::Namespace;

use super::RowUpdate;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};

#[derive(Debug, Clone, PartialEq)]
pub struct NamespaceRow {
    pub key: ObjectKey,
}

impl Row for NamespaceRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Namespace> for NamespaceRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Namespaces;

    fn from_object(ns: &Namespace) -> Self {
        NamespaceRow {
            key: ObjectKey::new("", ns.metadata.name.as_deref().unwrap_or_default()),
        }
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Namespaces(update)
    }
}
