//! Log streams through the API server's pod log subresource: one pod's containers, or every pod
//! of a workload (pods that come and go are picked up by a watch). A stream that ends while the
//! pod lives (container restarted, connection dropped) is reopened from the last line seen.

use std::collections::HashMap;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use futures::{AsyncBufRead, AsyncBufReadExt, FutureExt, StreamExt};
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use kube::api::LogParams;
use kube::runtime::watcher;
use kube::{Api, Client};

use super::workloads::WorkloadRef;
use crate::ansi::StyledText;

mod splitter;
use splitter::LineSplitter;

/// Longest line kept; the rest of a longer line is dropped (a line without an end must not grow
/// memory without bound).
const MAX_LINE: usize = 16 * 1024;
/// Lines are sent in batches: at most this many, or whatever came within `FLUSH_AFTER`. A tenth
/// of a second is quicker than anyone reads a fast log, and a busy stream then costs the
/// dashboard ten messages and frames a second instead of thirty.
const BATCH: usize = 2048;
const FLUSH_AFTER: Duration = Duration::from_millis(100);
/// A stream that has caught up waits this long before it reads on, and then reads what came
/// meanwhile in one go. The API server relays every write to the log as a chunk of its own: ten
/// busy pods send thousands a second, and woken for each, the tail cost a fifth of a core.
const CAUGHT_UP_PAUSE: Duration = Duration::from_millis(20);

/// What to read the logs of.
#[derive(Debug, Clone, PartialEq)]
pub enum LogTarget {
    Pod(String),
    /// Every pod the workload's selector matches, interleaved.
    Workload(WorkloadRef),
}

impl LogTarget {
    /// `pod/NAME`, `NAME` (a pod), `deploy/NAME` or `sts/NAME`: `PodTarget`'s spelling, less `svc/`.
    pub fn parse(text: &str) -> Result<LogTarget, String> {
        match super::pod_target::PodTarget::parse(text) {
            Ok(super::pod_target::PodTarget::Pod(name)) => Ok(LogTarget::Pod(name)),
            Ok(super::pod_target::PodTarget::Workload(w)) => Ok(LogTarget::Workload(w)),
            _ => Err(format!(
                "{text:?} is not a log target: write a pod name, pod/NAME, deploy/NAME or sts/NAME"
            )),
        }
    }
}

impl std::fmt::Display for LogTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LogTarget::Pod(name) => write!(f, "pod/{name}"),
            LogTarget::Workload(w) => write!(f, "{w}"),
        }
    }
}

/// Which containers of each pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ContainerChoice {
    /// The pod's `kubectl.kubernetes.io/default-container`, else its first container.
    Default,
    Named(String),
    All,
}

/// One log tail, as the dashboard or `kubedeck logs` asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRequest {
    pub namespace: String,
    pub target: LogTarget,
    pub container: ContainerChoice,
    /// The previous (terminated) container's logs; never followed.
    pub previous: bool,
    /// Lines from the end of each container's log to start with (None: all).
    pub tail: Option<i64>,
    pub since_seconds: Option<i64>,
    pub follow: bool,
}

/// A line as read: its time from the API server (we always ask for timestamps, so the view can
/// show or hide them and a reopened stream can skip what was already seen) and its text.
#[derive(Debug, Clone, PartialEq)]
pub struct RawLine {
    pub time: Option<jiff::Timestamp>,
    pub text: StyledText,
}

/// What a log stream reports.
#[derive(Debug, Clone, PartialEq)]
pub enum LogEvent {
    /// Lines of one container, in order.
    Lines {
        pod: Arc<str>,
        container: Arc<str>,
        lines: Vec<RawLine>,
    },
    /// About the stream itself: a pod joined or left, the stream was reopened.
    Notice(String),
    /// The containers of the target's (first) pod, for the container picker.
    Containers(Vec<String>),
    /// Nothing more will come: not following, or the target is gone, or it cannot be read.
    Ended(Result<(), String>),
}

/// Where a stream's events go: the dashboard wraps them in a message, the command line prints.
pub type Sink = Arc<dyn Fn(LogEvent) + Send + Sync>;

