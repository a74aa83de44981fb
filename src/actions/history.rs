//! Helm's rules for a release's history, as pure functions over its revisions: which revision
//! comes next, when an operation must be refused, what becomes superseded, what is pruned.
//! The deploy, rollback and uninstall actions apply these to the records in the cluster.

use crate::cluster::releases::{Release, ReleaseStatus};

/// What a new revision is for; decides its first status and description, as Helm writes them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Install,
    Upgrade,
    Rollback { to: i32 },
}

impl Operation {
    pub fn pending_status(self) -> ReleaseStatus {
        match self {
            Operation::Install => ReleaseStatus::PendingInstall,
            Operation::Upgrade => ReleaseStatus::PendingUpgrade,
            Operation::Rollback { .. } => ReleaseStatus::PendingRollback,
        }
    }

    /// The description while the operation runs.
    pub fn pending_description(self) -> String {
        match self {
            Operation::Install => "Initial install underway".into(),
            Operation::Upgrade => "Preparing upgrade".into(),
            Operation::Rollback { to } => format!("Rollback to {to}"),
        }
    }

    /// The description once it succeeded.
    pub fn done_description(self) -> String {
        match self {
            Operation::Install => "Install complete".into(),
            Operation::Upgrade => "Upgrade complete".into(),
            Operation::Rollback { to } => format!("Rollback to {to}"),
        }
    }

    /// The description when it failed.
    pub fn failed_description(self, release: &str, why: &str) -> String {
        match self {
            Operation::Install => format!("Release {release:?} failed: {why}"),
            Operation::Upgrade => format!("Upgrade {release:?} failed: {why}"),
            Operation::Rollback { .. } => format!("Rollback {release:?} failed: {why}"),
        }
    }
}

/// Why an operation may not start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The newest revision is still pending: another install, upgrade or rollback is running,
    /// or one was interrupted.
    Pending {
        release: String,
        revision: i32,
        status: String,
    },
    /// Upgrade or rollback of a release that does not exist.
    NoSuchRelease(String),
    /// Install of a release that already exists.
    Exists(String),
    /// Rollback to a revision that is not in the history.
    NoSuchRevision { release: String, revision: i32 },
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Pending {
                release,
                revision,
                status,
            } if *revision == 1 => write!(
                f,
                "release {release} revision 1 is still {status}: its install is in progress or was interrupted, and \
                 there is no earlier revision to roll back to. Wait for it, or remove it (kubedeck uninstall {release}) \
                 and deploy again"
            ),
            Refusal::Pending {
                release,
                revision,
                status,
            } => write!(
                f,
                "release {release} revision {revision} is still {status}: another operation is in progress or was \
                 interrupted. Wait for it, or roll back to the last good revision (kubedeck rollback {release})"
            ),
            Refusal::NoSuchRelease(r) => write!(
                f,
                "there is no release {r} here: check its name and the namespace (-n; the Releases pane lists them)"
            ),
            Refusal::Exists(r) => write!(f, "release {r} already exists: upgrade it instead"),
            Refusal::NoSuchRevision { release, revision } => write!(
                f,
                "release {release} has no revision {revision} (it may have been pruned): `kubedeck history {release}` lists them"
            ),
        }
    }
}

/// The number the next revision gets, after checking the operation may start. `history` is
/// every stored revision of the release, in any order.
pub fn next_revision(history: &[Release], name: &str, op: Operation) -> Result<i32, Refusal> {
    let newest = history.iter().max_by_key(|r| r.version);
    // A rollback is the way out of an interrupted operation, so only it may start then.
    if let Some(last) = newest
        && let Some(status) = &last.info.status
        && status.is_pending()
        && !matches!(op, Operation::Rollback { .. })
    {
        return Err(Refusal::Pending {
            release: name.into(),
            revision: last.version,
            status: status.as_str().into(),
        });
    }
    match (op, newest) {
        // A release whose records were all uninstalled with --keep-history may be installed again.
        (Operation::Install, Some(last)) if last.info.status != Some(ReleaseStatus::Uninstalled) => {
            Err(Refusal::Exists(name.into()))
        }
        (Operation::Upgrade | Operation::Rollback { .. }, None) => Err(Refusal::NoSuchRelease(name.into())),
        (Operation::Rollback { to }, Some(_)) if !history.iter().any(|r| r.version == to) => {
            Err(Refusal::NoSuchRevision {
                release: name.into(),
                revision: to,
            })
        }
        (_, last) => Ok(last.map_or(1, |r| r.version + 1)),
    }
}

/// The revisions that must become superseded once `new` is deployed: every other deployed one,
/// and, as `helm rollback` does, an interrupted one still pending (a rollback is the way out of
/// it, and it must not read as in progress forever after).
pub fn to_supersede(history: &[Release], new: i32) -> Vec<i32> {
    history
        .iter()
        .filter(|r| r.version != new)
        .filter(|r| match &r.info.status {
            Some(ReleaseStatus::Deployed) => true,
            Some(status) => status.is_pending(),
            None => false,
        })
        .map(|r| r.version)
        .collect()
}

