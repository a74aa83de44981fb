//! Helm releases, read from Helm's own storage (one Secret per revision): a compact row per
//! revision for the panes, the full record on demand, and the diff between two revisions.

mod diff;
mod record;
mod storage;

pub use diff::{DiffLine, diff_revisions, values_yaml};
pub use record::{
    Base64Bytes, Chart, ChartFile, ChartMetadata, Dependency, HelmTime, Hook, HookExecution, Info, Maintainer, Release,
    ReleaseStatus,
};
pub use storage::{
    DATA_KEY, FIELD_SELECTOR, LABEL_SELECTOR, RecordProblem, RecordStamp, ReleaseError, ReleaseErrorCause, SECRET_TYPE,
    decode_release, encode_release, load_revision, parse_secret_name, release_from_secret, release_secret, secret_name,
};

use std::collections::BTreeMap;

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use serde::Deserialize;

use super::RowUpdate;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

/// One revision of one release, reduced to what the Releases and History panes draw.
/// Text fields are sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseRow {
    /// The record Secret's namespace and name.
    pub key: ObjectKey,
    /// The release name.
    pub name: String,
    pub namespace: String,
    pub revision: i32,
    pub status: ReleaseStatus,
    /// `name-version`, as `helm list` shows it.
    pub chart: String,
    pub app_version: String,
    /// When this revision was last deployed.
    pub updated: Option<Timestamp>,
    pub description: String,
    /// Why the record could not be read; the other fields then come from the Secret's labels.
    pub problem: Option<String>,
}

impl Row for ReleaseRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Secret> for ReleaseRow {
    const KIND: crate::cluster::store::WatchKind = crate::cluster::store::WatchKind::Releases;

    fn from_object(secret: &Secret) -> Self {
        ReleaseRow::from(secret)
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Releases(update)
    }
}

/// The few fields of a record a row needs; serde skips the rest (templates, files, values)
/// without building them, which keeps a watch over many revisions cheap.
#[derive(Deserialize, Default)]
#[serde(default)]
struct Summary {
    name: String,
    version: i32,
    info: Option<SummaryInfo>,
    chart: Option<SummaryChart>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SummaryInfo {
    last_deployed: HelmTime,
    status: Option<ReleaseStatus>,
    description: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SummaryChart {
    metadata: Option<SummaryMetadata>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct SummaryMetadata {
    name: String,
    version: String,
    app_version: String,
}

impl From<&Secret> for ReleaseRow {
    /// Never fails: an unreadable record becomes a row that says why, named from the labels.
    fn from(secret: &Secret) -> Self {
        let meta = &secret.metadata;
        let secret_name = meta.name.as_deref().unwrap_or_default();
        let namespace = meta.namespace.as_deref().unwrap_or_default();
        let labels = meta.labels.clone().unwrap_or_default();
        let mut row = row_from_labels(namespace, secret_name, &labels);
        row.updated = labelled_time(&labels).or(meta.creation_timestamp.as_ref().map(|t| t.0));

        match storage::record_data(secret).and_then(storage::decode_as::<Summary>) {
            Ok(summary) => {
                if !summary.name.is_empty() {
                    row.name = sanitize(&summary.name);
                }
                if summary.version != 0 {
                    row.revision = summary.version;
                }
                let info = summary.info.unwrap_or_default();
                row.status = info.status.map_or(ReleaseStatus::Unknown, sanitized_status);
                row.updated = info.last_deployed.0.or(row.updated);
                row.description = sanitize(&info.description);
                if let Some(chart) = summary.chart.and_then(|c| c.metadata) {
                    row.chart = sanitize(&format!("{}-{}", chart.name, chart.version));
                    row.app_version = sanitize(&chart.app_version);
                }
            }
            Err(problem) => row.problem = Some(problem.to_string()),
        }
        row
    }
}

/// What a record's Secret says about it without decoding it: enough to place it in a history.
fn row_from_labels(namespace: &str, secret_name: &str, labels: &BTreeMap<String, String>) -> ReleaseRow {
    let from_name = storage::parse_secret_name(secret_name);
    let name = labels
        .get("name")
        .map(String::as_str)
        .or(from_name.map(|(n, _)| n))
        .unwrap_or(secret_name);
    let revision = labels
        .get("version")
        .and_then(|v| v.parse().ok())
        .or(from_name.map(|(_, r)| r))
        .unwrap_or(0);
    let status = labels.get("status").map_or(ReleaseStatus::Unknown, |s| {
        sanitized_status(ReleaseStatus::from(s.as_str()))
    });
    ReleaseRow {
        key: ObjectKey::new(namespace, secret_name),
        name: sanitize(name),
        namespace: sanitize(namespace),
        revision,
        status,
        chart: String::new(),
        app_version: String::new(),
        updated: None,
        description: String::new(),
        problem: None,
    }
}

fn sanitized_status(status: ReleaseStatus) -> ReleaseStatus {
    match status {
        ReleaseStatus::Other(text) if text.is_empty() => ReleaseStatus::Unknown,
        ReleaseStatus::Other(text) => ReleaseStatus::Other(sanitize(&text)),
        known => known,
    }
}

/// `modifiedAt` or `createdAt`, Unix seconds that Helm puts on the Secret.
fn labelled_time(labels: &BTreeMap<String, String>) -> Option<Timestamp> {
    ["modifiedAt", "createdAt"]
        .iter()
        .filter_map(|k| labels.get(*k)?.parse::<i64>().ok())
        .find_map(|secs| Timestamp::from_second(secs).ok())
}

/// The newest revision of each release, sorted by release name then namespace: what
/// `helm list --all` shows.
pub fn latest_per_release<'a>(rows: impl IntoIterator<Item = &'a ReleaseRow>) -> Vec<&'a ReleaseRow> {
    let mut latest: BTreeMap<(&str, &str), &ReleaseRow> = BTreeMap::new();
    for row in rows {
        let slot = latest.entry((row.name.as_str(), row.namespace.as_str())).or_insert(row);
        if row.revision > slot.revision {
            *slot = row;
        }
    }
    latest.into_values().collect()
}

/// Every revision of one release, oldest first, as `helm history` lists them.
pub fn history<'a>(rows: impl IntoIterator<Item = &'a ReleaseRow>, namespace: &str, name: &str) -> Vec<&'a ReleaseRow> {
    let mut revisions: Vec<&ReleaseRow> = rows
        .into_iter()
        .filter(|r| r.namespace == namespace && r.name == name)
        .collect();
    revisions.sort_by(|a, b| a.revision.cmp(&b.revision).then_with(|| a.key.cmp(&b.key)));
    revisions
}

