//! When a Deployment or StatefulSet has rolled out: one rule, `kubectl rollout status`'s, for the
//! Workloads pane, `kubedeck status` and every action that waits on a rollout.

use k8s_openapi::api::apps::v1::{Deployment, DeploymentStatus, StatefulSet, StatefulSetStatus};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

/// A workload whose pods are replaced by a rollout.
#[derive(Debug, Clone, Copy)]
pub enum RollingWorkload<'a> {
    Deployment(&'a Deployment),
    StatefulSet(&'a StatefulSet),
}

/// Whether the workload has rolled out, by `kubectl rollout status`'s rule. Its controller must
/// have seen the latest spec; then a Deployment has every desired replica updated, no old
/// replica left and every updated one available; a StatefulSet has every desired replica ready
/// and, with a RollingUpdate partition, the replicas from the partition up updated (without one,
/// the update revision has become the current one).
pub fn rolled_out(workload: RollingWorkload<'_>) -> bool {
    match workload {
        RollingWorkload::Deployment(d) => deployment_rolled_out(d),
        RollingWorkload::StatefulSet(s) => statefulset_rolled_out(s),
    }
}

/// The controller has acted on the spec as it is now (not one edit behind).
fn observed(meta: &ObjectMeta, observed_generation: Option<i64>) -> bool {
    observed_generation.unwrap_or(0) >= meta.generation.unwrap_or(0)
}

fn deployment_rolled_out(d: &Deployment) -> bool {
    let none = DeploymentStatus::default();
    let status = d.status.as_ref().unwrap_or(&none);
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let total = status.replicas.unwrap_or(0);
    let updated = status.updated_replicas.unwrap_or(0);
    let available = status.available_replicas.unwrap_or(0);
    observed(&d.metadata, status.observed_generation) && updated >= desired && total <= updated && available >= updated
}

fn statefulset_rolled_out(s: &StatefulSet) -> bool {
    let none = StatefulSetStatus::default();
    let status = s.status.as_ref().unwrap_or(&none);
    let spec = s.spec.as_ref();
    let desired = spec.and_then(|s| s.replicas).unwrap_or(1);
    let strategy = spec.and_then(|s| s.update_strategy.as_ref());
    let updated = match strategy {
        // OnDelete replaces a pod only when someone deletes it: kubectl does not wait on that.
        Some(st) if st.type_.as_deref() == Some("OnDelete") => true,
        Some(st) if st.rolling_update.is_some() => {
            let partition = st.rolling_update.as_ref().and_then(|r| r.partition).unwrap_or(0);
            status.updated_replicas.unwrap_or(0) >= desired - partition
        }
        _ => {
            status.update_revision.as_deref().unwrap_or_default()
                == status.current_revision.as_deref().unwrap_or_default()
        }
    };
    observed(&s.metadata, status.observed_generation) && status.ready_replicas.unwrap_or(0) >= desired && updated
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deployment(status: &str) -> bool {
        let d: Deployment = serde_yaml::from_str(&format!(
            "metadata: {{name: backend, generation: 2}}
spec: {{replicas: 3, selector: {{}}, template: {{}}}}
status: {status}"
        ))
        .expect("a Deployment");
        rolled_out(RollingWorkload::Deployment(&d))
    }

    fn statefulset(strategy: &str, status: &str) -> bool {
        let s: StatefulSet = serde_yaml::from_str(&format!(
            "metadata: {{name: redis, generation: 2}}
spec: {{replicas: 2, selector: {{}}, serviceName: redis, template: {{}}, updateStrategy: {strategy}}}
status: {status}"
        ))
        .expect("a StatefulSet");
        rolled_out(RollingWorkload::StatefulSet(&s))
    }

    #[test]
    fn a_deployment_is_rolled_out_when_every_replica_is_new_and_available() {
        let done = "{observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 3}";
        assert!(deployment(done));
        // Scaling down after the rollout: more new replicas than desired is still rolled out.
        assert!(deployment(
            "{observedGeneration: 2, replicas: 4, updatedReplicas: 4, availableReplicas: 4}"
        ));
        // The controller has not seen the latest spec yet.
        assert!(!deployment(
            "{observedGeneration: 1, replicas: 3, updatedReplicas: 3, availableReplicas: 3}"
        ));
        // Not every replica updated; an old one still running; an updated one not available.
        assert!(!deployment(
            "{observedGeneration: 2, replicas: 3, updatedReplicas: 2, availableReplicas: 3}"
        ));
        assert!(!deployment(
            "{observedGeneration: 2, replicas: 4, updatedReplicas: 3, availableReplicas: 4}"
        ));
        assert!(!deployment(
            "{observedGeneration: 2, replicas: 3, updatedReplicas: 3, availableReplicas: 2}"
        ));
        assert!(!deployment("null"));
    }

    #[test]
    fn a_statefulset_is_rolled_out_by_its_update_strategy() {
        let rolling = "{type: RollingUpdate, rollingUpdate: {partition: 0}}";
        assert!(statefulset(
            rolling,
            "{observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 2}"
        ));
        assert!(!statefulset(
            rolling,
            "{observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 1}"
        ));
        assert!(!statefulset(
            rolling,
            "{observedGeneration: 2, replicas: 2, readyReplicas: 1, updatedReplicas: 2}"
        ));
        assert!(!statefulset(
            rolling,
            "{observedGeneration: 1, replicas: 2, readyReplicas: 2, updatedReplicas: 2}"
        ));
        // Only the replicas from the partition up are updated.
        let partitioned = "{type: RollingUpdate, rollingUpdate: {partition: 1}}";
        assert!(statefulset(
            partitioned,
            "{observedGeneration: 2, replicas: 2, readyReplicas: 2, updatedReplicas: 1}"
        ));
        // Without rolling-update settings, the revisions tell.
        let by_revision = "{type: RollingUpdate}";
        let same = "{observedGeneration: 2, replicas: 2, readyReplicas: 2, currentRevision: r2, updateRevision: r2}";
        let behind = "{observedGeneration: 2, replicas: 2, readyReplicas: 2, currentRevision: r1, updateRevision: r2}";
        assert!(statefulset(by_revision, same) && !statefulset(by_revision, behind));
        // OnDelete: ready is all there is to wait for.
        assert!(statefulset("{type: OnDelete}", behind));
    }
}