/// Streams the logs `request` asks for until they end (or the task is dropped).
pub async fn stream(client: Client, request: LogRequest, sink: Sink) {
    let pods: Api<Pod> = Api::namespaced(client.clone(), &request.namespace);
    let outcome = match &request.target {
        LogTarget::Pod(name) => match pods.get(name).await {
            Ok(pod) => {
                sink(LogEvent::Containers(container_names(&pod)));
                follow_pod(&pods, &pod, &request, &sink).await;
                Ok(())
            }
            Err(e) => Err(describe(&e, &format!("pod {name} in {}", request.namespace))),
        },
        LogTarget::Workload(workload) => follow_workload(client, workload, &request, &sink).await,
    };
    sink(LogEvent::Ended(outcome));
}

/// Every chosen container of one pod, side by side, until all their streams end.
async fn follow_pod(pods: &Api<Pod>, pod: &Pod, request: &LogRequest, sink: &Sink) {
    let name: Arc<str> = pod.metadata.name.clone().unwrap_or_default().into();
    let streams = chosen_containers(pod, &request.container).into_iter().map(|container| {
        let container: Arc<str> = container.into();
        follow_container(pods, name.clone(), container, request, sink)
    });
    futures::future::join_all(streams).await;
}

/// The pods of a workload: a watch on its selector starts a stream for each pod that runs and
/// stops it when the pod is deleted.
async fn follow_workload(
    client: Client,
    workload: &WorkloadRef,
    request: &LogRequest,
    sink: &Sink,
) -> Result<(), String> {
    let what = format!("{workload} in {}", request.namespace);
    let selector = workload_selector(&client, &request.namespace, workload)
        .await
        .map_err(|e| describe(&e, &what))?;
    let pods: Api<Pod> = Api::namespaced(client, &request.namespace);
    if !request.follow {
        let list = pods
            .list(&kube::api::ListParams::default().labels(&selector))
            .await
            .map_err(|e| describe(&e, &what))?;
        if let Some(first) = list.items.first() {
            sink(LogEvent::Containers(container_names(first)));
        }
        for pod in &list.items {
            follow_pod(&pods, pod, request, sink).await;
        }
        return Ok(());
    }
    let mut running: HashMap<String, AbortOnDrop> = HashMap::new();
    let mut initial = true;
    let mut said_containers = false;
    let mut events = std::pin::pin!(watcher(pods.clone(), watcher::Config::default().labels(&selector)));
    while let Some(event) = events.next().await {
        let (pod, deleted) = match event {
            Ok(watcher::Event::Apply(pod) | watcher::Event::InitApply(pod)) => (pod, false),
            Ok(watcher::Event::Delete(pod)) => (pod, true),
            Ok(watcher::Event::Init) => continue,
            Ok(watcher::Event::InitDone) => {
                if running.is_empty() {
                    sink(LogEvent::Notice(format!(
                        "{what} has no running pods yet; waiting for one"
                    )));
                }
                initial = false;
                continue;
            }
            Err(e) => {
                sink(LogEvent::Notice(format!("watching the pods of {what}: {e}; retrying")));
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        let Some(name) = pod.metadata.name.clone() else {
            continue;
        };
        let gone = deleted || pod.metadata.deletion_timestamp.is_some();
        if gone {
            if running.remove(&name).is_some() {
                sink(LogEvent::Notice(format!(
                    "pod {name} is going away; its stream stopped"
                )));
            }
            continue;
        }
        if running.contains_key(&name) || !has_started(&pod) {
            continue;
        }
        if !said_containers {
            sink(LogEvent::Containers(container_names(&pod)));
            said_containers = true;
        }
        if !initial {
            sink(LogEvent::Notice(format!("pod {name} joined")));
        }
        let (pods, request, sink) = (pods.clone(), request.clone(), sink.clone());
        let task = tokio::spawn(async move { follow_pod(&pods, &pod, &request, &sink).await });
        running.insert(name, AbortOnDrop(task));
    }
    Ok(())
}

/// One container's stream, reopened after it ends for as long as the pod exists (when following).
async fn follow_container(pods: &Api<Pod>, pod: Arc<str>, container: Arc<str>, request: &LogRequest, sink: &Sink) {
    let mut last_seen: Option<jiff::Timestamp> = None;
    let mut retry = Duration::from_millis(500);
    let mut reopened = false;
    loop {
        let params = LogParams {
            container: Some(container.to_string()),
            follow: request.follow && !request.previous,
            previous: request.previous,
            timestamps: true,
            // The first time as asked; after that from the last line seen.
            tail_lines: if reopened { None } else { request.tail },
            since_seconds: if reopened { None } else { request.since_seconds },
            since_time: if reopened { last_seen.map(reopen_since) } else { None },
            ..LogParams::default()
        };
        match pods.log_stream(&pod, &params).await {
            Ok(reader) => {
                retry = Duration::from_millis(500);
                let reader: Pin<Box<dyn AsyncBufRead + Send>> = Box::pin(reader);
                let ended = read_lines(reader, &pod, &container, &mut last_seen, sink).await;
                if !params.follow {
                    if let Err(e) = ended {
                        sink(LogEvent::Notice(format!("{pod}/{container}: {e}")));
                    }
                    return;
                }
                let why = ended
                    .err()
                    .map_or("the stream ended".to_owned(), |e| format!("the stream broke ({e})"));
                match pods.get_opt(&pod).await {
                    Ok(None) => {
                        sink(LogEvent::Notice(format!("{pod}/{container}: {why}; the pod is gone")));
                        return;
                    }
                    Ok(Some(p)) if p.metadata.deletion_timestamp.is_some() => {
                        sink(LogEvent::Notice(format!(
                            "{pod}/{container}: {why}; the pod is terminating"
                        )));
                        return;
                    }
                    _ => sink(LogEvent::Notice(format!(
                        "{pod}/{container}: {why} (container restarted or connection dropped); reconnecting"
                    ))),
                }
            }
            Err(e) => {
                let text = describe(&e, &format!("logs of {pod}/{container}"));
                if !request.follow || matches!(&e, kube::Error::Api(s) if s.code == 404) {
                    sink(LogEvent::Notice(text));
                    return;
                }
                // No previous container (it never restarted) does not come by waiting.
                if request.previous && matches!(&e, kube::Error::Api(s) if s.code == 400) {
                    sink(LogEvent::Notice(format!(
                        "{pod}/{container} has no previous container to show (it has not restarted): {text}"
                    )));
                    return;
                }
                sink(LogEvent::Notice(format!(
                    "{text}; retrying in {:.1} s",
                    retry.as_secs_f32()
                )));
            }
        }
        reopened = true;
        tokio::time::sleep(retry).await;
        retry = (retry * 2).min(Duration::from_secs(10));
    }
}

/// Where a reopened stream starts: the start of the second of the last line seen. The API takes
/// whole seconds and kube rounds to the nearest one, which would skip the lines that came in the
/// rest of that second (a container restarted at once writes its first lines there); the lines
/// before the last one seen are dropped again by `read_lines`.
fn reopen_since(last_seen: jiff::Timestamp) -> jiff::Timestamp {
    let floor = jiff::TimestampRound::new()
        .smallest(jiff::Unit::Second)
        .mode(jiff::RoundMode::Trunc);
    last_seen.round(floor).unwrap_or(last_seen)
}

/// Reads lines until the stream ends, sending them in batches. Lines at or before `last_seen`
/// were shown before the stream was reopened and are skipped. Every line already received is
/// handled at once, and a stream that has caught up pauses before reading on, so a busy stream
/// costs a few wake-ups a batch, not one per chunk the server sends.
async fn read_lines(
    mut reader: Pin<Box<dyn AsyncBufRead + Send>>,
    pod: &Arc<str>,
    container: &Arc<str>,
    last_seen: &mut Option<jiff::Timestamp>,
    sink: &Sink,
) -> std::io::Result<()> {
    let skip_until = *last_seen;
    let mut batch: Vec<RawLine> = Vec::new();
    let mut deadline: Option<tokio::time::Instant> = None;
    let flush = |batch: &mut Vec<RawLine>, deadline: &mut Option<tokio::time::Instant>| {
        *deadline = None;
        if !batch.is_empty() {
            sink(LogEvent::Lines {
                pod: pod.clone(),
                container: container.clone(),
                lines: std::mem::take(batch),
            });
        }
    };
    let mut splitter = LineSplitter::default();
    loop {
        let received = match ready_chunk(&mut reader, &mut splitter).await {
            Some(received) => received,
            None => {
                tokio::time::sleep(CAUGHT_UP_PAUSE).await;
                // Cancelling `fill_buf` consumes nothing, so the deadline can win the race safely.
                tokio::select! {
                    chunk = reader.fill_buf() => chunk.map(|c| splitter.feed(c)),
                    _ = sleep_until(deadline) => {
                        flush(&mut batch, &mut deadline);
                        continue;
                    }
                }
            }
        };
        let taken = match received {
            Ok(n) => n,
            Err(e) => {
                flush(&mut batch, &mut deadline);
                return Err(e);
            }
        };
        reader.consume_unpin(taken);
        if taken == 0 {
            splitter.finish();
        }
        for raw in splitter.lines() {
            let line = parse_line(&String::from_utf8_lossy(raw));
            if let (Some(t), Some(skip)) = (line.time, skip_until)
                && t <= skip
            {
                continue;
            }
            if line.time.is_some() {
                *last_seen = line.time;
            }
            batch.push(line);
            if batch.len() >= BATCH {
                flush(&mut batch, &mut deadline);
            }
        }
        splitter.clear_lines();
        if taken == 0 {
            flush(&mut batch, &mut deadline);
            return Ok(());
        }
        let now = tokio::time::Instant::now();
        match deadline {
            Some(at) if at <= now => flush(&mut batch, &mut deadline),
            None if !batch.is_empty() => deadline = Some(now + FLUSH_AFTER),
            _ => {}
        }
    }
}

/// A chunk already received, fed to `splitter`; None when the stream has caught up. The
/// connection hands over one chunk at a time, so it is given one turn to pass on the next
/// before the answer is no. That turn only helps on a runtime worker, beside the connection's
/// task: elsewhere the next chunk comes too late and the stream reads one chunk per pause.
async fn ready_chunk(
    reader: &mut Pin<Box<dyn AsyncBufRead + Send>>,
    splitter: &mut LineSplitter,
) -> Option<std::io::Result<usize>> {
    if let Some(chunk) = reader.fill_buf().now_or_never() {
        return Some(chunk.map(|c| splitter.feed(c)));
    }
    tokio::task::yield_now().await;
    reader
        .fill_buf()
        .now_or_never()
        .map(|chunk| chunk.map(|c| splitter.feed(c)))
}

async fn sleep_until(deadline: Option<tokio::time::Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d).await,
        None => futures::future::pending().await,
    }
}

