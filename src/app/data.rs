//! What kubedeck knows about the cluster: one row store per watched resource.

use std::collections::HashMap;

use super::panes::PaneId;
use crate::cluster::RowUpdate;
use crate::cluster::events::EventRow;
use crate::cluster::hpas::HpaRow;
use crate::cluster::pods::PodRow;
use crate::cluster::releases::ReleaseRow;
use crate::cluster::store::{ObjectKey, RowStore};
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
    fn record(&mut self, row: &HpaRow) {
        push_bounded(&mut self.replicas, row.current.max(0) as u64);
        push_bounded(&mut self.cpu, row.cpu_utilization.unwrap_or(0).max(0) as u64);
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
    pub releases: RowStore<ReleaseRow>,
    pub hpa_history: HashMap<ObjectKey, HpaHistory>,
}

impl ClusterData {
    /// Applies a watch update; returns the pane whose rows changed.
    pub fn apply(&mut self, update: RowUpdate) -> PaneId {
        match update {
            RowUpdate::Pods(u) => {
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
                let sample = match &u {
                    crate::cluster::store::WatchUpdate::Applied(r) | crate::cluster::store::WatchUpdate::Listed(r) => {
                        Some(r.clone())
                    }
                    _ => None,
                };
                self.hpas.apply(u);
                if let Some(row) = sample {
                    let history = self.hpa_history.entry(row.key.clone()).or_default();
                    // One sample per change that matters to the sparklines.
                    if history.replicas.last() != Some(&(row.current.max(0) as u64))
                        || history.cpu.last() != Some(&(row.cpu_utilization.unwrap_or(0).max(0) as u64))
                        || history.replicas.is_empty()
                    {
                        history.record(&row);
                    }
                }
                PaneId::Hpas
            }
            RowUpdate::Events(u) => {
                self.events.apply(u);
                PaneId::Events
            }
            RowUpdate::Releases(u) => {
                self.releases.apply(u);
                PaneId::Releases
            }
        }
    }

    /// Which pane a watch of `kind` feeds.
    pub fn pane_of(kind: &str) -> PaneId {
        match kind {
            "pods" => PaneId::Pods,
            "deployments" | "statefulsets" => PaneId::Workloads,
            "horizontalpodautoscalers" => PaneId::Hpas,
            "events" => PaneId::Events,
            "releases" => PaneId::Releases,
            _ => PaneId::Certificates,
        }
    }

    pub fn is_synced(&self, pane: PaneId) -> bool {
        match pane {
            PaneId::Pods => self.pods.is_synced(),
            PaneId::Workloads => self.deployments.is_synced() && self.statefulsets.is_synced(),
            PaneId::Hpas => self.hpas.is_synced(),
            PaneId::Events => self.events.is_synced(),
            PaneId::Releases => self.releases.is_synced(),
            PaneId::Certificates => true,
        }
    }
}
