//! The chart that ships with kubedeck, and how a values name (`local`, `staging`...) or path
//! becomes a values file.

use std::path::{Path, PathBuf};

/// The chart that ships with kubedeck.
pub const BUNDLED_CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

/// The values file `spec` names: `values-<spec>.yaml` in the chart, else `spec` as a path.
pub fn values_file(chart: &Path, spec: &str) -> Result<PathBuf, String> {
    let named = chart.join(format!("values-{spec}.yaml"));
    if named.is_file() {
        return Ok(named);
    }
    let path = PathBuf::from(spec);
    if path.is_file() {
        return Ok(path);
    }
    Err(format!(
        "no values {spec:?}: neither {} nor a file of that name exists (use local, staging, production or a path)",
        named.display()
    ))
}
