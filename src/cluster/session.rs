//! One connection to one cluster: read the kubeconfig, reach the API server (retrying with
//! backoff while it is down), then start the watches that feed the panes.

use futures::FutureExt;
use k8s_openapi::api::apps::v1::{Deployment, StatefulSet};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Event, Namespace, Secret};
use kube::{Api, Client};

use super::certificates;
use super::events::{self, WarningKey};
use super::hpas::HpaRow;
use super::namespaces::NamespaceRow;
use super::pods::{PodRow, SlimPod};
use super::releases::{self, ReleaseRow};
use super::watch::{self, Backoff};
use super::workloads::WorkloadRow;
use super::{ConfigProblem, ConnectOptions, Target, describe_client_error, load_config};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// How often the session asks the API server whether it still answers, and how long it waits.
/// A server that stopped answering (its connections open, nothing coming back) is noticed
/// within about PROBE_EVERY + PROBE_TIMEOUT, not after the watches time out minutes later.
const PROBE_EVERY: Duration = Duration::from_secs(2);
const PROBE_TIMEOUT: Duration = Duration::from_secs(3);
/// How long the first request may take before the server counts as unreachable.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// How the connection is going, as the session reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum SessionEvent {
    /// The kubeconfig was read: this is where we are connecting.
    Target(Target),
    /// The kubeconfig cannot be used; nothing will be retried.
    ConfigProblem(ConfigProblem),
    /// The API server could not be reached; the next attempt is in `retry_in`.
    Unreachable {
        message: String,
        retry_in: Duration,
        attempt: u32,
    },
    /// The API server answered; `version` is its gitVersion.
    Connected { version: String },
    /// The API server stopped answering the liveness probe (hung, partitioned, overloaded),
    /// though its connections may still be open; it last answered at `last_answer`.
    NoAnswer { last_answer: jiff::Timestamp },
    /// The API server answers, but says its storage (etcd) does not: nothing can be read fresh
    /// or changed; it last had its storage at `last_answer`.
    StorageDown { last_answer: jiff::Timestamp },
    /// The API server rejects our credentials (401) since `since`: a token that expired or
    /// was revoked. Reading the kubeconfig again (after logging in) is the way out.
    Rejected { since: jiff::Timestamp },
    /// It answers again, storage included, after `NoAnswer`, `StorageDown` or `Rejected`.
    Answering,
    /// The client for on-demand reads and actions, which the event loop runs; sent just before
    /// `Connected`. The dashboard state never holds it.
    Client(ClientHandle),
}

/// A kube client inside a message. Any two handles compare equal: messages are compared in
/// tests by what they say, not by which connection they came over.
#[derive(Clone)]
pub struct ClientHandle(pub Client);

impl std::fmt::Debug for ClientHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ClientHandle")
    }
}

