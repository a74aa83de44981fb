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
    // helm reads a folder: the embedded chart is written out for it first.
    let exported = super::bundled::is_embedded(chart_dir)
        .then(ExportedChart::new)
        .transpose()?;
    let on_disk = |path: &Path| match (&exported, path.strip_prefix(super::BUNDLED_CHART)) {
        (Some(e), Ok(inner)) => e.dir.join(inner),
        _ => path.to_path_buf(),
    };
    let mut cmd = Command::new("helm");
    cmd.arg("template").arg(release).arg(on_disk(chart_dir)).args([
        "--namespace",
        namespace,
        "--kube-version",
        KUBE_VERSION,
    ]);
    for f in values_files {
        cmd.arg("--values").arg(on_disk(f));
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

/// The embedded chart written to a private temporary folder for helm, removed when dropped.
struct ExportedChart {
    dir: PathBuf,
    _folder: tempfile::TempDir,
}

impl ExportedChart {
    fn new() -> Result<Self, ChartError> {
        let folder = tempfile::Builder::new()
            .prefix("kubedeck-chart-")
            .tempdir()
            .map_err(|e| ChartError::Helm {
                reason: format!("cannot create a temporary folder for the chart ({e}); check TMPDIR"),
            })?;
        let dir = folder.path().join("todo-chatbot");
        super::bundled::export(&dir).map_err(|reason| ChartError::Helm { reason })?;
        Ok(Self { dir, _folder: folder })
    }
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
