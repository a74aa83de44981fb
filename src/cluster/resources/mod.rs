//! The other objects of the app (Services, Ingresses, PVCs, Jobs, CronJobs, ConfigMaps) and the
//! cluster's Nodes, as one generic kind of row: the resource pane shows whichever kind the `:`
//! switcher asked for. Each kind's watch starts the first time the kind is shown, not with the
//! session, so a user who never looks at Nodes never keeps a watch on them.

mod convert;
pub use convert::SERVICE_PORTS_CELL;
pub mod quantity;

use jiff::Timestamp;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{ConfigMap, Node, PersistentVolumeClaim, Service};
use k8s_openapi::api::networking::v1::Ingress;
use kube::{Api, Client};

use super::store::{ObjectKey, Row};
use super::{EventSink, Scope, watch};

/// A kind the resource pane can show.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResourceKind {
    Services,
    Ingresses,
    Pvcs,
    Jobs,
    CronJobs,
    ConfigMaps,
    Nodes,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::Services,
        ResourceKind::Ingresses,
        ResourceKind::Pvcs,
        ResourceKind::Jobs,
        ResourceKind::CronJobs,
        ResourceKind::ConfigMaps,
        ResourceKind::Nodes,
    ];

    /// The pane's title.
    pub fn title(self) -> &'static str {
        match self {
            ResourceKind::Services => "Services",
            ResourceKind::Ingresses => "Ingresses",
            ResourceKind::Pvcs => "PVCs",
            ResourceKind::Jobs => "Jobs",
            ResourceKind::CronJobs => "CronJobs",
            ResourceKind::ConfigMaps => "ConfigMaps",
            ResourceKind::Nodes => "Nodes",
        }
    }

    /// The plural resource name, as messages use it.
    pub fn plural(self) -> &'static str {
        match self {
            ResourceKind::Services => "services",
            ResourceKind::Ingresses => "ingresses",
            ResourceKind::Pvcs => "persistentvolumeclaims",
            ResourceKind::Jobs => "jobs",
            ResourceKind::CronJobs => "cronjobs",
            ResourceKind::ConfigMaps => "configmaps",
            ResourceKind::Nodes => "nodes",
        }
    }

    /// Names the `:` command line accepts, k9s's short names first.
    pub fn command_names(self) -> &'static [&'static str] {
        match self {
            ResourceKind::Services => &["svc", "services", "service"],
            ResourceKind::Ingresses => &["ing", "ingresses", "ingress"],
            ResourceKind::Pvcs => &["pvc", "pvcs", "persistentvolumeclaims"],
            ResourceKind::Jobs => &["jobs", "job"],
            ResourceKind::CronJobs => &["cj", "cronjobs", "cronjob"],
            ResourceKind::ConfigMaps => &["cm", "configmaps", "configmap"],
            ResourceKind::Nodes => &["no", "nodes", "node"],
        }
    }

    /// Nodes belong to no namespace.
    pub fn namespaced(self) -> bool {
        self != ResourceKind::Nodes
    }
}

/// How a cell reads at a glance; decides its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tone {
    #[default]
    Plain,
    Good,
    Warn,
    Bad,
    Dim,
    /// A section title in a describe view.
    Heading,
}

/// One cell of a resource row: its text (sanitized), what it sorts by when it is a number.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Cell {
    pub text: String,
    pub number: Option<f64>,
    pub tone: Tone,
}

impl Cell {
    pub fn text(text: impl AsRef<str>) -> Cell {
        Cell {
            text: crate::text::sanitize(text.as_ref()),
            ..Cell::default()
        }
    }

    pub fn number(text: impl AsRef<str>, number: f64) -> Cell {
        Cell {
            number: Some(number),
            ..Cell::text(text)
        }
    }

    pub fn tone(mut self, tone: Tone) -> Cell {
        self.tone = tone;
        self
    }
}

/// What a Node has to give, for the usage columns: CPU in millicores, memory in bytes.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Capacity {
    pub cpu_millis: f64,
    pub memory_bytes: f64,
}

/// One object of any resource kind: the cells between its name and its age, in the order the
/// kind's columns list them (app/resources.rs).
#[derive(Debug, Clone, PartialEq)]
pub struct ResourceRow {
    pub kind: ResourceKind,
    pub key: ObjectKey,
    pub cells: Vec<Cell>,
    pub created: Option<Timestamp>,
    pub labels: super::labels::Labels,
    /// Nodes only: allocatable CPU and memory.
    pub allocatable: Option<Capacity>,
}

impl Row for ResourceRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

/// Watches one kind over `scope` (Nodes over the cluster) until the receiver goes away or
/// the task is aborted.
pub async fn watch(kind: ResourceKind, client: Client, scope: Scope, server: String, tx: impl EventSink) {
    let config = watch::config();
    match kind {
        ResourceKind::Services => watch::run::<Service, ResourceRow>(scope.api(client), config, server, tx).await,
        ResourceKind::Ingresses => watch::run::<Ingress, ResourceRow>(scope.api(client), config, server, tx).await,
        ResourceKind::Pvcs => {
            watch::run::<PersistentVolumeClaim, ResourceRow>(scope.api(client), config, server, tx).await
        }
        ResourceKind::Jobs => watch::run::<Job, ResourceRow>(scope.api(client), config, server, tx).await,
        ResourceKind::CronJobs => watch::run::<CronJob, ResourceRow>(scope.api(client), config, server, tx).await,
        ResourceKind::ConfigMaps => watch::run::<ConfigMap, ResourceRow>(scope.api(client), config, server, tx).await,
        ResourceKind::Nodes => watch::run::<Node, ResourceRow>(Api::all(client), config, server, tx).await,
    }
}
