//! Everything that reads from the cluster: connecting, describing failures in plain words, and the
//! watches that feed the panes. Workers here own no dashboard state; they send messages.

pub mod capabilities;
pub mod certificates;
pub mod dapr;
pub mod describe;
pub mod events;
pub mod exec;
pub mod forward;
pub mod hpas;
pub mod labels;
pub mod logs;
pub mod mask;
pub mod metrics;
pub mod namespaces;
pub mod objects;
pub mod paced;
pub mod pod_target;
pub mod pods;
pub mod probe;
pub mod releases;
pub mod resources;
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
    /// Live CPU and memory from metrics.k8s.io, read every 15 s.
    Metrics(metrics::MetricsReading),
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
    Warnings(store::WatchUpdate<events::WarningKey>),
    Namespaces(store::WatchUpdate<namespaces::NamespaceRow>),
    Releases(store::WatchUpdate<releases::ReleaseRow>),
    Certificates(store::WatchUpdate<certificates::CertificateRow>),
    TlsSecrets(store::WatchUpdate<certificates::TlsSecretRow>),
    IngressTls(store::WatchUpdate<certificates::IngressTlsRef>),
    /// A kind of the resource pane (Services, Nodes, ...).
    Resources(resources::ResourceKind, store::WatchUpdate<resources::ResourceRow>),
}

/// Where to connect, as given on the command line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConnectOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    /// `--as`: the user every request impersonates.
    pub as_user: Option<String>,
    /// `--as-group`: the groups every request impersonates.
    pub as_groups: Vec<String>,
    /// `--request-timeout`: how long each request may take (connecting, sending, each read).
    pub request_timeout: Option<std::time::Duration>,
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
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| describe_kubeconfig_error(&e, &source))?;
    apply_request_options(&mut config, opts);
    let scope = if opts.all_namespaces {
        Scope::All
    } else {
        Scope::Namespace(
            opts.namespace
                .clone()
                .unwrap_or_else(|| config.default_namespace.clone()),
        )
    };
    remember_server(config.cluster_url.to_string());
    let target = Target {
        context: crate::text::sanitize(&context),
        cluster: crate::text::sanitize(&cluster),
        server: config.cluster_url.to_string(),
        scope,
        contexts,
    };
    Ok((target, config))
}

/// `--as`, `--as-group` and `--request-timeout` over what the kubeconfig says, as kubectl.
fn apply_request_options(config: &mut kube::Config, opts: &ConnectOptions) {
    if let Some(user) = &opts.as_user {
        config.auth_info.impersonate = Some(user.clone());
    }
    if !opts.as_groups.is_empty() {
        config.auth_info.impersonate_groups = Some(opts.as_groups.clone());
    }
    if let Some(limit) = opts.request_timeout {
        config.connect_timeout = Some(limit);
        config.read_timeout = Some(limit);
        config.write_timeout = Some(limit);
    }
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

/// The address of the API server kubedeck last connected to, for sentences about a failed
/// request made where the address is not at hand (`explain`).
static SERVER: std::sync::RwLock<Option<String>> = std::sync::RwLock::new(None);

fn remember_server(url: String) {
    if let Ok(mut server) = SERVER.write() {
        *server = Some(url);
    }
}

/// "the API server at https://...", or "the API server" when `server` is that phrase itself
/// (a caller without the address) and no address is `known`.
fn server_phrase(server: &str, known: Option<&str>) -> String {
    let address = match server {
        "" | "the API server" => known,
        given => Some(given),
    };
    address.map_or_else(|| "the API server".to_owned(), |a| format!("the API server at {a}"))
}

/// A client error as one sentence a person can act on. `server` is the API server's address,
/// or "the API server" when the caller does not have it (the last connected one is named then).
pub fn describe_client_error(e: &kube::Error, server: &str) -> (FailureKind, String) {
    let known = SERVER.read().ok().and_then(|s| s.clone());
    // "the API server at ADDRESS" and, to start a sentence, "The API server at ADDRESS".
    let at = server_phrase(server, known.as_deref());
    let the = at.replacen("the", "The", 1);
    if let kube::Error::Api(status) = e {
        let msg = crate::text::sanitize(&status.message);
        let text = match status.code {
            401 => format!("{the} rejected our credentials (401 Unauthorized): log in again or pick another context."),
            403 => format!("forbidden: {msg}"),
            _ => format!("{msg} ({} {})", status.code, status.reason),
        };
        return (FailureKind::Refused, text);
    }
    let chain = crate::text::sanitize(&error_chain(e));
    let lower = chain.to_lowercase();
    let text = if lower.contains("connection refused") {
        format!("Cannot reach {at}: connection refused. Is the cluster running?")
    } else if lower.contains("timed out") || lower.contains("deadline") {
        format!("{the} did not answer in time ({chain}).")
    } else if lower.contains("certificate") || lower.contains("tls") {
        format!("TLS with {at} failed ({chain}): check the certificate-authority in your kubeconfig.")
    } else if let kube::Error::Auth(_) = e {
        format!(
            "Getting credentials for {at} failed ({chain}): check the user entry or exec plugin in your kubeconfig."
        )
    } else {
        format!("Cannot talk to {at}: {chain}.")
    };
    (FailureKind::Unreachable, text)
}

/// What kubedeck was doing when a request failed, in the user's words: the verb (get, list,
/// watch, create, patch, delete), the object ("HPAs", "deploy/backend") and the namespace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt<'a> {
    pub verb: &'a str,
    pub object: &'a str,
    pub namespace: Option<&'a str>,
}

