//! The subcommands: the same actions as the dashboard's keys, with plain output for scripts.
//! Every failure ends as one sentence on stderr and a non-zero exit.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use kube::Client;

use crate::actions::deploy::{self, DeployRequest};
use crate::actions::operate;
use crate::actions::release_store::ReleaseStore;
use crate::cli::{Command, DeployArgs, LogsArgs};
use crate::cluster::{ConnectOptions, Scope, load_config};

// Still reachable here, where they lived before moving to the chart module.
pub use crate::chart::{BUNDLED_CHART, values_file};

pub mod logs;
pub mod status;

/// Runs a subcommand; the error is the sentence to print. What changes the cluster is refused
/// in read-only mode and written to the audit log.
pub async fn run(command: Command, opts: ConnectOptions, readonly: &crate::config::Readonly) -> Result<(), String> {
    let (client, namespace, context) = connect(&opts).await?;
    let progress = |line: String| println!("{line}");
    let mutating = match &command {
        Command::Deploy(args) => (!args.dry_run).then(|| ("deploy".to_owned(), format!("release/{}", args.release))),
        Command::Rollback { release, revision, .. } => {
            let to = revision.map_or("the last good revision".to_owned(), |r| r.to_string());
            Some((format!("rollback to {to}"), format!("release/{release}")))
        }
        Command::Uninstall { release, .. } => Some(("uninstall".to_owned(), format!("release/{release}"))),
        Command::Scale { workload, replicas, .. } => Some((format!("scale to {replicas}"), workload.clone())),
        Command::Restart { workload, .. } => Some(("restart".to_owned(), workload.clone())),
        Command::Delete { name, .. } => Some(("delete".to_owned(), format!("pod/{name}"))),
        Command::Demo { name, release, .. } => Some((format!("demo {name}"), format!("release/{release}"))),
        Command::History { .. } | Command::Logs(_) | Command::Status { .. } | Command::Setup => None,
    };
    if let Some((verb, object)) = &mutating
        && readonly.applies_to(Some(&context))
    {
        return Err(format!(
            "{verb} of {object} refused: context {context} is read-only (--readonly, or readonly in the config file)"
        ));
    }
    let result = match command {
        Command::Deploy(args) => deploy_command(&client, &namespace, args, &progress).await,
        Command::Rollback {
            release,
            revision,
            timeout,
            yes,
        } => {
            let target = revision.map_or("the last good revision".to_owned(), |r| format!("revision {r}"));
            confirm(&format!("Roll back release {release} in {namespace} to {target}?"), yes)?;
            deploy::rollback(
                &client,
                &namespace,
                &release,
                revision,
                Duration::from_secs(timeout),
                &progress,
            )
            .await
            .map(|rev| format!("release {release} rolled back: revision {rev} deployed"))
        }
        Command::Uninstall {
            release,
            keep_history,
            yes,
        } => {
            confirm(
                &format!("Uninstall release {release} from {namespace}, deleting its objects?"),
                yes,
            )?;
            deploy::uninstall(&client, &namespace, &release, keep_history, &progress)
                .await
                .map(|()| format!("release {release} uninstalled"))
        }
        Command::Scale {
            workload,
            replicas,
            hpa,
            timeout,
            yes,
        } => {
            scale_command(
                &client,
                &namespace,
                &workload,
                &replicas,
                hpa,
                Duration::from_secs(timeout),
                yes,
                &progress,
            )
            .await
        }
        Command::Restart { workload, timeout, yes } => {
            let workload = operate::WorkloadRef::parse(&workload)?;
            confirm(&format!("Restart every pod of {workload} in {namespace}?"), yes)?;
            operate::restart(&client, &namespace, &workload, Duration::from_secs(timeout), &progress).await
        }
        Command::Delete { name, timeout, yes, .. } => {
            confirm(&format!("Delete pod {name} in {namespace}?"), yes)?;
            operate::delete_pod(&client, &namespace, &name, Duration::from_secs(timeout), &progress).await
        }
        // main starts the wizard itself; it never comes here.
        Command::Setup => Err("`kubedeck setup` is a full-screen wizard: run it in a terminal".into()),
        Command::History { release, output } => history_command(&client, &namespace, &release, &output)
            .await
            .map(|()| String::new()),
        Command::Demo { name, release, yes } => {
            let demo = crate::actions::demo::Demo::parse(&name)?;
            let question = if crate::actions::demo::looks_local(&context) {
                format!("Run the {name} demo on release {release} in {namespace} ({context})?")
            } else {
                format!(
                    "Context {context} does not look like a local cluster (minikube, kind, kwok, docker-desktop). \
                     Run the {name} demo there anyway? It changes release {release} in {namespace}."
                )
            };
            confirm(&question, yes)?;
            crate::actions::demo::run(&client, &namespace, &release, demo, &progress).await
        }
        Command::Logs(args) => logs_command(client.clone(), &namespace, args)
            .await
            .map(|()| String::new()),
        Command::Status { output } => {
            let report = status::check(&client, &namespace).await?;
            if output == "json" {
                println!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
            } else {
                print!("{}", report.text());
            }
            if report.healthy {
                Ok(String::new())
            } else {
                Err(format!(
                    "namespace {namespace} is unhealthy: {}",
                    report.problems.first().map_or("", String::as_str)
                ))
            }
        }
    };
    if let Some((verb, object)) = mutating {
        let entry = crate::actions::audit::AuditEntry::new(&context, &namespace, &object, &verb, &result);
        if let Err(e) = crate::actions::audit::record(&entry) {
            eprintln!("kubedeck: warning: {e}");
        }
    }
    let done = result?;
    if !done.is_empty() {
        println!("{done}");
    }
    Ok(())
}

