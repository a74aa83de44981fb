//! What kubedeck knows about the cluster: one row store per watched resource.

use std::collections::{BTreeMap, HashMap};

use jiff::Timestamp;

use super::panes::PaneId;
use crate::cluster::RowUpdate;
use crate::cluster::certificates::{CertificateEntry, CertificateRow, IngressTlsRef, TlsSecretRow, pane_entries};
use crate::cluster::events::{EventRow, WarningKey};
use crate::cluster::hpas::HpaRow;
use crate::cluster::namespaces::NamespaceRow;
use crate::cluster::pods::{Health, PodRow};
use crate::cluster::releases::ReleaseRow;
use crate::cluster::resources::{ResourceKind, ResourceRow};
use crate::cluster::store::{ObjectKey, RowStore, WatchKind, WatchUpdate};
use crate::cluster::workloads::WorkloadRow;

/// Samples kept per HPA for its sparklines.
pub const HISTORY_LEN: usize = 120;

/// Replicas and CPU utilisation of one HPA, as seen over the session.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HpaHistory {
    pub replicas: Vec<u64>,
    pub cpu: Vec<u64>,
}

impl HpaHistory {
    /// Adds a sample when replicas or CPU changed (HPAs are rewritten every sync even when
    /// nothing changed, which would only flatten the sparklines).
    fn record(&mut self, row: &HpaRow) {
        let replicas = row.current.max(0) as u64;
        let cpu = row.cpu_utilization.unwrap_or(0).max(0) as u64;
        if self.replicas.last() == Some(&replicas) && self.cpu.last() == Some(&cpu) {
            return;
        }
        push_bounded(&mut self.replicas, replicas);
        push_bounded(&mut self.cpu, cpu);
    }
}

fn push_bounded(v: &mut Vec<u64>, x: u64) {
    if v.len() == HISTORY_LEN {
        v.remove(0);
    }
    v.push(x);
}

#[derive(Debug, Clone, Default)]
pub struct ClusterData {
    pub pods: RowStore<PodRow>,
    pub deployments: RowStore<WorkloadRow>,
    pub statefulsets: RowStore<WorkloadRow>,
    pub hpas: RowStore<HpaRow>,
    pub events: RowStore<EventRow>,
    /// Asked for the Events watch on this connection (it starts when first shown).
    pub events_watched: bool,
    /// The Warning events, watched from the start: the summary line counts them.
    pub warnings: RowStore<WarningKey>,
    pub releases: RowStore<ReleaseRow>,
    pub namespaces: RowStore<NamespaceRow>,
    pub certificates: RowStore<CertificateRow>,
    pub tls_secrets: RowStore<TlsSecretRow>,
    pub ingress_tls: RowStore<IngressTlsRef>,
    /// What the Certificates pane lists, joined from the three stores above on every change
    /// to them (there are few), keyed by `CertificateEntry::id`.
    pub cert_entries: BTreeMap<ObjectKey, CertificateEntry>,
    /// The cert-manager CRDs are not installed.
    pub cert_manager_missing: bool,
    /// When a pod's restart count last went up while we watched: the pane highlights it.
    pub restarts_rose: HashMap<ObjectKey, Timestamp>,
    pub hpa_history: HashMap<ObjectKey, HpaHistory>,
    /// The resource pane's kinds, each once its watch has been asked for.
    pub resources: BTreeMap<ResourceKind, RowStore<ResourceRow>>,
    /// Live usage from metrics.k8s.io (app/usage.rs).
    pub usage: super::usage::UsageData,
    /// The summary line's pod counts, kept as the pods' rows change.
    pub pod_counts: PodCounts,
}

/// How many pods are ready (or completed) and how many failing. Kept up to date as rows
/// change, so the summary line drawn every frame does not walk every pod: at 100,000 pods that
/// walk was three quarters of kubedeck's idle CPU.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PodCounts {
    pub ready: usize,
    pub failing: usize,
}

