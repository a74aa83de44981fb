//! Uninstalling a release: its objects, then its history, as `helm uninstall` does.

use std::time::Duration;

use jiff::Timestamp;
use kube::Client;

use super::apply::Applier;
use super::{ObjectId, Progress, manifest_objects};
use crate::actions::history;
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::{HelmTime, ReleaseStatus};

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

/// The objects uninstalling the release would delete (its last revision's), and the number of
/// revisions in its history; what `uninstall --dry-run` lists and `--wait` waits for.
pub async fn release_objects(client: &Client, namespace: &str, name: &str) -> Result<(Vec<ObjectId>, usize), String> {
    let history = ReleaseStore::new(client.clone(), namespace, name).history().await?;
    let Some(last) = history.last() else {
        return Err(history::Refusal::NoSuchRelease(name.into()).to_string());
    };
    let mut objects: Vec<ObjectId> = manifest_objects(&last.manifest).into_iter().map(|(id, _)| id).collect();
    objects.reverse();
    Ok((objects, history.len()))
}

/// Waits until none of `objects` is left in the cluster (pods finish terminating, finalizers
/// run), as `helm uninstall --wait`; one sentence naming what is left when `timeout` runs out.
pub async fn wait_deleted(
    client: &Client,
    namespace: &str,
    name: &str,
    objects: &[ObjectId],
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<(), String> {
    let mut applier = Applier::new(client.clone(), namespace, name);
    let deadline = tokio::time::Instant::now() + timeout;
    loop {
        let mut left = Vec::new();
        for id in objects {
            let api = applier.api(id).await?;
            if api
                .get_opt(&id.name)
                .await
                .map_err(|e| id.failure("get", &e))?
                .is_some()
            {
                left.push(id.to_string());
            }
        }
        if left.is_empty() {
            progress(format!("all {} objects of {name} are gone", objects.len()));
            return Ok(());
        }
        if tokio::time::Instant::now() >= deadline {
            return Err(format!(
                "timed out after {}s waiting for {} to be deleted: raise --timeout or look at their finalizers",
                timeout.as_secs(),
                left.join(", ")
            ));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}