impl PartialEq for ClientHandle {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// Runs until the app drops its receiver (or the task is aborted on a context switch).
pub async fn run(opts: ConnectOptions, tx: impl super::EventSink) {
    let send = |e: SessionEvent| tx.emit(super::ClusterEvent::Session(e));
    let (target, config) = match load_config(&opts).await {
        Ok(loaded) => loaded,
        Err(problem) => {
            send(SessionEvent::ConfigProblem(problem));
            return;
        }
    };
    let server = target.server.clone();
    let scope = target.scope.clone();
    if !send(SessionEvent::Target(target)) {
        return;
    }
    let watch_client = super::paced::watch_client(&config);
    let client = match Client::try_from(config) {
        Ok(client) => client,
        Err(e) => {
            send(SessionEvent::ConfigProblem(ConfigProblem {
                what: format!("Cannot set up a client for {server}: {}.", super::error_chain(&e)),
                fix: "Check the cluster and user entries of this context in your kubeconfig.".into(),
            }));
            return;
        }
    };

    let mut backoff = Backoff::default();
    let mut attempt = 0;
    let version = loop {
        attempt += 1;
        let answer = tokio::time::timeout(CONNECT_TIMEOUT, client.apiserver_version()).await;
        match answer {
            Ok(Ok(info)) => break info.git_version,
            failed => {
                let message = match failed {
                    Ok(Err(e)) => describe_client_error(&e, &server).1,
                    _ => format!(
                        "{server} accepted the connection but did not answer within {} s.",
                        CONNECT_TIMEOUT.as_secs()
                    ),
                };
                let retry_in = backoff.next_delay();
                if !send(SessionEvent::Unreachable {
                    message,
                    retry_in,
                    attempt,
                }) {
                    return;
                }
                tokio::time::sleep(retry_in).await;
            }
        }
    };
    let version = crate::text::sanitize(&version);
    if !send(SessionEvent::Client(ClientHandle(client.clone()))) || !send(SessionEvent::Connected { version }) {
        return;
    }
    watch_everything(watch_client.unwrap_or(client), scope, server, tx).await;
}

/// One watch per resource, each retrying on its own, so a forbidden or missing resource never
/// stops the others; beside them the liveness probe and the metrics readings.
async fn watch_everything(client: Client, scope: super::Scope, server: String, tx: impl super::EventSink) {
    let all = watch::config;
    // Only Helm's release records, not every Secret: less to list, and less RBAC needed.
    let helm_records = watch::config()
        .labels(releases::LABEL_SELECTOR)
        .fields(releases::FIELD_SELECTOR);
    let warnings = all().fields(events::WARNINGS_ONLY);
    let pods_listed = Arc::new(Notify::new());
    let pods_tx = SignalListing {
        inner: tx.clone(),
        listed: pods_listed.clone(),
    };
    watch::run_all(vec![
        watch::run::<SlimPod, PodRow>(scope.api(client.clone()), watch::pods_config(), server.clone(), pods_tx).boxed(),
        watch::run::<Deployment, WorkloadRow>(scope.api(client.clone()), all(), server.clone(), tx.clone()).boxed(),
        watch::run::<StatefulSet, WorkloadRow>(scope.api(client.clone()), all(), server.clone(), tx.clone()).boxed(),
        watch::run::<HorizontalPodAutoscaler, HpaRow>(scope.api(client.clone()), all(), server.clone(), tx.clone())
            .boxed(),
        watch::run::<Event, WarningKey>(scope.api(client.clone()), warnings, server.clone(), tx.clone()).boxed(),
        watch::run::<Secret, ReleaseRow>(scope.api(client.clone()), helm_records, server.clone(), tx.clone()).boxed(),
        watch::run::<Namespace, NamespaceRow>(Api::all(client.clone()), all(), server.clone(), tx.clone()).boxed(),
        certificates::watch(client.clone(), &scope, server.clone(), tx.clone()).boxed(),
        probe_liveness(client.clone(), tx.clone()).boxed(),
        super::metrics::poll(client.clone(), scope.clone(), tx.clone(), pods_listed).boxed(),
    ])
    .await;
}

/// Passes a watch's events on, and notifies `listed` once a complete listing has been passed.
#[derive(Clone)]
struct SignalListing<S> {
    inner: S,
    listed: Arc<Notify>,
}

impl<S: super::EventSink> super::EventSink for SignalListing<S> {
    fn emit(&self, event: super::ClusterEvent) -> bool {
        let listing = matches!(
            event,
            super::ClusterEvent::Rows(super::RowUpdate::Pods(super::store::WatchUpdate::Listed(_)))
        );
        let sent = self.inner.emit(event);
        if listing {
            self.listed.notify_one();
        }
        sent
    }
}

/// Asks the API server for its version and its storage's health every PROBE_EVERY and reports
/// when it stops answering in time, when its etcd is down, and when all is well again. Watches
/// alone cannot tell: a hung server, or one whose etcd is gone, keeps their connections open and
/// simply sends nothing, which looks like a quiet cluster.
async fn probe_liveness(client: Client, tx: impl super::EventSink) {
    let mut last_answer = jiff::Timestamp::now();
    let mut was = Health::Answering;
    loop {
        tokio::time::sleep(PROBE_EVERY).await;
        let health = probe(&client).await;
        let event = match health {
            Health::Answering => {
                last_answer = jiff::Timestamp::now();
                (was != Health::Answering).then_some(SessionEvent::Answering)
            }
            _ if health == was => None,
            Health::Silent => Some(SessionEvent::NoAnswer { last_answer }),
            Health::StorageDown => Some(SessionEvent::StorageDown { last_answer }),
            Health::Rejected => Some(SessionEvent::Rejected {
                since: jiff::Timestamp::now(),
            }),
        };
        was = health;
        if let Some(event) = event
            && !tx.emit(super::ClusterEvent::Session(event))
        {
            return;
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Answering,
    Silent,
    StorageDown,
    Rejected,
}

/// One probe: the version (no storage needed), then the server's own etcd check, which every
/// user may read (`system:public-info-viewer`). A server that forbids or lacks that check is
/// taken at its word that it answers.
async fn probe(client: &Client) -> Health {
    match tokio::time::timeout(PROBE_TIMEOUT, client.apiserver_version()).await {
        Ok(Ok(_)) => {}
        Ok(Err(kube::Error::Api(status))) if status.code == 401 => return Health::Rejected,
        _ => return Health::Silent,
    }
    let request = http::Request::get("/readyz/etcd").body(Vec::new());
    let Ok(request) = request else {
        return Health::Answering;
    };
    match tokio::time::timeout(PROBE_TIMEOUT, client.request_text(request)).await {
        Ok(Ok(_)) => Health::Answering,
        Ok(Err(kube::Error::Api(status))) if status.code >= 500 => Health::StorageDown,
        Ok(Err(_)) => Health::Answering,
        // It answered the version at once but not this: its storage is what hangs.
        Err(_) => Health::StorageDown,
    }
}
