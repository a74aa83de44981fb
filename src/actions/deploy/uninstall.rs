//! Uninstalling a release: its objects, then its history, as `helm uninstall` does.

use jiff::Timestamp;
use kube::Client;

use super::apply::Applier;
use super::{Progress, manifest_objects};
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
