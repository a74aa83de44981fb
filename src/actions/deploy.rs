//! Deploy, roll back and uninstall a release through the Kubernetes API, recording every
//! revision in Helm's own storage the way Helm does, so `helm history`, `helm rollback` and
//! kubedeck work on the same releases.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use jiff::Timestamp;
use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PropagationPolicy};
use kube::discovery::{ApiCapabilities, Scope};
use kube::{Api, Client};
use serde_json::{Map, Value};

use super::history::{self, Operation};
use super::release_store::ReleaseStore;
use crate::chart::{self, RenderOptions, Rendered, RenderedHook};
use crate::cluster::releases::{Base64Bytes, ChartFile, ChartMetadata, HelmTime, Hook, Release, ReleaseStatus};

/// Server-side apply's field manager: who owns the fields kubedeck sets.
pub const FIELD_MANAGER: &str = "kubedeck";

/// What to deploy and how.
#[derive(Debug, Clone, PartialEq)]
pub struct DeployRequest {
    pub release: String,
    pub namespace: String,
    pub chart_dir: PathBuf,
    pub values_files: Vec<PathBuf>,
    pub set: Vec<String>,
    /// Roll back to the last good revision when the deploy fails.
    pub atomic: bool,
    pub timeout: Duration,
    /// Revisions kept (0: all).
    pub history_max: usize,
    /// Render with a helm binary on PATH instead of kubedeck's own renderer.
    pub helm_renderer: bool,
    /// Values to start from, before the files and `--set`s (a revision's values, reused).
    pub base_values: Map<String, Value>,
}

/// Progress lines for whoever runs the action (the dashboard or the command line).
pub type Progress<'a> = &'a (dyn Fn(String) + Send + Sync);

/// One object of a manifest, by what identifies it in the cluster.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectId {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl std::fmt::Display for ObjectId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.kind, self.name)
    }
}

/// The documents of a stored manifest, with their identities.
pub fn manifest_objects(manifest: &str) -> Vec<(ObjectId, Value)> {
    manifest
        .split("\n---")
        .filter_map(|doc| serde_yaml::from_str::<Value>(doc).ok())
        .filter(|v| v.is_object())
        .filter_map(|v| {
            let id = ObjectId {
                api_version: v.get("apiVersion")?.as_str()?.to_owned(),
                kind: v.get("kind")?.as_str()?.to_owned(),
                namespace: v
                    .pointer("/metadata/namespace")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                name: v.pointer("/metadata/name")?.as_str()?.to_owned(),
            };
            Some((id, v))
        })
        .collect()
}

/// What a deploy would change compared with the revision deployed now.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployPlan {
    pub revision: i32,
    pub added: Vec<ObjectId>,
    /// With a unified diff of the object as stored in the last revision and as rendered now.
    pub changed: Vec<(ObjectId, String)>,
    pub removed: Vec<ObjectId>,
}

