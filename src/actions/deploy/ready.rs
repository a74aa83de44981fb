//! Waiting for a release's Deployments and StatefulSets to roll out, saying where each stands.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use kube::api::DynamicObject;
use serde_json::Value;

use super::apply::Applier;
use super::{ObjectId, Progress};

impl Applier {
    /// Waits until every Deployment and StatefulSet of the release runs its desired replicas,
    /// all updated and available, reporting each one's progress as it changes.
    pub(super) async fn wait_ready(
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

/// Whether a Deployment or StatefulSet finished rolling out, by kubectl rollout status's rules,
/// and a line saying where it is.
pub(in crate::actions) fn rollout_state(obj: &DynamicObject) -> (bool, String) {
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