impl<'a> Attempt<'a> {
    pub fn new(verb: &'a str, object: &'a str, namespace: &'a str) -> Attempt<'a> {
        Attempt {
            verb,
            object,
            namespace: Some(namespace),
        }
    }

    /// "list HPAs in todo".
    fn phrase(&self) -> String {
        match self.namespace {
            Some(ns) => format!("{} {} in {ns}", self.verb, self.object),
            None => format!("{} {}", self.verb, self.object),
        }
    }
}

/// Turns a failed request into one sentence: what could not be done to what, why, and what to do.
/// The one place a `kube::Error` becomes text for a person (its `Display` includes a `Debug` dump
/// of the API's Status, which must never reach the user).
pub fn explain(e: &kube::Error, attempt: Attempt<'_>) -> String {
    let doing = attempt.phrase();
    let kube::Error::Api(status) = e else {
        let (_, why) = describe_client_error(e, "the API server");
        return format!("cannot {doing}: {}", why.trim_end_matches('.'));
    };
    let msg = crate::text::sanitize(&status.message);
    let code = status.code;
    let reason = crate::text::sanitize(&status.reason);
    let missing_namespace = attempt
        .namespace
        .filter(|ns| code == 404 && msg.contains(&format!("namespaces \"{ns}\" not found")));
    match code {
        401 => format!(
            "the API server rejected kubedeck's credentials when trying to {doing} (401 Unauthorized); \
             log in again (the token may have expired) or pick another context"
        ),
        403 => {
            let resource = status
                .details
                .as_ref()
                .filter(|d| !d.kind.is_empty())
                .map(|d| crate::text::sanitize(&d.kind))
                .unwrap_or_else(|| attempt.object.to_owned());
            let verbs = match attempt.verb {
                "list" | "get" => "get/list",
                "watch" => "list/watch",
                other => other,
            };
            let place = attempt.namespace.map(|ns| format!(" in {ns}")).unwrap_or_default();
            format!("you cannot {doing} (RBAC: {msg}); ask for {verbs} on {resource}{place}")
        }
        404 if missing_namespace.is_some() => format!(
            "cannot {doing}: namespace {} does not exist; create it or pick another with -n NAMESPACE",
            missing_namespace.unwrap_or_default()
        ),
        404 => format!("cannot {doing}: it does not exist ({msg}); check the name"),
        409 => format!("cannot {doing}: {msg} (409 Conflict); something else changed it at the same time, try again"),
        410 => format!("cannot {doing}: {msg} (410 Gone); what kubedeck read has expired, try again"),
        400 | 422 => format!("cannot {doing}: the API server calls it invalid: {msg}"),
        429 | 500..=599 => format!(
            "the API server could not {doing}: {msg} ({code} {reason}); it is overloaded or failing, try again in a moment"
        ),
        _ => format!("cannot {doing}: {msg} ({code} {reason})"),
    }
}

/// `map_err(failed_to(attempt))` in a chain of requests.
pub fn failed_to<'a>(attempt: Attempt<'a>) -> impl Fn(kube::Error) -> String + 'a {
    move |e| explain(&e, attempt)
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

