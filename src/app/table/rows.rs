//! How each kind of row appears in a table pane: its columns (declared once, here: titles, caps,
//! which tell rows apart), what each column sorts by and what the `/` filter matches.

use jiff::Timestamp;
use regex::Regex;

use super::{ColumnSpec, SortValue, Tabular, col, name_col, wide_col};
use crate::cluster::certificates::CertificateEntry;
use crate::cluster::events::EventRow;
use crate::cluster::hpas::HpaRow;
use crate::cluster::pods::PodRow;
use crate::cluster::releases::ReleaseRow;
use crate::cluster::workloads::WorkloadRow;

impl Tabular for PodRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 1),
        name_col("NAME", 0),
        col("READY", 5, 0),
        col("STATUS", 20, 0),
        col("RESTARTS", 16, 3),
        col("AGE", 6, 2),
        col("IP", 15, 5),
        col("NODE", 20, 4),
        // Live usage (metrics.k8s.io); the rows do not hold it: app::usage::pod_sort_value.
        col("CPU", 6, 3),
        col("%CPU R/L", 9, 5),
        col("MEM", 6, 3),
        col("%MEM R/L", 9, 5),
        // Asked for with W, but less use than any default column: they go first when room runs out.
        wide_col("NOMINATED NODE", 20, 5),
        wide_col("READINESS GATES", 15, 5),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match column {
            0 => SortValue::Text(&self.key.namespace),
            1 => SortValue::Text(&self.key.name),
            2 => SortValue::Number(f64::from(self.ready) / f64::from(self.total.max(1))),
            3 => SortValue::Text(&self.status),
            4 => SortValue::Number(f64::from(self.restarts)),
            // Newest first reads as "youngest first" when ascending, like kubectl's AGE.
            5 => self
                .created
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
            6 => SortValue::Text(&self.ip),
            7 => SortValue::Text(&self.node),
            12 => SortValue::Text(&self.nominated_node),
            13 => SortValue::Text(&self.readiness_gates),
            _ => SortValue::Missing,
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        [
            self.key.name.as_str(),
            &self.key.namespace,
            &self.status,
            &self.node,
            &self.ip,
        ]
        .iter()
        .any(|t| re.is_match(t))
    }

    fn labels(&self) -> Option<&crate::cluster::labels::Labels> {
        Some(&self.labels)
    }
}

impl Tabular for WorkloadRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 1),
        col("KIND", 6, 2),
        name_col("NAME", 0),
        col("READY", 7, 0),
        col("UP-TO-DATE", 10, 4),
        col("AVAILABLE", 9, 4),
        col("IMAGES", 40, 5),
        col("ROLLOUT", 40, 0),
        col("AGE", 6, 3),
        wide_col("CONTAINERS", 30, 5),
        wide_col("SELECTOR", 50, 5),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match column {
            0 => SortValue::Text(&self.key.namespace),
            1 => SortValue::Text(self.kind.short()),
            2 => SortValue::Text(&self.name),
            3 => SortValue::Number(f64::from(self.ready) / f64::from(self.desired.max(1))),
            4 => SortValue::Number(f64::from(self.updated)),
            5 => SortValue::Number(f64::from(self.available)),
            6 => self.images.first().map_or(SortValue::Missing, |i| SortValue::Text(i)),
            7 => SortValue::Text(self.rollout.label()),
            9 => self
                .containers
                .first()
                .map_or(SortValue::Missing, |c| SortValue::Text(c)),
            10 => SortValue::Text(&self.selector),
            _ => self
                .created
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        re.is_match(&self.key.name)
            || re.is_match(&self.key.namespace)
            || self.images.iter().any(|i| re.is_match(i))
            || re.is_match(self.rollout.label())
    }
}

