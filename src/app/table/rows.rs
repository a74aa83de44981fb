//! How each kind of row appears in a table pane: its columns (declared once, here: titles and
//! the room each needs), what each column sorts by and what the `/` filter matches.

use std::collections::BTreeMap;

use jiff::Timestamp;
use regex::Regex;

use super::{ColumnSpec, SortValue, Tabular, col};
use crate::cluster::certificates::CertificateEntry;
use crate::cluster::events::EventRow;
use crate::cluster::hpas::HpaRow;
use crate::cluster::pods::PodRow;
use crate::cluster::releases::ReleaseRow;
use crate::cluster::workloads::WorkloadRow;

impl Tabular for PodRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 10, 1, 1),
        col("NAME", 20, 3, 0),
        col("READY", 5, 0, 0),
        col("STATUS", 17, 0, 0),
        col("RESTARTS", 14, 0, 3),
        col("AGE", 6, 0, 2),
        col("IP", 15, 0, 5),
        col("NODE", 10, 1, 4),
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
            _ => SortValue::Text(&self.node),
        }
    }

    fn matches_text(&self, re: &Regex) -> bool {
        [&self.key.name, &self.key.namespace, &self.status, &self.node, &self.ip]
            .iter()
            .any(|t| re.is_match(t))
    }

    fn labels(&self) -> Option<&BTreeMap<String, String>> {
        Some(&self.labels)
    }
}

impl Tabular for WorkloadRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 10, 1, 1),
        col("KIND", 6, 0, 2),
        col("NAME", 16, 2, 0),
        col("READY", 7, 0, 0),
        col("UP-TO-DATE", 10, 0, 4),
        col("AVAILABLE", 9, 0, 4),
        col("IMAGES", 16, 2, 5),
        col("ROLLOUT", 14, 2, 0),
        col("AGE", 6, 0, 3),
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
        col("NAMESPACE", 10, 1, 1),
        col("NAME", 12, 2, 0),
        col("TARGET", 16, 2, 4),
        col("MIN", 3, 0, 3),
        col("MAX", 3, 0, 3),
        col("REPLICAS", 8, 0, 0),
        col("METRICS", 18, 3, 0),
        col("CONDITIONS", 16, 2, 2),
        col("LAST SCALE", 10, 0, 5),
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
        col("NAMESPACE", 10, 1, 2),
        col("TYPE", 7, 0, 0),
        col("REASON", 16, 0, 3),
        col("OBJECT", 20, 2, 0),
        col("COUNT", 5, 0, 4),
        col("LAST SEEN", 9, 0, 5),
        col("MESSAGE", 20, 4, 1),
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
        [&self.reason, &self.object, &self.message, &self.key.namespace]
            .iter()
            .any(|t| re.is_match(t))
    }
}

impl Tabular for ReleaseRow {
    const COLUMNS: &'static [ColumnSpec] = &[
        col("NAMESPACE", 10, 1, 1),
        col("NAME", 14, 2, 0),
        col("REVISION", 8, 0, 3),
        col("STATUS", 15, 0, 0),
        col("CHART", 20, 2, 0),
        col("APP VERSION", 11, 0, 5),
        col("UPDATED", 7, 0, 4),
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
        col("NAMESPACE", 10, 1, 1),
        col("NAME", 16, 1, 0),
        col("READY", 7, 0, 0),
        col("DNS NAMES/SANs", 20, 3, 0),
        col("ISSUER", 12, 1, 4),
        col("NOT AFTER", 10, 0, 3),
        col("RENEWAL", 10, 0, 5),
        col("DAYS LEFT", 9, 0, 0),
        col("SOURCE", 14, 2, 2),
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
