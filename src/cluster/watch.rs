//! Runs one watch (kube-runtime's watcher) and turns its events into row updates for the app.
//! After a failure the same watch is polled again with backoff: it resumes from the last
//! resourceVersion, and re-lists only after a 410 Gone, so the pane resyncs on its own either way.

use std::fmt::Debug;
use std::time::Duration;

use futures::StreamExt;
use kube::runtime::watcher::{self, InitialListStrategy, watcher};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

use super::store::{FromObject, WatchKind};
use super::{ClusterEvent, EventSink, FailureKind, describe_client_error};

#[path = "watch_health.rs"]
mod health;

/// What a watch tells the app besides row updates.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchStatus {
    /// A complete listing arrived: the pane is live.
    Synced { kind: WatchKind },
    /// The watch failed and will be retried after `retry_in`.
    Failed {
        kind: WatchKind,
        failure: FailureKind,
        message: String,
        retry_in: Duration,
    },
    /// The watch delivered nothing for a while and its resource does not answer a one-object
    /// list either (its storage stalled) though the API server answers: the pane shows what
    /// it last saw, at `last_answer`.
    Stalled {
        kind: WatchKind,
        last_answer: jiff::Timestamp,
    },
    /// After `Stalled` or `Failed`, the watch delivers (or its resource answers) again without
    /// needing a new listing: the pane is live again.
    Answering { kind: WatchKind },
}

/// Delay before the next attempt: 0.5 s doubling up to 30 s, reset after a good listing.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff { next: Self::FIRST }
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(500);
    const MAX: Duration = Duration::from_secs(30);

    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        d
    }

    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

/// Runs every future to its end in this one task, polling only those that were woken. A
/// `join!` of the session's ten watches polled all ten (and their timers) on every event of any
/// one of them, so under pod churn each pod event cost ten watch polls.
pub async fn run_all(futures: Vec<futures::future::BoxFuture<'_, ()>>) {
    let mut running: futures::stream::FuturesUnordered<_> = futures.into_iter().collect();
    while running.next().await.is_some() {}
}

/// How every pane's watch but the pods' starts: the first listing is streamed (one WATCH with
/// `sendInitialEvents`, served from the API server's cache object by object) instead of paged
/// LISTs, so no page of whole objects is ever held in memory. A server that refuses it gets
/// paged LISTs (see `run`).
pub fn config() -> watcher::Config {
    watcher::Config::default().streaming_lists()
}

/// Pods per page of the pods watch's listing (see `pods_config`).
pub const PODS_PAGE: u32 = 2000;

/// How the pods watch starts: paged LISTs of `PODS_PAGE` pods, then a watch from the listing's
/// resourceVersion. Since Kubernetes 1.31 the API server serves consistent paged lists from its
/// watch cache, and a page of 2,000 is decoded faster than the same pods arrive as a stream
/// (benches/lists.rs at 10,000 pods: 0.9x the floor against 1.4x; kubedeck's first screen
/// 1.1x against 1.6x). The price is memory glibc keeps after the pages are freed: about 70 MiB
/// resident at 10,000 pods against 45 streamed (and 100 without `main`'s pinned mmap threshold).
pub fn pods_config() -> watcher::Config {
    watcher::Config::default().page_size(PODS_PAGE)
}

/// True when the server refused a streaming list as a request it does not understand: the
/// `WatchList` feature is off (turned off, or a version that ships with it off) and it answers
/// 422 "sendInitialEvents is forbidden", or an older one rejects the request's parameters.
pub fn streaming_refused(e: &watcher::Error) -> bool {
    matches!(e, watcher::Error::WatchStartFailed(kube::Error::Api(status)) if matches!(status.code, 400 | 422))
}

/// Watches `api` until the app goes away (the channel closes), sending rows of type `R`.
///
/// One watcher stream for the whole life of the pane: after an error it is polled again after
/// the backoff, and kube-runtime's watcher resumes from the last resourceVersion it saw. Only a
/// 410 Gone (that version compacted away) makes it list everything again, so an API server
/// that drops connections or answers 5xx for a moment costs a reconnect, not a re-list of
/// every pod. A watch that delivers nothing for a while is asked whether its resource still
/// answers (see `health`), so one stalled watch is noticed while the others work.
pub async fn run<K, R>(api: Api<K>, mut config: watcher::Config, server: String, tx: impl EventSink)
where
    R: FromObject<K>,
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let mut stream = watcher(api.clone(), config.clone()).boxed();
    let mut state = health::State::<R>::default();
    loop {
        let item = match tokio::time::timeout(state.quiet_after(), stream.next()).await {
            Ok(Some(item)) => item,
            // The watcher never ends; if it did, start a new one.
            Ok(None) => {
                stream = watcher(api.clone(), config.clone()).boxed();
                continue;
            }
            Err(_quiet) => {
                if !state.ask(&api, &config, &tx).await {
                    return;
                }
                continue;
            }
        };
        let error = match item {
            Ok(event) => {
                if !state.deliver(event, &tx) {
                    return;
                }
                continue;
            }
            Err(e) => e,
        };
        if is_gone(&error) {
            // Our resourceVersion was compacted away: the watcher lists everything again at
            // once, and the listing replaces every row when it is complete. Routine, not a
            // failure to show.
            continue;
        }
        if config.initial_list_strategy == InitialListStrategy::StreamingList && streaming_refused(&error) {
            // Not a failure the user needs to hear about: list the old way, at once.
            config.initial_list_strategy = InitialListStrategy::ListWatch;
            stream = watcher(api.clone(), config.clone()).boxed();
            continue;
        }
        let retry_in = state.failed();
        let (failure, message) = describe_watch_error(&error, R::KIND.plural(), api.namespace(), &server);
        let status = WatchStatus::Failed {
            kind: R::KIND,
            failure,
            message,
            retry_in,
        };
        if !tx.emit(ClusterEvent::Watch(status)) {
            return;
        }
        tokio::time::sleep(retry_in).await;
    }
}

