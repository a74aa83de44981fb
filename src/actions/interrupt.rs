//! Ctrl-C or SIGTERM in the middle of an operation on the command line. An install, upgrade or
//! rollback stopped there leaves its revision pending, and a pending revision refuses the next
//! deploy ("in progress"); helm marks a cancelled one failed, and so does kubedeck.

use kube::Client;

use crate::actions::history::Operation;
use crate::actions::release_store::ReleaseStore;
use crate::cluster::releases::ReleaseStatus;

/// Ctrl-C (SIGINT) or SIGTERM: what stopped the operation, as the user would say it.
pub async fn interrupted() -> &'static str {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let Ok(mut term) = signal(SignalKind::terminate()) {
            return tokio::select! {
                _ = tokio::signal::ctrl_c() => "interrupted (Ctrl-C)",
                _ = term.recv() => "terminated (SIGTERM)",
            };
        }
    }
    match tokio::signal::ctrl_c().await {
        Ok(()) => "interrupted (Ctrl-C)",
        // No way to hear signals: never interrupted.
        Err(_) => std::future::pending().await,
    }
}

/// After an install, upgrade or rollback of `release` was stopped (`why`): its newest revision,
/// if still pending, is marked failed as helm marks a cancelled one. The sentence says what the
/// release is left at and what to do next.
pub async fn mark_failed(client: &Client, namespace: &str, release: &str, why: &str) -> String {
    let store = ReleaseStore::new(client.clone(), namespace, release);
    let history = match store.history().await {
        Ok(history) => history,
        Err(e) => return format!("{why}; release {release} could not be read to mark it failed: {e}"),
    };
    let Some(mut newest) = history.into_iter().max_by_key(|r| r.version) else {
        return format!("{why} before release {release} was recorded: nothing was changed");
    };
    let revision = newest.version;
    let op = match newest.info.status {
        Some(ReleaseStatus::PendingInstall) => Operation::Install,
        Some(ReleaseStatus::PendingUpgrade) => Operation::Upgrade,
        Some(ReleaseStatus::PendingRollback) => Operation::Rollback { to: 0 },
        ref other => {
            // It ended before the signal was heard: say how.
            let status = other.as_ref().map_or("unknown", ReleaseStatus::as_str);
            return format!("{why} after release {release} revision {revision} was recorded {status}");
        }
    };
    newest.info.status = Some(ReleaseStatus::Failed);
    newest.info.description = op.failed_description(release, why);
    if let Err(e) = store.update(&newest).await {
        return format!(
            "{why}; release {release} revision {revision} is left pending, and marking it failed failed: {e}"
        );
    }
    let next = if revision == 1 {
        format!("remove it (kubedeck uninstall {release}) or deploy again")
    } else {
        format!("deploy again, or roll back (kubedeck rollback {release})")
    };
    format!("{why}: release {release} revision {revision} marked failed, with what it had applied so far; {next}")
}
