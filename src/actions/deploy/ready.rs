//! Waiting for a release's Deployments and StatefulSets to roll out (and, with helm's
//! `--wait-for-jobs`, its Jobs to complete), saying where each stands.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use kube::api::{DynamicObject, ListParams};
use serde_json::Value;

use super::apply::Applier;
use super::{ObjectId, Progress};
use crate::cluster::pods::{Blocker, blocker};
use crate::cluster::rollout::{RollingWorkload, rolled_out};

impl Applier {
    /// Waits until every Deployment and StatefulSet of the release runs its desired replicas,
    /// all updated and available, and at least the floor of the release's HorizontalPodAutoscaler
    /// on it (a chart leaves `replicas` out when an HPA scales the workload, so it starts at one
    /// and the HPA raises it to its floor on its first sync, up to 15 s later); with `jobs` every
    /// Job has completed too (a failed one ends the wait at once). Reports each one's progress as
    /// it changes.
    pub(super) async fn wait_ready(
        &mut self,
        objects: &[(ObjectId, Value)],
        timeout: Duration,
        jobs: bool,
        progress: Progress<'_>,
    ) -> Result<(), String> {
        let deadline = Instant::now() + timeout;
        let workloads: Vec<&ObjectId> = objects
            .iter()
            .map(|(id, _)| id)
            .filter(|id| match id.kind.as_str() {
                "Deployment" | "StatefulSet" => true,
                "Job" => jobs && id.api_version == "batch/v1",
                _ => false,
            })
            .collect();
        let floors = hpa_floors(objects);
        let mut last: HashMap<&ObjectId, String> = HashMap::new();
        let mut stuck = Stuck::default();
        loop {
            let mut waiting = Vec::new();
            for id in &workloads {
                let api = self.api(id).await?;
                let obj = api.get(&id.name).await.map_err(|e| id.failure("get", &e))?;
                let (ready, line) = if id.kind == "Job" {
                    job_state(&obj).map_err(|why| format!("{id} failed: {why}"))?
                } else {
                    up_to_floor(
                        rollout_state(&obj),
                        &obj,
                        floors.get(&(&id.namespace, &id.kind, &id.name)),
                    )
                };
                if last.get(id) != Some(&line) {
                    progress(format!("{id}: {line}"));
                    last.insert(id, line.clone());
                }
                if !ready {
                    waiting.push((*id, obj, line));
                }
            }
            if waiting.is_empty() {
                return Ok(());
            }
            let timed_out = Instant::now() > deadline;
            if timed_out || stuck.due() {
                for (id, obj, _) in &waiting {
                    let found = self.stuck_pod(id, obj).await;
                    stuck.seen(id, found, timed_out, progress);
                }
            }
            if timed_out {
                let waiting: Vec<String> = waiting
                    .iter()
                    .map(|(id, _, line)| match stuck.said.get(*id) {
                        Some(why) => format!("{id} ({line}; {why})"),
                        None => format!("{id} ({line})"),
                    })
                    .collect();
                return Err(format!(
                    "not ready after {}s: {}",
                    timeout.as_secs(),
                    waiting.join(", ")
                ));
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }

    /// The pod of a Deployment or StatefulSet that is furthest from Ready, and why: trouble (no
    /// node fits, an image that cannot be pulled, a crash) before a pod still starting.
    async fn stuck_pod(&self, id: &ObjectId, obj: &DynamicObject) -> Option<Blocker> {
        let labels = obj.data.pointer("/spec/selector/matchLabels")?.as_object()?;
        let selector: Vec<String> = labels
            .iter()
            .filter_map(|(k, v)| Some(format!("{k}={}", v.as_str()?)))
            .collect();
        if selector.is_empty() || id.kind == "Job" {
            return None;
        }
        let pods = self
            .pods(id)
            .list(&ListParams::default().labels(&selector.join(",")))
            .await
            .ok()?;
        let (name, b) = pods
            .items
            .iter()
            .filter_map(|p| Some((p.metadata.name.as_deref()?, blocker(p)?)))
            .min_by(|(a, x), (b, y)| (!x.trouble, a).cmp(&(!y.trouble, b)))?;
        Some(Blocker {
            why: format!("pod {}: {}", crate::text::sanitize(name), b.why),
            ..b
        })
    }
}

/// Why the workloads a wait is still on are stuck, looked up every few seconds; trouble is said
/// as soon as it is seen, a pod still starting only when the wait gives up.
#[derive(Default)]
struct Stuck {
    checked: Option<Instant>,
    said: HashMap<ObjectId, String>,
}

impl Stuck {
    const EVERY: Duration = Duration::from_secs(5);

    fn due(&mut self) -> bool {
        let now = Instant::now();
        let due = self.checked.is_none_or(|at| now.duration_since(at) >= Self::EVERY);
        if due {
            self.checked = Some(now);
        }
        due
    }

    fn seen(&mut self, id: &ObjectId, found: Option<Blocker>, ending: bool, progress: Progress<'_>) {
        let Some(Blocker { why, trouble }) = found else {
            self.said.remove(id);
            return;
        };
        if (trouble || ending) && self.said.get(id) != Some(&why) {
            if trouble {
                progress(format!("{id}: {why}"));
            }
            self.said.insert(id.clone(), why);
        }
    }
}

/// Whether a Deployment or StatefulSet has rolled out (by the cluster's rule, kubectl rollout
/// status's), and a line saying where it is.
pub(in crate::actions) fn rollout_state(obj: &DynamicObject) -> (bool, String) {
    let num = |path: &str| obj.data.pointer(path).and_then(Value::as_i64).unwrap_or(0);
    let desired = obj.data.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    let (total, updated, ready, available) = (
        num("/status/replicas"),
        num("/status/updatedReplicas"),
        num("/status/readyReplicas"),
        num("/status/availableReplicas"),
    );
    let old = (total - updated).max(0);
    let line = if old > 0 {
        format!("{ready}/{desired} ready, {updated} updated, {available} available, {old} old pods still running")
    } else {
        format!("{ready}/{desired} ready, {updated} updated, {available} available")
    };
    (has_rolled_out(obj), line)
}

/// Each HorizontalPodAutoscaler's floor (`minReplicas`, one when unset) by the workload it
/// scales: namespace, kind and name.
fn hpa_floors(objects: &[(ObjectId, Value)]) -> HashMap<(&Option<String>, &String, &String), i64> {
    objects
        .iter()
        .filter(|(id, _)| id.kind == "HorizontalPodAutoscaler")
        .filter_map(|(id, hpa)| {
            let target = hpa.pointer("/spec/scaleTargetRef")?;
            let (kind, name) = (target.get("kind")?.as_str()?, target.get("name")?.as_str()?);
            let floor = hpa.pointer("/spec/minReplicas").and_then(Value::as_i64).unwrap_or(1);
            let workload = objects
                .iter()
                .map(|(w, _)| w)
                .find(|w| w.namespace == id.namespace && w.kind == kind && w.name == name)?;
            Some(((&workload.namespace, &workload.kind, &workload.name), floor))
        })
        .collect()
}

/// A rolled-out workload is not ready while it runs fewer replicas than its HPA's floor: the
/// HPA has yet to scale it up. One scaled to zero is left alone, as the HPA leaves it.
fn up_to_floor((ready, line): (bool, String), obj: &DynamicObject, floor: Option<&i64>) -> (bool, String) {
    let replicas = obj.data.pointer("/spec/replicas").and_then(Value::as_i64).unwrap_or(1);
    match floor {
        Some(&floor) if replicas > 0 && replicas < floor => {
            (false, format!("{line}, waiting for its HPA to scale it to {floor}"))
        }
        _ => (ready, line),
    }
}

/// Whether a Job has completed (its Complete condition, or as many pods succeeded as it
/// needs), and a line saying where it is; Err with the reason once it has failed, as helm's
/// wait gives up on a failed Job.
fn job_state(obj: &DynamicObject) -> Result<(bool, String), String> {
    let status = obj.data.get("status");
    let num = |field: &str| status.and_then(|s| s.get(field)).and_then(Value::as_i64).unwrap_or(0);
    let condition = |kind: &str| {
        status
            .and_then(|s| s.get("conditions"))
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .find(|c| c.get("type").and_then(Value::as_str) == Some(kind))
            .filter(|c| c.get("status").and_then(Value::as_str) == Some("True"))
    };
    if let Some(failed) = condition("Failed") {
        let text = |f: &str| failed.get(f).and_then(Value::as_str).unwrap_or_default().to_owned();
        let why = [text("reason"), text("message")]
            .into_iter()
            .filter(|t| !t.is_empty())
            .collect::<Vec<_>>()
            .join(": ");
        return Err(crate::text::sanitize(if why.is_empty() {
            "the Job failed"
        } else {
            &why
        }));
    }
    let needed = obj
        .data
        .pointer("/spec/completions")
        .and_then(Value::as_i64)
        .unwrap_or(1);
    let (succeeded, active, failed) = (num("succeeded"), num("active"), num("failed"));
    let done = condition("Complete").is_some() || succeeded >= needed;
    let mut line = format!("{succeeded}/{needed} succeeded, {active} running");
    if failed > 0 {
        line.push_str(&format!(", {failed} failed"));
    }
    Ok((done, line))
}

/// The object read as the workload it is, for the rule; one that does not read as its kind has
/// not rolled out.
fn has_rolled_out(obj: &DynamicObject) -> bool {
    let Ok(json) = serde_json::to_value(obj) else {
        return false;
    };
    if obj.types.as_ref().is_some_and(|t| t.kind == "StatefulSet") {
        serde_json::from_value::<StatefulSet>(json).is_ok_and(|s| rolled_out(RollingWorkload::StatefulSet(&s)))
    } else {
        serde_json::from_value::<Deployment>(json).is_ok_and(|d| rolled_out(RollingWorkload::Deployment(&d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_is_done_when_complete_and_fails_the_wait_when_failed() {
        let running = object("apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nstatus: {active: 1}");
        assert_eq!(job_state(&running), Ok((false, "0/1 succeeded, 1 running".to_owned())));
        let done = object(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}\nspec: {completions: 2}
status: {succeeded: 2, conditions: [{type: Complete, status: 'True'}]}",
        );
        assert_eq!(job_state(&done), Ok((true, "2/2 succeeded, 0 running".to_owned())));
        let failed = object(
            "apiVersion: batch/v1\nkind: Job\nmetadata: {name: once}
status: {failed: 1, conditions: [{type: Failed, status: 'True', reason: BackoffLimitExceeded, message: Job has reached the specified backoff limit}]}",
        );
        assert_eq!(
            job_state(&failed),
            Err("BackoffLimitExceeded: Job has reached the specified backoff limit".to_owned())
        );
    }

    fn object(yaml: &str) -> DynamicObject {
        serde_yaml::from_str(yaml).expect("an object")
    }

    #[test]
    fn the_wait_reads_each_kind_by_the_cluster_rule() {
        let deployment = object(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}",
        );
        assert_eq!(
            rollout_state(&deployment),
            (
                false,
                "2/2 ready, 2 updated, 2 available, 1 old pods still running".to_owned()
            )
        );
        let old_pod_gone = object(
            "apiVersion: apps/v1
kind: Deployment
metadata: {name: backend, generation: 2}
spec: {replicas: 2}
status: {observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}",
        );
        assert!(rollout_state(&old_pod_gone).0);
        let statefulset = object(
            "apiVersion: apps/v1
kind: StatefulSet
metadata: {name: redis, generation: 1}
spec: {replicas: 1, updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}}
status: {observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1}",
        );
        assert_eq!(
            rollout_state(&statefulset),
            (true, "1/1 ready, 1 updated, 0 available".to_owned())
        );
    }

    /// The frontend Deployment at a generation, with its replicas and status.
    fn deployment(generation: u8, replicas: u8, status: &str) -> DynamicObject {
        object(&format!(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: frontend, generation: {generation}}}
spec: {{replicas: {replicas}}}\nstatus: {status}"
        ))
    }

    #[test]
    fn a_workload_under_its_hpas_floor_is_not_ready_until_the_hpa_scales_it_up() {
        let id = |kind: &str, name: &str| ObjectId {
            api_version: String::new(),
            kind: kind.to_owned(),
            namespace: Some("todo".to_owned()),
            name: name.to_owned(),
        };
        let hpa = serde_json::json!({"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "frontend"}, "minReplicas": 2, "maxReplicas": 5}});
        let objects = vec![
            (id("Deployment", "frontend"), Value::Null),
            (id("Deployment", "backend"), Value::Null),
            (id("HorizontalPodAutoscaler", "frontend"), hpa),
        ];
        let floors = hpa_floors(&objects);
        let frontend = id("Deployment", "frontend");
        let floor = floors.get(&(&frontend.namespace, &frontend.kind, &frontend.name));
        assert_eq!(floor, Some(&2));
        let backend = id("Deployment", "backend");
        assert_eq!(floors.get(&(&backend.namespace, &backend.kind, &backend.name)), None);

        // Created without `replicas` (the chart leaves it to the HPA): one pod, rolled out.
        let one = deployment(
            1,
            1,
            "{observedGeneration: 1, replicas: 1, readyReplicas: 1, updatedReplicas: 1, availableReplicas: 1}",
        );
        assert!(rollout_state(&one).0, "kubectl's rule alone calls it rolled out");
        assert_eq!(
            up_to_floor(rollout_state(&one), &one, floor),
            (
                false,
                "1/1 ready, 1 updated, 1 available, waiting for its HPA to scale it to 2".to_owned()
            )
        );
        let scaled = deployment(
            2,
            2,
            "{observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2, availableReplicas: 2}",
        );
        assert_eq!(
            up_to_floor(rollout_state(&scaled), &scaled, floor),
            (true, "2/2 ready, 2 updated, 2 available".to_owned())
        );
        let off = deployment(3, 0, "{observedGeneration: 3}");
        assert!(
            up_to_floor(rollout_state(&off), &off, floor).0,
            "scaled to zero, the HPA is off"
        );
    }
}