#[cfg(test)]
mod tests {
    use kube::core::Status;
    use kube::core::response::StatusDetails;

    use super::*;

    fn forbidden() -> kube::Error {
        let mut status = Status::failure(
            "horizontalpodautoscalers.autoscaling is forbidden: User \"system:serviceaccount:todo:viewer\" \
             cannot list resource \"horizontalpodautoscalers\" in API group \"autoscaling\" in the namespace \"todo\"",
            "Forbidden",
        )
        .with_code(403);
        status.details = serde_json::from_value::<StatusDetails>(
            serde_json::json!({"kind": "horizontalpodautoscalers", "group": "autoscaling"}),
        )
        .ok();
        kube::Error::Api(status.boxed())
    }

    #[test]
    fn a_forbidden_list_is_one_sentence_with_the_way_out() {
        let text = explain(&forbidden(), Attempt::new("list", "HPAs", "todo"));
        assert!(
            text.starts_with("you cannot list HPAs in todo (RBAC: horizontalpodautoscalers.autoscaling is forbidden"),
            "{text}"
        );
        assert!(
            text.ends_with("; ask for get/list on horizontalpodautoscalers in todo"),
            "{text}"
        );
        // kube's own Display of the same error dumps the Status with Debug formatting.
        assert!(forbidden().to_string().contains("Status {"));
        for leak in ["Status {", "Some(", "ListMeta", "\n"] {
            assert!(!text.contains(leak), "{leak} in {text}");
        }
    }

    #[test]
    fn a_timeout_names_the_server_once_and_by_its_address_when_known() {
        let timeout = || {
            kube::Error::Service(Box::new(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "operation timed out",
            )))
        };
        let (kind, text) = describe_client_error(&timeout(), "https://10.0.0.1:6443");
        assert_eq!(kind, FailureKind::Unreachable);
        assert!(
            text.starts_with("The API server at https://10.0.0.1:6443 did not answer in time (")
                && text.contains("operation timed out"),
            "{text}"
        );
        assert_eq!(server_phrase("the API server", None), "the API server");
        assert_eq!(
            server_phrase("the API server", Some("https://127.0.0.1:6443")),
            "the API server at https://127.0.0.1:6443"
        );
        let text = explain(&timeout(), Attempt::new("get", "deploy/backend", "todo"));
        assert!(
            text.starts_with("cannot get deploy/backend in todo: The API server"),
            "{text}"
        );
        assert!(text.contains("did not answer in time"), "{text}");
        assert!(!text.contains("at the API server"), "{text}");
    }

    #[test]
    fn each_answer_says_what_to_do() {
        let api = |code: u16, message: &str, reason: &str| {
            kube::Error::Api(Status::failure(message, reason).with_code(code).boxed())
        };
        let attempt = Attempt::new("patch", "deploy/backend", "todo");
        let cases = [
            (api(401, "Unauthorized", "Unauthorized"), "log in again"),
            (
                api(404, "namespaces \"todo\" not found", "NotFound"),
                "namespace todo does not exist",
            ),
            (
                api(404, "deployments.apps \"backend\" not found", "NotFound"),
                "check the name",
            ),
            (api(409, "the object has been modified", "Conflict"), "try again"),
            (
                api(422, "spec.replicas: Invalid value: -1", "Invalid"),
                "calls it invalid: spec.replicas",
            ),
            (
                api(503, "etcd is down \u{1b}[2J", "ServiceUnavailable"),
                "try again in a moment",
            ),
        ];
        for (e, want) in cases {
            let text = explain(&e, attempt);
            assert!(text.contains(want), "{want:?} not in {text}");
            assert!(text.contains("deploy/backend"), "{text}");
            assert!(!text.contains('\u{1b}') && !text.contains("Status {"), "{text}");
        }
    }
}
