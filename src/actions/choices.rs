//! The dashboard's last deploy choice per kube context (release, chart, values: the `d` line),
//! kept in kubedeck's state folder as `deploy-choices.json`, so `d` offers it again next time.

use std::collections::BTreeMap;
use std::path::PathBuf;

fn path() -> Option<PathBuf> {
    Some(super::audit::state_dir()?.join("deploy-choices.json"))
}

/// Every context's last line; empty when there is none yet (or the file cannot be read: it is
/// only a convenience, and the next save writes it anew).
pub fn load() -> BTreeMap<String, String> {
    path()
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default()
}

/// Records `line` as the last deploy choice on `context`.
pub fn remember(context: &str, line: &str) -> Result<(), String> {
    let path = path().ok_or("no state folder to remember the deploy choice in (set KUBEDECK_STATE_DIR)")?;
    let mut all = load();
    all.insert(context.to_owned(), line.to_owned());
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    }
    let temporary = path.with_extension("json.new");
    std::fs::write(&temporary, text)
        .and_then(|()| std::fs::rename(&temporary, &path))
        .map_err(|e| format!("cannot remember the deploy choice in {}: {e}", path.display()))
}
