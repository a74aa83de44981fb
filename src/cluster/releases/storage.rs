//! Helm's Secret storage driver, read and written the way Helm v3 does it: one Secret a revision,
//! named `sh.helm.release.v1.<name>.v<revision>`, whose `release` key holds base64 of gzip of
//! the release JSON.

use std::collections::BTreeMap;
use std::fmt;
use std::io::{Read, Write};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use jiff::Timestamp;
use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use serde::de::DeserializeOwned;

use super::record::Release;
use crate::text::sanitize;

/// The Secret type Helm 3 gives its release records.
pub const SECRET_TYPE: &str = "helm.sh/release.v1";
/// The data key that holds the encoded release.
pub const DATA_KEY: &str = "release";
/// Selects Helm's records among Secrets, as `helm list` does.
pub const LABEL_SELECTOR: &str = "owner=helm";
/// Narrows a watch to release records on the server side.
pub const FIELD_SELECTOR: &str = "type=helm.sh/release.v1";

/// Labels Helm sets itself; any other label on the Secret belongs to the release (`--labels`).
const SYSTEM_LABELS: [&str; 6] = ["name", "owner", "status", "version", "createdAt", "modifiedAt"];
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];
/// A Secret holds at most 1 MiB; real records inflate a few times. This stops a gzip bomb.
const MAX_JSON_BYTES: u64 = 64 << 20;

/// The name of the Secret that stores `revision` of release `name`.
pub fn secret_name(name: &str, revision: i32) -> String {
    format!("sh.helm.release.v1.{name}.v{revision}")
}

/// Release name and revision back from a Secret name, for records whose content is unreadable.
pub fn parse_secret_name(secret: &str) -> Option<(&str, i32)> {
    let rest = secret.strip_prefix("sh.helm.release.v1.")?;
    let (name, revision) = rest.rsplit_once(".v")?;
    Some((name, revision.parse().ok()?))
}

/// Why a release record cannot be read. Each reads as the end of a sentence that starts with
/// the release and revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordProblem {
    /// The Secret is not of type `helm.sh/release.v1`.
    WrongType(String),
    /// No `release` key in the Secret's data.
    MissingData,
    NotBase64(String),
    /// Starts with the gzip magic bytes but does not inflate.
    NotGzip(String),
    TooLarge,
    /// Not JSON, or JSON that is not a release.
    NotJson(String),
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordProblem::WrongType(t) => write!(f, "the Secret has type {t:?}, not {SECRET_TYPE}"),
            RecordProblem::MissingData => write!(f, "the Secret has no {DATA_KEY:?} data key"),
            RecordProblem::NotBase64(e) => write!(f, "the record is not base64: {e}"),
            RecordProblem::NotGzip(e) => write!(f, "the record is not gzip: {e}"),
            RecordProblem::TooLarge => write!(
                f,
                "the record inflates to more than {} MiB, which no Helm release does",
                MAX_JSON_BYTES >> 20
            ),
            RecordProblem::NotJson(e) => write!(f, "the record is not a Helm release: {e}"),
        }
    }
}

impl std::error::Error for RecordProblem {}

/// Decodes the value of a record's `release` key (base64 text, as it is after Kubernetes' own
/// base64 is undone) into a release. Plain JSON without gzip is accepted, as Helm does.
pub fn decode_release(data: &[u8]) -> Result<Release, RecordProblem> {
    decode_as(data)
}

/// Decodes a record into any shape: the full release, or the few fields a row needs.
pub(super) fn decode_as<T: DeserializeOwned>(data: &[u8]) -> Result<T, RecordProblem> {
    let raw = STANDARD
        .decode(data.trim_ascii())
        .map_err(|e| RecordProblem::NotBase64(sanitize(&e.to_string())))?;
    let json = if raw.starts_with(&GZIP_MAGIC) {
        let mut json = Vec::new();
        GzDecoder::new(raw.as_slice())
            .take(MAX_JSON_BYTES + 1)
            .read_to_end(&mut json)
            .map_err(|e| RecordProblem::NotGzip(sanitize(&e.to_string())))?;
        if json.len() as u64 > MAX_JSON_BYTES {
            return Err(RecordProblem::TooLarge);
        }
        json
    } else {
        raw
    };
    serde_json::from_slice(&json).map_err(|e| RecordProblem::NotJson(sanitize(&e.to_string())))
}

/// The `release` data of a Secret, after checking it is a Helm record.
pub(super) fn record_data(secret: &Secret) -> Result<&[u8], RecordProblem> {
    let kind = secret.type_.as_deref().unwrap_or_default();
    if kind != SECRET_TYPE {
        return Err(RecordProblem::WrongType(sanitize(kind)));
    }
    secret
        .data
        .as_ref()
        .and_then(|d| d.get(DATA_KEY))
        .map(|b| b.0.as_slice())
        .ok_or(RecordProblem::MissingData)
}

