//! What the API server offers, as Helm's `.Capabilities` sees it (server version and
//! discovery), and Helm's `lookup`: one object, or a list, read as the server returns it.

use std::collections::BTreeSet;

use futures::future::join_all;
use kube::Client;
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::GroupVersionKind;
use kube::discovery::{Scope, pinned_kind};

use super::{Attempt, explain};

/// The server's version and what discovery lists, in Helm's spelling.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerCapabilities {
    /// `gitVersion`, e.g. `v1.36.3`.
    pub kube_version: String,
    /// Every group/version (`apps/v1`) and every kind served at it (`apps/v1/Deployment`), as
    /// helm's `GetVersionSet` builds them; sorted.
    pub api_versions: Vec<String>,
}

/// Asks the server for its version and runs discovery. A group/version whose resources cannot
/// be listed (an aggregated API that is down) is kept without its kinds, as helm does.
pub async fn discover(client: &Client) -> Result<ServerCapabilities, String> {
    let info = client.apiserver_version().await.map_err(|e| {
        explain(
            &e,
            Attempt {
                verb: "get",
                object: "the server version",
                namespace: None,
            },
        )
    })?;
    let core = client.list_core_api_versions().await.map_err(|e| {
        explain(
            &e,
            Attempt {
                verb: "list",
                object: "the served API versions",
                namespace: None,
            },
        )
    })?;
    let groups = client.list_api_groups().await.map_err(|e| {
        explain(
            &e,
            Attempt {
                verb: "list",
                object: "the served API groups",
                namespace: None,
            },
        )
    })?;
    let mut versions: Vec<String> = core.versions;
    versions.extend(
        groups
            .groups
            .into_iter()
            .flat_map(|g| g.versions)
            .map(|v| v.group_version),
    );
    let resources = join_all(versions.iter().map(|gv| async move {
        if gv.contains('/') {
            client.list_api_group_resources(gv).await
        } else {
            client.list_core_api_resources(gv).await
        }
    }))
    .await;
    let mut all: BTreeSet<String> = versions.iter().cloned().collect();
    for (gv, list) in versions.iter().zip(resources) {
        for resource in list.map(|l| l.resources).unwrap_or_default() {
            all.insert(format!("{gv}/{}", resource.kind));
        }
    }
    Ok(ServerCapabilities {
        kube_version: info.git_version,
        api_versions: all.into_iter().collect(),
    })
}

/// Helm's `lookup`: the named object, or with an empty `name` the list of them (in `namespace`,
/// or everywhere when it is empty), as JSON. `None` when the object or its kind does not exist.
pub async fn lookup(
    client: &Client,
    api_version: &str,
    kind: &str,
    namespace: &str,
    name: &str,
) -> Result<Option<serde_json::Value>, String> {
    let (group, version) = api_version.rsplit_once('/').unwrap_or(("", api_version));
    let gvk = GroupVersionKind::gvk(group, version, kind);
    let object = format!("{kind} {name}");
    let attempt = Attempt {
        verb: if name.is_empty() { "list" } else { "get" },
        object: if name.is_empty() { kind } else { &object },
        namespace: (!namespace.is_empty()).then_some(namespace),
    };
    let (resource, caps) = match pinned_kind(client, &gvk).await {
        Ok(found) => found,
        Err(kube::Error::Api(status)) if status.code == 404 => return Ok(None),
        Err(kube::Error::Discovery(_)) => return Ok(None),
        Err(e) => return Err(explain(&e, attempt)),
    };
    let api: Api<DynamicObject> = match caps.scope {
        Scope::Namespaced if !namespace.is_empty() => Api::namespaced_with(client.clone(), namespace, &resource),
        _ => Api::all_with(client.clone(), &resource),
    };
    let found = if name.is_empty() {
        let list = api
            .list(&ListParams::default())
            .await
            .map_err(|e| explain(&e, attempt))?;
        let items: Vec<serde_json::Value> = list
            .items
            .into_iter()
            .map(|mut item| {
                item.types = Some(kube::core::TypeMeta {
                    api_version: api_version.to_owned(),
                    kind: kind.to_owned(),
                });
                serde_json::to_value(item).unwrap_or_default()
            })
            .collect();
        Some(serde_json::json!({
            "apiVersion": api_version,
            "kind": format!("{kind}List"),
            "metadata": list.metadata,
            "items": items,
        }))
    } else {
        let got = api.get_opt(name).await.map_err(|e| explain(&e, attempt))?;
        got.map(|o| serde_json::to_value(o).unwrap_or_default())
    };
    Ok(found)
}
