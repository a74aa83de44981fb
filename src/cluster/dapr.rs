//! Dapr Components in a namespace (the cloud shape's pub/sub): their type and which Secret keys
//! they read, never the values. Dapr's CRDs may be absent: that is "no components", not an error.

use kube::api::{ApiResource, DynamicObject, GroupVersionKind, ListParams};
use kube::{Api, Client};
use serde::Serialize;

use crate::text::sanitize;

/// One Dapr Component, as `status` and the release's description show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DaprComponent {
    pub name: String,
    /// `pubsub.kafka`, `state.redis`, ...
    #[serde(rename = "type")]
    pub type_: String,
    pub version: String,
    /// The Secret keys its metadata reads: (metadata field, Secret, key).
    pub secret_refs: Vec<SecretRef>,
    /// The app ids allowed to use it; empty = every app in the namespace.
    pub scopes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SecretRef {
    pub field: String,
    pub secret: String,
    pub key: String,
}

fn component_resource() -> ApiResource {
    ApiResource::from_gvk_with_plural(&GroupVersionKind::gvk("dapr.io", "v1alpha1", "Component"), "components")
}

/// The Components of `namespace`, by name; none when Dapr's CRDs are not installed.
pub async fn components(client: &Client, namespace: &str) -> Result<Vec<DaprComponent>, String> {
    let api: Api<DynamicObject> = Api::namespaced_with(client.clone(), namespace, &component_resource());
    match api.list(&ListParams::default()).await {
        Ok(list) => {
            let mut found: Vec<DaprComponent> = list.items.iter().map(DaprComponent::from).collect();
            found.sort_by(|a, b| a.name.cmp(&b.name));
            Ok(found)
        }
        Err(kube::Error::Api(e)) if e.code == 404 => Ok(Vec::new()),
        Err(e) => Err(super::failed_to(super::Attempt::new(
            "list",
            "Dapr Components",
            namespace,
        ))(e)),
    }
}

impl From<&DynamicObject> for DaprComponent {
    fn from(object: &DynamicObject) -> Self {
        let text = |v: &serde_json::Value| sanitize(v.as_str().unwrap_or_default());
        let spec = &object.data["spec"];
        let secret_refs = spec["metadata"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|m| m["secretKeyRef"].is_object())
            .map(|m| SecretRef {
                field: text(&m["name"]),
                secret: text(&m["secretKeyRef"]["name"]),
                key: text(&m["secretKeyRef"]["key"]),
            })
            .collect();
        DaprComponent {
            name: sanitize(object.metadata.name.as_deref().unwrap_or_default()),
            type_: text(&spec["type"]),
            version: text(&spec["version"]),
            secret_refs,
            scopes: object.data["scopes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect(),
        }
    }
}

impl DaprComponent {
    /// "pubsub (pubsub.kafka v1; reads Secret app-secrets keys REDPANDA_BROKERS, REDPANDA_PASSWORD)".
    pub fn summary(&self) -> String {
        let mut secrets: Vec<(&str, Vec<&str>)> = Vec::new();
        for r in &self.secret_refs {
            match secrets.iter_mut().find(|(s, _)| *s == r.secret) {
                Some((_, keys)) => keys.push(&r.key),
                None => secrets.push((&r.secret, vec![&r.key])),
            }
        }
        let reads: Vec<String> = secrets
            .iter()
            .map(|(s, keys)| format!("reads Secret {s} keys {}", keys.join(", ")))
            .collect();
        let mut parts = vec![format!("{} {}", self.type_, self.version)];
        parts.extend(reads);
        if !self.scopes.is_empty() {
            parts.push(format!("used by {}", self.scopes.join(", ")));
        }
        format!("{} ({})", self.name, parts.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_names_type_secret_keys_and_scopes_never_values() {
        let object: DynamicObject = serde_yaml::from_str(
            "apiVersion: dapr.io/v1alpha1
kind: Component
metadata: {name: pubsub, namespace: staging}
spec:
  type: pubsub.kafka
  version: v1
  metadata:
  - {name: brokers, secretKeyRef: {name: app-secrets, key: REDPANDA_BROKERS}}
  - {name: saslPassword, secretKeyRef: {name: app-secrets, key: REDPANDA_PASSWORD}}
  - {name: disableTls, value: 'false'}
  - {name: token, secretKeyRef: {name: other, key: \"T\\u001b[31m\"}}
scopes: [todo-backend]
auth: {secretStore: kubernetes}
",
        )
        .expect("component YAML");
        let c = DaprComponent::from(&object);
        assert_eq!(
            c.summary(),
            "pubsub (pubsub.kafka v1; reads Secret app-secrets keys REDPANDA_BROKERS, REDPANDA_PASSWORD; \
             reads Secret other keys T; used by todo-backend)"
        );
    }
}
