//! Why a pod is not ready, in one line a user can act on: the scheduler's answer for a pod no
//! node takes, the waiting reason of a container that cannot start, the last exit of one that
//! keeps crashing. A deploy's wait says it beside the workload it waits for.

use k8s_openapi::api::core::v1::{ContainerStatus, Pod};

use crate::text::sanitize;

/// What keeps a pod from being Ready.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    /// One line: "not scheduled: 0/4 nodes are available: …", "container api CrashLoopBackOff: …".
    pub why: String,
    /// Whether it is trouble that will not pass by itself (no node fits, an image that cannot be
    /// pulled, a crash), rather than a pod still starting.
    pub trouble: bool,
}

impl Blocker {
    fn trouble(why: String) -> Self {
        Blocker { why, trouble: true }
    }

    fn starting(why: impl Into<String>) -> Self {
        Blocker {
            why: why.into(),
            trouble: false,
        }
    }
}

/// What keeps the pod from being Ready; None when it is Ready (or has finished).
pub fn blocker(pod: &Pod) -> Option<Blocker> {
    let status = pod.status.as_ref();
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or_default();
    let condition = |kind: &str| conditions.iter().find(|c| c.type_ == kind);
    if condition("Ready").is_some_and(|c| c.status == "True")
        || matches!(status.and_then(|s| s.phase.as_deref()), Some("Succeeded"))
    {
        return None;
    }
    if pod.metadata.deletion_timestamp.is_some() {
        return Some(Blocker::starting("terminating"));
    }
    if let Some(c) = condition("PodScheduled").filter(|c| c.status == "False") {
        let why = c
            .message
            .as_deref()
            .or(c.reason.as_deref())
            .unwrap_or("no node takes it yet");
        // The scheduler's first sentence is the answer; what follows is about preemption.
        let why = why
            .split_once(". ")
            .map_or(why, |(first, _)| first)
            .trim_end_matches('.');
        let selector = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_selector.as_ref())
            .filter(|s| !s.is_empty());
        return Some(Blocker::trouble(match selector {
            Some(selector) => {
                let pairs: Vec<String> = selector.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!(
                    "not scheduled: {} (nodeSelector {})",
                    one_line(why),
                    one_line(&pairs.join(","))
                )
            }
            None => format!("not scheduled: {}", one_line(why)),
        }));
    }
    let init = status
        .and_then(|s| s.init_container_statuses.as_deref())
        .unwrap_or_default();
    if let Some(why) = init.iter().find_map(|c| container_blocker(c, true)) {
        return Some(why);
    }
    let main = status.and_then(|s| s.container_statuses.as_deref()).unwrap_or_default();
    if let Some(why) = main.iter().find_map(|c| container_blocker(c, false)) {
        return Some(why);
    }
    if status.and_then(|s| s.phase.as_deref()) == Some("Failed") {
        let why = status.and_then(|s| s.message.as_deref().or(s.reason.as_deref()));
        return Some(Blocker::trouble(format!(
            "failed: {}",
            one_line(why.unwrap_or("no reason given"))
        )));
    }
    Some(Blocker::starting(match status.and_then(|s| s.phase.as_deref()) {
        Some("Running") => "running, not Ready yet",
        _ => "waiting for its containers to be created",
    }))
}

/// What holds one container back, if anything does.
fn container_blocker(c: &ContainerStatus, init: bool) -> Option<Blocker> {
    let which = if init { "init container" } else { "container" };
    let state = c.state.as_ref()?;
    if let Some(w) = &state.waiting {
        let reason = w.reason.as_deref().unwrap_or("waiting");
        if matches!(reason, "PodInitializing" | "ContainerCreating") {
            return None;
        }
        let detail = match (reason, last_exit(c)) {
            ("CrashLoopBackOff", Some(exit)) => Some(format!("last {exit}")),
            _ => w.message.as_deref().map(one_line),
        };
        return Some(Blocker::trouble(match detail {
            Some(detail) => format!("{which} {} {reason}: {detail}", sanitize(&c.name)),
            None => format!("{which} {} {reason}", sanitize(&c.name)),
        }));
    }
    if let Some(t) = &state.terminated
        && (t.exit_code != 0 || !init)
    {
        return Some(Blocker::trouble(format!(
            "{which} {} exited {} ({})",
            sanitize(&c.name),
            t.exit_code,
            sanitize(t.reason.as_deref().unwrap_or("no reason"))
        )));
    }
    (!init && state.running.is_some() && !c.ready).then(|| {
        Blocker::starting(format!(
            "container {} running, not Ready (its readiness probe has not passed)",
            sanitize(&c.name)
        ))
    })
}

