//! The sandbox's steps, known in advance, and how the recipe's log lines move them on: what is
//! building, how long it has taken, what is left. Pure: the caller feeds lines and clock times.

use std::time::{Duration, Instant};

use super::pinned;

/// The three commands the sandbox runs one after the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// `sim build --real-node`: the Go builds, the Debian packages, the images.
    Build,
    /// `sim up --real-node`: the control plane, the simulated nodes, the real node.
    Up,
    /// `kubedeck deploy`: the chart on the real node, until it is ready.
    Deploy,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StepState {
    ToDo,
    Running {
        since: Instant,
    },
    /// `cached`: nothing was built (the cache had it, or there was nothing to do).
    Done {
        took: Duration,
        cached: bool,
    },
    Failed {
        took: Duration,
    },
}

#[derive(Debug, Clone)]
pub struct Step {
    pub phase: Phase,
    pub title: String,
    /// Starts of the recipe's log messages that mean this step is under way.
    markers: Vec<String>,
    pub state: StepState,
    /// Whether its start was reported (once).
    announced: bool,
}

/// Every step and where each is, plus the last line the recipe wrote.
#[derive(Debug, Clone)]
pub struct Progress {
    pub name: String,
    pub steps: Vec<Step>,
    pub started: Instant,
    pub last_line: String,
    /// What happened, one line per step start or end, for a terminal without the live view
    /// and for the log: taken with [`Progress::take_events`].
    events: Vec<String>,
}

fn step(phase: Phase, title: String, markers: &[String]) -> Step {
    Step {
        phase,
        title,
        markers: markers.to_vec(),
        state: StepState::ToDo,
        announced: false,
    }
}

impl Progress {
    // size: a table
    pub fn new(name: &str, now: Instant) -> Progress {
        let v = pinned;
        let kube = v("KUBE_VERSION");
        let build = |title: String, marker: String| step(Phase::Build, title, &[marker]);
        let steps = vec![
            build(
                format!("etcd {}", v("ETCD_VERSION")),
                format!("etcd {}:", v("ETCD_VERSION")),
            ),
            build(
                format!("kwok and kwokctl {}", v("KWOK_VERSION")),
                format!("kwok+kwokctl {}:", v("KWOK_VERSION")),
            ),
            build(
                format!("metrics-server {}", v("METRICS_SERVER_VERSION")),
                format!("metrics-server {}:", v("METRICS_SERVER_VERSION")),
            ),
            build(
                format!("helm {}", v("HELM_VERSION")),
                format!("helm {}:", v("HELM_VERSION")),
            ),
            build(
                format!("Kubernetes {kube}: apiserver, controllers, scheduler, kubectl (longest)"),
                format!("kubernetes {kube} ("),
            ),
            build(
                format!("local-path-provisioner {}", v("LOCAL_PATH_VERSION")),
                format!("local-path-provisioner {}:", v("LOCAL_PATH_VERSION")),
            ),
            build(
                "containerd, runc, CNI plugins (Debian packages)".into(),
                "installing ".into(),
            ),
            build(format!("kubelet {kube}"), format!("kubelet {kube}:")),
            build(
                format!("kube-network-policies {}", v("NETPOL_VERSION")),
                format!("kube-network-policies {}:", v("NETPOL_VERSION")),
            ),
            build(
                "images for the real node: pause, busybox, redis, the app stand-ins".into(),
                "image ".into(),
            ),
            step(
                Phase::Up,
                "control plane and 3 simulated nodes".into(),
                &[
                    format!("creating cluster {name}"),
                    format!("cluster {name} is already up"),
                    format!("cluster {name} exists"),
                ],
            ),
            step(
                Phase::Up,
                "real node sim-real-0 (kubelet on containerd)".into(),
                &[
                    "starting kubelet".into(),
                    "real node sim-real-0 is already running".into(),
                ],
            ),
            step(
                Phase::Deploy,
                format!(
                    "the Todo Chatbot chart (release {}, namespace {})",
                    super::RELEASE,
                    super::NAMESPACE
                ),
                &[],
            ),
        ];
        Progress {
            name: name.to_owned(),
            steps,
            started: now,
            last_line: String::new(),
            events: Vec::new(),
        }
    }