/// `2026-11-23T16:00:00.123456789Z message` as the API server sends it with timestamps on.
pub fn parse_line(raw: &str) -> RawLine {
    let raw = raw.trim_end_matches(['\n', '\r']);
    // A line of at most MAX_LINE bytes has at most MAX_LINE characters; only a longer one is counted.
    let raw = if raw.len() > MAX_LINE {
        raw.char_indices().nth(MAX_LINE).map_or(raw, |(cut, _)| &raw[..cut])
    } else {
        raw
    };
    let (time, text) = match raw.split_once(' ') {
        Some((stamp, rest)) if stamp.len() >= 20 && stamp.as_bytes()[0].is_ascii_digit() => match stamp.parse() {
            Ok(t) => (Some(t), rest),
            Err(_) => (None, raw),
        },
        _ => (None, raw),
    };
    RawLine {
        time,
        text: StyledText::parse(text),
    }
}

pub(crate) fn container_names(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .map(|s| s.containers.iter().map(|c| c.name.clone()).collect())
        .unwrap_or_default()
}

fn chosen_containers(pod: &Pod, choice: &ContainerChoice) -> Vec<String> {
    let names = container_names(pod);
    match choice {
        ContainerChoice::All => names,
        ContainerChoice::Named(name) => vec![name.clone()],
        ContainerChoice::Default => {
            let annotated = pod
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("kubectl.kubernetes.io/default-container"))
                .filter(|c| names.contains(c));
            annotated.or(names.first()).cloned().into_iter().collect()
        }
    }
}

