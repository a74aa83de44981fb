//! The chart rendered for a request, and the values the user gave, as a revision keeps them.

use kube::Client;
use serde_json::{Map, Value};
use serde_yaml::Mapping;

use super::DeployRequest;
use crate::chart::{self, LastRelease, Lookup, RenderOptions, Rendered, SuppliedValues};
use crate::cluster::capabilities;
use crate::cluster::releases::{Release, ReleaseStatus};

/// A request made ready: the chart as the revision records it, its rendering and the user's
/// values as helm keeps them (the release's `config`).
pub(super) struct Prepared {
    pub loaded: chart::Chart,
    pub rendered: Rendered,
    pub config: Map<String, Value>,
}

/// The chart loaded and rendered for `revision` against the cluster behind `client`: its
/// version and APIs in `.Capabilities`, and `lookup` reading it. The plan renders the same way,
/// as `helm install --dry-run=server` does (it is a server-side dry run); only `kubedeck
/// template`, which has no cluster, sees the defaults and an empty `lookup`, as `helm template`.
/// `history` is the release's so far: an upgrade meets the last release's values as helm's does.
/// Without a client (`--dry-run=client`), it renders as `template` does.
pub(super) async fn render(
    client: Option<&Client>,
    req: &DeployRequest,
    revision: i32,
    history: &[Release],
) -> Result<Prepared, String> {
    let Some(client) = client.filter(|_| !req.helm_renderer) else {
        return render_offline(req, revision, history, None);
    };
    let live = capabilities::discover(client).await?;
    let opts = LiveOptions {
        kube_version: live.kube_version,
        api_versions: live.api_versions,
        lookup: Some(live_lookup(client)),
    };
    let (req, history) = (req.clone(), history.to_vec());
    tokio::task::spawn_blocking(move || render_offline(&req, revision, &history, Some(opts)))
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
    history: &[Release],
    live: Option<LiveOptions>,
) -> Result<Prepared, String> {
    let mut loaded = chart::load_chart(&req.chart_dir).map_err(|e| e.to_string())?;
    let supplied = SuppliedValues {
        files: req.values_files.clone(),
        set_json: req.options.set_json.clone(),
        set: req.set.clone(),
        set_string: req.options.set_string.clone(),
        set_file: req.options.set_file.clone(),
        set_literal: req.options.set_literal.clone(),
    };
    let base = base_mapping(req);
    let given = chart::supplied_values(base.clone(), &supplied).map_err(|e| e.to_string())?;
    let last = upgraded(history);
    let (last_config, last_chart) = last
        .map(|r| (mapping(&r.config), r.chart.values.as_ref().map(mapping)))
        .unzip();
    let last_values = last_config.as_ref().map(|config| LastRelease {
        config,
        chart_values: last_chart.as_ref().and_then(Option::as_ref).unwrap_or(&loaded.values),
    });
    let (config, defaults) = chart::upgrade_values(req.options.reuse, given.clone(), last_values);
    if let Some(defaults) = defaults {
        loaded.values = defaults;
    }
    let upgrade = history
        .iter()
        .any(|r| r.info.status != Some(ReleaseStatus::Uninstalled));
    let rendered = if req.helm_renderer {
        let plain = base.is_empty() && supplied.is_files_and_set_only() && config == given;
        if !plain {
            return Err(
                "values beyond -f and --set (reused, --set-json, --set-string, --set-file, --set-literal) need \
                        kubedeck's own renderer: leave out --renderer helm"
                    .into(),
            );
        }
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
            base: config.clone(),
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
    let config = serde_json::to_value(config)
        .ok()
        .and_then(|v| v.as_object().cloned())
        .unwrap_or_default();
    Ok(Prepared {
        loaded,
        rendered,
        config,
    })
}

/// The release an upgrade starts from, as helm picks it: the deployed revision, else a last one
/// that failed or was superseded. None for an install.
fn upgraded(history: &[Release]) -> Option<&Release> {
    let last = history.last()?;
    history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
        .or_else(|| {
            matches!(
                last.info.status,
                Some(ReleaseStatus::Failed) | Some(ReleaseStatus::Superseded)
            )
            .then_some(last)
        })
}

fn mapping(values: &Map<String, Value>) -> Mapping {
    serde_yaml::to_value(values)
        .ok()
        .and_then(|v| v.as_mapping().cloned())
        .unwrap_or_default()
}

/// The reused values as the renderer takes them.
fn base_mapping(req: &DeployRequest) -> Mapping {
    mapping(&req.base_values)
}
