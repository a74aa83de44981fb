//! HorizontalPodAutoscalers (autoscaling/v2) as the HPA pane shows them.

use jiff::Timestamp;
use k8s_openapi::api::autoscaling::v2::{HorizontalPodAutoscaler, MetricStatus, MetricTarget};

use super::RowUpdate;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

/// One metric: what it is, where it stands and what it aims for, already formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct MetricReading {
    /// "cpu", "memory", or the metric's own name.
    pub name: String,
    pub current: Option<String>,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HpaCondition {
    pub kind: String,
    pub ok: bool,
    pub reason: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct HpaRow {
    pub key: ObjectKey,
    /// `Deployment/backend`, as shown.
    pub target: String,
    /// The workload it scales, when that is a Deployment or StatefulSet.
    pub scales: Option<super::workloads::WorkloadRef>,
    pub min: i32,
    pub max: i32,
    pub current: i32,
    pub desired: i32,
    pub metrics: Vec<MetricReading>,
    /// Average CPU utilisation in percent, when the HPA reports it (for the sparkline).
    pub cpu_utilization: Option<i32>,
    pub conditions: Vec<HpaCondition>,
    pub last_scale: Option<Timestamp>,
    pub created: Option<Timestamp>,
}

impl HpaRow {
    pub fn at_max(&self) -> bool {
        self.current >= self.max
    }

    /// The reason of a condition that is not as it should be (ScalingLimited true counts).
    pub fn trouble(&self) -> Option<&HpaCondition> {
        self.conditions.iter().find(|c| match c.kind.as_str() {
            "ScalingLimited" => c.ok,
            _ => !c.ok,
        })
    }
}

impl Row for HpaRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<HorizontalPodAutoscaler> for HpaRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Hpas;

    fn from_object(hpa: &HorizontalPodAutoscaler) -> Self {
        let meta = &hpa.metadata;
        let spec = hpa.spec.clone();
        let status = hpa.status.clone().unwrap_or_default();
        let current_metrics = status.current_metrics.unwrap_or_default();
        let metrics = spec
            .metrics
            .unwrap_or_default()
            .iter()
            .map(|m| {
                let (name, target) = describe_spec_metric(m);
                let current = current_metrics.iter().find_map(|c| current_value(c, &name));
                MetricReading { name, current, target }
            })
            .collect();
        let cpu_utilization = current_metrics.iter().find_map(|c| {
            let r = c.resource.as_ref().filter(|r| r.name == "cpu")?;
            r.current.average_utilization
        });
        HpaRow {
            key: ObjectKey::new(
                meta.namespace.as_deref().unwrap_or_default(),
                meta.name.as_deref().unwrap_or_default(),
            ),
            target: sanitize(&format!(
                "{}/{}",
                spec.scale_target_ref.kind, spec.scale_target_ref.name
            )),
            scales: super::workloads::WorkloadRef::of_kind(&spec.scale_target_ref.kind, &spec.scale_target_ref.name),
            min: spec.min_replicas.unwrap_or(1),
            max: spec.max_replicas,
            current: status.current_replicas.unwrap_or(0),
            desired: status.desired_replicas,
            metrics,
            cpu_utilization,
            conditions: status
                .conditions
                .unwrap_or_default()
                .into_iter()
                .map(|c| HpaCondition {
                    kind: sanitize(&c.type_),
                    ok: c.status == "True",
                    reason: sanitize(c.reason.as_deref().unwrap_or_default()),
                    message: sanitize(c.message.as_deref().unwrap_or_default()),
                })
                .collect(),
            last_scale: status.last_scale_time.map(|t| t.0),
            created: meta.creation_timestamp.as_ref().map(|t| t.0),
        }
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Hpas(update)
    }
}

fn target_text(t: &MetricTarget) -> String {
    if let Some(u) = t.average_utilization {
        format!("{u}%")
    } else if let Some(v) = &t.average_value {
        v.0.clone()
    } else if let Some(v) = &t.value {
        v.0.clone()
    } else {
        "?".into()
    }
}

