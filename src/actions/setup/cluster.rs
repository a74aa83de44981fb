//! The wizard's steps that talk to the cluster through kube-rs (no kubectl at run time): wait for
//! the addons' pods, create the app's Secret, deploy the chart, and ask the ingress over HTTP.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::{Namespace, Pod, Secret};
use kube::api::{ListParams, Patch, PatchParams, PostParams};
use kube::{Api, Client};

use super::{RELEASE, SECRET_NAME, SecretValues};
use crate::actions::audit::{self, AuditEntry};
use crate::actions::deploy::{self, DeployRequest, FIELD_MANAGER, Progress};
use crate::cluster::{ConnectOptions, load_config};

/// A client for the context the wizard works on (minikube's, once `minikube start` set it).
async fn connect(opts: &ConnectOptions) -> Result<(Client, String), String> {
    let (target, config) = load_config(opts).await.map_err(|p| format!("{} {}", p.what, p.fix))?;
    let client = Client::try_from(config).map_err(|e| format!("cannot set up a client for {}: {e}", target.server))?;
    Ok((client, target.context))
}

/// Pods to wait for: a name for people, a namespace and a label selector.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodGroup {
    pub what: String,
    pub namespace: String,
    pub selector: String,
}

/// The addons' pods, where minikube deploys them.
pub fn addon_pods() -> Vec<PodGroup> {
    [
        (
            "ingress controller",
            "ingress-nginx",
            "app.kubernetes.io/component=controller",
        ),
        ("metrics-server", "kube-system", "k8s-app=metrics-server"),
    ]
    .into_iter()
    .map(|(what, ns, selector)| PodGroup {
        what: what.into(),
        namespace: ns.into(),
        selector: selector.into(),
    })
    .collect()
}

pub const ADDON_TIMEOUT: Duration = Duration::from_secs(300);