async fn logs_command(client: Client, namespace: &str, args: LogsArgs) -> Result<(), String> {
    let target = crate::cluster::logs::LogTarget::parse(&args.target)?;
    let container = match (args.container, args.all_containers) {
        (Some(c), _) => crate::cluster::logs::ContainerChoice::Named(c),
        (None, true) => crate::cluster::logs::ContainerChoice::All,
        (None, false) => crate::cluster::logs::ContainerChoice::Default,
    };
    let prefix = args.prefix || args.all_containers || matches!(target, crate::cluster::logs::LogTarget::Workload(_));
    let request = crate::cluster::logs::LogRequest {
        namespace: namespace.to_owned(),
        target,
        container,
        previous: args.previous,
        tail: args.tail.filter(|&n| n >= 0),
        since_seconds: args.since.as_deref().map(logs::parse_since).transpose()?,
        follow: args.follow,
    };
    let format = logs::LogFormat::for_stdout(args.output == "json", args.timestamps, prefix);
    logs::run(client, request, format).await
}

#[allow(clippy::too_many_arguments)] // one per flag of the subcommand
async fn scale_command(
    client: &Client,
    namespace: &str,
    workload: &str,
    replicas: &str,
    hpa: bool,
    timeout: Duration,
    yes: bool,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<String, String> {
    let workload = operate::WorkloadRef::parse(workload)?;
    let replicas = operate::parse_replicas(replicas)?;
    if let Some(h) = operate::hpa_for(client, namespace, &workload).await? {
        let name = h.metadata.name.clone().unwrap_or_default();
        let (min, max) = (h.spec.min_replicas.unwrap_or(1), h.spec.max_replicas);
        if hpa {
            confirm(
                &format!(
                    "Set HPA {name}'s minimum to {replicas} (maximum {})?",
                    max.max(replicas)
                ),
                yes,
            )?;
            return operate::set_hpa_bounds(client, namespace, &name, replicas, max.max(replicas)).await;
        }
        eprintln!(
            "kubedeck: note: HPA {name} manages {workload} ({min}..{max} replicas) and will override a manual scale; \
             pass --hpa to set its minimum instead"
        );
    }
    confirm(&format!("Scale {workload} in {namespace} to {replicas}?"), yes)?;
    operate::scale(client, namespace, &workload, replicas, timeout, progress).await
}

async fn connect(opts: &ConnectOptions) -> Result<(Client, String, String), String> {
    let (target, config) = load_config(opts).await.map_err(|p| format!("{} {}", p.what, p.fix))?;
    let namespace = match target.scope {
        Scope::Namespace(ns) => ns,
        Scope::All => return Err("this command works on one namespace: pass -n NAMESPACE instead of -A".into()),
    };
    let client = Client::try_from(config).map_err(|e| format!("cannot set up a client for {}: {e}", target.server))?;
    Ok((client, namespace, target.context))
}

/// Asks on the terminal; without one, `--yes` is required so a script never hangs.
fn confirm(question: &str, yes: bool) -> Result<(), String> {
    if yes {
        return Ok(());
    }
    if !std::io::stdin().is_terminal() {
        return Err(format!(
            "{question} Refusing without a terminal to ask on: pass --yes to confirm."
        ));
    }
    print!("{question} [y/N] ");
    let _ = std::io::stdout().flush();
    let mut answer = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut answer)
        .map_err(|e| e.to_string())?;
    if matches!(answer.trim(), "y" | "Y" | "yes") {
        Ok(())
    } else {
        Err("cancelled: nothing was changed".into())
    }
}

