//! Installing or upgrading a release: a new pending revision, hooks around the apply, the wait for
//! readiness, and with `atomic` the failure undone.

use jiff::Timestamp;
use kube::api::PostParams;
use kube::{Api, Client};

use super::apply::Applier;
use super::record::{finish, stored_chart, stored_hook};
use super::render::render;
use super::rollback::rollback;
use super::uninstall::uninstall;
use super::{DeployRequest, Progress, manifest_objects};
use crate::actions::history::{self, Operation};
use crate::actions::release_store::ReleaseStore;
use crate::chart::Rendered;
use crate::cluster::releases::{HelmTime, Release, ReleaseStatus};

/// Installs or upgrades the release. Returns the new revision. With `atomic`, a failure is
/// undone: back to the last good revision, or a failed first install removed, as helm does.
pub async fn deploy(client: &Client, req: &DeployRequest, progress: Progress<'_>) -> Result<i32, String> {
    let why = match deploy_once(client, req, progress).await {
        Ok(rev) => return Ok(rev),
        Err(why) if !req.atomic => return Err(why),
        Err(why) => why,
    };
    progress(format!("deploy failed: {why}; --atomic: undoing it"));
    match rollback(client, &req.namespace, &req.release, None, req.timeout, progress).await {
        Ok(rev) => Err(format!("{why} (rolled back: revision {rev} deployed)")),
        Err(_)
            if ReleaseStore::new(client.clone(), &req.namespace, &req.release)
                .history()
                .await?
                .len()
                <= 1 =>
        {
            uninstall(client, &req.namespace, &req.release, false, progress).await?;
            Err(format!("{why} (the failed install was removed)"))
        }
        Err(e) => Err(format!("{why}; rolling back failed too: {e}")),
    }
}

/// The revision a deploy would write, rendered and recorded as pending, without touching the
/// cluster: what `--dry-run=client` prints (helm's "Dry run complete").
pub async fn preview(client: &Client, req: &DeployRequest) -> Result<Release, String> {
    let store = ReleaseStore::new(client.clone(), &req.namespace, &req.release);
    let history = store.history().await?;
    // As helm's `--dry-run=client`: rendered without asking the cluster (defaults, empty lookup).
    let (mut release, _, _) = prepare(None, req, &history).await?;
    release.info.description = "Dry run complete".into();
    Ok(release)
}

/// The new revision for `req` after `history`: rendered, with its values as helm keeps them,
/// pending. Returns it with the operation and the rendered chart (for the hooks).
async fn prepare(
    client: Option<&Client>,
    req: &DeployRequest,
    history: &[Release],
) -> Result<(Release, Operation, Rendered), String> {
    let live = history
        .iter()
        .any(|r| r.info.status != Some(ReleaseStatus::Uninstalled));
    let op = if live { Operation::Upgrade } else { Operation::Install };
    let revision = history::next_revision(history, &req.release, op).map_err(|e| e.to_string())?;
    let prepared = render(client, req, revision, history).await?;
    let now = Timestamp::now();
    let first_deployed = history.first().and_then(|r| r.info.first_deployed.0).unwrap_or(now);
    let rendered = prepared.rendered;
    let mut release = Release {
        name: req.release.clone(),
        namespace: req.namespace.clone(),
        version: revision,
        chart: stored_chart(&prepared.loaded),
        config: prepared.config,
        manifest: rendered.manifest.clone(),
        hooks: rendered.hooks.iter().map(stored_hook).collect(),
        ..Release::default()
    };
    release.info.first_deployed = HelmTime(Some(first_deployed));
    release.info.last_deployed = HelmTime(Some(now));
    release.info.status = Some(op.pending_status());
    release.info.description = op.pending_description();
    release.info.notes = rendered.notes.clone();
    Ok((release, op, rendered))
}

async fn deploy_once(client: &Client, req: &DeployRequest, progress: Progress<'_>) -> Result<i32, String> {
    let store = ReleaseStore::new(client.clone(), &req.namespace, &req.release);
    let history = store.history().await?;
    progress(format!("rendering {}", req.chart_dir.display()));
    let (release, op, rendered) = prepare(Some(client), req, &history).await?;
    let revision = release.version;
    let live = op == Operation::Upgrade;
    if req.options.create_namespace && create_namespace(client, &req.namespace).await? {
        progress(format!("created namespace {}", req.namespace));
    }
    store.create(&release).await?;
    progress(format!("revision {revision}: {}", op.pending_description()));

    let previous = history
        .iter()
        .rev()
        .find(|r| r.info.status == Some(ReleaseStatus::Deployed))
        .cloned();
    let mut applier = Applier::new(client.clone(), &req.namespace, &req.release);
    let (pre, post) = if live {
        ("pre-upgrade", "post-upgrade")
    } else {
        ("pre-install", "post-install")
    };
    let wait = !req.options.skip_wait || req.atomic;
    let outcome = async {
        applier.run_hooks(&rendered.hooks, pre, req.timeout, progress).await?;
        let objects = manifest_objects(&rendered.manifest);
        applier.apply_all(&objects, progress).await?;
        if let Some(prev) = &previous {
            applier.delete_left_behind(&prev.manifest, &objects, progress).await?;
        }
        if wait {
            applier
                .wait_ready(&objects, req.timeout, req.options.wait_for_jobs, progress)
                .await?;
        }
        applier.run_hooks(&rendered.hooks, post, req.timeout, progress).await
    }
    .await;
    finish(&store, release, &history, op, outcome, req.history_max, progress).await?;
    Ok(revision)
}

/// Creates the namespace, labelled `name` as helm's `--create-namespace` does; false when it
/// was there already.
async fn create_namespace(client: &Client, name: &str) -> Result<bool, String> {
    use k8s_openapi::api::core::v1::Namespace;
    let api: Api<Namespace> = Api::all(client.clone());
    let namespace = Namespace {
        metadata: kube::api::ObjectMeta {
            name: Some(name.to_owned()),
            labels: Some([("name".to_owned(), name.to_owned())].into()),
            ..Default::default()
        },
        ..Default::default()
    };
    match api.create(&PostParams::default(), &namespace).await {
        Ok(_) => Ok(true),
        Err(kube::Error::Api(e)) if e.code == 409 => Ok(false),
        Err(e) => Err(crate::cluster::explain(
            &e,
            crate::cluster::Attempt {
                verb: "create",
                object: &format!("namespace {name}"),
                namespace: None,
            },
        )),
    }
}
