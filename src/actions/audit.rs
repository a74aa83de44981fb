//! The audit log: one JSON line per mutating action (time, context, namespace, object, action,
//! result), appended in kubedeck's state folder so an on-call engineer can see what was done.
//! Each action writes a `started` line before it runs and its outcome after: a log that cannot
//! be written refuses the action, and one killed half-way still leaves its `started` line.

use std::io::Write;
use std::path::PathBuf;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct AuditEntry {
    pub time: String,
    pub context: String,
    pub namespace: String,
    pub object: String,
    pub action: String,
    pub result: String,
}

impl AuditEntry {
    /// What is written before the action runs, in place of its outcome.
    pub const STARTED: &'static str = "started";

    pub fn new(context: &str, namespace: &str, object: &str, action: &str, result: &Result<String, String>) -> Self {
        AuditEntry {
            time: jiff::Timestamp::now().to_string(),
            context: context.into(),
            namespace: namespace.into(),
            object: object.into(),
            action: action.into(),
            result: match result {
                Ok(done) => format!("ok: {done}"),
                Err(why) => format!("failed: {why}"),
            },
        }
    }
}

/// kubedeck's state folder: `KUBEDECK_STATE_DIR`, else the platform's (e.g. `~/.local/state/kubedeck`).
pub fn state_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("KUBEDECK_STATE_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(dir));
    }
    let dirs = directories::ProjectDirs::from("", "", "kubedeck")?;
    Some(dirs.state_dir().unwrap_or_else(|| dirs.data_local_dir()).to_path_buf())
}

/// The audit log, in the state folder.
pub fn log_path() -> Option<PathBuf> {
    Some(state_dir()?.join("audit.log"))
}

/// The entry written before the action runs.
pub fn started(context: &str, namespace: &str, object: &str, action: &str) -> AuditEntry {
    AuditEntry {
        result: AuditEntry::STARTED.into(),
        ..AuditEntry::new(context, namespace, object, action, &Ok(String::new()))
    }
}

/// Appends one entry, and makes sure it reached the disk's cache: a full disk or a read-only
/// folder fails here, in a sentence naming the file.
pub fn record(entry: &AuditEntry) -> Result<(), String> {
    let path = log_path().ok_or("no state folder for the audit log (set KUBEDECK_STATE_DIR)")?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{e}, creating {}", dir.display()))?;
    }
    let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("{e}, opening {}", path.display()))?;
    writeln!(file, "{line}")
        .and_then(|()| file.flush())
        .map_err(|e| format!("{e}, writing {}", path.display()))
}