impl Tabular for HpaRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 1),
        name_col("NAME", 0),
        name_col("TARGET", 4),
        col("MIN", 3, 3),
        col("MAX", 3, 3),
        col("REPLICAS", 8, 0),
        col("METRICS", 40, 0),
        col("CONDITIONS", 36, 2),
        col("LAST SCALE", 10, 5),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match column {
            0 => SortValue::Text(&self.key.namespace),
            1 => SortValue::Text(&self.key.name),
            2 => SortValue::Text(&self.target),
            3 => SortValue::Number(f64::from(self.min)),
            4 => SortValue::Number(f64::from(self.max)),
            5 => SortValue::Number(f64::from(self.current)),
            6 => self
                .cpu_utilization
                .map_or(SortValue::Missing, |c| SortValue::Number(f64::from(c))),
            7 => self
                .trouble()
                .map_or(SortValue::Missing, |c| SortValue::Text(&c.reason)),
            _ => self
                .last_scale
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        re.is_match(&self.key.name) || re.is_match(&self.key.namespace) || re.is_match(&self.target)
    }
}

impl Tabular for EventRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 2),
        col("TYPE", 7, 0),
        col("REASON", 24, 3),
        name_col("OBJECT", 0),
        col("COUNT", 5, 4),
        col("LAST SEEN", 9, 5),
        col("MESSAGE", 60, 1),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match column {
            0 => SortValue::Text(&self.key.namespace),
            1 => SortValue::Text(if self.warning { "Warning" } else { "Normal" }),
            2 => SortValue::Text(&self.reason),
            3 => SortValue::Text(&self.object),
            4 => SortValue::Number(f64::from(self.count)),
            5 => self
                .last_seen
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
            _ => SortValue::Text(&self.message),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        [self.reason.as_str(), &self.object, &self.message, &self.key.namespace]
            .iter()
            .any(|t| re.is_match(t))
    }
}

impl Tabular for ReleaseRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 1),
        name_col("NAME", 0),
        col("REVISION", 8, 3),
        col("STATUS", 16, 0),
        col("CHART", 30, 0),
        col("APP VERSION", 12, 5),
        col("UPDATED", 8, 4),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        match column {
            0 => SortValue::Text(&self.namespace),
            1 => SortValue::Text(&self.name),
            2 => SortValue::Number(f64::from(self.revision)),
            3 => SortValue::Text(self.status.as_str()),
            4 => SortValue::Text(&self.chart),
            5 => SortValue::Text(&self.app_version),
            _ => self
                .updated
                .map_or(SortValue::Missing, |t| SortValue::Number(-(t.as_second() as f64))),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        [
            &self.name,
            &self.namespace,
            &self.chart,
            &self.app_version,
            &self.description,
        ]
        .iter()
        .any(|t| re.is_match(t))
            || re.is_match(self.status.as_str())
    }
}

impl Tabular for CertificateEntry {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 20, 1),
        name_col("NAME", 0),
        col("READY", 7, 0),
        col("DNS NAMES/SANs", 50, 0),
        col("ISSUER", 20, 4),
        col("NOT AFTER", 10, 3),
        col("RENEWAL", 10, 5),
        col("DAYS LEFT", 9, 0),
        col("SOURCE", 24, 2),
    ];

    fn sort_value(&self, column: usize) -> SortValue<'_> {
        let time = |t: Option<Timestamp>| t.map_or(SortValue::Missing, |t| SortValue::Number(t.as_second() as f64));
        match column {
            0 => SortValue::Text(&self.key.namespace),
            1 => SortValue::Text(&self.key.name),
            2 => SortValue::Text(self.ready.label()),
            3 => self.names.first().map_or(SortValue::Missing, |n| SortValue::Text(n)),
            4 => SortValue::Text(&self.issuer),
            5 | 7 => time(self.not_after),
            6 => time(self.renewal),
            _ => SortValue::Text(if self.source.cert_manager {
                "cert-manager"
            } else {
                "ingress"
            }),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        re.is_match(&self.key.name)
            || re.is_match(&self.key.namespace)
            || re.is_match(&self.issuer)
            || self.names.iter().any(|n| re.is_match(n))
            || self.problem.as_deref().is_some_and(|p| re.is_match(p))
    }
}
