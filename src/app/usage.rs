//! Live CPU and memory from metrics.k8s.io, kept per pod (with the last minutes, for the pod
//! detail's sparkline) and per node; and how a value compares with what was requested and the
//! limit, which decides its colour.

use std::collections::HashMap;

use jiff::Timestamp;

use super::table::{SortValue, Tabular};
use crate::cluster::metrics::{MetricsReading, Usage};
use crate::cluster::pods::PodRow;
use crate::cluster::store::ObjectKey;

/// The Pods pane's columns drawn from the readings: CPU, MEM, %CPU R/L, %MEM R/L.
const USAGE_COLUMNS: std::ops::RangeInclusive<usize> = 8..=11;

/// Readings kept per pod: 40 at 15 s is the last ten minutes.
pub const SAMPLES: usize = 40;

/// One pod's usage now and over the last minutes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageHistory {
    pub now: Usage,
    /// Millicores, oldest first.
    pub cpu: Vec<u64>,
    /// Bytes, oldest first.
    pub memory: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct UsageData {
    pub pods: HashMap<ObjectKey, UsageHistory>,
    pub nodes: HashMap<String, Usage>,
    /// "metrics unavailable: ..." when the last reading of pods failed.
    pub problem: Option<String>,
    pub node_problem: Option<String>,
    pub last_read: Option<Timestamp>,
}

impl UsageData {
    pub fn apply(&mut self, reading: MetricsReading) {
        self.last_read = Some(reading.at);
        match reading.pods {
            Ok(pods) => {
                self.problem = None;
                let seen: std::collections::HashSet<&ObjectKey> = pods.iter().map(|(k, _)| k).collect();
                self.pods.retain(|k, _| seen.contains(k));
                for (key, usage) in pods {
                    let h = self.pods.entry(key).or_default();
                    h.now = usage;
                    push(&mut h.cpu, usage.cpu_millis.round() as u64);
                    push(&mut h.memory, usage.memory_bytes.round() as u64);
                }
            }
            Err(why) => {
                self.problem = Some(why);
                self.pods.clear();
            }
        }
        match reading.nodes {
            Ok(nodes) => {
                self.node_problem = None;
                self.nodes = nodes.into_iter().collect();
            }
            Err(why) => {
                self.node_problem = Some(why);
                self.nodes.clear();
            }
        }
    }
}

/// What a Pods pane column sorts by, the live usage columns included: CPU and MEM by the value,
/// %CPU R/L and %MEM R/L by the share of the limit (of the request when there is no limit), as
/// the colour is decided; a pod without a reading sorts as a missing value.
pub fn pod_sort_value<'a>(usage: &UsageData, pod: &'a PodRow, column: usize) -> SortValue<'a> {
    let Some(now) = usage.pods.get(&pod.key).map(|h| h.now) else {
        return match column {
            8..=11 => SortValue::Missing,
            _ => pod.sort_value(column),
        };
    };
    let of = |used: f64, request: f64, limit: f64| {
        let (of_request, of_limit, _) = share(used, request, limit);
        of_limit.or(of_request).map_or(SortValue::Missing, SortValue::Number)
    };
    match column {
        8 => SortValue::Number(now.cpu_millis),
        9 => of(now.cpu_millis, pod.requests.cpu_millis, pod.limits.cpu_millis),
        10 => SortValue::Number(now.memory_bytes),
        11 => of(now.memory_bytes, pod.requests.memory_bytes, pod.limits.memory_bytes),
        _ => pod.sort_value(column),
    }
}

impl super::App {
    /// New readings re-sort the panes that may sort by them (once per metrics period).
    pub(super) fn usage_changed(&mut self) {
        // The cells are drawn from the readings as they are; only a Pods pane sorted by a usage
        // column changes order (re-sorting 100,000 rows every reading is not free).
        let pods = self.panes.get_mut(super::PaneId::Pods);
        if pods.sort.column.is_some_and(|c| USAGE_COLUMNS.contains(&c)) {
            pods.stale = true;
        }
        if self.resource_kind == crate::cluster::resources::ResourceKind::Nodes {
            self.panes.get_mut(super::PaneId::Resources).stale = true;
        }
    }
}

fn push(v: &mut Vec<u64>, x: u64) {
    if v.len() == SAMPLES {
        v.remove(0);
    }
    v.push(x);
}

/// How close a value is to what it may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Fine,
    /// From 80 % of the limit (or, without a limit, above the request).
    Near,
    /// From 95 % of the limit.
    AtLimit,
}

/// `used` as a share of `request` and of `limit` (percent, None where not set), and its level.
pub fn share(used: f64, request: f64, limit: f64) -> (Option<f64>, Option<f64>, Level) {
    let pct = |whole: f64| (whole > 0.0).then(|| used / whole * 100.0);
    let (of_request, of_limit) = (pct(request), pct(limit));
    let level = match (of_limit, of_request) {
        (Some(l), _) if l >= 95.0 => Level::AtLimit,
        (Some(l), _) if l >= 80.0 => Level::Near,
        (None, Some(r)) if r > 100.0 => Level::Near,
        _ => Level::Fine,
    };
    (of_request, of_limit, level)
}

