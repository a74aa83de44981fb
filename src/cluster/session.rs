//! One connection to one cluster: read the kubeconfig, reach the API server (retrying with
//! backoff while it is down), then start the watches that feed the panes.

use k8s_openapi::api::core::v1::Pod;
use kube::{Api, Client};
use tokio::sync::mpsc::UnboundedSender;

use super::pods::PodRow;
use super::watch::{self, Backoff};
use super::{ConfigProblem, ConnectOptions, Target, describe_client_error, load_config};
use crate::app::Msg;
use std::time::Duration;

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
}

/// Runs until the app drops its receiver (or the task is aborted on a context switch).
pub async fn run(opts: ConnectOptions, tx: UnboundedSender<Msg>) {
    let send = |e: SessionEvent| tx.send(Msg::Session(e)).is_ok();
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
        match client.apiserver_version().await {
            Ok(info) => break info.git_version,
            Err(e) => {
                let (_, message) = describe_client_error(&e, &server);
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
    if !send(SessionEvent::Connected {
        version: crate::text::sanitize(&version),
    }) {
        return;
    }

    let pods: Api<Pod> = scope.api(client.clone());
    watch::run::<PodRow>(pods, server, tx.clone()).await;
}
