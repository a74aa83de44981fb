//! Whole objects, read on demand for the YAML view: fetched once when asked for, shown with
//! managedFields folded and Secret values masked unless the user reveals one.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Pod, Secret};
use kube::Api;
use kube::api::{ApiResource, DynamicObject};
use serde_json::Value;

/// The kinds the dashboard can show as YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ObjectKind {
    Pod,
    Deployment,
    StatefulSet,
    Hpa,
    Event,
    Secret,
    /// cert-manager.io/v1 Certificate.
    Certificate,
    Service,
    Ingress,
    Pvc,
    Job,
    CronJob,
    ConfigMap,
    /// Belongs to no namespace: its `ObjectRef::namespace` is empty.
    Node,
}

impl ObjectKind {
    pub fn name(self) -> &'static str {
        match self {
            ObjectKind::Pod => "Pod",
            ObjectKind::Deployment => "Deployment",
            ObjectKind::StatefulSet => "StatefulSet",
            ObjectKind::Hpa => "HorizontalPodAutoscaler",
            ObjectKind::Event => "Event",
            ObjectKind::Secret => "Secret",
            ObjectKind::Certificate => "Certificate",
            ObjectKind::Service => "Service",
            ObjectKind::Ingress => "Ingress",
            ObjectKind::Pvc => "PersistentVolumeClaim",
            ObjectKind::Job => "Job",
            ObjectKind::CronJob => "CronJob",
            ObjectKind::ConfigMap => "ConfigMap",
            ObjectKind::Node => "Node",
        }
    }

    pub(crate) fn resource(self) -> ApiResource {
        match self {
            ObjectKind::Pod => ApiResource::erase::<Pod>(&()),
            ObjectKind::Deployment => ApiResource::erase::<Deployment>(&()),
            ObjectKind::StatefulSet => ApiResource::erase::<StatefulSet>(&()),
            ObjectKind::Hpa => ApiResource::erase::<HorizontalPodAutoscaler>(&()),
            ObjectKind::Event => ApiResource::erase::<Event>(&()),
            ObjectKind::Secret => ApiResource::erase::<Secret>(&()),
            ObjectKind::Certificate => ApiResource::from_gvk(&kube::api::GroupVersionKind::gvk(
                "cert-manager.io",
                "v1",
                "Certificate",
            )),
            ObjectKind::Service => ApiResource::erase::<k8s_openapi::api::core::v1::Service>(&()),
            ObjectKind::Ingress => ApiResource::erase::<k8s_openapi::api::networking::v1::Ingress>(&()),
            ObjectKind::Pvc => ApiResource::erase::<k8s_openapi::api::core::v1::PersistentVolumeClaim>(&()),
            ObjectKind::Job => ApiResource::erase::<k8s_openapi::api::batch::v1::Job>(&()),
            ObjectKind::CronJob => ApiResource::erase::<k8s_openapi::api::batch::v1::CronJob>(&()),
            ObjectKind::ConfigMap => ApiResource::erase::<k8s_openapi::api::core::v1::ConfigMap>(&()),
            ObjectKind::Node => ApiResource::erase::<k8s_openapi::api::core::v1::Node>(&()),
        }
    }
}

/// One object in the cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectRef {
    pub kind: ObjectKind,
    pub namespace: String,
    pub name: String,
}

impl std::fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.namespace.is_empty() {
            write!(f, "{}/{}", self.kind.name(), self.name)
        } else {
            write!(f, "{}/{} in {}", self.kind.name(), self.name, self.namespace)
        }
    }
}

/// Reads the object as JSON; errors are one sentence.
pub async fn fetch(client: kube::Client, object: &ObjectRef) -> Result<Value, String> {
    let api: Api<DynamicObject> = if object.kind == ObjectKind::Node {
        Api::all_with(client, &object.kind.resource())
    } else {
        Api::namespaced_with(client, &object.namespace, &object.kind.resource())
    };
    let found = api.get(&object.name).await.map_err(|e| {
        let (_, text) = super::describe_client_error(&e, "the API server");
        format!("reading {object}: {text}")
    })?;
    serde_json::to_value(found).map_err(|e| format!("reading {object}: {e}"))
}

