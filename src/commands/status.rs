//! `kubedeck status`: is the app in this namespace healthy? One look at workloads, pods, HPAs and
//! releases, as text or JSON, with an exit status a script or CI job can use.

use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Pod, Secret};
use kube::api::ListParams;
use kube::{Api, Client};
use serde::Serialize;

use crate::cluster::dapr::{self, DaprComponent};
use crate::cluster::hpas::HpaRow;
use crate::cluster::pods::{Health, PodRow};
use crate::cluster::releases::{self, ReleaseRow};
use crate::cluster::store::FromObject;
use crate::cluster::workloads::{Rollout, WorkloadRow};

/// What `kubedeck status` found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatusReport {
    pub namespace: String,
    pub healthy: bool,
    pub workloads: Vec<WorkloadStatus>,
    pub pods: PodCounts,
    pub hpas: Vec<HpaStatus>,
    pub releases: Vec<ReleaseStatusLine>,
    /// The namespace's Dapr Components (type, which Secret keys they read), when Dapr is there.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dapr_components: Vec<DaprComponent>,
    /// What makes it unhealthy, one sentence each.
    pub problems: Vec<String>,
    /// Worth knowing, but not unhealthy (an HPA at its maximum).
    pub warnings: Vec<String>,
    /// What could not be read, one entry per kind; the rest of the report is what could. Any
    /// entry makes the report unhealthy: what cannot be seen cannot be called healthy.
    pub errors: Vec<ReadError>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReadError {
    pub kind: String,
    pub error: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WorkloadStatus {
    pub name: String,
    pub ready: i32,
    pub desired: i32,
    pub state: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PodCounts {
    pub total: usize,
    pub ready: usize,
    pub failing: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HpaStatus {
    pub name: String,
    pub current: i32,
    pub min: i32,
    pub max: i32,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ReleaseStatusLine {
    pub name: String,
    pub revision: i32,
    pub status: String,
}

/// Reads the namespace once (the five lists at the same time) and judges it. A namespace that is
/// not a valid name or does not exist, and each kind that cannot be read, is an entry in
/// `errors`: the report says what it could read beside what it could not.
pub async fn check(client: &Client, namespace: &str) -> StatusReport {
    if let Err(problem) = crate::cluster::namespaces::check(client, namespace).await {
        // Nothing else was read: the report is that one sentence, said once (`verdict`).
        let mut report = judge(namespace, &[], &[], &[], &[]);
        report.healthy = false;
        report.problems.clear();
        report.errors.push(ReadError {
            kind: "namespace".into(),
            error: problem,
        });
        return report;
    }
    let all = ListParams::default();
    let helm_records = ListParams::default()
        .labels(releases::LABEL_SELECTOR)
        .fields(releases::FIELD_SELECTOR);
    let (pods, deployments, statefulsets, hpas, releases, components) = tokio::join!(
        rows::<Pod, PodRow>(client, namespace, &all, "pods"),
        rows::<Deployment, WorkloadRow>(client, namespace, &all, "Deployments"),
        rows::<StatefulSet, WorkloadRow>(client, namespace, &all, "StatefulSets"),
        rows::<HorizontalPodAutoscaler, HpaRow>(client, namespace, &all, "HPAs"),
        rows::<Secret, ReleaseRow>(client, namespace, &helm_records, "Helm release records"),
        dapr::components(client, namespace),
    );
    let mut errors = Vec::new();
    let pods = readable("pods", pods, &mut errors);
    let deployments = readable("deployments", deployments, &mut errors);
    let statefulsets = readable("statefulsets", statefulsets, &mut errors);
    let hpas = readable("horizontalpodautoscalers", hpas, &mut errors);
    let releases = readable("releases", releases, &mut errors);
    let components = readable("dapr components", components, &mut errors);
    let workloads: Vec<WorkloadRow> = deployments.into_iter().chain(statefulsets).collect();
    let mut report = judge(namespace, &workloads, &pods, &hpas, &releases);
    if errors.is_empty() {
        for missing in missing_workloads(client, namespace, &releases, &workloads).await {
            report.problems.push(missing);
        }
        if workloads.is_empty() && pods.is_empty() && releases.is_empty() {
            report.problems.push(format!(
                "nothing runs in {namespace}: no workloads, pods or releases (deploy with kubedeck deploy, or give \
                 the app's namespace with -n)"
            ));
        }
        report.healthy = report.problems.is_empty();
    }
    report.healthy &= errors.is_empty();
    report.errors = errors;
    report.dapr_components = components;
    report
}

/// The Deployments and StatefulSets each deployed release's manifest has that are not in the
/// namespace (deleted by hand, or by another tool), one sentence each: rows alone would call the
/// rest healthy.
async fn missing_workloads(
    client: &Client,
    namespace: &str,
    releases: &[ReleaseRow],
    workloads: &[WorkloadRow],
) -> Vec<String> {
    let mut missing = Vec::new();
    for r in releases::latest_per_release(releases.iter()) {
        if r.problem.is_some() || r.status != crate::cluster::releases::ReleaseStatus::Deployed {
            continue;
        }
        let Ok((objects, _)) = crate::actions::deploy::release_objects(client, namespace, &r.name).await else {
            continue;
        };
        for id in objects {
            let Some(workload) = crate::cluster::workloads::WorkloadRef::of_kind(&id.kind, &id.name) else {
                continue;
            };
            let here = id.namespace.as_deref().is_none_or(|ns| ns == namespace);
            if here && !workloads.iter().any(|w| w.workload() == workload) {
                missing.push(format!(
                    "release {} revision {}: {workload} is missing (deleted outside the release): deploy again \
                     to restore it (kubedeck deploy {} --reuse-values)",
                    r.name, r.revision, r.name
                ));
            }
        }
    }
    missing
}

/// The rows of a list that worked; the sentence of one that did not goes into `errors`.
fn readable<R>(kind: &str, listed: Result<Vec<R>, String>, errors: &mut Vec<ReadError>) -> Vec<R> {
    listed.unwrap_or_else(|error| {
        errors.push(ReadError {
            kind: kind.to_owned(),
            error,
        });
        Vec::new()
    })
}

/// One list in `namespace`, as the rows the dashboard would show.
async fn rows<K, R>(client: &Client, namespace: &str, params: &ListParams, kind: &str) -> Result<Vec<R>, String>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + serde::de::DeserializeOwned
        + std::fmt::Debug,
    R: FromObject<K>,
{
    let list = Api::<K>::namespaced(client.clone(), namespace)
        .list(params)
        .await
        .map_err(crate::cluster::failed_to(crate::cluster::Attempt::new(
            "list", kind, namespace,
        )))?;
    Ok(list.items.iter().map(R::from_object).collect())
}

/// The verdict, from rows: what a person on call would call unhealthy.
pub fn judge(
    namespace: &str,
    workloads: &[WorkloadRow],
    pods: &[PodRow],
    hpas: &[HpaRow],
    release_rows: &[ReleaseRow],
) -> StatusReport {
    let mut problems = Vec::new();
    let mut warnings = Vec::new();
    let workloads = judge_workloads(workloads, &mut problems);
    let pods = count_pods(pods, &mut problems);
    let hpas = judge_hpas(hpas, &mut warnings);
    let releases = judge_releases(release_rows, &mut problems);
    StatusReport {
        namespace: namespace.to_owned(),
        healthy: problems.is_empty(),
        workloads,
        pods,
        hpas,
        releases,
        dapr_components: Vec::new(),
        problems,
        warnings,
        errors: Vec::new(),
    }
}

/// Each workload's line; a rollout in progress or stalled, or replicas not ready, is a problem.
fn judge_workloads(workloads: &[WorkloadRow], problems: &mut Vec<String>) -> Vec<WorkloadStatus> {
    let mut workload_lines = Vec::new();
    for w in workloads {
        let name = w.key.name.clone();
        let state = match &w.rollout {
            Rollout::Complete => "complete".to_owned(),
            Rollout::ScaledDown => "scaled to 0".to_owned(),
            Rollout::Progressing => {
                problems.push(format!(
                    "{name}: {} of {} ready, rollout in progress",
                    w.ready, w.desired
                ));
                "progressing".to_owned()
            }
            Rollout::Stalled(why) => {
                problems.push(format!("{name}: rollout stalled: {why}"));
                format!("stalled: {why}")
            }
        };
        if matches!(w.rollout, Rollout::Complete) && w.ready < w.desired {
            problems.push(format!("{name}: only {} of {} ready", w.ready, w.desired));
        }
        workload_lines.push(WorkloadStatus {
            name: name.to_string(),
            ready: w.ready,
            desired: w.desired,
            state,
        });
    }
    workload_lines
}

/// How many pods run and are ready; each failing pod is a problem.
fn count_pods(pods: &[PodRow], problems: &mut Vec<String>) -> PodCounts {
    let mut failing = Vec::new();
    for p in pods.iter().filter(|p| p.health == Health::Failing) {
        let line = format!("pod {}: {} (restarts {})", p.key.name, p.status, p.restarts);
        problems.push(line.clone());
        failing.push(line);
    }
    let ready = pods
        .iter()
        .filter(|p| matches!(p.health, Health::Ready | Health::Completed))
        .count();
    PodCounts {
        total: pods.len(),
        ready,
        failing,
    }
}

/// Each HPA's line; one at its maximum is worth a warning, not a problem.
fn judge_hpas(hpas: &[HpaRow], warnings: &mut Vec<String>) -> Vec<HpaStatus> {
    let mut hpa_lines = Vec::new();
    for h in hpas {
        if h.at_max() {
            warnings.push(format!("HPA {} is at its maximum of {} replicas", h.key.name, h.max));
        }
        hpa_lines.push(HpaStatus {
            name: h.key.name.to_string(),
            current: h.current,
            min: h.min,
            max: h.max,
        });
    }
    hpa_lines
}

/// The latest revision of each release; a failed, pending or unreadable one is a problem.
fn judge_releases(release_rows: &[ReleaseRow], problems: &mut Vec<String>) -> Vec<ReleaseStatusLine> {
    let mut release_lines = Vec::new();
    for r in releases::latest_per_release(release_rows.iter()) {
        let status = match &r.problem {
            Some(p) => {
                problems.push(format!("release {}: record unreadable: {p}", r.name));
                "unreadable".to_owned()
            }
            None => {
                let s = r.status.as_str().to_owned();
                match r.status.health() {
                    Health::Failing => problems.push(format!("release {} revision {}: {s}", r.name, r.revision)),
                    Health::Progressing => problems.push(format!(
                        "release {} revision {}: {s} (still in progress)",
                        r.name, r.revision
                    )),
                    _ => {}
                }
                s
            }
        };
        release_lines.push(ReleaseStatusLine {
            name: r.name.clone(),
            revision: r.revision,
            status,
        });
    }
    release_lines
}

/// A table as kubectl prints one: a blank line, the titles, then the rows, each column as wide
/// as its widest cell and three spaces apart; nothing when there are no rows.
fn table(titles: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    use unicode_width::UnicodeWidthStr;
    let rows: Vec<Vec<String>> = rows.collect();
    if rows.is_empty() {
        return String::new();
    }
    let mut widths: Vec<usize> = titles.iter().map(|t| t.width()).collect();
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.width());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut text = String::new();
        for (i, (cell, width)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                text.push_str(cell);
            } else {
                text.push_str(cell);
                text.push_str(&" ".repeat(width - cell.width() + 3));
            }
        }
        text.push('\n');
        text
    };
    let mut out = String::from("\n");
    out.push_str(&line(titles.to_vec()));
    for row in &rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
    }
    out
}