/// The revisions to delete so that at most `max` remain (0 keeps everything), oldest first,
/// never the deployed one — Helm's `--history-max`.
pub fn to_prune(history: &[Release], max: usize) -> Vec<i32> {
    if max == 0 || history.len() <= max {
        return Vec::new();
    }
    let mut candidates: Vec<&Release> = history
        .iter()
        .filter(|r| r.info.status != Some(ReleaseStatus::Deployed))
        .collect();
    candidates.sort_by_key(|r| r.version);
    let excess = history.len() - max;
    candidates.into_iter().take(excess).map(|r| r.version).collect()
}

/// The newest revision that was deployed or superseded: what `--atomic` and a plain rollback
/// go back to.
pub fn last_good(history: &[Release], before: i32) -> Option<i32> {
    history
        .iter()
        .filter(|r| r.version < before)
        .filter(|r| matches!(r.info.status, Some(ReleaseStatus::Deployed | ReleaseStatus::Superseded)))
        .map(|r| r.version)
        .max()
}

/// What a rollback of `name` to `to` (default: the last good revision) starts from: the revision
/// it goes back to, the number the new revision gets, and the record it copies.
pub fn rollback_target<'a>(
    history: &'a [Release],
    name: &str,
    to: Option<i32>,
) -> Result<(i32, i32, &'a Release), String> {
    let current = history.last().map_or(0, |r| r.version);
    let to = match to {
        Some(to) => to,
        None => last_good(history, current)
            .ok_or_else(|| format!("release {name} has no earlier revision to roll back to"))?,
    };
    let revision = next_revision(history, name, Operation::Rollback { to }).map_err(|e| e.to_string())?;
    let Some(target) = history.iter().find(|r| r.version == to) else {
        return Err(Refusal::NoSuchRevision {
            release: name.into(),
            revision: to,
        }
        .to_string());
    };
    Ok((to, revision, target))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rev(version: i32, status: ReleaseStatus) -> Release {
        let mut r = Release {
            name: "todo".into(),
            version,
            ..Release::default()
        };
        r.info.status = Some(status);
        r
    }

    #[test]
    fn install_upgrade_and_rollback_numbering() {
        assert_eq!(next_revision(&[], "todo", Operation::Install), Ok(1));
        let history = [rev(1, ReleaseStatus::Superseded), rev(2, ReleaseStatus::Deployed)];
        assert_eq!(next_revision(&history, "todo", Operation::Upgrade), Ok(3));
        assert_eq!(next_revision(&history, "todo", Operation::Rollback { to: 1 }), Ok(3));
        assert_eq!(
            next_revision(&history, "todo", Operation::Install),
            Err(Refusal::Exists("todo".into()))
        );
        assert_eq!(
            next_revision(&history, "todo", Operation::Rollback { to: 7 }),
            Err(Refusal::NoSuchRevision {
                release: "todo".into(),
                revision: 7
            })
        );
        assert_eq!(
            next_revision(&[], "todo", Operation::Upgrade),
            Err(Refusal::NoSuchRelease("todo".into()))
        );
        let uninstalled = [rev(4, ReleaseStatus::Uninstalled)];
        assert_eq!(next_revision(&uninstalled, "todo", Operation::Install), Ok(5));
    }

    #[test]
    fn a_pending_revision_blocks_everything_with_the_way_out() {
        let history = [rev(1, ReleaseStatus::Deployed), rev(2, ReleaseStatus::PendingUpgrade)];
        let refusal = next_revision(&history, "todo", Operation::Upgrade).unwrap_err();
        let text = refusal.to_string();
        assert!(text.contains("revision 2 is still pending-upgrade"), "{text}");
        assert!(text.contains("kubedeck rollback todo"), "{text}");
        assert_eq!(
            next_revision(&history, "todo", Operation::Rollback { to: 1 }),
            Ok(3),
            "the way out stays open"
        );
        // Once the rollback is deployed, the interrupted revision is no longer pending.
        assert_eq!(to_supersede(&history, 3), [1, 2]);
    }

    #[test]
    fn supersede_prune_and_last_good() {
        let history: Vec<Release> = (1..=12)
            .map(|v| {
                rev(
                    v,
                    if v == 5 {
                        ReleaseStatus::Deployed
                    } else {
                        ReleaseStatus::Superseded
                    },
                )
            })
            .chain([rev(13, ReleaseStatus::Failed)])
            .collect();
        assert_eq!(to_supersede(&history, 13), [5]);
        // 13 revisions, keep 10: the three oldest go, but never the deployed one.
        assert_eq!(to_prune(&history, 10), [1, 2, 3]);
        let deployed_oldest: Vec<Release> = (1..=4)
            .map(|v| {
                rev(
                    v,
                    if v == 1 {
                        ReleaseStatus::Deployed
                    } else {
                        ReleaseStatus::Superseded
                    },
                )
            })
            .collect();
        assert_eq!(to_prune(&deployed_oldest, 2), [2, 3]);
        assert_eq!(to_prune(&history, 0), Vec::<i32>::new());
        assert_eq!(last_good(&history, 13), Some(12));
        assert_eq!(last_good(&[rev(1, ReleaseStatus::Failed)], 2), None);
    }
}
