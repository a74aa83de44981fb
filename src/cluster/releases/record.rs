//! Helm's release record (helm.sh/helm/v3 pkg/release and pkg/chart) as serde types, field for
//! field with Helm's JSON names and omitempty rules, so a record read from the cluster can be
//! written back and real `helm` still reads it. Every struct keeps the fields it does not know in
//! `extra`, so nothing is lost on the way through.

use std::collections::BTreeMap;
use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::cluster::pods::Health;

/// One revision of a release: what `helm install`, `upgrade` and `rollback` store.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Release {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub info: Info,
    #[serde(default, deserialize_with = "null_as_default")]
    pub chart: Chart,
    /// The values the user supplied (`--set`, `-f`); the chart's defaults are in `chart.values`.
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Map::is_empty")]
    pub config: Map<String, Value>,
    /// The rendered templates, hooks excluded.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<Hook>,
    /// The revision number, from 1.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: i32,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub namespace: String,
    /// The storage Secret's labels other than Helm's own; Helm keeps them out of the JSON.
    #[serde(skip)]
    pub labels: BTreeMap<String, String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// When and how a revision was deployed.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Info {
    // Helm's omitempty has no effect on its time struct: zero times are written as "".
    #[serde(default)]
    pub first_deployed: HelmTime,
    #[serde(default)]
    pub last_deployed: HelmTime,
    #[serde(default)]
    pub deleted: HelmTime,
    /// A one-line log entry: "Install complete", "Upgrade \"todo\" failed: ...".
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReleaseStatus>,
    /// The rendered NOTES.txt.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub notes: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The chart as it was deployed, files included. Helm writes `null` for each absent part, hence