impl PodCounts {
    pub fn of<'a>(rows: impl IntoIterator<Item = &'a PodRow>) -> Self {
        let mut counts = PodCounts::default();
        for row in rows {
            counts.add(row, 1);
        }
        counts
    }

    fn add(&mut self, row: &PodRow, sign: isize) {
        match row.health {
            Health::Ready | Health::Completed => self.ready = self.ready.saturating_add_signed(sign),
            Health::Failing => self.failing = self.failing.saturating_add_signed(sign),
            Health::Progressing | Health::Terminating => {}
        }
    }

    /// Follows an update before it is applied to `pods`.
    fn follow(&mut self, pods: &RowStore<PodRow>, update: &WatchUpdate<PodRow>) {
        match update {
            WatchUpdate::Listed(rows) => *self = PodCounts::of(rows),
            WatchUpdate::Applied(row) => {
                if let Some(old) = pods.get(&row.key) {
                    self.add(old, -1);
                }
                self.add(row, 1);
            }
            WatchUpdate::Deleted(key) => {
                if let Some(old) = pods.get(key) {
                    self.add(old, -1);
                }
            }
        }
    }
}

impl ClusterData {
    /// Applies a watch update; returns the pane whose rows changed, if a pane shows them.
    pub fn apply(&mut self, update: RowUpdate, now: Timestamp) -> Option<PaneId> {
        let pane = match update {
            RowUpdate::Pods(u) => {
                let rose = |row: &PodRow| self.pods.get(&row.key).is_some_and(|old| old.restarts < row.restarts);
                match &u {
                    WatchUpdate::Applied(row) if rose(row) => {
                        self.restarts_rose.insert(row.key.clone(), now);
                    }
                    WatchUpdate::Listed(rows) => {
                        let risen: Vec<ObjectKey> = rows.iter().filter(|r| rose(r)).map(|r| r.key.clone()).collect();
                        self.restarts_rose.extend(risen.into_iter().map(|k| (k, now)));
                    }
                    WatchUpdate::Deleted(key) => {
                        self.restarts_rose.remove(key);
                    }
                    _ => {}
                }
                self.pod_counts.follow(&self.pods, &u);
                self.pods.apply(u);
                PaneId::Pods
            }
            RowUpdate::Deployments(u) => {
                self.deployments.apply(u);
                PaneId::Workloads
            }
            RowUpdate::StatefulSets(u) => {
                self.statefulsets.apply(u);
                PaneId::Workloads
            }
            RowUpdate::Hpas(u) => {
                let rows = match &u {
                    WatchUpdate::Applied(row) => std::slice::from_ref(row),
                    WatchUpdate::Listed(rows) => rows.as_slice(),
                    WatchUpdate::Deleted(_) => &[],
                };
                for row in rows {
                    self.hpa_history.entry(row.key.clone()).or_default().record(row);
                }
                self.hpas.apply(u);
                PaneId::Hpas
            }
            RowUpdate::Events(u) => {
                self.events.apply(u);
                PaneId::Events
            }
            RowUpdate::Warnings(u) => {
                self.warnings.apply(u);
                PaneId::Events
            }
            RowUpdate::Releases(u) => {
                self.releases.apply(u);
                PaneId::Releases
            }
            RowUpdate::Certificates(u) => {
                self.certificates.apply(u);
                self.join_certificates()
            }
            RowUpdate::TlsSecrets(u) => {
                self.tls_secrets.apply(u);
                self.join_certificates()
            }
            RowUpdate::IngressTls(u) => {
                self.ingress_tls.apply(u);
                self.join_certificates()
            }
            RowUpdate::Resources(kind, u) => self.apply_resources(kind, u),
            RowUpdate::Namespaces(u) => {
                self.namespaces.apply(u);
                return None;
            }
        };
        Some(pane)
    }

    fn apply_resources(&mut self, kind: ResourceKind, update: WatchUpdate<ResourceRow>) -> PaneId {
        self.resources.entry(kind).or_default().apply(update);
        PaneId::Resources
    }

    fn join_certificates(&mut self) -> PaneId {
        self.cert_entries = pane_entries(&self.certificates, &self.ingress_tls, &self.tls_secrets)
            .into_iter()
            .map(|e| (e.id.clone(), e))
            .collect();
        PaneId::Certificates
    }

