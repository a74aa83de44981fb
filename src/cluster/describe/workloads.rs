//! Describing pods and what runs them: Deployments, StatefulSets, Jobs, CronJobs and HPAs.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Container, Pod, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;

use super::{Condition, Doc, Tone, get, when};
use crate::cluster::objects::ObjectRef;
use crate::cluster::pods::{Health, PodRow};

/// Name, namespace, labels, annotations count and creation time, as every describe starts.
pub(super) fn meta(doc: &mut Doc, meta: &ObjectMeta) {
    doc.field("Name", meta.name.as_deref().unwrap_or_default());
    if let Some(ns) = &meta.namespace {
        doc.field("Namespace", ns);
    }
    doc.field("CreationTimestamp", when(meta.creation_timestamp.as_ref().map(|t| t.0)));
    doc.map("Labels", meta.labels.as_ref());
    let owners: Vec<String> = meta
        .owner_references
        .iter()
        .flatten()
        .filter(|o| o.controller == Some(true))
        .map(|o| format!("{}/{}", o.kind, o.name))
        .collect();
    if !owners.is_empty() {
        doc.field("Controlled By", owners.join(", "));
    }
}

/// Requests and limits of a container, e.g. "cpu=100m, memory=64Mi".
fn resources_of(c: &Container, limits: bool) -> String {
    let r = c.resources.as_ref();
    let map = if limits {
        r.and_then(|r| r.limits.as_ref())
    } else {
        r.and_then(|r| r.requests.as_ref())
    };
    map.into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", v.0))
        .collect::<Vec<_>>()
        .join(", ")
}

fn containers(doc: &mut Doc, containers: &[Container]) {
    for c in containers {
        doc.line(format!("  {}:", c.name), Tone::Plain);
        doc.line(
            format!("    Image:      {}", c.image.as_deref().unwrap_or_default()),
            Tone::Plain,
        );
        let ports: Vec<String> = c
            .ports
            .iter()
            .flatten()
            .map(|p| format!("{}/{}", p.container_port, p.protocol.as_deref().unwrap_or("TCP")))
            .collect();
        if !ports.is_empty() {
            doc.line(format!("    Ports:      {}", ports.join(", ")), Tone::Plain);
        }
        doc.line(
            format!("    Requests:   {}", or_none(resources_of(c, false))),
            Tone::Plain,
        );
        doc.line(
            format!("    Limits:     {}", or_none(resources_of(c, true))),
            Tone::Plain,
        );
    }
}

fn or_none(s: String) -> String {
    if s.is_empty() { "<none>".into() } else { s }
}

fn template(doc: &mut Doc, template: &PodTemplateSpec) {
    doc.blank();
    doc.heading("Pod Template");
    doc.map("  Labels", template.metadata.as_ref().and_then(|m| m.labels.as_ref()));
    doc.line("  Containers:", Tone::Plain);
    if let Some(spec) = &template.spec {
        containers(doc, &spec.containers);
    }
}

pub(super) async fn pod(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let pod: Pod = get(client, object).await?;
    let row = PodRow::from(&pod);
    meta(doc, &pod.metadata);
    let spec = pod.spec.clone().unwrap_or_default();
    let status = pod.status.clone().unwrap_or_default();
    doc.field("Node", spec.node_name.as_deref().unwrap_or("<none>"));
    doc.field("Start Time", when(status.start_time.as_ref().map(|t| t.0)));
    let tone = match row.health {
        Health::Ready | Health::Completed => Tone::Good,
        Health::Progressing | Health::Terminating => Tone::Warn,
        Health::Failing => Tone::Bad,
    };
    doc.field_toned(
        "Status",
        format!(
            "{}  (ready {}/{}, restarts {})",
            row.status, row.ready, row.total, row.restarts
        ),
        tone,
    );
    doc.field("IP", status.pod_ip.as_deref().unwrap_or("<none>"));
    doc.field("QoS Class", status.qos_class.as_deref().unwrap_or_default());
    doc.blank();
    doc.heading("Containers");
    for (brief, c) in row.containers.iter().filter(|b| !b.init).zip(&spec.containers) {
        let tone = if brief.ready { Tone::Good } else { Tone::Warn };
        doc.line(format!("  {}:", c.name), Tone::Plain);
        doc.line(format!("    Image:      {}", brief.image), Tone::Plain);
        doc.line(format!("    State:      {}", brief.state), tone);
        if let Some(last) = &brief.last_termination {
            doc.line(format!("    Last State: terminated: {last}"), Tone::Warn);
        }
        doc.line(
            format!("    Ready:      {}   Restart Count: {}", brief.ready, brief.restarts),
            tone,
        );
        doc.line(
            format!("    Requests:   {}", or_none(resources_of(c, false))),
            Tone::Plain,
        );
        doc.line(
            format!("    Limits:     {}", or_none(resources_of(c, true))),
            Tone::Plain,
        );
    }
    doc.conditions(&conditions!(status.conditions));
    let claims: Vec<String> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| format!("{} (claim {})", v.name, c.claim_name))
        })
        .collect();
    if !claims.is_empty() {
        doc.blank();
        doc.heading("Volumes from claims");
        for c in claims {
            doc.line(format!("  {c}"), Tone::Plain);
        }
    }
    Ok(())
}

