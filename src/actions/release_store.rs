//! A release's revisions in the cluster, in Helm's Secret storage: read them all, create a new
//! one (which fails if another client created it first), update one, delete one.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Secret;
use kube::api::{DeleteParams, ListParams, PostParams};
use kube::{Api, Client};

use crate::cluster::releases::{self, RecordStamp, Release, release_from_secret, release_secret};

pub struct ReleaseStore {
    api: Api<Secret>,
    pub name: String,
    pub namespace: String,
}

impl ReleaseStore {
    pub fn new(client: Client, namespace: &str, name: &str) -> Self {
        ReleaseStore {
            api: Api::namespaced(client, namespace),
            name: name.into(),
            namespace: namespace.into(),
        }
    }

    /// Every readable revision, oldest first. An unreadable record stops the operation: acting
    /// on a history we cannot read could overwrite what another tool wrote.
    pub async fn history(&self) -> Result<Vec<Release>, String> {
        let selector = format!("owner=helm,name={}", self.name);
        let list = self
            .api
            .list(&ListParams::default().labels(&selector))
            .await
            .map_err(|e| {
                let object = format!("the revisions of release {} (Secrets)", self.name);
                crate::cluster::explain(&e, crate::cluster::Attempt::new("list", &object, &self.namespace))
            })?;
        let mut out = Vec::new();
        for secret in list
            .items
            .iter()
            .filter(|s| s.type_.as_deref() == Some(releases::SECRET_TYPE))
        {
            let release = release_from_secret(secret).map_err(|e| {
                let record = secret.metadata.name.clone().unwrap_or_default();
                format!(
                    "release record {record} in {} cannot be read: {e}; fix or delete it first",
                    self.namespace
                )
            })?;
            out.push(release);
        }
        out.sort_by_key(|r| r.version);
        Ok(out)
    }

    /// Stores a new revision. This create is the lock between two deploys of one release (two
    /// kubedecks, or kubedeck and helm): both read the same history and want the same revision
    /// number, the API server lets exactly one create its Secret, and the other is told.
    pub async fn create(&self, release: &Release) -> Result<(), String> {
        let secret = release_secret(release, RecordStamp::Created(Timestamp::now()));
        self.api
            .create(&PostParams::default(), &secret)
            .await
            .map(|_| ())
            .map_err(|e| match e {
                kube::Error::Api(s) if s.code == 409 => in_progress(&self.name, release.version),
                other => {
                    let object = format!("revision {} of release {} (a Secret)", release.version, self.name);
                    crate::cluster::explain(&other, crate::cluster::Attempt::new("create", &object, &self.namespace))
                }
            })
    }

    /// Rewrites a stored revision (its status or description changed).
    pub async fn update(&self, release: &Release) -> Result<(), String> {
        let name = releases::secret_name(&self.name, release.version);
        let current = self.api.get(&name).await.map_err(|e| self.failure("get", &name, &e))?;
        let mut secret = release_secret(release, RecordStamp::Modified(Timestamp::now()));
        secret.metadata.resource_version = current.metadata.resource_version;
        self.api
            .replace(&name, &PostParams::default(), &secret)
            .await
            .map(|_| ())
            .map_err(|e| self.failure("update", &name, &e))
    }

    fn failure(&self, verb: &str, secret: &str, e: &kube::Error) -> String {
        let object = format!("the release record Secret {secret}");
        crate::cluster::explain(e, crate::cluster::Attempt::new(verb, &object, &self.namespace))
    }

    pub async fn delete(&self, revision: i32) -> Result<(), String> {
        let name = releases::secret_name(&self.name, revision);
        match self.api.delete(&name, &DeleteParams::default()).await {
            Ok(_) => Ok(()),
            Err(kube::Error::Api(s)) if s.code == 404 => Ok(()),
            Err(e) => Err(self.failure("delete", &name, &e)),
        }
    }
}

/// The sentence for a deploy that lost the race for its revision number.
pub fn in_progress(release: &str, revision: i32) -> String {
    format!(
        "another operation is in progress on release {release}: another kubedeck or helm stored its revision \
         {revision} first, and nothing was changed here; wait for it to finish (kubedeck history {release}), then try again"
    )
}
