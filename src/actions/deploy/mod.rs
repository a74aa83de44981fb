//! Deploy, roll back and uninstall a release through the Kubernetes API, recording every
//! revision in Helm's own storage the way Helm does, so `helm history`, `helm rollback` and
//! kubedeck work on the same releases.

mod apply;
mod hooks;
mod install;
mod plan;
mod ready;
mod record;
mod render;
mod rollback;
mod test_hooks;
mod uninstall;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Map, Value};

pub use install::{deploy, preview};
pub use plan::{DeployPlan, plan, rollback_plan};
pub(super) use ready::rollout_state;
pub use rollback::{rollback, rollback_waiting};
pub use test_hooks::{TestLog, TestRequest, TestRun, parse_filters, run_tests};
pub use uninstall::{release_objects, uninstall, wait_deleted};

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
    /// helm's other deploy flags; the default is what kubedeck did before it had them.
    pub options: DeployOptions,
}

/// `helm upgrade --install`'s flags beyond the chart, `-f` and `--set`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DeployOptions {
    /// `--set-json`, `--set-string`, `--set-file`, `--set-literal`, merged in helm's order with
    /// `-f` and `--set`.
    pub set_json: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
    /// How an upgrade treats the last release's values (helm upgrade's default unless asked).
    pub reuse: crate::chart::ValuesReuse,
    /// Create the namespace when it does not exist (`--create-namespace`).
    pub create_namespace: bool,
    /// Return once the objects are applied, without waiting for them to be ready (`--wait=false`,
    /// helm's default); `atomic` waits all the same, as helm's does.
    pub skip_wait: bool,
    /// While waiting, also wait for the release's Jobs to complete (`--wait-for-jobs`).
    pub wait_for_jobs: bool,
}

/// What a rollback waits for once the objects are applied: helm rollback's `--wait` (kubedeck's
/// default: the workloads ready; `--wait=false` does not wait) and `--wait-for-jobs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Waiting {
    pub workloads: bool,
    pub jobs: bool,
}

impl Default for Waiting {
    fn default() -> Self {
        Self {
            workloads: true,
            jobs: false,
        }
    }
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

impl ObjectId {
    /// A failed request on this object as one sentence (see `cluster::explain`).
    pub fn failure(&self, verb: &str, e: &kube::Error) -> String {
        let object = self.to_string();
        let attempt = crate::cluster::Attempt {
            verb,
            object: &object,
            namespace: self.namespace.as_deref(),
        };
        crate::cluster::explain(e, attempt)
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
