//! The chart that ships with kubedeck, compiled into the binary so an installed or copied
//! kubedeck deploys without its source tree, and how a values name (`local`, `staging`...) or
//! path becomes a values file.
//!
//! The embedded chart is addressed by a path under [`BUNDLED_CHART`]; [`read_text`] and
//! [`is_file`] answer such paths from the binary and every other path from the disk, so the
//! rest of kubedeck handles `--chart PATH` and the embedded chart alike.

use include_dir::{Dir, include_dir};
use std::path::{Path, PathBuf};

static TREE: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/chart/todo-chatbot");

/// Where the embedded chart appears to be: no folder on disk, a name read from the binary.
pub const BUNDLED_CHART: &str = "(embedded)/todo-chatbot";

/// The path under the embedded chart that `path` names, if it names one.
fn embedded_part(path: &Path) -> Option<&Path> {
    path.strip_prefix(BUNDLED_CHART).ok()
}

/// Whether `path` is the embedded chart or a file or folder in it.
pub fn is_embedded(path: &Path) -> bool {
    embedded_part(path).is_some()
}

/// The text of a file of the embedded chart or on disk.
pub fn read_text(path: &Path) -> std::io::Result<String> {
    let Some(inner) = embedded_part(path) else {
        return std::fs::read_to_string(path);
    };
    let file = TREE
        .get_file(inner)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::NotFound, "the embedded chart has no such file"))?;
    file.contents_utf8()
        .map(str::to_owned)
        .ok_or_else(|| std::io::Error::new(std::io::ErrorKind::InvalidData, "the file is not UTF-8 text"))
}

/// Whether `path` is a file of the embedded chart or on disk.
pub fn is_file(path: &Path) -> bool {
    match embedded_part(path) {
        Some(inner) => TREE.get_file(inner).is_some(),
        None => path.is_file(),
    }
}

/// Every file under `dir` (of the embedded chart or on disk), by its path relative to `dir`,
/// in no particular order; empty when there is no such folder.
pub fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    match embedded_part(dir) {
        Some(inner) => {
            let found = if inner.as_os_str().is_empty() {
                Some(&TREE)
            } else {
                TREE.get_dir(inner)
            };
            if let Some(found) = found {
                embedded_files(found, inner, dir, &mut out);
            }
        }
        None => disk_files(dir, "", &mut out),
    }
    out
}

fn embedded_files(found: &Dir<'static>, inner: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    for file in found.files() {
        if let Ok(rel) = file.path().strip_prefix(inner) {
            out.push((rel.to_string_lossy().into_owned(), dir.join(rel)));
        }
    }
    for sub in found.dirs() {
        embedded_files(sub, inner, dir, out);
    }
}

fn disk_files(dir: &Path, prefix: &str, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let rel = format!("{prefix}{}", entry.file_name().to_string_lossy());
        if path.is_dir() {
            disk_files(&path, &format!("{rel}/"), out);
        } else {
            out.push((rel, path));
        }
    }
}

/// Writes the embedded chart into `dir` (created if missing) as a chart folder helm can use;
/// refuses to overwrite a file that is already there.
pub fn export(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if dir.exists() && !dir.is_dir() {
        return Err(format!(
            "{} is a file, not a folder: export into an empty or new folder",
            dir.display()
        ));
    }
    let mut written = Vec::new();
    for (rel, _) in files_under(Path::new(BUNDLED_CHART)) {
        let target = dir.join(&rel);
        if target.exists() {
            return Err(format!(
                "{} already exists: export into an empty or new folder",
                target.display()
            ));
        }
        written.push((rel, target));
    }
    written.sort();
    for (rel, target) in &written {
        let contents = TREE.get_file(rel).map(|f| f.contents()).unwrap_or_default();
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(target, contents).map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(written.into_iter().map(|(_, t)| t).collect())
}

/// The values file `spec` names: `values-<spec>.yaml` in the chart, else `spec` as a path.
pub fn values_file(chart: &Path, spec: &str) -> Result<PathBuf, String> {
    let named = chart.join(format!("values-{spec}.yaml"));
    if is_file(&named) {
        return Ok(named);
    }
    let path = PathBuf::from(spec);
    if path.is_file() {
        return Ok(path);
    }
    let mut names: Vec<String> = files_under(chart)
        .into_iter()
        .filter_map(|(rel, _)| Some(rel.strip_prefix("values-")?.strip_suffix(".yaml")?.to_owned()))
        .filter(|name| !name.contains('/'))
        .collect();
    names.sort();
    let looks_like_path = spec.contains(std::path::MAIN_SEPARATOR) || spec.ends_with(".yaml") || spec.ends_with(".yml");
    if looks_like_path {
        let what = if path.exists() {
            "is not a file"
        } else {
            "does not exist"
        };
        let here = std::env::current_dir()
            .map(|d| format!(" (in {})", d.display()))
            .unwrap_or_default();
        return Err(format!(
            "no values file {spec:?}: it {what}{}: give a values file's path, or one of the chart's: {}",
            if path.is_relative() { here } else { String::new() },
            names.join(", ")
        ));
    }
    names.push("a path".into());
    Err(format!(
        "no values {spec:?}: neither {} nor a file of that name exists (use {})",
        named.display(),
        names.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_chart_holds_the_source_tree_files() {
        let source = Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/chart/todo-chatbot");
        let mut ours: Vec<String> = files_under(Path::new(BUNDLED_CHART)).into_iter().map(|f| f.0).collect();
        let mut on_disk = Vec::new();
        disk_files(&source, "", &mut on_disk);
        let mut theirs: Vec<String> = on_disk.into_iter().map(|f| f.0).collect();
        ours.sort();
        theirs.sort();
        assert_eq!(ours, theirs);
        let values = values_file(Path::new(BUNDLED_CHART), "production").unwrap();
        assert_eq!(
            read_text(&values).unwrap(),
            std::fs::read_to_string(source.join("values-production.yaml")).unwrap()
        );
    }

    #[test]
    fn unknown_values_name_says_what_to_use() {
        let err = values_file(Path::new(BUNDLED_CHART), "prod").unwrap_err();
        assert!(err.contains("use local, production, sim, staging, a path"), "{err}");
        // A path that is not there is named as a path, not as the chart's `values-nope.yaml.yaml`.
        let err = values_file(Path::new(BUNDLED_CHART), "nope.yaml").unwrap_err();
        assert!(
            err.starts_with("no values file \"nope.yaml\": it does not exist (in /"),
            "{err}"
        );
        assert!(
            err.ends_with("or one of the chart's: local, production, sim, staging"),
            "{err}"
        );
        assert!(!err.contains("values-nope"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let err = values_file(Path::new(BUNDLED_CHART), &dir.path().display().to_string()).unwrap_err();
        assert!(err.contains("it is not a file: give"), "{err}");
        assert!(read_text(Path::new("(embedded)/todo-chatbot/nope.yaml")).is_err());
    }

    #[test]
    fn export_writes_every_file_and_refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let written = export(dir.path()).unwrap();
        assert!(written.contains(&dir.path().join("templates/_helpers.tpl")));
        assert!(dir.path().join("Chart.yaml").is_file());
        let err = export(dir.path()).unwrap_err();
        assert!(err.contains("already exists"), "{err}");
    }
}