fn describe_watch_error(
    e: &watcher::Error,
    kind: &str,
    namespace: Option<&str>,
    server: &str,
) -> (FailureKind, String) {
    if resource_not_served(e) {
        return (
            FailureKind::NotInstalled,
            format!("The API server at {server} does not serve {kind}: its CustomResourceDefinition is not installed."),
        );
    }
    match e {
        // The server's answer in the same sentence the command line gives (cluster::explain).
        watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e)
            if matches!(e, kube::Error::Api(_)) =>
        {
            let attempt = super::Attempt {
                verb: "list",
                object: kind,
                namespace,
            };
            (FailureKind::Refused, super::explain(e, attempt))
        }
        watcher::Error::InitialListFailed(e) | watcher::Error::WatchStartFailed(e) | watcher::Error::WatchFailed(e) => {
            describe_client_error(e, server)
        }
        watcher::Error::WatchError(status) => (
            FailureKind::Refused,
            crate::text::sanitize(&format!("{} ({})", status.message, status.code)),
        ),
        watcher::Error::NoResourceVersion => (FailureKind::Refused, e.to_string()),
    }
}

/// True for 410 Gone: the resourceVersion a watch resumes from is older than the server keeps.
pub fn is_gone(e: &watcher::Error) -> bool {
    matches!(e, watcher::Error::WatchError(status) if status.code == 410)
}

/// True when the server answered 404 to listing or watching: it does not serve the resource at
/// all, which for a custom resource means its CRD is not installed (a namespace that does not
/// exist lists as empty, never 404).
pub fn resource_not_served(e: &watcher::Error) -> bool {
    match e {
        watcher::Error::InitialListFailed(kube::Error::Api(status))
        | watcher::Error::WatchStartFailed(kube::Error::Api(status)) => status.code == 404,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use kube::core::Status;

    use super::*;

    fn api_error(code: u16, message: &str) -> kube::Error {
        kube::Error::Api(Status::failure(message, "NotFound").with_code(code).boxed())
    }

    /// A future that counts how often it is polled.
    struct Counted<F> {
        inner: std::pin::Pin<Box<F>>,
        polls: std::sync::Arc<std::sync::atomic::AtomicUsize>,
    }

    impl<F: std::future::Future> std::future::Future for Counted<F> {
        type Output = F::Output;
        fn poll(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<F::Output> {
            self.polls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            self.inner.as_mut().poll(cx)
        }
    }

    #[tokio::test]
    async fn run_all_leaves_a_quiet_watch_alone_while_a_busy_one_works() {
        use futures::FutureExt;
        let polls = std::sync::Arc::default();
        let done = std::sync::Arc::new(tokio::sync::Notify::new());
        let quiet = Counted {
            inner: Box::pin({
                let done = done.clone();
                async move { done.notified().await }
            }),
            polls: std::sync::Arc::clone(&polls),
        };
        let busy = async move {
            for _ in 0..100 {
                tokio::task::yield_now().await;
            }
            done.notify_one();
        };
        run_all(vec![quiet.boxed(), busy.boxed()]).await;
        // A join! polls every branch on each wake-up: about 100 polls of the quiet one here.
        let polls = polls.load(std::sync::atomic::Ordering::Relaxed);
        assert!(polls <= 3, "the quiet future was polled {polls} times");
    }

    #[test]
    fn a_404_on_list_means_the_crd_is_not_installed() {
        let missing =
            watcher::Error::InitialListFailed(api_error(404, "the server could not find the requested resource"));
        assert!(resource_not_served(&missing));
        let (failure, message) = describe_watch_error(&missing, "certificates", None, "https://k8s:6443");
        assert_eq!(failure, FailureKind::NotInstalled);
        assert_eq!(
            message,
            "The API server at https://k8s:6443 does not serve certificates: its CustomResourceDefinition is not installed."
        );
        // kube turns a plain-text "404 page not found" body into a Status with the HTTP code.
        let plain = watcher::Error::WatchStartFailed(api_error(404, "404 page not found"));
        assert_eq!(
            describe_watch_error(&plain, "certificates", None, "s").0,
            FailureKind::NotInstalled
        );
    }

    #[test]
    fn other_failures_keep_their_kind() {
        let forbidden = watcher::Error::InitialListFailed(api_error(403, "secrets is forbidden"));
        assert!(!resource_not_served(&forbidden));
        let (failure, message) = describe_watch_error(&forbidden, "secrets", Some("todo"), "s");
        assert_eq!(failure, FailureKind::Refused);
        // The dashboard's sentence is the command line's.
        assert_eq!(
            message,
            "you cannot list secrets in todo (RBAC: secrets is forbidden); ask for get/list on secrets in todo"
        );
        // A 404 inside a running watch is an event about one object, not a missing resource type.
        let gone = watcher::Error::WatchFailed(api_error(404, "not found"));
        assert!(!resource_not_served(&gone));
    }
}
