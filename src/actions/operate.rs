//! The on-call actions: scale a workload, restart its rollout, delete a pod and time its
//! replacement. Each reports progress lines and ends with one sentence; the waits follow a
//! watch of what they wait for, not a poll.

use std::time::{Duration, Instant};

use futures::{Stream, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams, TypeMeta};
use kube::runtime::{WatchStreamExt, watcher};
use kube::{Api, Client};
use serde_json::json;

use super::deploy::{FIELD_MANAGER, Progress, rollout_state};

pub use crate::cluster::workloads::WorkloadRef;

/// The replica count a person may ask for.
pub fn parse_replicas(text: &str) -> Result<i32, String> {
    match text.trim().parse::<i32>() {
        Ok(n) if (0..=1000).contains(&n) => Ok(n),
        _ => Err(format!(
            "{text:?} is not a replica count: give a whole number from 0 to 1000"
        )),
    }
}

/// An HPA that scales a workload, and its bounds: a manual scale is overridden within them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManagingHpa {
    pub name: String,
    pub min: i32,
    pub max: i32,
}

impl ManagingHpa {
    pub fn of(hpa: &HorizontalPodAutoscaler) -> ManagingHpa {
        ManagingHpa {
            name: hpa.metadata.name.clone().unwrap_or_default(),
            min: hpa.spec.min_replicas.unwrap_or(1),
            max: hpa.spec.max_replicas,
        }
    }
}

/// The HPA that scales this workload, if any: scaling by hand is then overridden.
pub async fn hpa_for(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
) -> Result<Option<HorizontalPodAutoscaler>, String> {
    let hpas = Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map_err(crate::cluster::failed_to(crate::cluster::Attempt::new(
            "list", "HPAs", namespace,
        )))?;
    Ok(hpas
        .items
        .into_iter()
        .find(|h| h.spec.scale_target_ref.kind == workload.kind() && h.spec.scale_target_ref.name == workload.name))
}

/// The API of the workload's kind; both kinds share the scale subresource and pod template.
fn workload_api(client: &Client, namespace: &str, workload: &WorkloadRef) -> Api<DynamicObject> {
    let resource = if workload.statefulset {
        ApiResource::erase::<StatefulSet>(&())
    } else {
        ApiResource::erase::<Deployment>(&())
    };
    Api::namespaced_with(client.clone(), namespace, &resource)
}

fn failed(verb: &str, workload: &WorkloadRef, namespace: &str, e: &kube::Error) -> String {
    crate::cluster::explain(e, crate::cluster::Attempt::new(verb, &workload.to_string(), namespace))
}

/// Whether `workload` is there, before asking to change it: one sentence when it is not.
pub async fn exists(client: &Client, namespace: &str, workload: &WorkloadRef) -> Result<(), String> {
    workload_api(client, namespace, workload)
        .get(&workload.name)
        .await
        .map(drop)
        .map_err(|e| failed("get", workload, namespace, &e))
}

/// Changes an HPA's bounds, the way to scale a workload an HPA manages.
pub async fn set_hpa_bounds(
    client: &Client,
    namespace: &str,
    name: &str,
    min: i32,
    max: i32,
) -> Result<String, String> {
    let patch = Patch::Merge(json!({"spec": {"minReplicas": min, "maxReplicas": max}}));
    Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), namespace)
        .patch(name, &PatchParams::default(), &patch)
        .await
        .map_err(|e| {
            crate::cluster::explain(
                &e,
                crate::cluster::Attempt::new("patch", &format!("HPA {name}"), namespace),
            )
        })?;
    Ok(format!("HPA {name} in {namespace} now keeps {min}..{max} replicas"))
}