impl StatusReport {
    /// The report for a person: verdict first, then what is there, then what is wrong.
    pub fn text(&self) -> String {
        let mut out = String::new();
        if self.errors.iter().any(|e| e.kind == "namespace") {
            // Why is the one sentence on stderr.
            return format!("namespace {}: UNKNOWN (cannot read it)\n", self.namespace);
        }
        let verdict = if self.healthy {
            "healthy".to_owned()
        } else if self.problems.is_empty() {
            format!("UNKNOWN (cannot read {})", self.unreadable())
        } else {
            format!(
                "UNHEALTHY ({} problem{})",
                self.problems.len(),
                if self.problems.len() == 1 { "" } else { "s" }
            )
        };
        out.push_str(&format!("namespace {}: {verdict}\n", self.namespace));
        out.push_str(&format!("pods: {}/{} ready\n", self.pods.ready, self.pods.total));
        let workloads = self
            .workloads
            .iter()
            .map(|w| vec![w.name.clone(), format!("{}/{}", w.ready, w.desired), w.state.clone()]);
        out.push_str(&table(&["WORKLOAD", "READY", "STATE"], workloads));
        let hpas = self
            .hpas
            .iter()
            .map(|h| vec![h.name.clone(), format!("{} ({}..{})", h.current, h.min, h.max)]);
        out.push_str(&table(&["HPA", "REPLICAS (MIN..MAX)"], hpas));
        let releases = self
            .releases
            .iter()
            .map(|r| vec![r.name.clone(), r.revision.to_string(), r.status.clone()]);
        out.push_str(&table(&["RELEASE", "REVISION", "STATUS"], releases));
        if !self.dapr_components.is_empty() {
            out.push_str("\nDAPR COMPONENT\n");
            for c in &self.dapr_components {
                out.push_str(&format!("{}\n", c.summary()));
            }
        }
        for (title, lines) in [("problems", &self.problems), ("warnings", &self.warnings)] {
            if !lines.is_empty() {
                out.push_str(&format!("\n{title}:\n"));
                for l in lines {
                    out.push_str(&format!("  {l}\n"));
                }
            }
        }
        if !self.errors.is_empty() {
            out.push_str("\ncannot read:\n");
            for e in &self.errors {
                out.push_str(&format!("  {}: {}\n", e.kind, e.error));
            }
        }
        out
    }

