//! Pods as the watch decodes them: the spec and status the rows read, and only the metadata
//! fields anything here uses. `managedFields` (often the largest part of a pod's JSON) and the
//! rest are skipped while parsing instead of being built and thrown away, which is most of the
//! work of a first screen of 10,000 pods.

use std::borrow::Cow;
use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, PodSpec, PodStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::{Deserialize, Deserializer};

/// A Pod for the watch, decoded the slim way; the row code reads the `Pod` inside.
#[derive(Debug, Clone)]
pub struct SlimPod(pub Pod);

/// What is read off the wire.
#[derive(Deserialize)]
struct Wire {
    #[serde(deserialize_with = "slim_meta")]
    metadata: ObjectMeta,
    spec: Option<PodSpec>,
    status: Option<PodStatus>,
}

impl<'de> Deserialize<'de> for SlimPod {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let w = Wire::deserialize(deserializer)?;
        Ok(SlimPod(Pod {
            metadata: w.metadata,
            spec: w.spec,
            status: w.status,
        }))
    }
}

/// The metadata fields kubedeck reads (and the watcher needs: uid, resourceVersion).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    creation_timestamp: Option<Time>,
    deletion_timestamp: Option<Time>,
    owner_references: Option<Vec<OwnerReference>>,
}

fn slim_meta<'de, D: Deserializer<'de>>(deserializer: D) -> Result<ObjectMeta, D::Error> {
    let m = Meta::deserialize(deserializer)?;
    Ok(ObjectMeta {
        name: m.name,
        namespace: m.namespace,
        uid: m.uid,
        resource_version: m.resource_version,
        labels: m.labels,
        annotations: m.annotations,
        creation_timestamp: m.creation_timestamp,
        deletion_timestamp: m.deletion_timestamp,
        owner_references: m.owner_references,
        ..ObjectMeta::default()
    })
}

impl kube::Resource for SlimPod {
    type DynamicType = ();
    type Scope = k8s_openapi::NamespaceResourceScope;

    fn kind(_: &()) -> Cow<'_, str> {
        "Pod".into()
    }
    fn group(_: &()) -> Cow<'_, str> {
        "".into()
    }
    fn version(_: &()) -> Cow<'_, str> {
        "v1".into()
    }
    fn plural(_: &()) -> Cow<'_, str> {
        "pods".into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.0.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.0.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_slim_pod_makes_the_same_row_as_the_full_one() {
        let json = serde_json::json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {
                "name": "web-1", "namespace": "shop", "uid": "u1", "resourceVersion": "42",
                "labels": {"app": "web"}, "creationTimestamp": "2026-11-23T11:00:00Z",
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d", "uid": "rs", "controller": true}],
                "managedFields": [{"manager": "kubelet", "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": {"f:status": {}}}]
            },
            "spec": {"nodeName": "n1", "containers": [{"name": "app", "image": "web:1"}]},
            "status": {"phase": "Running", "podIP": "10.0.0.1",
                "containerStatuses": [{"name": "app", "image": "web:1", "imageID": "", "ready": true, "restartCount": 2,
                    "state": {"running": {"startedAt": "2026-11-23T11:00:05Z"}}}]}
        });
        let full: Pod = serde_json::from_value(json.clone()).unwrap();
        let slim: SlimPod = serde_json::from_value(json).unwrap();
        assert!(full.metadata.managed_fields.is_some());
        assert!(slim.0.metadata.managed_fields.is_none());
        assert_eq!(slim.0.metadata.resource_version.as_deref(), Some("42"));
        let (a, b) = (super::super::PodRow::from(&full), super::super::PodRow::from(&slim.0));
        assert_eq!(a, b);
    }
}