/// Scales through the scale subresource and waits until that many replicas are ready.
pub async fn scale(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
    replicas: i32,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<String, String> {
    let patch = Patch::Merge(json!({"spec": {"replicas": replicas}}));
    let params = PatchParams::default();
    workload_api(client, namespace, workload)
        .patch_scale(&workload.name, &params, &patch)
        .await
        .map_err(|e| failed("scale", workload, namespace, &e))?;
    progress(format!("{workload}: asked for {replicas} replicas"));
    let started = Instant::now();
    let (wanted, ready) = wait(client, namespace, workload, timeout, progress).await?;
    let took = started.elapsed().as_secs_f32();
    scaled(workload, namespace, replicas, wanted, ready, took)
}

/// The sentence a scale ends with, from what the workload has once rolled out: `wanted`
/// replicas in its spec (an HPA may have set it back meanwhile) and `ready` ones.
fn scaled(
    workload: &WorkloadRef,
    namespace: &str,
    asked: i32,
    wanted: i32,
    ready: i32,
    took: f32,
) -> Result<String, String> {
    if wanted != asked {
        return Err(format!(
            "{workload} in {namespace} was set back to {wanted} replicas after this scale to {asked}: an HPA (or \
             another controller) manages it; scale the HPA instead (kubedeck scale {workload} N --hpa)"
        ));
    }
    if asked == 0 && ready > 0 {
        return Ok(format!(
            "{workload} in {namespace} scaled to 0 ({ready} pods still stopping) ({took:.1}s)"
        ));
    }
    Ok(format!(
        "{workload} in {namespace} runs {ready} ready replicas ({took:.1}s)"
    ))
}

/// `kubectl rollout restart`: stamps the pod template, then waits for the new pods.
pub async fn restart(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<String, String> {
    let now = jiff::Timestamp::now().to_string();
    let patch = Patch::Merge(
        json!({"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": now}}}}}),
    );
    let params = PatchParams {
        field_manager: Some(FIELD_MANAGER.into()),
        ..PatchParams::default()
    };
    workload_api(client, namespace, workload)
        .patch(&workload.name, &params, &patch)
        .await
        .map_err(|e| failed("restart", workload, namespace, &e))?;
    progress(format!("{workload}: restart requested"));
    let started = Instant::now();
    wait(client, namespace, workload, timeout, progress).await?;
    Ok(format!(
        "{workload} in {namespace} restarted ({:.1}s)",
        started.elapsed().as_secs_f32()
    ))
}

/// Deletes a pod and measures how long its replacement takes to be Ready (self-healing).
pub async fn delete_pod(
    client: &Client,
    namespace: &str,
    name: &str,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<String, String> {
    let pods: Api<Pod> = Api::namespaced(client.clone(), namespace);
    let pod = pods.get(name).await.map_err(|e| {
        crate::cluster::explain(
            &e,
            crate::cluster::Attempt::new("get", &format!("pod {name}"), namespace),
        )
    })?;
    let owner = pod
        .metadata
        .owner_references
        .clone()
        .unwrap_or_default()
        .into_iter()
        .find(|o| o.controller == Some(true));
    // A StatefulSet's replacement keeps the name; only the uid tells it apart.
    let deleted_uid = pod.metadata.uid.clone().unwrap_or_default();
    let started = Instant::now();
    let deleted_at = jiff::Timestamp::now();
    pods.delete(name, &DeleteParams::default()).await.map_err(|e| {
        crate::cluster::explain(
            &e,
            crate::cluster::Attempt::new("delete", &format!("pod {name}"), namespace),
        )
    })?;
    progress(format!("pod {name} deleted"));
    let Some(owner) = owner else {
        return Ok(format!("pod {name} deleted; nothing owns it, so nothing replaces it"));
    };
    let selector = pod
        .metadata
        .labels
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    // Its replacement carries the same labels, so only those pods are watched.
    let only_them = watcher::Config::default().labels(&selector);
    let mut changes = std::pin::pin!(watcher(pods, only_them).applied_objects());
    let deadline = tokio::time::Instant::from_std(started + timeout);
    let what = format!("the pods like {name} in {namespace}");
    loop {
        let Some(pod) = next_change(&mut changes, deadline, &what).await? else {
            return Err(format!(
                "no Ready replacement for pod {name} within {}s",
                timeout.as_secs()
            ));
        };
        if replaces(&pod, &deleted_uid, &owner.uid, deleted_at) {
            let secs = started.elapsed().as_secs_f32();
            return Ok(format!(
                "replacement {} Ready after {secs:.1}s",
                pod.metadata.name.clone().unwrap_or_default()
            ));
        }
    }
}

/// Whether `pod` is a Ready pod of the same controller (`owner`), created after the deletion.
fn replaces(pod: &Pod, deleted_uid: &str, owner: &str, deleted_at: jiff::Timestamp) -> bool {
    let meta = &pod.metadata;
    let owned = meta
        .owner_references
        .as_ref()
        .is_some_and(|os| os.iter().any(|o| o.uid == owner));
    let new = meta
        .creation_timestamp
        .as_ref()
        .is_some_and(|t| t.0.as_second() >= deleted_at.as_second());
    let ready = pod
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
    meta.uid.as_deref() != Some(deleted_uid) && meta.deletion_timestamp.is_none() && owned && new && ready
}

/// The next object a watch reports, or None once `deadline` passed. A broken watch stream is
/// resumed by the watcher itself; a watch that cannot start (gone, forbidden) is the error.
async fn next_change<K>(
    changes: &mut (impl Stream<Item = Result<K, watcher::Error>> + Unpin),
    deadline: tokio::time::Instant,
    what: &str,
) -> Result<Option<K>, String> {
    loop {
        match tokio::time::timeout_at(deadline, changes.next()).await {
            Ok(Some(Ok(object))) => return Ok(Some(object)),
            Ok(Some(Err(watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e)))) => {
                return Err(crate::cluster::explain(
                    &e,
                    crate::cluster::Attempt {
                        verb: "watch",
                        object: what,
                        namespace: None,
                    },
                ));
            }
            Ok(Some(Err(watcher::Error::NoResourceVersion))) => {
                return Err(format!("watching {what}: the API server gave no resource version"));
            }
            Ok(Some(Err(_))) => continue,
            Ok(None) => return Err(format!("the watch on {what} ended")),
            Err(_) => return Ok(None),
        }
    }
}