/// A pod whose containers have started (or finished): the log subresource can answer.
fn has_started(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.phase.as_deref())
        .is_some_and(|phase| phase != "Pending")
}

pub(crate) async fn workload_selector(
    client: &Client,
    namespace: &str,
    workload: &WorkloadRef,
) -> Result<String, kube::Error> {
    let selector = if workload.statefulset {
        let sts = Api::<StatefulSet>::namespaced(client.clone(), namespace)
            .get(&workload.name)
            .await?;
        sts.spec.map(|s| s.selector)
    } else {
        let deploy = Api::<Deployment>::namespaced(client.clone(), namespace)
            .get(&workload.name)
            .await?;
        deploy.spec.map(|s| s.selector)
    };
    Ok(selector.as_ref().map(selector_string).unwrap_or_default())
}

/// A label selector in the `-l` syntax the API server takes.
pub fn selector_string(selector: &LabelSelector) -> String {
    let mut parts: Vec<String> = selector
        .match_labels
        .iter()
        .flatten()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    for e in selector.match_expressions.iter().flatten() {
        let values = e.values.clone().unwrap_or_default().join(",");
        parts.push(match e.operator.as_str() {
            "In" => format!("{} in ({values})", e.key),
            "NotIn" => format!("{} notin ({values})", e.key),
            "Exists" => e.key.clone(),
            _ => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

fn describe(e: &kube::Error, what: &str) -> String {
    match e {
        kube::Error::Api(s) if s.code == 404 => format!("{what} was not found"),
        kube::Error::Api(s) if s.code == 403 => {
            format!("reading {what} is forbidden: {}", crate::text::sanitize(&s.message))
        }
        kube::Error::Api(s) => format!("reading {what}: {}", crate::text::sanitize(&s.message)),
        other => format!("reading {what}: {}", crate::text::sanitize(&super::error_chain(other))),
    }
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A stream reopened after a line at 10:00:02.7 asks for logs from 10:00:02, so the lines of
    /// a container that restarted at 10:00:02.9 are not skipped (kube alone would ask from :03).
    #[test]
    fn a_reopened_stream_asks_from_the_start_of_the_last_lines_second() {
        let last: jiff::Timestamp = "2026-12-03T10:00:02.7Z".parse().unwrap();
        let params = LogParams {
            since_time: Some(reopen_since(last)),
            ..LogParams::default()
        };
        let request = kube::core::Request::new("/api/v1/namespaces/ns/pods")
            .logs("p", &params)
            .unwrap();
        let query = request.uri().query().unwrap_or_default().to_owned();
        assert!(query.contains("sinceTime=2026-12-03T10%3A00%3A02Z"), "{query}");
        let on_the_second: jiff::Timestamp = "2026-12-03T10:00:02Z".parse().unwrap();
        assert_eq!(reopen_since(on_the_second), on_the_second);
    }

    #[test]
    fn targets_parse_like_kubectl() {
        assert_eq!(LogTarget::parse("web-1").unwrap(), LogTarget::Pod("web-1".into()));
        assert_eq!(LogTarget::parse("pod/web-1").unwrap(), LogTarget::Pod("web-1".into()));
        assert_eq!(
            LogTarget::parse("deploy/backend").unwrap().to_string(),
            "deploy/backend"
        );
        let err = LogTarget::parse("svc/backend").unwrap_err();
        assert!(err.contains("deploy/NAME"), "{err}");
    }

    /// A stream that keeps catching up (and pausing) loses no line, repeats none, and hands over
    /// the last batch when it ends.
    #[test]
    fn a_stream_that_keeps_catching_up_hands_over_every_line_in_order() {
        use futures::TryStreamExt;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let (tx, rx) = futures::channel::mpsc::unbounded::<std::io::Result<Vec<u8>>>();
        runtime.spawn(async move {
            for i in 0..40 {
                tx.unbounded_send(Ok(format!("line {i}\n").into_bytes())).unwrap();
                tokio::time::sleep(Duration::from_millis(3)).await;
            }
        });
        let got = Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink: Sink = {
            let got = got.clone();
            Arc::new(move |event| {
                if let LogEvent::Lines { lines, .. } = event {
                    got.lock().unwrap().extend(lines.into_iter().map(|l| l.text.text));
                }
            })
        };
        let reader: Pin<Box<dyn AsyncBufRead + Send>> = Box::pin(rx.into_async_read());
        let (pod, container, mut last_seen) = ("p".into(), "c".into(), None);
        let read = read_lines(reader, &pod, &container, &mut last_seen, &sink);
        let outcome = runtime.block_on(async { tokio::time::timeout(Duration::from_secs(5), read).await });
        assert!(
            matches!(outcome, Ok(Ok(()))),
            "the reader stalled or failed: {outcome:?}"
        );
        let expected: Vec<String> = (0..40).map(|i| format!("line {i}")).collect();
        assert_eq!(*got.lock().unwrap(), expected);
    }

    #[test]
    fn lines_split_into_time_and_text() {
        let line = parse_line("2026-11-23T16:00:00.123456789Z \x1b[32mready\x1b[0m\n");
        assert_eq!(line.time.unwrap().to_string(), "2026-11-23T16:00:00.123456789Z");
        assert_eq!(line.text.text, "ready");
        let line = parse_line("no timestamp here");
        assert_eq!(line.time, None);
        assert_eq!(line.text.text, "no timestamp here");
    }
}
