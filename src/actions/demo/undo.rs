//! What a demo changed, written down before it changes it, and put back when the demo ends: after
//! success, a failure, Ctrl-C (SIGINT) or SIGTERM, or, as a last resort, when the demo's future is
//! dropped. Each step says what it put back.

use std::sync::Mutex;

use k8s_openapi::api::core::v1::Pod;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kube::{Api, Client};
use serde_json::json;

use super::PATIENCE;
use crate::actions::deploy::{self, Progress};
use crate::actions::operate::{self, WorkloadRef};
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::ReleaseStatus;

/// One change a demo made, and how to put it back.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Step {
    /// The release goes back to the values and manifest of this deployed revision.
    Release { name: String, revision: i32 },
    /// An HPA's bounds go back to these.
    HpaBounds { name: String, min: i32, max: i32 },
    /// A Deployment's replica count goes back to this.
    Replicas { workload: WorkloadRef, replicas: i32 },
    /// The load generator pod is deleted.
    LoadPod { name: String },
    /// kwok's reported CPU use goes back to idle on the pods matching the selector.
    FakeLoad { selector: String },
}

/// The steps still to put back, last change first.
pub(super) struct Undo {
    client: Client,
    namespace: String,
    steps: Mutex<Vec<Step>>,
}

impl Undo {
    pub(super) fn new(client: &Client, namespace: &str) -> Undo {
        Undo {
            client: client.clone(),
            namespace: namespace.to_owned(),
            steps: Mutex::new(Vec::new()),
        }
    }

    /// Writes a change down before making it.
    pub(super) fn push(&self, step: Step) {
        if let Ok(mut steps) = self.steps.lock() {
            steps.push(step);
        }
    }

    fn take(&self) -> Vec<Step> {
        self.steps
            .lock()
            .map(|mut s| std::mem::take(&mut *s))
            .unwrap_or_default()
    }

    /// Puts back every change still written down, last first, saying what it did; every step is
    /// tried even when one fails.
    pub(super) async fn finish(&self, progress: Progress<'_>) -> Result<(), String> {
        let mut failed = Vec::new();
        for step in self.take().into_iter().rev() {
            match put_back(&self.client, &self.namespace, &step, progress).await {
                Ok(Some(said)) => progress(format!("Put back: {said}")),
                Ok(None) => {}
                Err(e) => failed.push(e),
            }
        }
        match failed.is_empty() {
            true => Ok(()),
            false => Err(format!(
                "putting back what the demo changed failed: {}",
                failed.join("; ")
            )),
        }
    }
}

impl Drop for Undo {
    /// The demo's future was dropped before `finish` (the dashboard closed it): the steps still
    /// run, on the runtime, if there is one.
    fn drop(&mut self) {
        let steps = self.take();
        if steps.is_empty() {
            return;
        }
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let (client, namespace) = (self.client.clone(), self.namespace.clone());
        let task = runtime.spawn(async move {
            for step in steps.into_iter().rev() {
                let _ = put_back(&client, &namespace, &step, &|_| {}).await;
            }
        });
        PUTTING_BACK.lock().unwrap_or_else(|e| e.into_inner()).push(task);
    }
}

/// The put-backs started by dropped demos, so whoever ends the process can wait for them.
static PUTTING_BACK: Mutex<Vec<tokio::task::JoinHandle<()>>> = Mutex::new(Vec::new());

/// Waits (at most `patience`) for the put-backs of demos that were stopped midway: the dashboard
/// quitting during a demo must not leave its HPA bounds or replicas changed. True when all ended.
pub async fn settle(patience: std::time::Duration) -> bool {
    let tasks: Vec<_> = std::mem::take(&mut *PUTTING_BACK.lock().unwrap_or_else(|e| e.into_inner()));
    tokio::time::timeout(patience, futures::future::join_all(tasks))
        .await
        .is_ok()
}

/// Puts one change back; what it did, or None when there was nothing to do.
async fn put_back(
    client: &Client,
    namespace: &str,
    step: &Step,
    progress: Progress<'_>,
) -> Result<Option<String>, String> {
    match step {
        Step::Release { name, revision } => release_back(client, namespace, name, *revision, progress).await,
        Step::HpaBounds { name, min, max } => {
            operate::set_hpa_bounds(client, namespace, name, *min, *max).await?;
            Ok(Some(format!("HPA {name} scales between {min} and {max} again")))
        }
        Step::Replicas { workload, replicas } => {
            operate::scale(client, namespace, workload, *replicas, PATIENCE, progress).await?;
            Ok(Some(format!("{workload} has {replicas} replicas again")))
        }
        Step::LoadPod { name } => {
            let api = Api::<Pod>::namespaced(client.clone(), namespace);
            match api.delete(name, &DeleteParams::default()).await {
                Ok(_) => Ok(Some(format!("the load generator pod {name} is deleted"))),
                Err(kube::Error::Api(s)) if s.code == 404 => Ok(None),
                Err(e) => Err(crate::cluster::explain(
                    &e,
                    crate::cluster::Attempt::new("delete", &format!("pod {name}"), namespace),
                )),
            }
        }
        Step::FakeLoad { selector } => {
            let api = Api::<Pod>::namespaced(client.clone(), namespace);
            let pods = api
                .list(&ListParams::default().labels(selector))
                .await
                .map_err(crate::cluster::failed_to(crate::cluster::Attempt::new(
                    "list", "pods", namespace,
                )))?;
            let idle = Patch::Merge(json!({"metadata": {"annotations": {"kwok.x-k8s.io/usage-cpu": "1m"}}}));
            for name in pods.items.iter().filter_map(|p| p.metadata.name.as_deref()) {
                // A pod deleted meanwhile needs no idling.
                let _ = api.patch(name, &PatchParams::default(), &idle).await;
            }
            Ok(Some("the backend pods report idle CPU again".into()))
        }
    }
}

/// Rolls the release back to `revision` unless its newest deployed revision already has the
/// same values and manifest; an interrupted (pending) revision is first marked failed.
async fn release_back(
    client: &Client,
    namespace: &str,
    name: &str,
    revision: i32,
    progress: Progress<'_>,
) -> Result<Option<String>, String> {
    let store = ReleaseStore::new(client.clone(), namespace, name);
    let history = store.history().await?;
    let start = history
        .iter()
        .find(|r| r.version == revision)
        .ok_or_else(|| format!("revision {revision} of release {name} is gone from its history: roll back by hand"))?;
    let Some(newest) = history.last() else {
        return Err(format!("release {name} has no history left: deploy it again"));
    };
    let same = newest.manifest == start.manifest && newest.config == start.config;
    if same && newest.info.status == Some(ReleaseStatus::Deployed) {
        return Ok(None);
    }
    let mut interrupted = String::new();
    if newest.info.status.as_ref().is_some_and(ReleaseStatus::is_pending) {
        let mut failed = newest.clone();
        failed.info.status = Some(ReleaseStatus::Failed);
        failed.info.description =
            "Interrupted: kubedeck's demo stopped during this operation and rolled it back".into();
        store.update(&failed).await?;
        interrupted = format!(" (revision {} was interrupted and is marked failed)", newest.version);
    }
    progress(format!(
        "Putting release {name} back to revision {revision}{interrupted}"
    ));
    let back = deploy::rollback(client, namespace, name, Some(revision), PATIENCE, progress).await?;
    Ok(Some(format!(
        "release {name} was at revision {}{interrupted}; rolled back to revision {revision} as revision {back}",
        newest.version
    )))
}
