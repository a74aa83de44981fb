//! The chart rendered for a request, and the values the user gave, as a revision keeps them.

use serde_json::{Map, Value};

use super::DeployRequest;
use crate::chart::{self, RenderOptions, Rendered};

/// The chart loaded and rendered for `revision`, by kubedeck's renderer or, when asked, helm's.
pub(super) fn render(req: &DeployRequest, revision: i32, upgrade: bool) -> Result<(chart::Chart, Rendered), String> {
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
