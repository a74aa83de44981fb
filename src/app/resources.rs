//! The resource pane: one pane for Services, Ingresses, PVCs, Jobs, CronJobs, ConfigMaps and
//! Nodes, switched with `:svc`, `:ing`, ... Each kind's columns are declared here once; its
//! watch is asked for the first time the kind is shown; its filter, sort and selection are kept
//! while another kind is shown.

use regex::Regex;

use super::table::{ColumnSpec, SortValue, TablePane, Tabular, col, name_col};
use super::{App, Effect, PaneId};
use crate::cluster::FailureKind;
use crate::cluster::resources::{ResourceKind, ResourceRow};
use crate::cluster::store::WatchKind;
use crate::cluster::watch::WatchStatus;

/// Where a column's text comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    Namespace,
    Name,
    /// The row's cell at this index.
    Cell(usize),
    Age,
    /// Nodes: live CPU, and as a share of allocatable (metrics.k8s.io).
    NodeCpu,
    NodeMemory,
}

/// A kind's columns: how each is laid out, and where its text comes from.
pub struct Columns {
    pub specs: &'static [ColumnSpec],
    pub sources: &'static [Source],
}

use Source::{Age, Cell, Name, Namespace, NodeCpu, NodeMemory};

// size: a table
pub fn columns(kind: ResourceKind) -> Columns {
    match kind {
        ResourceKind::Services => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("TYPE", 12, 3),
                    col("CLUSTER-IP", 15, 2),
                    col("EXTERNAL-IP", 20, 4),
                    col("PORTS", 30, 0),
                    col("SELECTOR", 30, 5),
                    col("AGE", 6, 3),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Cell(1), Cell(2), Cell(3), Cell(4), Age],
        },
        ResourceKind::Ingresses => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("CLASS", 12, 4),
                    col("HOSTS", 40, 0),
                    col("ADDRESS", 20, 2),
                    col("PORTS", 8, 5),
                    col("AGE", 6, 3),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Cell(1), Cell(2), Cell(3), Age],
        },
        ResourceKind::Pvcs => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("STATUS", 8, 0),
                    col("VOLUME", 40, 4),
                    col("CAPACITY", 8, 0),
                    col("ACCESS MODES", 12, 5),
                    col("STORAGECLASS", 16, 3),
                    col("AGE", 6, 3),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Cell(1), Cell(2), Cell(3), Cell(4), Age],
        },
        ResourceKind::Jobs => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("STATUS", 9, 0),
                    col("COMPLETIONS", 11, 0),
                    col("DURATION", 8, 3),
                    col("AGE", 6, 2),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Cell(1), Cell(2), Age],
        },
        ResourceKind::CronJobs => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("SCHEDULE", 16, 0),
                    col("SUSPEND", 7, 3),
                    col("ACTIVE", 6, 2),
                    col("LAST SCHEDULE", 16, 4),
                    col("AGE", 6, 3),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Cell(1), Cell(2), Cell(3), Age],
        },
        ResourceKind::ConfigMaps => Columns {
            specs: const {
                &[
                    col("NAMESPACE", 20, 1),
                    name_col("NAME", 0),
                    col("DATA", 4, 0),
                    col("AGE", 6, 2),
                ]
            },
            sources: &[Namespace, Name, Cell(0), Age],
        },
        ResourceKind::Nodes => Columns {
            specs: const {
                &[
                    name_col("NAME", 0),
                    col("STATUS", 30, 0),
                    col("ROLES", 16, 4),
                    col("TAINTS", 6, 3),
                    col("CPU", 7, 2),
                    col("MEMORY", 8, 2),
                    col("PODS", 4, 5),
                    col("CPU USE", 14, 1),
                    col("MEM USE", 14, 1),
                    col("VERSION", 12, 5),
                    col("AGE", 6, 3),
                ]
            },
            sources: &[
                Name,
                Cell(0),
                Cell(1),
                Cell(2),
                Cell(3),
                Cell(4),
                Cell(5),
                NodeCpu,
                NodeMemory,
                Cell(6),
                Age,
            ],
        },
    }
}

impl Tabular for ResourceRow {
    /// Unused: a resource row's columns depend on its kind (`columns`).
    const COLUMNS: &'static [ColumnSpec] = &[];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match columns(self.kind).sources.get(column) {
            Some(Namespace) => SortValue::Text(&self.key.namespace),
            Some(Name) => SortValue::Text(&self.key.name),
            Some(Cell(i)) => match self.cells.get(*i) {
                Some(c) => c.number.map_or(SortValue::Text(&c.text), SortValue::Number),
                None => SortValue::Missing,
            },
            Some(Age) => self
                .created
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
            _ => SortValue::Missing,
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        re.is_match(&self.key.name)
            || re.is_match(&self.key.namespace)
            || self.cells.iter().any(|c| re.is_match(&c.text))
    }

    fn labels(&self) -> Option<&crate::cluster::labels::Labels> {
        Some(&self.labels)
    }
}