/// A sparkline of `values` in block characters, `width` wide at most (the newest at the right).
pub fn sparkline(values: &[u64], width: usize) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let shown = &values[values.len().saturating_sub(width)..];
    let max = shown.iter().copied().max().unwrap_or(0).max(1);
    shown
        .iter()
        .map(|&v| BARS[((v as f64 / max as f64) * 7.0).round() as usize])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_the_limit_is_told_apart() {
        assert_eq!(share(50.0, 100.0, 200.0), (Some(50.0), Some(25.0), Level::Fine));
        assert_eq!(share(170.0, 100.0, 200.0).2, Level::Near);
        assert_eq!(share(195.0, 100.0, 200.0).2, Level::AtLimit);
        assert_eq!(share(150.0, 100.0, 0.0), (Some(150.0), None, Level::Near));
        assert_eq!(share(10.0, 0.0, 0.0), (None, None, Level::Fine));
    }

    #[test]
    fn readings_build_a_history_and_a_failure_says_why() {
        let key = ObjectKey::new("todo", "backend-1");
        let reading = |cpu: f64| MetricsReading {
            at: Timestamp::UNIX_EPOCH,
            pods: Ok(vec![(
                key.clone(),
                Usage {
                    cpu_millis: cpu,
                    memory_bytes: 1.0,
                },
            )]),
            nodes: Ok(vec![]),
        };
        let mut data = UsageData::default();
        for cpu in [10.0, 20.0, 40.0] {
            data.apply(reading(cpu));
        }
        assert_eq!(data.pods[&key].cpu, [10, 20, 40]);
        assert_eq!(sparkline(&data.pods[&key].cpu, 10), "▃▅█");
        data.apply(MetricsReading {
            at: Timestamp::UNIX_EPOCH,
            pods: Err("metrics unavailable: x".into()),
            nodes: Err("metrics unavailable: x".into()),
        });
        assert_eq!(data.problem.as_deref(), Some("metrics unavailable: x"));
        assert!(data.pods.is_empty());
    }

    /// The Pods pane sorted by `:sort COLUMN`, with these (pod, CPU millicores, CPU limit).
    fn pods_sorted_by(column: &str, pods: &[(&str, f64, f64)], descending: bool) -> (super::super::App, Vec<String>) {
        use super::super::{App, Msg, PaneId};
        use crate::cluster::store::WatchUpdate;
        use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
        let mut app = App::new(Default::default(), "2026-11-23T12:00:00Z".parse().unwrap(), (160, 40));
        let rows = pods
            .iter()
            .map(|(name, _, limit)| {
                let mut row = PodRow::example("shop", name, "Running", "2026-11-23T11:00:00Z");
                row.limits.cpu_millis = *limit;
                row
            })
            .collect();
        app.update(Msg::Rows(crate::cluster::RowUpdate::Pods(WatchUpdate::Listed(rows))));
        let usage = |cpu| Usage {
            cpu_millis: cpu,
            memory_bytes: 1.0,
        };
        let readings = pods
            .iter()
            .filter(|(_, cpu, _)| *cpu >= 0.0)
            .map(|(name, cpu, _)| (ObjectKey::new("shop", name), usage(*cpu)));
        app.update(Msg::Metrics(MetricsReading {
            at: Timestamp::UNIX_EPOCH,
            pods: Ok(readings.collect()),
            nodes: Ok(vec![]),
        }));
        let line = format!(":sort {column}\n{}", if descending { "O" } else { "" });
        for c in line.chars() {
            let code = if c == '\n' { KeyCode::Enter } else { KeyCode::Char(c) };
            app.update(Msg::Key(KeyEvent::new(code, KeyModifiers::NONE)));
        }
        app.refresh();
        let shown = app
            .panes
            .get(PaneId::Pods)
            .view
            .iter()
            .map(|k| k.name.to_string())
            .collect();
        (app, shown)
    }

    #[test]
    fn the_pods_pane_sorts_by_live_cpu_and_by_its_share_of_the_limit() {
        // c has no reading yet: a missing value, last when ascending as in any column.
        let pods = [
            ("a", 300.0, 1000.0),
            ("b", 50.0, 60.0),
            ("c", -1.0, 0.0),
            ("d", 120.0, 0.0),
        ];
        assert_eq!(pods_sorted_by("CPU", &pods, false).1, ["b", "d", "a", "c"]);
        assert_eq!(pods_sorted_by("CPU", &pods, true).1, ["c", "a", "d", "b"]);
        // b uses 83 % of its limit, a 30 %; d has no limit nor request: missing too.
        assert_eq!(pods_sorted_by("%CPU R/L", &pods, true).1[2..], ["b", "a"]);
        // A new reading re-sorts the pane without a key press.
        let (mut app, _) = pods_sorted_by("CPU", &pods, false);
        let usage = |cpu| Usage {
            cpu_millis: cpu,
            memory_bytes: 1.0,
        };
        app.update(super::super::Msg::Metrics(MetricsReading {
            at: Timestamp::UNIX_EPOCH,
            pods: Ok(vec![
                (ObjectKey::new("shop", "a"), usage(1.0)),
                (ObjectKey::new("shop", "b"), usage(900.0)),
            ]),
            nodes: Ok(vec![]),
        }));
        app.refresh();
        let pane = app.panes.get(super::super::PaneId::Pods);
        let shown: Vec<&str> = pane.view.iter().map(|k| k.name.as_str()).collect();
        assert_eq!(shown, ["a", "b", "c", "d"]);
    }
}