/// The object as YAML lines for the screen: managedFields folded, Secret values masked except
/// `revealed`, every string sanitized. Returns the lines and the Secret's data keys in order.
pub fn yaml_lines(object: &Value, revealed: Option<&str>) -> (Vec<String>, Vec<String>) {
    let mut shown = object.clone();
    let mut secret_keys = Vec::new();
    if let Some(meta) = shown.get_mut("metadata").and_then(Value::as_object_mut)
        && let Some(Value::Array(entries)) = meta.get("managedFields")
    {
        let folded = format!("({} entries folded)", entries.len());
        meta.insert("managedFields".into(), Value::String(folded));
    }
    if shown.get("kind").and_then(Value::as_str) == Some("Secret") {
        if let Some(annotations) = shown
            .pointer_mut("/metadata/annotations")
            .and_then(Value::as_object_mut)
        {
            // kubectl apply keeps the whole Secret, values included, in this annotation.
            if annotations.contains_key("kubectl.kubernetes.io/last-applied-configuration") {
                annotations.insert(
                    "kubectl.kubernetes.io/last-applied-configuration".into(),
                    Value::String("(hidden: contains the Secret's values)".into()),
                );
            }
        }
        for field in ["data", "stringData"] {
            let Some(data) = shown.get_mut(field).and_then(Value::as_object_mut) else {
                continue;
            };
            for (key, value) in data.iter_mut() {
                secret_keys.push(key.clone());
                let raw = value.as_str().unwrap_or_default();
                let decoded = if field == "data" {
                    decode_base64(raw)
                } else {
                    Some(raw.as_bytes().to_vec())
                };
                *value = Value::String(if revealed == Some(key.as_str()) {
                    match decoded.as_deref().map(std::str::from_utf8) {
                        Some(Ok(text)) => format!("{text}  (revealed)"),
                        Some(Err(_)) => format!("<{} bytes of binary data>", decoded.map_or(0, |d| d.len())),
                        None => "<not valid base64>".into(),
                    }
                } else {
                    format!("•••••••• ({} bytes; x reveals)", decoded.map_or(0, |d| d.len()))
                });
            }
        }
    }
    let yaml = serde_yaml::to_string(&shown).unwrap_or_else(|e| format!("cannot show as YAML: {e}"));
    (yaml.lines().map(crate::text::sanitize).collect(), secret_keys)
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_masked_unless_one_key_is_revealed() {
        let secret = serde_json::json!({
            "apiVersion": "v1", "kind": "Secret",
            "metadata": {"name": "todo-secrets", "namespace": "todo",
                "managedFields": [{"manager": "kubectl"}, {"manager": "kubedeck"}],
                "annotations": {"kubectl.kubernetes.io/last-applied-configuration": "{\"data\":{\"OPENAI_API_KEY\":\"c2stc2VjcmV0\"}}"}},
            "data": {"OPENAI_API_KEY": "c2stc2VjcmV0", "REDIS_PASSWORD": "aHVudGVyMg=="}
        });
        let (lines, keys) = yaml_lines(&secret, None);
        let text = lines.join("\n");
        assert!(
            !text.contains("c2stc2VjcmV0") && !text.contains("sk-secret") && !text.contains("hunter2"),
            "{text}"
        );
        assert!(text.contains("OPENAI_API_KEY: •••••••• (9 bytes; x reveals)"), "{text}");
        assert!(text.contains("managedFields: (2 entries folded)"), "{text}");
        assert_eq!(keys, ["OPENAI_API_KEY", "REDIS_PASSWORD"]);

        let (lines, _) = yaml_lines(&secret, Some("REDIS_PASSWORD"));
        let text = lines.join("\n");
        assert!(text.contains("REDIS_PASSWORD: hunter2  (revealed)"), "{text}");
        assert!(!text.contains("sk-secret"), "only one value at a time: {text}");
    }

    #[test]
    fn other_objects_keep_their_fields_and_lose_control_sequences() {
        let pod = serde_json::json!({"kind": "Pod", "metadata": {"name": "web\u{1b}[2J", "managedFields": []},
            "spec": {"containers": [{"name": "a", "image": "x"}]}});
        let (lines, keys) = yaml_lines(&pod, None);
        assert!(keys.is_empty());
        // YAML itself escapes the control character; nothing raw reaches the terminal.
        assert!(lines.iter().any(|l| l.contains(r#"name: "web\e[2J""#)), "{lines:?}");
        assert!(lines.iter().all(|l| !l.contains('\u{1b}')));
        assert!(lines.iter().any(|l| l.contains("image: x")));
    }
}
