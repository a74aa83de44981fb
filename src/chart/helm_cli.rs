//! The `--renderer helm` path: run `helm template` from PATH and read its output into the same shape.

use super::manifest::{assemble, split_documents};
use super::{ChartError, KUBE_VERSION, Rendered};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Renders with the `helm` binary on PATH (`helm template`), for charts kubedeck's renderer cannot handle.
pub fn render_with_helm(
    chart_dir: &Path,
    release: &str,
    namespace: &str,
    values_files: &[PathBuf],
    sets: &[String],
) -> Result<Rendered, ChartError> {
    let mut cmd = Command::new("helm");
    cmd.arg("template")
        .arg(release)
        .arg(chart_dir)
        .args(["--namespace", namespace, "--kube-version", KUBE_VERSION]);
    for f in values_files {
        cmd.arg("--values").arg(f);
    }
    for s in sets {
        cmd.arg("--set").arg(s);
    }
    let out = cmd.output().map_err(|e| ChartError::Helm {
        reason: format!("could not run helm ({e}); install helm on PATH or use the built-in renderer"),
    })?;
    if !out.status.success() {
        return Err(ChartError::Helm {
            reason: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    parse_helm_output(&String::from_utf8_lossy(&out.stdout))
}

/// Splits `helm template` output (`---\n# Source: path\n...` blocks) back into objects and hooks.
pub fn parse_helm_output(text: &str) -> Result<Rendered, ChartError> {
    let mut docs = Vec::new();
    for block in text.split("\n---\n").flat_map(|b| b.split("---\n")) {
        let Some(rest) = block.trim_start().strip_prefix("# Source: ") else {
            continue;
        };
        let (source, body) = rest.split_once('\n').unwrap_or((rest, ""));
        docs.extend(split_documents(source.trim(), body)?);
    }
    let (manifest, objects, hooks) = assemble(docs);
    Ok(Rendered {
        manifest,
        objects,
        hooks,
        notes: String::new(),
    })
}
