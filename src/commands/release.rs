//! helm's habits on the release subcommands: `deploy --dry-run=client` printing the release as
//! helm does, `rollback --dry-run`, `uninstall --dry-run/--wait`, and deploy's values flags
//! turned into a request.

use crate::actions::deploy::{self, DeployOptions, DeployPlan};
use crate::actions::operation::Operation;
use crate::chart::ValuesReuse;
use crate::cli::DeployArgs;
use crate::cluster::releases::Release;

use super::Connection;

/// Deploy's flags beyond the chart, `-f` and `--set`, as the request takes them.
pub(super) fn deploy_options(args: &DeployArgs) -> DeployOptions {
    // helm's precedence: --reset-values, then --reuse-values, then --reset-then-reuse-values.
    let reuse = if args.reset_values {
        ValuesReuse::Reset
    } else if args.reuse_values {
        ValuesReuse::Reuse
    } else if args.reset_then_reuse_values {
        ValuesReuse::ResetThenReuse
    } else {
        ValuesReuse::Default
    };
    DeployOptions {
        set_json: args.input.set_json.clone(),
        set_string: args.input.set_string.clone(),
        set_file: args.input.set_file.clone(),
        set_literal: args.input.set_literal.clone(),
        reuse,
        create_namespace: args.create_namespace,
        skip_wait: !args.waiting.wait,
        wait_for_jobs: args.waiting.wait_for_jobs,
    }
}

/// The would-be release as `helm install/upgrade --dry-run=client` prints it: the summary, the
/// hooks, the manifest and the notes.
pub(super) fn helm_dry_run_text(release: &Release) -> String {
    let deployed = release
        .info
        .last_deployed
        .0
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::system())
                .strftime("%a %b %e %H:%M:%S %Y")
                .to_string()
        })
        .unwrap_or_default();
    let status = release.info.status.as_ref().map_or("", |s| s.as_str());
    let mut text = format!(
        "NAME: {}\nLAST DEPLOYED: {deployed}\nNAMESPACE: {}\nSTATUS: {status}\nREVISION: {}\nHOOKS:\n",
        release.name, release.namespace, release.version
    );
    for hook in &release.hooks {
        text.push_str(&format!("---\n# Source: {}\n{}\n", hook.path, hook.manifest));
    }
    text.push_str(&format!("MANIFEST:\n{}\n", release.manifest));
    if !release.info.notes.is_empty() {
        text.push_str(&format!("NOTES:\n{}\n", release.info.notes.trim()));
    }
    text
}

/// `rollback --dry-run`: what rolling back would change, without asking or changing anything.
pub(super) async fn rollback_dry_run(
    cluster: &Connection,
    release: &str,
    to: Option<i32>,
    timeout: &str,
) -> Result<String, String> {
    crate::cli::duration::parse_timeout(timeout)?;
    let (to, plan) = deploy::rollback_plan(&cluster.client, &cluster.namespace, release, to).await?;
    outln!(
        "release {release} in {}: revision {} would roll back to revision {to} and",
        cluster.namespace,
        plan.revision
    );
    print_changes(&plan);
    Ok(String::new())
}

/// `uninstall`: with `--dry-run` the objects it would delete; otherwise asks, uninstalls and,
/// with `--wait`, waits until the objects are gone.
pub(super) async fn uninstall_command(
    cluster: &Connection,
    release: String,
    keep_history: bool,
    yes: bool,
    wait: bool,
    timeout: &str,
    dry_run: bool,
) -> Result<String, String> {
    let timeout = crate::cli::duration::parse_timeout(timeout)?;
    // Only a dry run or a wait needs the objects before asking.
    let (objects, revisions) = if dry_run || wait {
        deploy::release_objects(&cluster.client, &cluster.namespace, &release).await?
    } else {
        (Vec::new(), 0)
    };
    if dry_run {
        outln!("release {release} in {}: uninstalling would delete", cluster.namespace);
        for id in &objects {
            outln!("  - delete {id}");
        }
        if keep_history {
            outln!("  and mark its last revision uninstalled, keeping its {revisions} revisions");
        } else {
            outln!("  and its history ({revisions} revisions)");
        }
        return Ok(String::new());
    }
    let operation = Operation::Uninstall {
        namespace: cluster.namespace.clone(),
        release: release.clone(),
        keep_history,
    };
    let done = super::ask_and_run(cluster, &operation, None, yes).await?;
    if wait {
        let progress = |line: String| outln!("{line}");
        deploy::wait_deleted(
            &cluster.client,
            &cluster.namespace,
            &release,
            &objects,
            timeout,
            &progress,
        )
        .await?;
    }
    Ok(done)
}

/// The object lines of a plan (added, changed with their diffs, removed).
pub(super) fn print_changes(plan: &DeployPlan) {
    for id in &plan.added {
        outln!("  + add {id}");
    }
    for (id, diff) in &plan.changed {
        outln!("  ~ change {id}");
        for line in diff.lines() {
            outln!("      {line}");
        }
    }
    for id in &plan.removed {
        outln!("  - remove {id}");
    }
    if plan.added.is_empty() && plan.changed.is_empty() && plan.removed.is_empty() {
        outln!("  (no object changes; a new revision is still recorded)");
    }
}