/// Reads two revisions and diffs their values and manifests; errors are sentences.
pub async fn load_diff(client: kube::Client, request: &DiffRequest) -> Result<Vec<DiffLine>, String> {
    let load = |revision| load_revision(client.clone(), &request.namespace, &request.name, revision);
    let (old, new) = tokio::try_join!(load(request.from), load(request.to)).map_err(|e| e.to_string())?;
    Ok(diff_revisions(&old, &new))
}

/// A request for the diff between two revisions of a release.
#[derive(Debug, Clone, PartialEq)]
pub struct DiffRequest {
    pub namespace: String,
    pub name: String,
    pub from: i32,
    pub to: i32,
}

#[cfg(test)]
impl ReleaseRow {
    /// A readable revision, for tests of grouping and of the views.
    pub fn example(namespace: &str, name: &str, revision: i32, status: &str, updated: &str) -> Self {
        ReleaseRow {
            key: ObjectKey::new(namespace, &secret_name(name, revision)),
            name: name.to_owned(),
            namespace: namespace.to_owned(),
            revision,
            status: ReleaseStatus::from(status),
            chart: "todo-chatbot-0.1.0".to_owned(),
            app_version: "1.0.0".to_owned(),
            updated: Some(updated.parse().expect("test timestamp")),
            description: "Upgrade complete".to_owned(),
            problem: None,
        }
    }
}

/// A release name as Helm allows it: lower-case letters, digits and `-`, at most 53 (the
/// objects are named `RELEASE-todo-chatbot-...`, cut at 63: longer names made the Services
/// collide). One sentence when it is not.
pub fn release_name(name: &str) -> Result<String, String> {
    let valid = !name.is_empty()
        && name.len() <= 53
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if valid {
        return Ok(name.to_owned());
    }
    let chart = if name.contains('/') || name.contains('.') {
        " (a chart folder is given with --chart PATH)"
    } else {
        ""
    };
    Err(format!(
        "{:?} is not a release name: use lower-case letters, digits and -, at most 53 characters{chart}",
        crate::text::sanitize(name)
    ))
}

#[cfg(test)]
mod tests;