/// "exit 1 (Error)" for the container's last termination.
fn last_exit(c: &ContainerStatus) -> Option<String> {
    let t = c.last_state.as_ref()?.terminated.as_ref()?;
    Some(format!(
        "exit {} ({})",
        t.exit_code,
        sanitize(t.reason.as_deref().unwrap_or("no reason"))
    ))
}

/// Cluster text on one line, without control sequences, at most 300 characters.
fn one_line(text: &str) -> String {
    let flat = sanitize(text).split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(300) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(status: &str) -> Pod {
        serde_yaml::from_str(&format!("metadata: {{name: p}}\nstatus: {status}")).expect("a pod")
    }

    fn said(status: &str) -> Option<(String, bool)> {
        blocker(&pod(status)).map(|b| (b.why, b.trouble))
    }

    #[test]
    fn each_reason_a_pod_is_not_ready_is_said_in_one_line() {
        let trouble = |why: &str| Some((why.to_owned(), true));
        assert_eq!(
            said(
                "{phase: Pending, conditions: [{type: PodScheduled, status: 'False', reason: Unschedulable,
                  message: \"0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector. preemption: 0/4 nodes are available: 4 Preemption is not helpful for scheduling.\"}]}"
            ),
            trouble("not scheduled: 0/4 nodes are available: 4 node(s) didn't match Pod's node affinity/selector")
        );
        let pinned: Pod = serde_yaml::from_str(
            "metadata: {name: p}
spec: {containers: [], nodeSelector: {kubedeck.dev/sim-real: 'true'}}
status: {conditions: [{type: PodScheduled, status: 'False', message: 0/3 nodes are available.}]}",
        )
        .unwrap();
        assert_eq!(
            blocker(&pinned).map(|b| b.why).as_deref(),
            Some("not scheduled: 0/3 nodes are available (nodeSelector kubedeck.dev/sim-real=true)")
        );
        assert_eq!(
            said(
                "{phase: Pending, conditions: [{type: PodScheduled, status: 'True'}],
                  containerStatuses: [{name: api, ready: false, restartCount: 0, image: x, imageID: '',
                    state: {waiting: {reason: ErrImageNeverPull, message: \"Container image \\\"x:1\\\" is not present with pull policy of Never\"}}}]}"
            ),
            trouble("container api ErrImageNeverPull: Container image \"x:1\" is not present with pull policy of Never")
        );
        assert_eq!(
            said(
                "{phase: Running, containerStatuses: [{name: api, ready: false, restartCount: 3, image: x, imageID: '',
                  state: {waiting: {reason: CrashLoopBackOff, message: back-off 40s restarting failed container}},
                  lastState: {terminated: {exitCode: 1, reason: Error}}}]}"
            ),
            trouble("container api CrashLoopBackOff: last exit 1 (Error)")
        );
        let starting = |why: &str| Some((why.to_owned(), false));
        assert_eq!(
            said(
                "{phase: Running, conditions: [{type: Ready, status: 'False'}],
                  containerStatuses: [{name: api, ready: false, restartCount: 0, image: x, imageID: '', state: {running: {}}}]}"
            ),
            starting("container api running, not Ready (its readiness probe has not passed)")
        );
        assert_eq!(
            said(
                "{phase: Pending, containerStatuses: [{name: api, ready: false, restartCount: 0, image: x, imageID: '',
                  state: {waiting: {reason: ContainerCreating}}}]}"
            ),
            starting("waiting for its containers to be created")
        );
        assert_eq!(
            said("{phase: Running, conditions: [{type: Ready, status: 'True'}]}"),
            None
        );
        assert_eq!(said("{phase: Succeeded}"), None);
    }

    #[test]
    fn text_from_the_cluster_is_stripped_and_kept_short() {
        let hostile = format!(
            "{{phase: Pending, conditions: [{{type: PodScheduled, status: 'False', message: \"\\e[31mred\\e[0m\\n{}\"}}]}}",
            "x".repeat(400)
        );
        let (why, _) = said(&hostile).expect("a reason");
        assert!(!why.contains('\u{1b}') && !why.contains('\n'), "{why:?}");
        assert!(why.starts_with("not scheduled: red x"), "{why}");
        assert!(why.chars().count() < 330, "{}", why.len());
    }
}