/// The release a record Secret stores, with the Secret's custom labels, as `helm get` reads it.
pub fn release_from_secret(secret: &Secret) -> Result<Release, RecordProblem> {
    let mut release = decode_release(record_data(secret)?)?;
    release.labels = secret
        .metadata
        .labels
        .iter()
        .flatten()
        .filter(|(k, _)| !SYSTEM_LABELS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(release)
}

/// Encodes a release as Helm's storage driver does: JSON, gzip at best compression, base64.
/// The result is the value of the `release` key before Kubernetes' own base64.
pub fn encode_release(release: &Release) -> Vec<u8> {
    // Our types serialize to JSON objects with string keys only, so this cannot fail.
    let json = serde_json::to_vec(release).expect("a release always serializes to JSON");
    let mut gz = GzEncoder::new(Vec::with_capacity(json.len() / 4), Compression::best());
    // Writing into a Vec cannot fail.
    gz.write_all(&json).expect("gzip into memory");
    let compressed = gz.finish().expect("gzip into memory");
    STANDARD.encode(compressed).into_bytes()
}

/// When a record Secret is written: Helm labels a new record `createdAt` and a rewritten one
/// (for example, marked superseded) `modifiedAt`, both in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordStamp {
    Created(Timestamp),
    Modified(Timestamp),
}

/// The Secret that stores `release`, as Helm's storage driver builds it: its name, type, the
/// release's custom labels and Helm's own (`name`, `owner=helm`, `status`, `version`, and the
/// stamp). The namespace is the release's.
pub fn release_secret(release: &Release, stamp: RecordStamp) -> Secret {
    let mut labels: BTreeMap<String, String> = release.labels.clone();
    let (stamp_key, at) = match stamp {
        RecordStamp::Created(at) => ("createdAt", at),
        RecordStamp::Modified(at) => ("modifiedAt", at),
    };
    labels.insert(stamp_key.to_owned(), at.as_second().to_string());
    labels.insert("name".to_owned(), release.name.clone());
    labels.insert("owner".to_owned(), "helm".to_owned());
    let status = release.info.status.as_ref().map_or("", |s| s.as_str());
    labels.insert("status".to_owned(), status.to_owned());
    labels.insert("version".to_owned(), release.version.to_string());
    Secret {
        metadata: ObjectMeta {
            name: Some(secret_name(&release.name, release.version)),
            namespace: Some(release.namespace.clone()).filter(|ns| !ns.is_empty()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        type_: Some(SECRET_TYPE.to_owned()),
        data: Some(BTreeMap::from([(
            DATA_KEY.to_owned(),
            ByteString(encode_release(release)),
        )])),
        ..Secret::default()
    }
}

/// Loading one revision failed; reads as a sentence naming the release.
#[derive(Debug, Clone, PartialEq)]
pub struct ReleaseError {
    pub release: String,
    pub namespace: String,
    pub revision: i32,
    pub cause: ReleaseErrorCause,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ReleaseErrorCause {
    /// No record Secret for that revision: it was pruned (`--history-max`) or uninstalled.
    NotFound,
    /// The API server refused or could not be reached; the message says which.
    Cluster(String),
    /// The record is there but cannot be read.
    Record(RecordProblem),
}

impl fmt::Display for ReleaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "release {} revision {} in namespace {}: ",
            self.release, self.revision, self.namespace
        )?;
        match &self.cause {
            ReleaseErrorCause::NotFound => write!(
                f,
                "there is no such revision (no Secret {}); it may have been pruned by --history-max",
                secret_name(&self.release, self.revision)
            ),
            ReleaseErrorCause::Cluster(msg) => write!(f, "reading it from the cluster failed: {msg}"),
            ReleaseErrorCause::Record(problem) => problem.fmt(f),
        }
    }
}

impl std::error::Error for ReleaseError {}

/// Reads one revision of a release from its record Secret, for the history and diff views.
pub async fn load_revision(
    client: kube::Client,
    namespace: &str,
    name: &str,
    revision: i32,
) -> Result<Release, ReleaseError> {
    let fail = |cause| ReleaseError {
        release: sanitize(name),
        namespace: sanitize(namespace),
        revision,
        cause,
    };
    let secrets: Api<Secret> = Api::namespaced(client, namespace);
    let secret = match secrets.get_opt(&secret_name(name, revision)).await {
        Ok(Some(secret)) => secret,
        Ok(None) => return Err(fail(ReleaseErrorCause::NotFound)),
        Err(e) => {
            let object = format!("the release record {}", secret_name(name, revision));
            let msg = crate::cluster::explain(&e, crate::cluster::Attempt::new("get", &object, namespace));
            return Err(fail(ReleaseErrorCause::Cluster(msg)));
        }
    };
    release_from_secret(&secret).map_err(|p| fail(ReleaseErrorCause::Record(p)))
}
