//! Everything that reads from the cluster: connecting, describing failures in plain words, and the
//! watches that feed the panes. Workers here own no dashboard state; they send messages.

pub mod certificates;
pub mod events;
pub mod hpas;
pub mod logs;
pub mod namespaces;
pub mod objects;
pub mod pods;
pub mod releases;
pub mod rollout;
pub mod session;
pub mod store;
pub mod watch;
pub mod workloads;

use std::path::PathBuf;

use k8s_openapi::NamespaceResourceScope;
use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Api, Client, Resource};

/// What the cluster side reports to whoever runs it. The dashboard turns each into one of its
/// own messages; the cluster side never names a UI type.
#[derive(Debug, Clone, PartialEq)]
pub enum ClusterEvent {
    Session(session::SessionEvent),
    Rows(RowUpdate),
    Watch(watch::WatchStatus),
}

/// Where cluster events go: any channel whose messages can be made from them. `emit` returns
/// false once the receiver is gone, which ends the task that sent it.
pub trait EventSink: Clone + Send + Sync + 'static {
    fn emit(&self, event: ClusterEvent) -> bool;
}

impl<M> EventSink for tokio::sync::mpsc::UnboundedSender<M>
where
    M: From<ClusterEvent> + Send + 'static,
{
    fn emit(&self, event: ClusterEvent) -> bool {
        self.send(M::from(event)).is_ok()
    }
}

/// Row updates from the watches, tagged by the pane they feed.
#[derive(Debug, Clone, PartialEq)]
pub enum RowUpdate {
    Pods(store::WatchUpdate<pods::PodRow>),
    Deployments(store::WatchUpdate<workloads::WorkloadRow>),
    StatefulSets(store::WatchUpdate<workloads::WorkloadRow>),
    Hpas(store::WatchUpdate<hpas::HpaRow>),
    Events(store::WatchUpdate<events::EventRow>),
    Namespaces(store::WatchUpdate<namespaces::NamespaceRow>),
    Releases(store::WatchUpdate<releases::ReleaseRow>),
    Certificates(store::WatchUpdate<certificates::CertificateRow>),
    TlsSecrets(store::WatchUpdate<certificates::TlsSecretRow>),
    IngressTls(store::WatchUpdate<certificates::IngressTlsRef>),
}

/// Where to connect, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
}

/// Which namespaces the panes show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    All,
    Namespace(String),
}

impl Scope {
    pub fn label(&self) -> &str {
        match self {
            Scope::All => "all namespaces",
            Scope::Namespace(ns) => ns,
        }
    }

    /// A handle on a namespaced resource, over the namespaces in scope.
    pub fn api<K>(&self, client: Client) -> Api<K>
    where
        K: Resource<Scope = NamespaceResourceScope>,
        K::DynamicType: Default,
    {
        match self {
            Scope::All => Api::all(client),
            Scope::Namespace(ns) => Api::namespaced(client, ns),
        }
    }
}

/// The cluster we are pointed at, known before we ever reach it.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub context: String,
    pub cluster: String,
    pub server: String,
    pub scope: Scope,
    /// Every context of the kubeconfig, for the context switcher.
    pub contexts: Vec<String>,
}

/// A problem with the kubeconfig itself: retrying will not help, the user has to act.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigProblem {
    pub what: String,
    pub fix: String,
}

/// Reads the kubeconfig the way kubectl does (`--kubeconfig`, else `KUBECONFIG`, else
/// `~/.kube/config`) and picks the context.
pub async fn load_config(opts: &ConnectOptions) -> Result<(Target, kube::Config), ConfigProblem> {
    let source = match &opts.kubeconfig {
        Some(path) => format!("{}", path.display()),
        None => match std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
            Some(v) => format!("KUBECONFIG={}", v.to_string_lossy()),
            None => "~/.kube/config".to_owned(),
        },
    };
    let kubeconfig = match &opts.kubeconfig {
        Some(path) => Kubeconfig::read_from(path),
        None => Kubeconfig::read(),
    }
    .map_err(|e| describe_kubeconfig_error(&e, &source))?;

    let context = opts
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
        .ok_or_else(|| ConfigProblem {
            what: format!("The kubeconfig ({source}) has no current context."),
            fix: "Pick one with --context NAME, or set it with `kubectl config use-context NAME`.".into(),
        })?;
    let named = kubeconfig.contexts.iter().find(|c| c.name == context);
    let Some(named) = named else {
        let known: Vec<&str> = kubeconfig.contexts.iter().map(|c| c.name.as_str()).collect();
        return Err(ConfigProblem {
            what: format!("The kubeconfig ({source}) has no context named {context:?}."),
            fix: if known.is_empty() {
                "It lists no contexts at all; point --kubeconfig at a working file.".into()
            } else {
                format!("Known contexts: {}. Pick one with --context NAME.", known.join(", "))
            },
        });
    };
    let cluster = named.context.as_ref().map(|c| c.cluster.clone()).unwrap_or_default();
    let contexts = kubeconfig
        .contexts
        .iter()
        .map(|c| crate::text::sanitize(&c.name))
        .collect();

    let options = KubeConfigOptions {
        context: Some(context.clone()),
        cluster: None,
        user: None,
    };
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| describe_kubeconfig_error(&e, &source))?;
    let scope = if opts.all_namespaces {
        Scope::All
    } else {
        Scope::Namespace(
            opts.namespace
                .clone()
                .unwrap_or_else(|| config.default_namespace.clone()),
        )
    };
    let target = Target {
        context: crate::text::sanitize(&context),
        cluster: crate::text::sanitize(&cluster),
        server: config.cluster_url.to_string(),
        scope,
        contexts,
    };
    Ok((target, config))
}