fn describe_spec_metric(m: &k8s_openapi::api::autoscaling::v2::MetricSpec) -> (String, String) {
    let (name, target) = if let Some(r) = &m.resource {
        (r.name.clone(), target_text(&r.target))
    } else if let Some(r) = &m.container_resource {
        (format!("{}/{}", r.container, r.name), target_text(&r.target))
    } else if let Some(p) = &m.pods {
        (p.metric.name.clone(), target_text(&p.target))
    } else if let Some(o) = &m.object {
        (o.metric.name.clone(), target_text(&o.target))
    } else if let Some(e) = &m.external {
        (e.metric.name.clone(), target_text(&e.target))
    } else {
        (m.type_.clone(), "?".into())
    };
    (sanitize(&name), sanitize(&target))
}

fn current_value(c: &MetricStatus, name: &str) -> Option<String> {
    let value = |v: &k8s_openapi::api::autoscaling::v2::MetricValueStatus| {
        v.average_utilization
            .map(|u| format!("{u}%"))
            .or_else(|| v.average_value.as_ref().map(|q| q.0.clone()))
            .or_else(|| v.value.as_ref().map(|q| q.0.clone()))
    };
    let text = if let Some(r) = c.resource.as_ref().filter(|r| r.name == name) {
        value(&r.current)
    } else if let Some(r) = c
        .container_resource
        .as_ref()
        .filter(|r| format!("{}/{}", r.container, r.name) == name)
    {
        value(&r.current)
    } else if let Some(p) = c.pods.as_ref().filter(|p| p.metric.name == name) {
        value(&p.current)
    } else if let Some(o) = c.object.as_ref().filter(|o| o.metric.name == name) {
        value(&o.current)
    } else if let Some(e) = c.external.as_ref().filter(|e| e.metric.name == name) {
        value(&e.current)
    } else {
        None
    };
    text.map(|t| sanitize(&t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_targets_metrics_and_conditions() {
        let hpa: HorizontalPodAutoscaler = serde_yaml::from_str(
            "metadata: {name: backend, namespace: todo}
spec:
  scaleTargetRef: {kind: Deployment, name: backend, apiVersion: apps/v1}
  minReplicas: 2
  maxReplicas: 5
  metrics:
  - {type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}
  - {type: Resource, resource: {name: memory, target: {type: Utilization, averageUtilization: 80}}}
  - {type: Pods, pods: {metric: {name: requests_per_second}, target: {type: AverageValue, averageValue: '100'}}}
status:
  currentReplicas: 5
  desiredReplicas: 5
  lastScaleTime: '2026-11-23T11:58:00Z'
  currentMetrics:
  - {type: Resource, resource: {name: cpu, current: {averageUtilization: 250, averageValue: 250m}}}
  conditions:
  - {type: AbleToScale, status: 'True', reason: ReadyForNewScale}
  - {type: ScalingActive, status: 'True', reason: ValidMetricFound}
  - {type: ScalingLimited, status: 'True', reason: TooManyReplicas, message: the desired replica count is more than the maximum replica count}
",
        )
        .unwrap();
        let row = HpaRow::from_object(&hpa);
        assert_eq!(row.target, "Deployment/backend");
        assert_eq!((row.min, row.max, row.current, row.desired), (2, 5, 5, 5));
        assert_eq!(
            row.metrics[0],
            MetricReading {
                name: "cpu".into(),
                current: Some("250%".into()),
                target: "70%".into()
            }
        );
        assert_eq!(row.metrics[1].current, None);
        assert_eq!(row.metrics[2].target, "100");
        assert_eq!(row.cpu_utilization, Some(250));
        assert!(row.at_max());
        assert_eq!(row.trouble().map(|c| c.reason.as_str()), Some("TooManyReplicas"));
    }
}
