//! Rolling a release back to an earlier revision, as `helm rollback` does.

use std::time::Duration;

use jiff::Timestamp;
use kube::Client;

use super::apply::Applier;
use super::record::finish;
use super::{Progress, Waiting, manifest_objects};
use crate::actions::history::{self, Operation};
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::{HelmTime, ReleaseStatus};

/// Rolls back to revision `to` (default: the one before the current), as `helm rollback`, and
/// waits for the workloads to be ready.
pub async fn rollback(
    client: &Client,
    namespace: &str,
    name: &str,
    to: Option<i32>,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<i32, String> {
    let release = (namespace, name);
    rollback_waiting(client, release, to, timeout, Waiting::default(), progress).await
}

/// As `rollback`, waiting for what `waiting` says (helm rollback's `--wait`, `--wait-for-jobs`).
pub async fn rollback_waiting(
    client: &Client,
    (namespace, name): (&str, &str),
    to: Option<i32>,
    timeout: Duration,
    waiting: Waiting,
    progress: Progress<'_>,
) -> Result<i32, String> {
    let store = ReleaseStore::new(client.clone(), namespace, name);
    let history = store.history().await?;
    let (to, revision, target) = history::rollback_target(&history, name, to)?;
    let op = Operation::Rollback { to };
    let mut release = target.clone();
    release.version = revision;
    release.info.status = Some(op.pending_status());
    release.info.description = op.pending_description();
    release.info.last_deployed = HelmTime(Some(Timestamp::now()));
    release.info.deleted = HelmTime(None);
    store.create(&release).await?;
    progress(format!("revision {revision}: rolling back to {to}"));
    // helm deletes what the last revision has and the target lacks, so a failed upgrade's new
    // objects go too; the last deployed revision's are deleted as well, in case the failed
    // upgrade stopped before deleting them (deleting what is already gone is nothing).
    let last_deployed = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed));
    let mut previous: Vec<&str> = history.last().into_iter().map(|r| r.manifest.as_str()).collect();
    previous.extend(
        last_deployed
            .filter(|r| Some(r.version) != history.last().map(|l| l.version))
            .map(|r| r.manifest.as_str()),
    );
    let mut applier = Applier::new(client.clone(), namespace, name);
    let objects = manifest_objects(&release.manifest);
    let outcome = async {
        applier.apply_all(&objects, progress).await?;
        for manifest in &previous {
            applier.delete_left_behind(manifest, &objects, progress).await?;
        }
        if waiting.workloads {
            applier.wait_ready(&objects, timeout, waiting.jobs, progress).await?;
        }
        Ok(())
    }
    .await;
    finish(&store, release, &history, op, outcome, 10, progress).await?;
    Ok(revision)
}