async fn deploy_command(
    client: &Client,
    namespace: &str,
    args: DeployArgs,
    progress: &(dyn Fn(String) + Send + Sync),
) -> Result<String, String> {
    let chart_dir = args.chart.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_CHART));
    let values_files = args
        .values
        .iter()
        .map(|v| values_file(&chart_dir, v))
        .collect::<Result<Vec<_>, _>>()?;
    let req = DeployRequest {
        release: args.release.clone(),
        namespace: namespace.to_owned(),
        chart_dir,
        values_files,
        set: args.set.clone(),
        atomic: args.atomic,
        timeout: Duration::from_secs(args.timeout),
        history_max: args.history_max,
        helm_renderer: args.renderer == "helm",
        base_values: Default::default(),
    };
    let plan = deploy::plan(client, &req).await?;
    println!(
        "release {} in {namespace}: revision {} would",
        req.release, plan.revision
    );
    for id in &plan.added {
        println!("  + add {id}");
    }
    for (id, diff) in &plan.changed {
        println!("  ~ change {id}");
        for line in diff.lines() {
            println!("      {line}");
        }
    }
    for id in &plan.removed {
        println!("  - remove {id}");
    }
    if plan.added.is_empty() && plan.changed.is_empty() && plan.removed.is_empty() {
        println!("  (no object changes; a new revision is still recorded)");
    }
    if args.dry_run {
        return Ok(String::new());
    }
    confirm(
        &format!("Apply revision {} of {} to {namespace}?", plan.revision, req.release),
        args.yes,
    )?;
    let rev = deploy::deploy(client, &req, progress).await?;
    Ok(format!("release {} revision {rev} deployed", req.release))
}

async fn history_command(client: &Client, namespace: &str, release: &str, output: &str) -> Result<(), String> {
    let history = ReleaseStore::new(client.clone(), namespace, release).history().await?;
    if history.is_empty() {
        return Err(format!("release {release} not found in {namespace}"));
    }
    if output == "json" {
        let rows: Vec<serde_json::Value> = history
            .iter()
            .map(|r| {
                serde_json::json!({
                    "revision": r.version,
                    "updated": r.info.last_deployed.0.map(|t| t.to_string()),
                    "status": r.info.status.as_ref().map(|s| s.as_str()),
                    "chart": chart_label(r),
                    "app_version": r.chart.metadata.as_ref().map(|m| m.app_version.clone()),
                    "description": r.info.description,
                })
            })
            .collect();
        println!("{}", serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())?);
        return Ok(());
    }
    println!(
        "{:<9}{:<27}{:<17}{:<24}{:<12}DESCRIPTION",
        "REVISION", "UPDATED", "STATUS", "CHART", "APP VERSION"
    );
    for r in &history {
        let updated = r
            .info
            .last_deployed
            .0
            .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
            .unwrap_or_default();
        let app = r
            .chart
            .metadata
            .as_ref()
            .map(|m| m.app_version.clone())
            .unwrap_or_default();
        let status = r.info.status.as_ref().map_or("", |s| s.as_str());
        println!(
            "{:<9}{:<27}{:<17}{:<24}{:<12}{}",
            r.version,
            updated,
            status,
            chart_label(r),
            app,
            r.info.description
        );
    }
    Ok(())
}

fn chart_label(r: &crate::cluster::releases::Release) -> String {
    r.chart
        .metadata
        .as_ref()
        .map(|m| format!("{}-{}", m.name, m.version))
        .unwrap_or_default()
}