/// Waits until the workload has rolled out by kubectl rollout status's rules (the same check a
/// deploy waits on), reporting its state as it changes.
async fn wait(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
    timeout: Duration,
    progress: Progress<'_>,
) -> Result<(i32, i32), String> {
    let api = workload_api(client, namespace, workload);
    let deadline = tokio::time::Instant::now() + timeout;
    // Fed by a watch on this one object: each change of its status, no polling.
    let only_it = watcher::Config::default().fields(&format!("metadata.name={}", workload.name));
    let mut changes = std::pin::pin!(watcher(api, only_it).applied_objects());
    let what = format!("{workload} in {namespace}");
    let mut last = String::new();
    loop {
        let Some(mut obj) = next_change(&mut changes, deadline, &what).await? else {
            return Err(format!("{workload} not there after {}s: {last}", timeout.as_secs()));
        };
        // Objects from the first list carry no kind, and the rollout rule tells the kinds apart by it.
        obj.types.get_or_insert_with(|| TypeMeta {
            api_version: "apps/v1".into(),
            kind: workload.kind().into(),
        });
        let (done, line) = rollout_state(&obj);
        if line != last {
            progress(format!("{workload}: {line}"));
            last = line;
        }
        if done {
            // What it runs once rolled out: replicas asked in its spec, and ready.
            let count = |path: &str| obj.data.pointer(path).and_then(serde_json::Value::as_i64).unwrap_or(0) as i32;
            return Ok((count("/spec/replicas"), count("/status/readyReplicas")));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_scale_says_what_the_workload_runs_not_what_was_asked() {
        let w = WorkloadRef {
            statefulset: false,
            name: "backend".into(),
        };
        assert_eq!(
            scaled(&w, "shop", 3, 3, 3, 2.04),
            Ok("deploy/backend in shop runs 3 ready replicas (2.0s)".into())
        );
        let undone = scaled(&w, "shop", 3, 2, 2, 3.4).unwrap_err();
        assert!(
            undone.starts_with("deploy/backend in shop was set back to 2 replicas after this scale to 3: an HPA"),
            "{undone}"
        );
        assert_eq!(
            scaled(&w, "shop", 0, 0, 1, 0.0),
            Ok("deploy/backend in shop scaled to 0 (1 pods still stopping) (0.0s)".into())
        );
    }

    #[test]
    fn replica_counts_and_workload_names_are_checked() {
        assert_eq!(parse_replicas(" 4 "), Ok(4));
        assert_eq!(parse_replicas("0"), Ok(0));
        assert!(parse_replicas("1001").unwrap_err().contains("0 to 1000"));
        assert!(parse_replicas("-1").is_err() && parse_replicas("two").is_err() && parse_replicas("").is_err());
        assert_eq!(
            WorkloadRef::parse("deploy/backend"),
            Ok(WorkloadRef {
                statefulset: false,
                name: "backend".into()
            })
        );
        assert_eq!(
            WorkloadRef::parse("sts/redis").map(|w| w.to_string()),
            Ok("sts/redis".into())
        );
        assert!(WorkloadRef::parse("backend").unwrap_err().contains("deploy/NAME"));
    }
}
