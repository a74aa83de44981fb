//! Helm's release records: what a revision stores of the chart and its hooks, and how an
//! operation's end is written down.

use serde_json::Map;

use super::Progress;
use crate::actions::history::{self, Operation};
use crate::actions::release_store::ReleaseStore;
use crate::chart::{self, RenderedHook};
use crate::cluster::releases::{Base64Bytes, ChartFile, ChartMetadata, Hook, Release, ReleaseStatus};

/// Records how the operation ended, exactly as Helm does, then prunes the history.
pub(super) async fn finish(
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

/// The chart as the release record keeps it: metadata, templates and default values.
pub(super) fn stored_chart(c: &chart::Chart) -> crate::cluster::releases::Chart {
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

/// A rendered hook as the release record keeps it.
pub(super) fn stored_hook(h: &RenderedHook) -> Hook {
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
