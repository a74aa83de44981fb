//! The on-call actions: scale a workload, restart its rollout, delete a pod and time its
//! replacement. Each reports progress lines and ends with one sentence.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use kube::api::{ApiResource, DeleteParams, DynamicObject, ListParams, Patch, PatchParams};
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

/// The HPA that scales this workload, if any: scaling by hand is then overridden.
pub async fn hpa_for(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
) -> Result<Option<HorizontalPodAutoscaler>, String> {
    let hpas = Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), namespace)
        .list(&ListParams::default())
        .await
        .map_err(|e| format!("listing HPAs in {namespace}: {e}"))?;
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

fn failed(doing: &str, workload: &WorkloadRef, namespace: &str, e: &kube::Error) -> String {
    format!(
        "{doing} {workload} in {namespace}: {}",
        crate::cluster::describe_client_error(e, "the API server").1
    )
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
            format!(
                "changing HPA {name}: {}",
                crate::cluster::describe_client_error(&e, "the API server").1
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
        .map_err(|e| failed("scaling", workload, namespace, &e))?;
    progress(format!("{workload}: asked for {replicas} replicas"));
    let started = Instant::now();
    wait(client, namespace, workload, timeout, progress).await?;
    Ok(format!(
        "{workload} in {namespace} runs {replicas} ready replicas ({:.1}s)",
        started.elapsed().as_secs_f32()
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
        .map_err(|e| failed("restarting", workload, namespace, &e))?;
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
        format!(
            "pod {name} in {namespace}: {}",
            crate::cluster::describe_client_error(&e, "the API server").1
        )
    })?;
    let owner = pod
        .metadata
        .owner_references
        .clone()
        .unwrap_or_default()
        .into_iter()
        .find(|o| o.controller == Some(true));
    let old_uid = pod.metadata.uid.clone(); // a StatefulSet's replacement keeps the name, not the uid
    let started = Instant::now();
    let deleted_at = jiff::Timestamp::now();
    pods.delete(name, &DeleteParams::default())
        .await
        .map_err(|e| format!("deleting pod {name}: {e}"))?;
    progress(format!("pod {name} deleted"));
    let Some(owner) = owner else {
        return Ok(format!("pod {name} deleted; nothing owns it, so nothing replaces it"));
    };
    // Its replacement carries the same labels, so only those pods are listed.
    let selector = pod
        .metadata
        .labels
        .unwrap_or_default()
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let deadline = started + timeout;
    loop {
        let list = pods
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| e.to_string())?;
        // A pod of the same controller, created after the deletion, and Ready.
        let replacement = list.items.iter().find(|p| {
            let meta = &p.metadata;
            let owned = meta
                .owner_references
                .as_ref()
                .is_some_and(|os| os.iter().any(|o| o.uid == owner.uid));
            let new = meta
                .creation_timestamp
                .as_ref()
                .is_some_and(|t| t.0.as_second() >= deleted_at.as_second());
            let ready = p
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"));
            meta.uid != old_uid && meta.deletion_timestamp.is_none() && owned && new && ready
        });
        if let Some(p) = replacement {
            let secs = started.elapsed().as_secs_f32();
            return Ok(format!(
                "replacement {} Ready after {secs:.1}s",
                p.metadata.name.clone().unwrap_or_default()
            ));
        }
        if Instant::now() > deadline {
            return Err(format!(
                "no Ready replacement for pod {name} within {}s",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
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
) -> Result<(), String> {
    let api = workload_api(client, namespace, workload);
    let deadline = Instant::now() + timeout;
    let mut last = String::new();
    loop {
        let obj = api
            .get(&workload.name)
            .await
            .map_err(|e| failed("reading", workload, namespace, &e))?;
        let (done, line) = rollout_state(&obj);
        if line != last {
            progress(format!("{workload}: {line}"));
            last = line;
        }
        if done {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("{workload} not there after {}s: {last}", timeout.as_secs()));
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