/// Waits until every group has pods and all of them are Ready. Polls every two seconds: a
/// short, one-off wait where a watch would add nothing.
pub async fn wait_for_pods(
    opts: &ConnectOptions,
    groups: &[PodGroup],
    timeout: Duration,
    out: Progress<'_>,
) -> Result<String, String> {
    let (client, context) = connect(opts).await?;
    out(format!("waiting for the addons' pods on context {context} ..."));
    let started = Instant::now();
    let mut last = String::new();
    loop {
        let mut all_ready = true;
        let mut report = Vec::new();
        for g in groups {
            let pods = Api::<Pod>::namespaced(client.clone(), &g.namespace)
                .list(&ListParams::default().labels(&g.selector))
                .await
                .map_err(|e| {
                    let object = format!("the {} pods", g.what);
                    let why = crate::cluster::explain(&e, crate::cluster::Attempt::new("list", &object, &g.namespace));
                    format!("{why}; is minikube running? Press r to retry")
                })?;
            let ready = pods.items.iter().filter(|p| pod_ready(p)).count();
            all_ready &= ready > 0 && ready == pods.items.len();
            report.push(format!("{} {ready}/{} ready", g.what, pods.items.len()));
        }
        let line = report.join(", ");
        if line != last {
            out(format!("{line} ({}s)", started.elapsed().as_secs()));
            last = line;
        }
        if all_ready {
            return Ok(format!("{last} after {}s", started.elapsed().as_secs()));
        }
        if started.elapsed() > timeout {
            return Err(format!(
                "the pods were not ready after {}s ({last}): look at them with `kubedeck -A`, then press r to wait again",
                timeout.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
}

fn pod_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

/// The chart's name for the in-cluster PostgreSQL service of release `todo`.
const IN_CLUSTER_DB_HOST: &str = "todo-todo-chatbot-postgresql";

/// Creates (or updates) the namespace and the Secret the chart reads through `existingSecret`.
/// Passwords the wizard made up before (Redis, PostgreSQL) are kept, so a data volume that was
/// initialised with them still opens.
pub async fn create_secret(
    opts: &ConnectOptions,
    namespace: &str,
    values: &SecretValues,
    out: Progress<'_>,
) -> Result<String, String> {
    let (client, context) = connect(opts).await?;
    let ns: Namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": namespace}}))
        .map_err(|e| format!("namespace {namespace}: {e}"))?;
    match Api::<Namespace>::all(client.clone())
        .create(&PostParams::default(), &ns)
        .await
    {
        Ok(_) => out(format!("created namespace {namespace} on context {context}")),
        Err(kube::Error::Api(s)) if s.code == 409 => out(format!("namespace {namespace} exists")),
        Err(e) => return Err(secret_failure("create", namespace, &e)),
    }
    let api = Api::<Secret>::namespaced(client, namespace);
    let existing = api
        .get_opt(SECRET_NAME)
        .await
        .map_err(|e| secret_failure("get", namespace, &e))?;
    let kept = |key: &str| -> Result<String, String> {
        let old = existing
            .as_ref()
            .and_then(|s| s.data.as_ref())
            .and_then(|d| d.get(key))
            .and_then(|v| String::from_utf8(v.0.clone()).ok())
            .filter(|v| !v.is_empty());
        match old {
            Some(v) => Ok(v),
            None => super::random_hex(16),
        }
    };
    let mut data = BTreeMap::new();
    let redis = kept("REDIS_PASSWORD")?;
    data.insert("REDIS_PASSWORD", redis);
    match &values.database_url {
        Some(url) => {
            data.insert("DATABASE_URL", url.clone());
        }
        None => {
            let pg = kept("POSTGRES_PASSWORD")?;
            data.insert(
                "DATABASE_URL",
                format!("postgresql://todo:{pg}@{IN_CLUSTER_DB_HOST}:5432/todo"),
            );
            data.insert("POSTGRES_PASSWORD", pg);
        }
    }
    data.insert("OPENAI_API_KEY", values.openai_api_key.clone());
    data.insert("BETTER_AUTH_SECRET", values.better_auth_secret.clone());
    data.insert("BETTER_AUTH_URL", "http://todo.local".into());
    let keys: Vec<&str> = data.keys().copied().collect();
    let secret = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": SECRET_NAME,
            "namespace": namespace,
            "labels": {"app.kubernetes.io/managed-by": "kubedeck-setup", "app.kubernetes.io/part-of": "todo-chatbot"},
        },
        "type": "Opaque",
        "stringData": data,
    });
    api.patch(
        SECRET_NAME,
        &PatchParams::apply(FIELD_MANAGER).force(),
        &Patch::Apply(&secret),
    )
    .await
    .map_err(|e| secret_failure("apply", namespace, &e))?;
    out(format!("secret {SECRET_NAME} in {namespace} holds {}", keys.join(", ")));
    Ok(format!("secret {SECRET_NAME} created in {namespace}"))
}

/// A failed step of `create_secret` (creating the namespace, reading or applying the Secret).
fn secret_failure(verb: &str, namespace: &str, e: &kube::Error) -> String {
    let (object, attempt_in) = if verb == "create" {
        (format!("namespace {namespace}"), None)
    } else {
        (format!("secret {SECRET_NAME}"), Some(namespace))
    };
    let attempt = crate::cluster::Attempt {
        verb,
        object: &object,
        namespace: attempt_in,
    };
    format!("{}; press r to retry", crate::cluster::explain(e, attempt))
}

/// Deploys with the dashboard's deploy action and records it in the audit log like any deploy.
pub async fn deploy(opts: &ConnectOptions, req: &DeployRequest, out: Progress<'_>) -> Result<String, String> {
    let (client, context) = connect(opts).await?;
    out(format!(
        "deploying release {RELEASE} to namespace {} on context {context}",
        req.namespace
    ));
    let object = format!("release/{}", req.release);
    audit::record(&audit::started(&context, &req.namespace, &object, "deploy (setup)")).map_err(|e| {
        format!("deploy refused: the audit log cannot be written ({e}); free space or fix the folder, then press r")
    })?;
    let outcome = deploy::deploy(&client, req, out)
        .await
        .map(|rev| format!("release {} revision {rev} deployed", req.release))
        .map_err(|e| format!("{e}; press r to deploy again"));
    let entry = AuditEntry::new(&context, &req.namespace, &object, "deploy (setup)", &outcome);
    if let Err(e) = audit::record(&entry) {
        out(format!("audit log not written: {e}"));
    }
    outcome
}
