//! The wizard's progress file (`setup.json` in kubedeck's state folder): which steps are done or
//! skipped and the choices made, so running `kubedeck setup` again resumes. It never holds a
//! secret value: only that the Secret was created, and where.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{ImageChoice, MinikubeSettings, StepId};

/// How a step ended, as remembered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SavedStatus {
    Done,
    Skipped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedStep {
    pub status: SavedStatus,
    /// When it finished (RFC 3339).
    pub at: String,
}

/// Which database DATABASE_URL points at; the deploy enables the in-cluster one or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DatabaseChoice {
    InCluster,
    External,
}

/// Where the Secret was created: names only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecretRecord {
    pub name: String,
    pub namespace: String,
    pub database: DatabaseChoice,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SavedProgress {
    #[serde(default)]
    pub steps: BTreeMap<StepId, SavedStep>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minikube: Option<MinikubeSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub images: Option<ImageChoice>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<SecretRecord>,
}

/// `setup.json` in the state folder.
pub fn path() -> Option<PathBuf> {
    Some(crate::actions::audit::state_dir()?.join("setup.json"))
}

/// Reads the progress; a missing file is a first run.
pub fn load(path: &Path) -> Result<SavedProgress, String> {
    match std::fs::read_to_string(path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            format!(
                "{} is not a progress file kubedeck can read ({e}); starting from the first step (delete it to silence this)",
                path.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(SavedProgress::default()),
        Err(e) => Err(format!("cannot read {}: {e}; starting from the first step", path.display())),
    }
}

/// Writes through a temporary file and a rename, so an interrupted write never leaves a
/// half-written file that the next run would refuse.
pub fn save(path: &Path, progress: &SavedProgress) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(progress).map_err(|e| e.to_string())?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(|e| format!("writing {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path).map_err(|e| format!("replacing {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_tolerates_a_missing_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("state/setup.json");
        assert_eq!(load(&file), Ok(SavedProgress::default()));
        let mut p = SavedProgress::default();
        p.steps.insert(
            StepId::Tools,
            SavedStep {
                status: SavedStatus::Done,
                at: "2025-01-01T00:00:00Z".into(),
            },
        );
        p.minikube = Some(MinikubeSettings::default());
        save(&file, &p).unwrap();
        assert_eq!(load(&file), Ok(p));
        std::fs::write(&file, "{not json").unwrap();
        assert!(load(&file).unwrap_err().contains("starting from the first step"));
    }
}