fn describe_kubeconfig_error(e: &KubeconfigError, source: &str) -> ConfigProblem {
    let fix_file = "Point kubedeck at a working kubeconfig with --kubeconfig PATH or KUBECONFIG, \
                    or create a cluster first (`minikube start`, or `scripts/sim up` for the sim cluster).";
    match e {
        KubeconfigError::FindPath => ConfigProblem {
            what: "No kubeconfig found: KUBECONFIG is not set and there is no home folder to look in.".into(),
            fix: fix_file.into(),
        },
        KubeconfigError::ReadConfig(err, path) if err.kind() == std::io::ErrorKind::NotFound => ConfigProblem {
            what: format!("No kubeconfig at {}.", path.display()),
            fix: fix_file.into(),
        },
        KubeconfigError::ReadConfig(err, path) => ConfigProblem {
            what: format!("Cannot read the kubeconfig {}: {err}.", path.display()),
            fix: "Check the file's permissions, or use another with --kubeconfig PATH.".into(),
        },
        KubeconfigError::Parse(err) => ConfigProblem {
            what: format!("The kubeconfig ({source}) is not valid YAML: {err}."),
            fix: "Fix the file, or use another with --kubeconfig PATH.".into(),
        },
        other => ConfigProblem {
            what: format!("The kubeconfig ({source}) cannot be used: {}.", error_chain(other)),
            fix: "Fix that entry, or pick another context with --context NAME.".into(),
        },
    }
}

/// Whether a failure is about reaching the API server at all, or an answer it gave.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailureKind {
    /// Could not talk to the server (refused, timed out, TLS, credentials plugin).
    Unreachable,
    /// The server answered with an error status (forbidden, not found...).
    Refused,
    /// The server does not serve the resource at all: its CRD is not installed (404 on list).
    /// Retried like the others, so installing it later is picked up.
    NotInstalled,
}

/// A client error as one sentence a person can act on.
pub fn describe_client_error(e: &kube::Error, server: &str) -> (FailureKind, String) {
    if let kube::Error::Api(status) = e {
        let msg = crate::text::sanitize(&status.message);
        let text = match status.code {
            401 => format!(
                "The API server at {server} rejected our credentials (401 Unauthorized): log in again or pick another context."
            ),
            403 => format!("forbidden: {msg}"),
            _ => format!("{msg} ({} {})", status.code, status.reason),
        };
        return (FailureKind::Refused, text);
    }
    let chain = crate::text::sanitize(&error_chain(e));
    let lower = chain.to_lowercase();
    let text = if lower.contains("connection refused") {
        format!("Cannot reach the API server at {server}: connection refused. Is the cluster running?")
    } else if lower.contains("timed out") || lower.contains("deadline") {
        format!("The API server at {server} did not answer in time ({chain}).")
    } else if lower.contains("certificate") || lower.contains("tls") {
        format!("TLS with {server} failed ({chain}): check the certificate-authority in your kubeconfig.")
    } else if let kube::Error::Auth(_) = e {
        format!(
            "Getting credentials for {server} failed ({chain}): check the user entry or exec plugin in your kubeconfig."
        )
    } else {
        format!("Cannot talk to the API server at {server}: {chain}.")
    };
    (FailureKind::Unreachable, text)
}

/// `error: cause: cause` without repeating a cause that the outer message already includes.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !out.contains(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = s.source();
    }
    out
}