fn render(req: &DeployRequest, revision: i32, upgrade: bool) -> Result<(chart::Chart, Rendered), String> {
    let loaded = chart::load_chart(&req.chart_dir).map_err(|e| e.to_string())?;
    let base = base_mapping(req);
    if req.helm_renderer && !base.is_empty() {
        return Err("reusing a revision's values needs kubedeck's own renderer: leave out --renderer helm".into());
    }
    let rendered = if req.helm_renderer {
        chart::render_with_helm(
            &req.chart_dir,
            &req.release,
            &req.namespace,
            &req.values_files,
            &req.set,
        )
    } else {
        let opts = RenderOptions {
            release_name: req.release.clone(),
            namespace: req.namespace.clone(),
            values_files: req.values_files.clone(),
            set: req.set.clone(),
            base,
            is_upgrade: upgrade,
            revision: revision.max(1) as u32,
        };
        chart::render(&loaded, &opts)
    }
    .map_err(|e| e.to_string())?;
    Ok((loaded, rendered))
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
    let (_, rendered) = render(req, revision, op == Operation::Upgrade)?;
    let after = manifest_objects(&rendered.manifest);
    let mut applier = Applier::new(client.clone(), &req.namespace, &req.release);
    let mut plan = DeployPlan {
        revision,
        ..DeployPlan::default()
    };
    for (id, object) in &after {
        let api = applier.api(id).await?;
        let Some(live) = api.get_opt(&id.name).await.map_err(|e| format!("reading {id}: {e}"))? else {
            plan.added.push(id.clone());
            continue;
        };
        let would_be = applier
            .apply_with(id, object, PatchParams::apply(FIELD_MANAGER).force().dry_run())
            .await?;
        let (a, b) = (comparable(&live), comparable(&would_be));
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
/// what a person changed.
fn comparable(obj: &DynamicObject) -> String {
    let mut v = serde_json::to_value(obj).unwrap_or(Value::Null);
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

/// Installs or upgrades the release. Returns the new revision. With `atomic`, a failure is
/// undone: back to the last good revision, or a failed first install removed, as helm does.
pub async fn deploy(client: &Client, req: &DeployRequest, progress: Progress<'_>) -> Result<i32, String> {
    let why = match deploy_once(client, req, progress).await {
        Ok(rev) => return Ok(rev),
        Err(why) if !req.atomic => return Err(why),
        Err(why) => why,
    };
    progress(format!("deploy failed: {why}; --atomic: undoing it"));
    match rollback(client, &req.namespace, &req.release, None, req.timeout, progress).await {
        Ok(rev) => Err(format!("{why} (rolled back: revision {rev} deployed)")),
        Err(_)
            if ReleaseStore::new(client.clone(), &req.namespace, &req.release)
                .history()
                .await?
                .len()
                <= 1 =>
        {
            uninstall(client, &req.namespace, &req.release, false, progress).await?;
            Err(format!("{why} (the failed install was removed)"))
        }
        Err(e) => Err(format!("{why}; rolling back failed too: {e}")),
    }
}

async fn deploy_once(client: &Client, req: &DeployRequest, progress: Progress<'_>) -> Result<i32, String> {
    let store = ReleaseStore::new(client.clone(), &req.namespace, &req.release);
    let history = store.history().await?;
    let live = history
        .iter()
        .any(|r| r.info.status != Some(ReleaseStatus::Uninstalled));
    let op = if live { Operation::Upgrade } else { Operation::Install };
    let revision = history::next_revision(&history, &req.release, op).map_err(|e| e.to_string())?;
    progress(format!("rendering {} for revision {revision}", req.chart_dir.display()));
    let (loaded, rendered) = render(req, revision, live)?;
    let now = Timestamp::now();
    let first_deployed = history.first().and_then(|r| r.info.first_deployed.0).unwrap_or(now);
    let mut release = Release {
        name: req.release.clone(),
        namespace: req.namespace.clone(),
        version: revision,
        chart: stored_chart(&loaded),
        config: user_values(req)?,
        manifest: rendered.manifest.clone(),
        hooks: rendered.hooks.iter().map(stored_hook).collect(),
        ..Release::default()
    };
    release.info.first_deployed = HelmTime(Some(first_deployed));
    release.info.last_deployed = HelmTime(Some(now));
    release.info.status = Some(op.pending_status());
    release.info.description = op.pending_description();
    release.info.notes = rendered.notes.clone();
    store.create(&release).await?;
    progress(format!("revision {revision}: {}", op.pending_description()));

    let previous = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
        .cloned();
    let mut applier = Applier::new(client.clone(), &req.namespace, &req.release);
    let (pre, post) = if live {
        ("pre-upgrade", "post-upgrade")
    } else {
        ("pre-install", "post-install")
    };
    let outcome = async {
        applier.run_hooks(&rendered.hooks, pre, req.timeout, progress).await?;
        let objects = manifest_objects(&rendered.manifest);
        applier.apply_all(&objects, progress).await?;
        if let Some(prev) = &previous {
            applier.delete_left_behind(&prev.manifest, &objects, progress).await?;
        }
        applier.wait_ready(&objects, req.timeout, progress).await?;
        applier.run_hooks(&rendered.hooks, post, req.timeout, progress).await
    }
    .await;
    finish(&store, release, &history, op, outcome, req.history_max, progress).await?;
    Ok(revision)
}

/// Rolls back to revision `to` (default: the one before the current), as `helm rollback`.
pub async fn rollback(
    client: &Client,
    namespace: &str,
    name: &str,
    to: Option<i32>,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<i32, String> {
    let store = ReleaseStore::new(client.clone(), namespace, name);
    let history = store.history().await?;
    let current = history.last().map_or(0, |r| r.version);
    let to = match to {
        Some(to) => to,
        None => history::last_good(&history, current)
            .ok_or_else(|| format!("release {name} has no earlier revision to roll back to"))?,
    };
    let op = Operation::Rollback { to };
    let revision = history::next_revision(&history, name, op).map_err(|e| e.to_string())?;
    let Some(target) = history.iter().find(|r| r.version == to) else {
        return Err(history::Refusal::NoSuchRevision {
            release: name.into(),
            revision: to,
        }
        .to_string());
    };
    let mut release = target.clone();
    release.version = revision;
    release.info.status = Some(op.pending_status());
    release.info.description = op.pending_description();
    release.info.last_deployed = HelmTime(Some(Timestamp::now()));
    release.info.deleted = HelmTime(None);
    store.create(&release).await?;
    progress(format!("revision {revision}: rolling back to {to}"));
    let previous = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
        .cloned();
    let mut applier = Applier::new(client.clone(), namespace, name);
    let objects = manifest_objects(&release.manifest);
    let outcome = async {
        applier.apply_all(&objects, progress).await?;
        if let Some(prev) = &previous {
            applier.delete_left_behind(&prev.manifest, &objects, progress).await?;
        }
        applier.wait_ready(&objects, timeout, progress).await
    }
    .await;
    finish(&store, release, &history, op, outcome, 10, progress).await?;
    Ok(revision)
}

/// Uninstalls the release: deletes its objects, then its history (or, with `keep_history`,
/// marks the last revision uninstalled).
pub async fn uninstall(
    client: &Client,
    namespace: &str,
    name: &str,
    keep_history: bool,
    progress: Progress<'_>,
) -> Result<(), String> {
    let store = ReleaseStore::new(client.clone(), namespace, name);
    let history = store.history().await?;
    let Some(mut last) = history.last().cloned() else {
        return Err(history::Refusal::NoSuchRelease(name.into()).to_string());
    };
    last.info.status = Some(ReleaseStatus::Uninstalling);
    last.info.description = "Deletion in progress (or silently failed)".into();
    store.update(&last).await?;
    let mut applier = Applier::new(client.clone(), namespace, name);
    let mut objects = manifest_objects(&last.manifest);
    objects.reverse();
    for (id, _) in &objects {
        if applier.delete(id).await? {
            progress(format!("deleted {id}"));
        }
    }
    if keep_history {
        last.info.status = Some(ReleaseStatus::Uninstalled);
        last.info.description = "Uninstallation complete".into();
        last.info.deleted = HelmTime(Some(Timestamp::now()));
        store.update(&last).await
    } else {
        for r in &history {
            store.delete(r.version).await?;
        }
        Ok(())
    }
}

/// Records how the operation ended, exactly as Helm does, then prunes the history.
async fn finish(
    store: &ReleaseStore,
    mut release: Release,
    history: &[Release],
    op: Operation,
    outcome: Result<(), String>,
    history_max: usize,
    progress: Progress<'_>,
) -> Result<(), String> {
    match outcome {
        Ok(()) => {
            for version in history::to_supersede(history, release.version) {
                if let Some(old) = history.iter().find(|r| r.version == version) {
                    let mut old = old.clone();
                    old.info.status = Some(ReleaseStatus::Superseded);
                    store.update(&old).await?;
                }
            }
            release.info.status = Some(ReleaseStatus::Deployed);
            release.info.description = op.done_description();
            store.update(&release).await?;
            progress(format!(
                "revision {}: deployed ({})",
                release.version,
                op.done_description()
            ));
            let mut all = history.to_vec();
            all.push(release);
            for version in history::to_prune(&all, history_max) {
                store.delete(version).await?;
            }
            Ok(())
        }
        Err(why) => {
            release.info.status = Some(ReleaseStatus::Failed);
            release.info.description = op.failed_description(&release.name, &why);
            store.update(&release).await?;
            Err(release.info.description)
        }
    }
}

fn stored_chart(c: &chart::Chart) -> crate::cluster::releases::Chart {
    let metadata = ChartMetadata {
        name: c.name.clone(),
        version: c.version.clone(),
        app_version: c.app_version.clone(),
        api_version: c.api_version.clone(),
        description: c.description.clone(),
        ..ChartMetadata::default()
    };
    let templates = c
        .templates
        .iter()
        .map(|(path, text)| ChartFile {
            name: format!("templates/{path}"),
            data: Base64Bytes(text.clone().into_bytes()),
            extra: Map::new(),
        })
        .collect();
    let values = serde_json::to_value(&c.values)
        .ok()
        .and_then(|v| v.as_object().cloned());
    crate::cluster::releases::Chart {
        metadata: Some(metadata),
        templates: Some(templates),
        values,
        ..crate::cluster::releases::Chart::default()
    }
}

/// The values the user gave (files and `--set`), without the chart's defaults: what Helm keeps
/// as the release's config and `helm get values` prints.
fn user_values(req: &DeployRequest) -> Result<Map<String, Value>, String> {
    let opts = RenderOptions {
        values_files: req.values_files.clone(),
        set: req.set.clone(),
        base: base_mapping(req),
        ..RenderOptions::default()
    };
    let merged = chart::user_values(&opts).map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(merged)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default())
}

/// The reused values as the renderer takes them.
fn base_mapping(req: &DeployRequest) -> serde_yaml::Mapping {
    serde_yaml::to_value(&req.base_values)
        .ok()
        .and_then(|v| v.as_mapping().cloned())
        .unwrap_or_default()
}

fn stored_hook(h: &RenderedHook) -> Hook {
    Hook {
        name: h.object.name.clone(),
        kind: h.object.kind.clone(),
        path: h.object.source.clone(),
        manifest: h.manifest.clone(),
        events: h.events.clone(),
        weight: h.weight as i32,
        delete_policies: h.delete_policies.clone(),
        ..Hook::default()
    }
}

/// Applies objects for one release, with Helm's ownership metadata.
struct Applier {
    client: Client,
    namespace: String,
    release: String,
    kinds: HashMap<(String, String), (ApiResource, ApiCapabilities)>,
}

impl Applier {
    fn new(client: Client, namespace: &str, release: &str) -> Self {
        Applier {
            client,
            namespace: namespace.into(),
            release: release.into(),
            kinds: HashMap::new(),
        }
    }

    async fn api(&mut self, id: &ObjectId) -> Result<Api<DynamicObject>, String> {
        let key = (id.api_version.clone(), id.kind.clone());
        if !self.kinds.contains_key(&key) {
            let (group, version) = id.api_version.rsplit_once('/').unwrap_or(("", &id.api_version));
            let gvk = GroupVersionKind::gvk(group, version, &id.kind);
            let found = kube::discovery::pinned_kind(&self.client, &gvk)
                .await
                .map_err(|e| format!("the cluster does not serve {} {}: {e}", id.api_version, id.kind))?;
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

    /// Server-side apply, with the label and annotations that let helm adopt the object later.
    async fn apply(&mut self, id: &ObjectId, object: &Value) -> Result<(), String> {
        self.apply_with(id, object, PatchParams::apply(FIELD_MANAGER).force())
            .await
            .map(|_| ())
    }

    async fn apply_with(
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
        api.patch(&id.name, &params, &Patch::Apply(&object)).await.map_err(|e| {
            format!(
                "applying {id}: {}",
                crate::cluster::describe_client_error(&e, "the API server").1
            )
        })
    }

    async fn apply_all(&mut self, objects: &[(ObjectId, Value)], progress: Progress<'_>) -> Result<(), String> {
        for (id, object) in objects {
            self.apply(id, object).await?;
            progress(format!("applied {id}"));
        }
        Ok(())
    }

    /// Deletes an object; false when it was already gone.
    async fn delete(&mut self, id: &ObjectId) -> Result<bool, String> {
        let api = self.api(id).await?;
        let params = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..DeleteParams::default()
        };
        match api.delete(&id.name, &params).await {
            Ok(_) => Ok(true),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(false),
            Err(e) => Err(format!("deleting {id}: {e}")),
        }
    }

    /// Objects of the previous revision that left the chart go, unless they ask to be kept.
    async fn delete_left_behind(
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

    /// Runs the hooks of one event in Helm's order (weight, then name), waiting for Jobs and
    /// Pods to finish.
    async fn run_hooks(
        &mut self,
        hooks: &[RenderedHook],
        event: &str,
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let mut due: Vec<&RenderedHook> = hooks.iter().filter(|h| h.events.iter().any(|e| e == event)).collect();
        due.sort_by(|a, b| a.weight.cmp(&b.weight).then_with(|| a.object.name.cmp(&b.object.name)));
        for hook in due {
            let id = ObjectId {
                api_version: hook.object.api_version.clone(),
                kind: hook.object.kind.clone(),
                namespace: hook.object.namespace.clone(),
                name: hook.object.name.clone(),
            };
            let policies = &hook.delete_policies;
            if policies.is_empty() || policies.iter().any(|p| p == "before-hook-creation") {
                self.delete(&id).await?;
                self.wait_gone(&id, timeout).await?;
            }
            let object = serde_json::to_value(&hook.object.yaml).map_err(|e| e.to_string())?;
            self.apply(&id, &object).await?;
            progress(format!("{event} hook {id} started"));
            let result = self.wait_hook(&id, timeout).await;
            let delete = match &result {
                Ok(()) => policies.iter().any(|p| p == "hook-succeeded"),
                Err(_) => policies.iter().any(|p| p == "hook-failed"),
            };
            if delete {
                self.delete(&id).await?;
            }
            result.map_err(|e| format!("{event} hook {id} failed: {e}"))?;
            progress(format!("{event} hook {id} succeeded"));
        }
        Ok(())
    }

    async fn wait_gone(&mut self, id: &ObjectId, timeout: Duration) -> Result<(), String> {
        let api = self.api(id).await?;
        let deadline = Instant::now() + timeout;
        while api.get_opt(&id.name).await.map_err(|e| e.to_string())?.is_some() {
            if Instant::now() > deadline {
                return Err(format!("{id} was not deleted within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Ok(())
    }

    async fn wait_hook(&mut self, id: &ObjectId, timeout: Duration) -> Result<(), String> {
        let api = self.api(id).await?;
        let deadline = Instant::now() + timeout;
        loop {
            let obj = api.get(&id.name).await.map_err(|e| e.to_string())?;
            let status = obj.data.get("status").cloned().unwrap_or(Value::Null);
            let done = match id.kind.as_str() {
                "Job" => {
                    if status.get("failed").and_then(Value::as_i64).unwrap_or(0) > 0
                        && conditions_true(&status, "Failed")
                    {
                        return Err("the Job failed".into());
                    }
                    status.get("succeeded").and_then(Value::as_i64).unwrap_or(0) > 0
                }
                "Pod" => match status.get("phase").and_then(Value::as_str) {
                    Some("Failed") => return Err("the Pod failed".into()),
                    Some("Succeeded") => true,
                    _ => false,
                },
                _ => true,
            };
            if done {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!("not finished within {timeout:?}"));
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// Waits until every Deployment and StatefulSet of the release runs its desired replicas,
    /// all updated and available, reporting each one's progress as it changes.
    async fn wait_ready(
        &mut self,
        objects: &[(ObjectId, Value)],
        timeout: Duration,
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let workloads: Vec<&ObjectId> = objects
            .iter()
            .map(|(id, _)| id)
            .filter(|id| matches!(id.kind.as_str(), "Deployment" | "StatefulSet"))
            .collect();
        let mut last: HashMap<&ObjectId, String> = HashMap::new();
        loop {
            let mut waiting = Vec::new();
            for id in &workloads {
                let api = self.api(id).await?;
                let obj = api.get(&id.name).await.map_err(|e| format!("reading {id}: {e}"))?;
                let (ready, line) = rollout_state(&obj);
                if last.get(id) != Some(&line) {
                    progress(format!("{id}: {line}"));
                    last.insert(id, line.clone());
                }
                if !ready {
                    waiting.push(format!("{id} ({line})"));
                }
            }
            if waiting.is_empty() {
                return Ok(());
            }
            if Instant::now() > deadline {
                return Err(format!(
                    "not ready after {}s: {}",
                    timeout.as_secs(),
                    waiting.join(", ")
                ));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

fn conditions_true(status: &Value, kind: &str) -> bool {
    status.get("conditions").and_then(Value::as_array).is_some_and(|cs| {
        cs.iter().any(|c| {
            c.get("type").and_then(Value::as_str) == Some(kind)
                && c.get("status").and_then(Value::as_str) == Some("True")
        })
    })
}

/// Whether a Deployment or StatefulSet finished rolling out, by kubectl rollout status's rules,
/// and a line saying where it is.
pub(super) fn rollout_state(obj: &DynamicObject) -> (bool, String) {
    let num = |path: &str| obj.data.pointer(path).and_then(Value::as_i64).unwrap_or(0);
    let text = |path: &str| obj.data.pointer(path).and_then(Value::as_str).unwrap_or_default();
    let desired = obj.data.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let (total, updated, ready, available) = (
        num("/status/replicas"),
        num("/status/updatedReplicas"),
        num("/status/readyReplicas"),
        num("/status/availableReplicas"),
    );
    let observed = num("/status/observedGeneration") >= obj.metadata.generation.unwrap_or(0);
    let done = if obj.types.as_ref().is_some_and(|t| t.kind == "StatefulSet") {
        ready >= desired && updated >= desired && text("/status/updateRevision") == text("/status/currentRevision")
    } else {
        // All updated, no old pods left, and every updated pod available.
        updated >= desired && total <= updated && available >= updated
    };
    let old = (total - updated).max(0);
    let line = if old > 0 {
        format!("{ready}/{desired} ready, {updated} updated, {available} available, {old} old pods still running")
    } else {
        format!("{ready}/{desired} ready, {updated} updated, {available} available")
    };
    (observed && done, line)
}