pub(super) async fn deployment(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let d: Deployment = get(client, object).await?;
    meta(doc, &d.metadata);
    let spec = d.spec.clone().unwrap_or_default();
    let status = d.status.clone().unwrap_or_default();
    doc.map("Selector", spec.selector.match_labels.as_ref());
    let desired = spec.replicas.unwrap_or(1);
    let available = status.available_replicas.unwrap_or(0);
    doc.field_toned(
        "Replicas",
        format!(
            "{desired} desired | {} updated | {} total | {available} available | {} unavailable",
            status.updated_replicas.unwrap_or(0),
            status.replicas.unwrap_or(0),
            status.unavailable_replicas.unwrap_or(0)
        ),
        if available >= desired { Tone::Good } else { Tone::Warn },
    );
    let strategy = spec
        .strategy
        .as_ref()
        .and_then(|s| s.type_.clone())
        .unwrap_or_else(|| "RollingUpdate".into());
    doc.field("StrategyType", strategy);
    template(doc, &spec.template);
    doc.conditions(&conditions!(status.conditions));
    Ok(())
}

pub(super) async fn statefulset(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let s: StatefulSet = get(client, object).await?;
    meta(doc, &s.metadata);
    let spec = s.spec.clone().unwrap_or_default();
    let status = s.status.clone().unwrap_or_default();
    doc.map("Selector", spec.selector.match_labels.as_ref());
    doc.field("Service Name", spec.service_name.clone().unwrap_or_default());
    let desired = spec.replicas.unwrap_or(1);
    let ready = status.ready_replicas.unwrap_or(0);
    doc.field_toned(
        "Replicas",
        format!(
            "{desired} desired | {} current | {ready} ready | {} updated",
            status.current_replicas.unwrap_or(0),
            status.updated_replicas.unwrap_or(0)
        ),
        if ready >= desired { Tone::Good } else { Tone::Warn },
    );
    let claims: Vec<String> = spec
        .volume_claim_templates
        .iter()
        .flatten()
        .map(|c| c.metadata.name.clone().unwrap_or_default())
        .collect();
    doc.field("Volume Claims", claims.join(", "));
    template(doc, &spec.template);
    doc.conditions(&conditions!(status.conditions));
    Ok(())
}

pub(super) async fn job(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let j: Job = get(client, object).await?;
    meta(doc, &j.metadata);
    let spec = j.spec.clone().unwrap_or_default();
    let status = j.status.clone().unwrap_or_default();
    doc.field("Parallelism", spec.parallelism.unwrap_or(1).to_string());
    doc.field(
        "Completions",
        spec.completions.map_or("<unset>".into(), |c| c.to_string()),
    );
    doc.field("Backoff Limit", spec.backoff_limit.unwrap_or(6).to_string());
    doc.field("Start Time", when(status.start_time.as_ref().map(|t| t.0)));
    if let Some(done) = &status.completion_time {
        doc.field("Completed At", when(Some(done.0)));
    }
    let failed = status.failed.unwrap_or(0);
    doc.field_toned(
        "Pods Statuses",
        format!(
            "{} Active / {} Succeeded / {failed} Failed",
            status.active.unwrap_or(0),
            status.succeeded.unwrap_or(0)
        ),
        if failed > 0 { Tone::Bad } else { Tone::Plain },
    );
    template(doc, &spec.template);
    doc.conditions(&conditions!(status.conditions));
    Ok(())
}

pub(super) async fn cronjob(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let cj: CronJob = get(client, object).await?;
    meta(doc, &cj.metadata);
    let spec = cj.spec.clone();
    let status = cj.status.clone().unwrap_or_default();
    doc.field("Schedule", &spec.schedule);
    doc.field(
        "Concurrency Policy",
        spec.concurrency_policy.clone().unwrap_or_else(|| "Allow".into()),
    );
    doc.field("Suspend", spec.suspend.unwrap_or(false).to_string());
    doc.field(
        "Last Schedule Time",
        when(status.last_schedule_time.as_ref().map(|t| t.0)),
    );
    let active: Vec<String> = status.active.iter().flatten().filter_map(|r| r.name.clone()).collect();
    doc.field("Active Jobs", active.join(", "));
    if let Some(t) = spec.job_template.spec.as_ref().map(|s| &s.template) {
        template(doc, t);
    }
    Ok(())
}

pub(super) async fn hpa(client: &Client, object: &ObjectRef, doc: &mut Doc) -> Result<(), String> {
    let h: HorizontalPodAutoscaler = get(client, object).await?;
    let row =
        <crate::cluster::hpas::HpaRow as crate::cluster::store::FromObject<HorizontalPodAutoscaler>>::from_object(&h);
    meta(doc, &h.metadata);
    doc.field("Reference", &row.target);
    doc.blank();
    doc.heading("Metrics (current / target)");
    for m in &row.metrics {
        doc.line(
            format!(
                "  {:<24} {} / {}",
                m.name,
                m.current.as_deref().unwrap_or("<unknown>"),
                m.target
            ),
            Tone::Plain,
        );
    }
    doc.field("Min replicas", row.min.to_string());
    doc.field("Max replicas", row.max.to_string());
    doc.field_toned(
        "Replicas",
        format!("{} current / {} desired", row.current, row.desired),
        if row.at_max() { Tone::Warn } else { Tone::Plain },
    );
    let conditions: Vec<Condition> = h
        .status
        .iter()
        .flat_map(|s| s.conditions.iter().flatten())
        .map(|c| Condition::new(&c.type_, &c.status, c.reason.as_ref(), c.message.as_ref()))
        .collect();
    doc.conditions(&conditions);
    Ok(())
}
