//! Runs one watch (kube-runtime's watcher) and turns its events into row updates for the app.
//! After any failure the watch is started again with backoff; the restart re-lists, so the
//! pane resyncs on its own after an outage or a 410 Gone.

use std::fmt::Debug;
use std::time::Duration;

use futures::StreamExt;
use kube::runtime::watcher::{self, InitialListStrategy, watcher};
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

use super::store::{FromObject, WatchKind, WatchUpdate};
use super::{ClusterEvent, EventSink, FailureKind, describe_client_error};

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

/// How every pane's watch starts: the first listing is streamed (one WATCH with
/// `sendInitialEvents`, served from the API server's cache object by object) instead of paged
/// LISTs. At 10,000 pods that is a third less time to the first screen, and no page of whole
/// objects is ever held in memory. A server that refuses it gets paged LISTs (see `run`).
pub fn config() -> watcher::Config {
    watcher::Config::default().streaming_lists()
}

/// True when the server refused a streaming list as a request it does not understand: the
/// `WatchList` feature is off (turned off, or a version that ships with it off) and it answers
/// 422 "sendInitialEvents is forbidden", or an older one rejects the request's parameters.
pub fn streaming_refused(e: &watcher::Error) -> bool {
    matches!(e, watcher::Error::WatchStartFailed(kube::Error::Api(status)) if matches!(status.code, 400 | 422))
}

/// Watches `api` until the app goes away (the channel closes), sending rows of type `R`.
pub async fn run<K, R>(api: Api<K>, mut config: watcher::Config, server: String, tx: impl EventSink)
where
    R: FromObject<K>,
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
{
    let mut backoff = Backoff::default();
    loop {
        let mut stream = watcher(api.clone(), config.clone()).boxed();
        let send = |update: WatchUpdate<R>| tx.emit(ClusterEvent::Rows(R::wrap(update)));
        // A listing is gathered here and sent whole: one message instead of one per object,
        // and the app never sees half a listing.
        let mut listing: Vec<R> = Vec::new();
        let error = loop {
            let Some(item) = stream.next().await else { break None };
            let delivered = match item {
                Ok(watcher::Event::Init) => {
                    listing = Vec::new();
                    true
                }
                Ok(watcher::Event::InitApply(obj)) => {
                    listing.push(R::from_object(&obj));
                    true
                }
                Ok(watcher::Event::InitDone) => {
                    backoff.reset();
                    send(WatchUpdate::Listed(std::mem::take(&mut listing)))
                        && tx.emit(ClusterEvent::Watch(WatchStatus::Synced { kind: R::KIND }))
                }
                Ok(watcher::Event::Apply(obj)) => send(WatchUpdate::Applied(R::from_object(&obj))),
                Ok(watcher::Event::Delete(obj)) => send(WatchUpdate::Deleted(R::from_object(&obj).key().clone())),
                Err(e) => break Some(e),
            };
            if !delivered {
                return;
            }
        };
        if let Some(e) = &error
            && config.initial_list_strategy == InitialListStrategy::StreamingList
            && streaming_refused(e)
        {
            // Not a failure the user needs to hear about: list the old way, at once.
            config.initial_list_strategy = InitialListStrategy::ListWatch;
            continue;
        }
        let retry_in = backoff.next_delay();
        let (failure, message) = match &error {
            Some(e) => describe_watch_error(e, R::KIND.plural(), api.namespace(), &server),
            None => (
                FailureKind::Unreachable,
                format!("The watch on {} ended unexpectedly.", R::KIND),
            ),
        };
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