/// A resource row's sort value, the Nodes' live CPU and memory (millicores, bytes) included.
fn node_sort_value<'a>(usage: &super::usage::UsageData, row: &'a ResourceRow, column: usize) -> SortValue<'a> {
    let now = || usage.nodes.get(row.key.name.as_str());
    match columns(row.kind).sources.get(column) {
        Some(NodeCpu) => now().map_or(SortValue::Missing, |u| SortValue::Number(u.cpu_millis)),
        Some(NodeMemory) => now().map_or(SortValue::Missing, |u| SortValue::Number(u.memory_bytes)),
        _ => row.sort_value(column),
    }
}

impl App {
    /// Shows `kind` in the resource pane (asking for its watch the first time) and focuses it;
    /// the kind shown before keeps its filter, sort and selection for when it comes back.
    pub fn show_resource(&mut self, kind: ResourceKind) {
        if kind != self.resource_kind {
            let table = self.resource_tables.remove(&kind).unwrap_or_default();
            let old = std::mem::replace(self.panes.get_mut(PaneId::Resources), table);
            self.resource_tables.insert(self.resource_kind, old);
            self.resource_kind = kind;
        }
        self.watch_resource(kind);
        self.focus = PaneId::Resources;
        self.panes.get_mut(PaneId::Resources).stale = true;
    }

    /// Asks for the watch of `kind` once per connection; until connected, `resume_watches`
    /// asks when the session is up.
    pub(super) fn watch_resource(&mut self, kind: ResourceKind) {
        if self.server_version.is_some() && !self.data.resources.contains_key(&kind) {
            self.data.resources.insert(kind, Default::default());
            self.effects.push(Effect::WatchResource(kind));
        }
    }

    /// Asks for the Events watch once per connection, when the Events pane is focused or on
    /// screen, or an object's events are open; until then only Warning events are watched.
    /// Called after keys, clicks, a new size and connecting (what changes what is shown), not
    /// on every frame: it works out the layout.
    pub(super) fn watch_events_when_shown(&mut self) {
        if self.data.events_watched || self.server_version.is_none() {
            return;
        }
        let events_open = matches!(
            &self.top,
            Some(super::views::TopView::Text(t)) if matches!(t.body, super::views::TextBody::Events(_))
        );
        if events_open || self.focus == PaneId::Events || self.on_screen(PaneId::Events) {
            self.data.events_watched = true;
            self.effects.push(Effect::WatchEvents);
        }
    }

    /// On connecting: the watch of the kind on screen, if the resource pane was shown.
    pub(super) fn resume_watches(&mut self) {
        self.watch_events_when_shown();
        if self.focus == PaneId::Resources || self.on_screen(PaneId::Resources) {
            self.watch_resource(self.resource_kind);
        }
    }

    /// A watch status of a resource kind not shown now goes to that kind's kept table, so
    /// "cannot list nodes" never shows on the Services. True when it was taken care of.
    pub(super) fn resource_status_elsewhere(&mut self, status: &WatchStatus) -> bool {
        let (kind, problem) = match status {
            WatchStatus::Synced {
                kind: WatchKind::Resources(k),
            } => (*k, None),
            WatchStatus::Failed {
                kind: WatchKind::Resources(k),
                failure: FailureKind::Refused | FailureKind::NotInstalled,
                message,
                ..
            } => (*k, Some(message.clone())),
            _ => return false,
        };
        if kind == self.resource_kind {
            if let Some(problem) = problem {
                self.panes.get_mut(PaneId::Resources).problem = Some(problem);
                return true;
            }
            return false;
        }
        self.resource_tables.entry(kind).or_default().problem = problem;
        true
    }

    /// The columns of a pane's table (the resource pane's depend on the kind shown).
    pub fn pane_columns(&self, pane: PaneId) -> &'static [ColumnSpec] {
        match pane {
            PaneId::Resources => columns(self.resource_kind).specs,
            other => super::columns_of(other),
        }
    }

    /// The resource kind a `:` command names, if it names one.
    pub fn resource_command(verb: &str) -> Option<ResourceKind> {
        ResourceKind::ALL
            .into_iter()
            .find(|k| k.command_names().contains(&verb))
    }

    pub(super) fn refresh_resources(&mut self, page: usize) {
        let pane: &mut TablePane = self.panes.get_mut(PaneId::Resources);
        match self.data.resources.get(&self.resource_kind) {
            Some(store) => pane.refresh_with(store.iter(), page, |r, c| node_sort_value(&self.data.usage, r, c)),
            None => pane.refresh(std::iter::empty::<&ResourceRow>(), page),
        }
    }
}