/// the options.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Chart {
    #[serde(default)]
    pub metadata: Option<ChartMetadata>,
    /// Chart.lock, kept as Helm wrote it.
    #[serde(default)]
    pub lock: Option<Value>,
    #[serde(default)]
    pub templates: Option<Vec<ChartFile>>,
    /// The chart's default values (values.yaml).
    #[serde(default)]
    pub values: Option<Map<String, Value>>,
    /// values.schema.json.
    #[serde(default)]
    pub schema: Option<Base64Bytes>,
    /// Everything else in the chart archive: README, LICENSE, crds/...
    #[serde(default)]
    pub files: Option<Vec<ChartFile>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Chart.yaml.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartMetadata {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub home: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sources: Vec<String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintainers: Vec<Maintainer>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub icon: String,
    /// `v1` (Helm 2 charts) or `v2`.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub api_version: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub tags: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub app_version: String,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub annotations: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kube_version: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dependencies: Vec<Dependency>,
    /// `application` or `library`.
    #[serde(rename = "type", default, skip_serializing_if = "String::is_empty")]
    pub chart_type: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Maintainer {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub email: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub url: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A subchart named in Chart.yaml.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Dependency {
    #[serde(default)]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub version: String,
    #[serde(default)]
    pub repository: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub condition: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "is_false")]
    pub enabled: bool,
    #[serde(rename = "import-values", default, skip_serializing_if = "Vec::is_empty")]
    pub import_values: Vec<Value>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub alias: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A file of the chart, its content base64 in the JSON as Go writes `[]byte`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChartFile {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub data: Base64Bytes,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A template annotated `helm.sh/hook`, run around install, upgrade, rollback, delete or test.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Hook {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub path: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub manifest: String,
    /// `pre-install`, `post-upgrade`, `test`, ...
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub events: Vec<String>,
    #[serde(default)]
    pub last_run: HookExecution,
    #[serde(default, skip_serializing_if = "is_zero")]
    pub weight: i32,
    /// `hook-succeeded`, `hook-failed`, `before-hook-creation`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub delete_policies: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_log_policies: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct HookExecution {
    #[serde(default)]
    pub started_at: HelmTime,
    #[serde(default)]
    pub completed_at: HelmTime,
    /// `Unknown`, `Running`, `Succeeded`, `Failed`, or empty when it never ran.
    #[serde(default)]
    pub phase: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Where a revision stands, as Helm names it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReleaseStatus {
    Unknown,
    Deployed,
    Uninstalled,
    Superseded,
    Failed,
    Uninstalling,
    PendingInstall,
    PendingUpgrade,
    PendingRollback,
    /// A value this version of kubedeck does not know, kept so it is written back unchanged.
    Other(String),
}

impl ReleaseStatus {
    pub fn as_str(&self) -> &str {
        match self {
            ReleaseStatus::Unknown => "unknown",
            ReleaseStatus::Deployed => "deployed",
            ReleaseStatus::Uninstalled => "uninstalled",
            ReleaseStatus::Superseded => "superseded",
            ReleaseStatus::Failed => "failed",
            ReleaseStatus::Uninstalling => "uninstalling",
            ReleaseStatus::PendingInstall => "pending-install",
            ReleaseStatus::PendingUpgrade => "pending-upgrade",
            ReleaseStatus::PendingRollback => "pending-rollback",
            ReleaseStatus::Other(other) => other,
        }
    }

    /// An install, upgrade or rollback is under way (or died half way: Helm refuses a new one).
    pub fn is_pending(&self) -> bool {
        matches!(
            self,
            ReleaseStatus::PendingInstall | ReleaseStatus::PendingUpgrade | ReleaseStatus::PendingRollback
        )
    }

    /// What the status means for the person looking at it, so it gets the same colour as a pod's.
    pub fn health(&self) -> Health {
        match self {
            ReleaseStatus::Deployed => Health::Ready,
            s if s.is_pending() => Health::Progressing,
            ReleaseStatus::Superseded | ReleaseStatus::Uninstalled => Health::Completed,
            ReleaseStatus::Uninstalling => Health::Terminating,
            _ => Health::Failing,
        }
    }
}

impl From<&str> for ReleaseStatus {
    fn from(s: &str) -> Self {
        match s {
            "unknown" => ReleaseStatus::Unknown,
            "deployed" => ReleaseStatus::Deployed,
            "uninstalled" => ReleaseStatus::Uninstalled,
            "superseded" => ReleaseStatus::Superseded,
            "failed" => ReleaseStatus::Failed,
            "uninstalling" => ReleaseStatus::Uninstalling,
            "pending-install" => ReleaseStatus::PendingInstall,
            "pending-upgrade" => ReleaseStatus::PendingUpgrade,
            "pending-rollback" => ReleaseStatus::PendingRollback,
            other => ReleaseStatus::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for ReleaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReleaseStatus {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ReleaseStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Ok(ReleaseStatus::from(s.as_str()))
    }
}

/// Helm's time (helm.sh/helm/v3/pkg/time): RFC 3339 with nanoseconds, and `""` for "never".
/// Kept in UTC: an offset Helm wrote (its local zone) is not preserved, the instant is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct HelmTime(pub Option<Timestamp>);

impl Serialize for HelmTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            // jiff prints the shortest fraction, as Go's RFC3339Nano does.
            Some(t) => s.collect_str(&t),
            None => s.serialize_str(""),
        }
    }
}

impl<'de> Deserialize<'de> for HelmTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let Some(text) = Option::<String>::deserialize(d)? else {
            return Ok(HelmTime(None));
        };
        if text.is_empty() {
            return Ok(HelmTime(None));
        }
        let t: Timestamp = text
            .parse()
            .map_err(|e| serde::de::Error::custom(format!("time {text:?}: {e}")))?;
        // Go's zero time, written by anything that bypassed Helm's own time type.
        let go_zero = Timestamp::from_second(-62_135_596_800).ok();
        Ok(HelmTime(Some(t).filter(|t| Some(*t) != go_zero)))
    }
}

/// Bytes that JSON carries as standard base64, as Go's encoding/json does for `[]byte`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Base64Bytes(pub Vec<u8>);

impl Serialize for Base64Bytes {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = Option::<String>::deserialize(d)?.unwrap_or_default();
        STANDARD
            .decode(text.as_bytes())
            .map(Base64Bytes)
            .map_err(|e| serde::de::Error::custom(format!("file data is not base64: {e}")))
    }
}

/// Go reads `null` into a pointer or map as "absent"; so do we.
fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

fn is_zero(n: &i32) -> bool {
    *n == 0
}

fn is_false(b: &bool) -> bool {
    !*b
}
