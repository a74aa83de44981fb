//! What is checked before a subcommand asks anything or changes anything: the namespace is
//! there, and so is the workload, pod or release the operation acts on.

use super::Connection;
use crate::actions::operate;
use crate::actions::operation::Operation;
use crate::actions::release_store::ReleaseStore;
use crate::cli::Command;

/// A typo in -n must not read as an empty, healthy namespace (status reports it itself).
pub(super) async fn check_namespace(cluster: &Connection, command: &Command) -> Result<(), String> {
    let namespace = cluster.namespace.as_str();
    match command {
        Command::Status { .. } => {}
        // --create-namespace creates it; the name must still be one.
        Command::Deploy(args) if args.create_namespace => {
            if let Some(problem) = crate::cluster::namespaces::name_problem(namespace) {
                return Err(problem);
            }
        }
        Command::Deploy(_) => crate::cluster::namespaces::check(&cluster.client, namespace)
            .await
            .map_err(|e| match e == crate::cluster::namespaces::missing(namespace) {
                true => format!(
                    "namespace {namespace} does not exist: pass --create-namespace to create it, or pick another with -n NAMESPACE"
                ),
                false => e,
            })?,
        _ => crate::cluster::namespaces::check(&cluster.client, namespace).await?,
    }
    Ok(())
}

/// The workload, pod or release an operation acts on is there; the sentence when it is not.
pub(super) async fn target_there(cluster: &Connection, operation: &Operation) -> Result<(), String> {
    let (client, namespace) = (&cluster.client, cluster.namespace.as_str());
    match operation {
        Operation::Scale { workload, .. } | Operation::Restart { workload, .. } => {
            operate::exists(client, namespace, workload).await
        }
        Operation::DeletePod { name, .. } => {
            kube::Api::<k8s_openapi::api::core::v1::Pod>::namespaced(client.clone(), namespace)
                .get(name)
                .await
                .map(drop)
                .map_err(|e| {
                    crate::cluster::explain(
                        &e,
                        crate::cluster::Attempt::new("get", &format!("pod {name}"), namespace),
                    )
                })
        }
        Operation::Rollback { release, .. } | Operation::Uninstall { release, .. } => {
            let history = ReleaseStore::new(client.clone(), namespace, release).history().await?;
            match history.is_empty() {
                true => Err(crate::actions::history::Refusal::NoSuchRelease(release.clone()).to_string()),
                false => Ok(()),
            }
        }
        _ => Ok(()),
    }
}