    /// Which pane a watch of `kind` feeds, if any.
    pub fn pane_of(kind: WatchKind) -> Option<PaneId> {
        Some(match kind {
            WatchKind::Pods => PaneId::Pods,
            WatchKind::Deployments | WatchKind::StatefulSets => PaneId::Workloads,
            WatchKind::Hpas => PaneId::Hpas,
            WatchKind::Events => PaneId::Events,
            WatchKind::Releases => PaneId::Releases,
            WatchKind::Namespaces | WatchKind::WarningEvents => return None,
            WatchKind::Resources(_) => PaneId::Resources,
            WatchKind::Certificates | WatchKind::TlsSecrets | WatchKind::Ingresses => PaneId::Certificates,
        })
    }

    /// Why the namespace in view cannot hold anything, as one sentence: not a valid name, or
    /// missing from the cluster's namespaces once they are listed (a user who may not list
    /// namespaces is never told it is missing).
    pub fn namespace_problem(&self, scope: Option<&crate::cluster::Scope>) -> Option<String> {
        let Some(crate::cluster::Scope::Namespace(ns)) = scope else {
            return None;
        };
        if let Some(problem) = crate::cluster::namespaces::name_problem(ns) {
            return Some(problem);
        }
        let known = self.namespaces.is_synced() && self.namespaces.get(&ObjectKey::new("", ns)).is_some();
        (self.namespaces.is_synced() && !known).then(|| crate::cluster::namespaces::missing(ns))
    }

    /// The Deployment or StatefulSet row with this key.
    pub fn workload(&self, key: &ObjectKey) -> Option<&WorkloadRow> {
        self.deployments.get(key).or_else(|| self.statefulsets.get(key))
    }

    pub fn is_synced(&self, pane: PaneId) -> bool {
        match pane {
            PaneId::Pods => self.pods.is_synced(),
            PaneId::Workloads => self.deployments.is_synced() && self.statefulsets.is_synced(),
            PaneId::Hpas => self.hpas.is_synced(),
            PaneId::Events => self.events.is_synced(),
            PaneId::Releases => self.releases.is_synced(),
            PaneId::Resources => self.resources.values().all(RowStore::is_synced),
            PaneId::Certificates => {
                (self.certificates.is_synced() || self.cert_manager_missing)
                    && self.tls_secrets.is_synced()
                    && self.ingress_tls.is_synced()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, status: &str) -> PodRow {
        PodRow::example("shop", name, status, "2026-11-23T11:00:00Z")
    }

    #[test]
    fn pod_counts_follow_every_kind_of_update() {
        let now: Timestamp = "2026-11-23T12:00:00Z".parse().unwrap();
        let mut data = ClusterData::default();
        let steps = [
            WatchUpdate::Listed(vec![
                row("a", "Running"),
                row("b", "CrashLoopBackOff"),
                row("c", "Pending"),
                row("d", "Completed"),
            ]),
            // A failing pod recovers; a ready one starts failing; a new one arrives.
            WatchUpdate::Applied(row("b", "Running")),
            WatchUpdate::Applied(row("a", "Error")),
            WatchUpdate::Applied(row("e", "ImagePullBackOff")),
            // Deleting a pod that is not there changes nothing.
            WatchUpdate::Deleted(ObjectKey::new("shop", "gone")),
            WatchUpdate::Deleted(ObjectKey::new("shop", "d")),
            // A re-list replaces everything.
            WatchUpdate::Listed(vec![row("x", "Running"), row("y", "Error")]),
        ];
        let expected = [(2, 1), (3, 0), (2, 1), (2, 2), (2, 2), (1, 2), (1, 1)];
        for (update, (ready, failing)) in steps.into_iter().zip(expected) {
            data.apply(RowUpdate::Pods(update), now);
            assert_eq!(data.pod_counts, PodCounts { ready, failing });
            assert_eq!(data.pod_counts, PodCounts::of(data.pods.iter()));
        }
    }
}