    /// The kinds that could not be read: "pods, horizontalpodautoscalers".
    pub fn unreadable(&self) -> String {
        let kinds: Vec<&str> = self.errors.iter().map(|e| e.kind.as_str()).collect();
        kinds.join(", ")
    }

    /// Why the namespace is not healthy, in one sentence (None when it is).
    pub fn verdict(&self) -> Option<String> {
        if self.healthy {
            return None;
        }
        match (self.errors.first(), self.problems.first()) {
            (Some(e), _) if e.kind == "namespace" => Some(e.error.clone()),
            (_, Some(problem)) => Some(format!("namespace {} is unhealthy: {problem}", self.namespace)),
            (Some(e), None) => Some(format!(
                "cannot tell whether namespace {} is healthy: {}",
                self.namespace, e.error
            )),
            (None, None) => Some(format!("namespace {} is not healthy", self.namespace)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_as_wide_as_their_cells_and_apart() {
        let mut report = judge("shop", &[], &[], &[], &[]);
        report.workloads.push(WorkloadStatus {
            name: "deploy/todo-todo-chatbot-mcp-server-long".into(),
            ready: 1,
            desired: 1,
            state: "complete".into(),
        });
        report.releases.push(ReleaseStatusLine {
            name: "a-release-name-longer-than-thirty-two".into(),
            revision: 12,
            status: "failed".into(),
        });
        let text = report.text();
        assert!(
            text.contains("\nWORKLOAD                                   READY   STATE\n"),
            "{text}"
        );
        assert!(
            text.contains("\ndeploy/todo-todo-chatbot-mcp-server-long   1/1     complete\n"),
            "{text}"
        );
        assert!(
            text.contains("\na-release-name-longer-than-thirty-two   12         failed\n"),
            "{text}"
        );
        assert!(!text.contains("HPA"), "no table without rows: {text}");
    }

    #[test]
    fn a_namespace_that_cannot_be_read_is_unknown_and_said_once() {
        let mut report = judge("shop", &[], &[], &[], &[]);
        report.healthy = false;
        report.errors.push(ReadError {
            kind: "namespace".into(),
            error: "namespace shop does not exist: create it".into(),
        });
        assert_eq!(report.text(), "namespace shop: UNKNOWN (cannot read it)\n");
        assert_eq!(
            report.verdict().as_deref(),
            Some("namespace shop does not exist: create it")
        );
    }
}