    /// The phase's command started: its first step is under way.
    pub fn phase_started(&mut self, phase: Phase, now: Instant) {
        if let Some(i) = self.steps.iter().position(|s| s.phase == phase) {
            // The build's steps say themselves when they start building; the others start with
            // their command.
            self.start(i, now, phase != Phase::Build);
        }
    }

    /// A line the phase's command wrote (stdout or stderr).
    pub fn line(&mut self, phase: Phase, line: &str, now: Instant) {
        let line = crate::text::sanitize(line.trim_end());
        if line.trim().is_empty() {
            return;
        }
        // `[sim 12:34:56] message`
        let message = match line.strip_prefix("[sim ") {
            Some(rest) => rest.split_once("] ").map_or(rest, |(_, m)| m),
            None => line.as_str(),
        };
        self.last_line = message.to_owned();
        let Some(i) = self
            .steps
            .iter()
            .position(|s| s.phase == phase && s.markers.iter().any(|m| message.starts_with(m.as_str())))
        else {
            return;
        };
        // The recipe went past the earlier steps: whatever they had to do is done.
        for j in 0..i {
            if self.steps[j].phase == phase {
                self.finish(j, now, false);
            }
        }
        let cached = message.contains(": cached in");
        // A step found in the cache is only said to be ready, not started and then ready.
        self.start(i, now, !cached);
        if cached || message.contains(": built in") && !message.starts_with("image ") {
            self.finish(i, now, cached);
            // The recipe goes straight on to the next step, which may say nothing at first.
            if self.steps.get(i + 1).is_some_and(|s| s.phase == phase) {
                self.start(i + 1, now, false);
            }
        }
    }

    /// The phase's command ended well: every step of it is done.
    pub fn phase_done(&mut self, phase: Phase, now: Instant) {
        for i in 0..self.steps.len() {
            if self.steps[i].phase == phase {
                self.finish(i, now, false);
            }
        }
    }

    /// The phase's command failed: the step under way failed.
    pub fn phase_failed(&mut self, phase: Phase, now: Instant) {
        let running = self
            .steps
            .iter()
            .position(|s| s.phase == phase && matches!(s.state, StepState::Running { .. }));
        let at = running.or_else(|| {
            self.steps
                .iter()
                .position(|s| s.phase == phase && s.state == StepState::ToDo)
        });
        if let Some(i) = at {
            let took = match self.steps[i].state {
                StepState::Running { since } => now.saturating_duration_since(since),
                _ => Duration::ZERO,
            };
            self.steps[i].state = StepState::Failed { took };
            let title = self.steps[i].title.clone();
            self.event(i, format!("{title}: failed after {}", short(took)));
        }
    }

    /// Marks step `i` under way; `announce`: also as an event (and when it already was, quietly).
    fn start(&mut self, i: usize, now: Instant, announce: bool) {
        if self.steps[i].state == StepState::ToDo {
            self.steps[i].state = StepState::Running { since: now };
        } else if !matches!(self.steps[i].state, StepState::Running { .. }) {
            return;
        }
        if announce && !self.steps[i].announced {
            self.steps[i].announced = true;
            let title = self.steps[i].title.clone();
            self.event(i, format!("{title}: started"));
        }
    }

    fn finish(&mut self, i: usize, now: Instant, cached: bool) {
        let (took, cached) = match self.steps[i].state {
            StepState::ToDo => (Duration::ZERO, true),
            StepState::Running { since } => (now.saturating_duration_since(since), cached),
            _ => return,
        };
        self.steps[i].state = StepState::Done { took, cached };
        let title = self.steps[i].title.clone();
        let how = if cached {
            "ready (cached)".to_owned()
        } else {
            format!("done in {}", short(took))
        };
        self.event(i, format!("{title}: {how}"));
    }

    fn event(&mut self, i: usize, text: String) {
        self.events.push(format!("[{}/{}] {text}", i + 1, self.steps.len()));
    }

    /// The step start and end lines since the last call.
    pub fn take_events(&mut self) -> Vec<String> {
        std::mem::take(&mut self.events)
    }

    /// How many steps are done, and how many there are.
    pub fn count_done(&self) -> (usize, usize) {
        let done = self
            .steps
            .iter()
            .filter(|s| matches!(s.state, StepState::Done { .. }))
            .count();
        (done, self.steps.len())
    }
}

/// `7s`, `3m 05s`, `1h 02m`.
pub fn short(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {:02}s", s / 60, s % 60),
        _ => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
    }
}
