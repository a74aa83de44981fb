//! The chart rendered for a request, and the values the user gave, as a revision keeps them.

use kube::Client;
use serde_json::{Map, Value};

use super::DeployRequest;
use crate::chart::{self, Lookup, RenderOptions, Rendered};
use crate::cluster::capabilities;

/// The chart loaded and rendered for `revision` against the cluster behind `client`: its
/// version and APIs in `.Capabilities`, and `lookup` reading it. The plan renders the same way,
/// as `helm install --dry-run=server` does (it is a server-side dry run); only `kubedeck
/// template`, which has no cluster, sees the defaults and an empty `lookup`, as `helm template`.
pub(super) async fn render(
    client: &Client,
    req: &DeployRequest,
    revision: i32,
    upgrade: bool,
) -> Result<(chart::Chart, Rendered), String> {
    if req.helm_renderer {
        return render_offline(req, revision, upgrade, None);
    }
    let live = capabilities::discover(client).await?;
    let opts = LiveOptions {
        kube_version: live.kube_version,
        api_versions: live.api_versions,
        lookup: Some(live_lookup(client)),
    };
    let req = req.clone();
    tokio::task::spawn_blocking(move || render_offline(&req, revision, upgrade, Some(opts)))
        .await
        .map_err(|e| format!("rendering the chart stopped: {e}"))?
}

/// What the live cluster adds to a render.
struct LiveOptions {
    kube_version: String,
    api_versions: Vec<String>,
    lookup: Option<Lookup>,
}

/// `lookup` answered by the cluster. The renderer is synchronous and runs on a blocking thread
/// (see `render`), so each call waits there for its request on the runtime.
fn live_lookup(client: &Client) -> Lookup {
    let (client, runtime) = (client.clone(), tokio::runtime::Handle::current());
    Lookup::new(move |q| {
        runtime.block_on(capabilities::lookup(
            &client,
            &q.api_version,
            &q.kind,
            &q.namespace,
            &q.name,
        ))
    })
}

/// The chart rendered by kubedeck's renderer (with what the live cluster adds, when given) or,
/// when asked, helm's.
fn render_offline(
    req: &DeployRequest,
    revision: i32,
    upgrade: bool,
    live: Option<LiveOptions>,
) -> Result<(chart::Chart, Rendered), String> {
    let loaded = chart::load_chart(&req.chart_dir).map_err(|e| e.to_string())?;
    let base = base_mapping(req);
    if req.helm_renderer && !base.is_empty() {
        return Err("reusing a revision's values needs kubedeck's own renderer: leave out --renderer helm".into());
    }
    let rendered = if req.helm_renderer {
        chart::render_with_helm(
            &req.chart_dir,
            &req.release,
            &req.namespace,
            &req.values_files,
            &req.set,
        )
    } else {
        let opts = RenderOptions {
            release_name: req.release.clone(),
            namespace: req.namespace.clone(),
            values_files: req.values_files.clone(),
            set: req.set.clone(),
            base,
            is_upgrade: upgrade,
            revision: revision.max(1) as u32,
            ..RenderOptions::default()
        };
        let opts = match live {
            Some(live) => RenderOptions {
                kube_version: Some(live.kube_version),
                api_versions: live.api_versions,
                lookup: live.lookup,
                ..opts
            },
            None => opts,
        };
        chart::render(&loaded, &opts)
    }
    .map_err(|e| e.to_string())?;
    Ok((loaded, rendered))
}

/// The values the user gave (files and `--set`), without the chart's defaults: what Helm keeps
/// as the release's config and `helm get values` prints.
pub(super) fn user_values(req: &DeployRequest) -> Result<Map<String, Value>, String> {
    let opts = RenderOptions {
        values_files: req.values_files.clone(),
        set: req.set.clone(),
        base: base_mapping(req),
        ..RenderOptions::default()
    };
    let merged = chart::user_values(&opts).map_err(|e| e.to_string())?;
    Ok(serde_json::to_value(merged)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default())
}

/// The reused values as the renderer takes them.
fn base_mapping(req: &DeployRequest) -> serde_yaml::Mapping {
    serde_yaml::to_value(&req.base_values)
        .ok()
        .and_then(|v| v.as_mapping().cloned())
        .unwrap_or_default()
}
