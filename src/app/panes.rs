//! The dashboard's panes: which exist, which has focus, and each one's table state.

use super::table::TablePane;

/// A pane of the dashboard, in the order of its number key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PaneId {
    Pods,
    Hpas,
    Certificates,
    Releases,
    Workloads,
    Events,
    /// Services, Ingresses, PVCs, Jobs, CronJobs, ConfigMaps or Nodes: whichever `:svc`,
    /// `:ing`, ... asked for last (`App::resource_kind`).
    Resources,
}

impl PaneId {
    pub const ALL: [PaneId; 7] = [
        PaneId::Pods,
        PaneId::Hpas,
        PaneId::Certificates,
        PaneId::Releases,
        PaneId::Workloads,
        PaneId::Events,
        PaneId::Resources,
    ];
    /// The four shown together on a large terminal.
    pub const GRID: [PaneId; 4] = [PaneId::Pods, PaneId::Hpas, PaneId::Certificates, PaneId::Releases];

    pub fn title(self) -> &'static str {
        match self {
            PaneId::Pods => "Pods",
            PaneId::Hpas => "HPAs",
            PaneId::Certificates => "Certificates",
            PaneId::Releases => "Releases",
            PaneId::Workloads => "Workloads",
            PaneId::Events => "Events",
            PaneId::Resources => "Resources",
        }
    }

    /// Names accepted by the `:` command line.
    pub fn command_names(self) -> &'static [&'static str] {
        match self {
            PaneId::Pods => &["pods", "po", "pod"],
            PaneId::Hpas => &["hpa", "hpas", "horizontalpodautoscalers"],
            PaneId::Certificates => &["certs", "certificates", "cert", "tls"],
            PaneId::Releases => &["releases", "rel", "helm"],
            PaneId::Workloads => &["workloads", "deploy", "deployments", "sts", "statefulsets", "wl"],
            PaneId::Events => &["events", "ev"],
            PaneId::Resources => &["resources", "res"],
        }
    }

    pub fn index(self) -> usize {
        PaneId::ALL.iter().position(|&p| p == self).unwrap_or(0)
    }

    pub fn from_number(n: u32) -> Option<PaneId> {
        PaneId::ALL.get((n as usize).checked_sub(1)?).copied()
    }

    pub fn next(self, step: isize) -> PaneId {
        let len = PaneId::ALL.len() as isize;
        PaneId::ALL[(self.index() as isize + step).rem_euclid(len) as usize]
    }
}

/// The table state of every pane.
#[derive(Debug, Clone, Default)]
pub struct Panes {
    tables: [TablePane; 7],
}

impl Panes {
    pub fn get(&self, id: PaneId) -> &TablePane {
        &self.tables[id.index()]
    }

    pub fn get_mut(&mut self, id: PaneId) -> &mut TablePane {
        &mut self.tables[id.index()]
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (PaneId, &mut TablePane)> {
        PaneId::ALL.into_iter().zip(self.tables.iter_mut())
    }
}

impl super::App {
    /// Recomputes one pane's shown rows from the data (`App::refresh` picks the stale ones).
    pub(super) fn refresh_pane(&mut self, id: PaneId, page: usize) {
        let pane = self.panes.get_mut(id);
        match id {
            PaneId::Pods => pane.refresh_with(self.data.pods.iter(), page, |p, c| {
                super::usage::pod_sort_value(&self.data.usage, p, c)
            }),
            PaneId::Workloads => pane.refresh(self.data.deployments.iter().chain(self.data.statefulsets.iter()), page),
            PaneId::Hpas => pane.refresh(self.data.hpas.iter(), page),
            PaneId::Events => pane.refresh(
                crate::cluster::events::default_order(self.data.events.iter()).into_iter(),
                page,
            ),
            PaneId::Releases => pane.refresh(
                crate::cluster::releases::latest_per_release(self.data.releases.iter()).into_iter(),
                page,
            ),
            PaneId::Certificates => pane.refresh(self.data.cert_entries.values(), page),
            PaneId::Resources => self.refresh_resources(page),
        }
    }
}
