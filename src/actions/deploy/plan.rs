//! What a deploy would change: the chart rendered now against the objects live in the cluster.

use std::collections::HashSet;

use kube::Client;
use kube::api::{DynamicObject, PatchParams};
use serde_json::Value;

use super::apply::Applier;
use super::render::render;
use super::{DeployRequest, FIELD_MANAGER, ObjectId, manifest_objects};
use crate::actions::history::{self, Operation};
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::ReleaseStatus;

/// What a deploy would change compared with the revision deployed now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployPlan {
    pub revision: i32,
    pub added: Vec<ObjectId>,
    /// With a unified diff of the object as stored in the last revision and as rendered now.
    pub changed: Vec<(ObjectId, String)>,
    pub removed: Vec<ObjectId>,
}

/// Renders the chart and compares it with what is live, the way `kubectl diff` does: each
/// object as a server-side apply would leave it (a dry run) against the object in the cluster.
/// Changes nothing.
pub async fn plan(client: &Client, req: &DeployRequest) -> Result<DeployPlan, String> {
    let store = ReleaseStore::new(client.clone(), &req.namespace, &req.release);
    let history = store.history().await?;
    let op = if history
        .iter()
        .any(|r| r.info.status != Some(ReleaseStatus::Uninstalled))
    {
        Operation::Upgrade
    } else {
        Operation::Install
    };
    let revision = history::next_revision(&history, &req.release, op).map_err(|e| e.to_string())?;
    let prepared = render(Some(client), req, revision, &history).await?;
    compare(
        client,
        &req.namespace,
        &req.release,
        &prepared.rendered.manifest,
        &history,
        revision,
    )
    .await
}

/// What `rollback` to `to` (default: the last good revision) would change, as `plan` says it
/// for a deploy. Changes nothing.
pub async fn rollback_plan(
    client: &Client,
    namespace: &str,
    name: &str,
    to: Option<i32>,
) -> Result<(i32, DeployPlan), String> {
    let history = ReleaseStore::new(client.clone(), namespace, name).history().await?;
    let (to, revision, target) = history::rollback_target(&history, name, to)?;
    let plan = compare(client, namespace, name, &target.manifest, &history, revision).await?;
    Ok((to, plan))
}

/// `manifest` as revision `revision` against what is live and what the deployed revision has.
async fn compare(
    client: &Client,
    namespace: &str,
    release: &str,
    manifest: &str,
    history: &[crate::cluster::releases::Release],
    revision: i32,
) -> Result<DeployPlan, String> {
    let after = manifest_objects(manifest);
    let mut applier = Applier::new(client.clone(), namespace, release);
    let mut plan = DeployPlan {
        revision,
        ..DeployPlan::default()
    };
    for (id, object) in &after {
        let api = applier.api(id).await?;
        let Some(live) = api.get_opt(&id.name).await.map_err(|e| id.failure("get", &e))? else {
            plan.added.push(id.clone());
            continue;
        };
        let would_be = applier
            .apply_with(id, object, PatchParams::apply(FIELD_MANAGER).force().dry_run())
            .await?;
        // Secret values are masked on both sides alike: a change shows, the values do not.
        let mut masker = crate::cluster::mask::Masker::default();
        let (a, b) = (comparable(&live, &mut masker), comparable(&would_be, &mut masker));
        if a != b {
            let diff = similar::TextDiff::from_lines(&a, &b)
                .unified_diff()
                .context_radius(3)
                .header(&format!("{id} (live)"), &format!("{id} (after deploy)"))
                .to_string();
            plan.changed.push((id.clone(), diff));
        }
    }
    let kept: HashSet<&ObjectId> = after.iter().map(|(id, _)| id).collect();
    if let Some(deployed) = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
    {
        plan.removed = manifest_objects(&deployed.manifest)
            .into_iter()
            .map(|(id, _)| id)
            .filter(|id| !kept.contains(id))
            .collect();
    }
    Ok(plan)
}

/// An object as YAML without what the server keeps for itself, so two versions compare by
/// what a person changed, and with a Secret's values masked.
fn comparable(obj: &DynamicObject, masker: &mut crate::cluster::mask::Masker) -> String {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
    masker.mask_object(&mut v);
    if let Some(meta) = v.get_mut("metadata").and_then(Value::as_object_mut) {
        for noise in [
            "managedFields",
            "resourceVersion",
            "uid",
            "creationTimestamp",
            "generation",
        ] {
            meta.remove(noise);
        }
    }
    if let Some(map) = v.as_object_mut() {
        map.remove("status");
    }
    serde_yaml::to_string(&v).unwrap_or_default()
}
