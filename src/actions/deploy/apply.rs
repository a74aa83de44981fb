//! Applying and deleting a release's objects through server-side apply, with Helm's ownership
//! metadata, finding each kind's API once.

use std::collections::{HashMap, HashSet};

use k8s_openapi::api::core::v1::Pod;
use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PropagationPolicy};
use kube::discovery::{ApiCapabilities, Scope};
use kube::{Api, Client};
use serde_json::{Map, Value};

use super::{FIELD_MANAGER, ObjectId, Progress, manifest_objects};

/// Applies objects for one release, with Helm's ownership metadata.
pub(super) struct Applier {
    client: Client,
    namespace: String,
    release: String,
    kinds: HashMap<(String, String), (ApiResource, ApiCapabilities)>,
}

impl Applier {
    pub(super) fn new(client: Client, namespace: &str, release: &str) -> Self {
        Applier {
            client,
            namespace: namespace.into(),
            release: release.into(),
            kinds: HashMap::new(),
        }
    }

    pub(super) async fn api(&mut self, id: &ObjectId) -> Result<Api<DynamicObject>, String> {
        let key = (id.api_version.clone(), id.kind.clone());
        if !self.kinds.contains_key(&key) {
            let (group, version) = id.api_version.rsplit_once('/').unwrap_or(("", &id.api_version));
            let gvk = GroupVersionKind::gvk(group, version, &id.kind);
            let found = kube::discovery::pinned_kind(&self.client, &gvk).await.map_err(|e| {
                let what = format!("the kind {} {}", id.api_version, id.kind);
                let why = crate::text::sanitize(&crate::cluster::error_chain(&e));
                format!("cannot find {what} on the cluster ({why}); is its CRD installed?")
            })?;
            self.kinds.insert(key.clone(), found);
        }
        let (resource, caps) = &self.kinds[&key];
        Ok(match caps.scope {
            Scope::Cluster => Api::all_with(self.client.clone(), resource),
            Scope::Namespaced => {
                let ns = id.namespace.as_deref().unwrap_or(&self.namespace);
                Api::namespaced_with(self.client.clone(), ns, resource)
            }
        })
    }

    /// The pods of the namespace the object lives in.
    pub(super) fn pods(&self, id: &ObjectId) -> Api<Pod> {
        Api::namespaced(self.client.clone(), id.namespace.as_deref().unwrap_or(&self.namespace))
    }

    /// Server-side apply, with the label and annotations that let helm adopt the object later.
    pub(super) async fn apply(&mut self, id: &ObjectId, object: &Value) -> Result<(), String> {
        self.apply_with(id, object, PatchParams::apply(FIELD_MANAGER).force())
            .await
            .map(|_| ())
    }

    pub(super) async fn apply_with(
        &mut self,
        id: &ObjectId,
        object: &Value,
        params: PatchParams,
    ) -> Result<DynamicObject, String> {
        let mut object = object.clone();
        let meta = object
            .get_mut("metadata")
            .and_then(Value::as_object_mut)
            .ok_or_else(|| format!("{id} has no metadata"))?;
        let labels = meta.entry("labels").or_insert_with(|| Value::Object(Map::new()));
        if let Some(labels) = labels.as_object_mut() {
            labels.insert("app.kubernetes.io/managed-by".into(), "Helm".into());
        }
        let annotations = meta.entry("annotations").or_insert_with(|| Value::Object(Map::new()));
        if let Some(a) = annotations.as_object_mut() {
            a.insert("meta.helm.sh/release-name".into(), self.release.clone().into());
            a.insert("meta.helm.sh/release-namespace".into(), self.namespace.clone().into());
        }
        let api = self.api(id).await?;
        api.patch(&id.name, &params, &Patch::Apply(&object))
            .await
            .map_err(|e| id.failure("apply", &e))
    }

    pub(super) async fn apply_all(
        &mut self,
        objects: &[(ObjectId, Value)],
        progress: Progress<'_>,
    ) -> Result<(), String> {
        for (id, object) in objects {
            self.apply(id, object).await?;
            progress(format!("applied {id}"));
        }
        Ok(())
    }

    /// Deletes an object; false when it was already gone.
    pub(super) async fn delete(&mut self, id: &ObjectId) -> Result<bool, String> {
        let api = self.api(id).await?;
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        };
        match api.delete(&id.name, &params).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
            Err(e) => Err(id.failure("delete", &e)),
        }
    }

    /// Objects of the previous revision that left the chart go, unless they ask to be kept.
    pub(super) async fn delete_left_behind(
        &mut self,
        previous: &str,
        now: &[(ObjectId, Value)],
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let keep: HashSet<&ObjectId> = now.iter().map(|(id, _)| id).collect();
        for (id, object) in manifest_objects(previous).iter().rev() {
            let policy = object
                .pointer("/metadata/annotations/helm.sh~1resource-policy")
                .and_then(Value::as_str);
            if keep.contains(id) || policy == Some("keep") {
                continue;
            }
            if self.delete(id).await? {
                progress(format!("deleted {id}: no longer in the chart"));
            }
        }
        Ok(())
    }
}
