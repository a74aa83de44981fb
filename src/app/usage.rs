//! Live CPU and memory from metrics.k8s.io, kept per pod (with the last minutes, for the pod
//! detail's sparkline) and per node; and how a value compares with what was requested and the
//! limit, which decides its colour.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::cluster::metrics::{MetricsReading, Usage};
use crate::cluster::store::ObjectKey;

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
}
