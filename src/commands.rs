//! The subcommands: the same actions as the dashboard's keys, with plain output for scripts.
//! Every failure ends as one sentence on stderr and a non-zero exit.

use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::time::Duration;

use kube::Client;

use crate::actions::deploy::{self, DeployPlan, DeployRequest};
use crate::actions::operate::{self, ManagingHpa, WorkloadRef};
use crate::actions::operation::{Operation, Subject};
use crate::actions::release_store::ReleaseStore;
use crate::cli::{Command, DeployArgs, DryRun, LogsArgs};
use crate::cluster::{ConnectOptions, Scope, load_config};

use crate::chart::{BUNDLED_CHART, values_file};

#[macro_use]
mod out;
pub use out::write_out;

pub mod demo_all;
pub mod exec;
pub mod forward;
pub mod logs;
pub mod offline;
mod preflight;
mod release;
pub mod status;
mod test;

/// The cluster a subcommand works on.
struct Connection {
    client: Client,
    namespace: String,
    context: String,
}

/// Runs a subcommand; the error is the sentence to print. What changes the cluster is refused
/// in read-only mode and written to the audit log.
pub async fn run(command: Command, opts: ConnectOptions, readonly: &crate::config::Readonly) -> Result<(), String> {
    let command = command.settled();
    if let Some(done) = offline::run(&command, opts.namespace.as_deref()) {
        return done;
    }
    let (client, namespace, context) = connect(&opts).await?;
    let cluster = Connection {
        client,
        namespace,
        context,
    };
    let done = match subject_of(&command) {
        None => execute(&cluster, command).await?,
        Some(subject) => {
            subject.permitted(readonly.applies_to(Some(&cluster.context)), &cluster.context)?;
            subject.begin(&cluster.context, &cluster.namespace)?;
            let result = execute(&cluster, command).await;
            if let Err(e) = subject.record(&cluster.context, &cluster.namespace, &result) {
                eprintln!("kubedeck: warning: {e}");
            }
            result?
        }
    };
    if !done.is_empty() {
        outln!("{done}");
    }
    Ok(())
}

/// What the audit log and read-only mode call a subcommand that changes the cluster, from its
/// arguments as typed, so one whose arguments are wrong is refused and recorded all the same.
/// None for those that only read.
fn subject_of(command: &Command) -> Option<Subject> {
    let workload = |text: &str| WorkloadRef::parse(text).map_or(text.to_owned(), |w| w.to_string());
    match command {
        Command::Deploy(args) => (args.dry_run == DryRun::None).then(|| Subject::deploy(&args.release)),
        Command::Rollback { dry_run: true, .. } | Command::Uninstall { dry_run: true, .. } => None,
        Command::Rollback { release, revision, .. } => Some(Subject::rollback(release, *revision)),
        Command::Uninstall { release, .. } => Some(Subject::uninstall(release)),
        Command::Scale {
            workload: w, replicas, ..
        } => Some(Subject::scale(&workload(w), replicas)),
        Command::Restart { workload: w, .. } => Some(Subject::restart(&workload(w))),
        Command::Delete { name, .. } => Some(Subject::delete_pod(name)),
        Command::Demo { name, release, .. } => Some(Subject::demo(name, release)),
        Command::Exec(args) => Some(Subject::exec(&args.target, args.container.as_deref(), &args.command)),
        Command::PortForward(_) => None,
        Command::Test(args) => Some(Subject::test(&args.release)),
        Command::History { .. } | Command::Logs(_) | Command::Status { .. } | Command::Setup => None,
        Command::Sandbox(_) => None,
        Command::Template(_) | Command::Chart { .. } | Command::Completions { .. } | Command::Man => None,
    }
}

/// Runs one subcommand; the outcome is the sentence to print last (empty for none).
async fn execute(cluster: &Connection, command: Command) -> Result<String, String> {
    let namespace = cluster.namespace.as_str();
    preflight::check_namespace(cluster, &command).await?;
    match command {
        Command::Deploy(args) => deploy_command(cluster, args).await,
        Command::Rollback {
            release,
            revision,
            timeout,
            dry_run: true,
            ..
        } => release::rollback_dry_run(cluster, &release, revision, &timeout).await,
        Command::Uninstall {
            release,
            keep_history,
            yes,
            wait,
            timeout,
            dry_run,
        } => release::uninstall_command(cluster, release, keep_history, yes, wait, &timeout, dry_run).await,
        Command::Scale {
            workload,
            replicas,
            hpa,
            timeout,
            yes,
        } => {
            let timeout = crate::cli::duration::parse_timeout(&timeout)?;
            scale_command(cluster, &workload, &replicas, hpa, timeout, yes).await
        }
        // main starts the wizard itself; it never comes here.
        Command::Setup => Err("`kubedeck setup` is a full-screen wizard: run it in a terminal".into()),
        Command::Sandbox(_) => Err("`kubedeck sandbox` runs from kubedeck's main".into()),
        Command::History { release, output } => history_command(&cluster.client, namespace, &release, &output)
            .await
            .map(|()| String::new()),
        Command::Logs(args) => logs_command(cluster.client.clone(), namespace, args)
            .await
            .map(|()| String::new()),
        Command::Status { output, probe } => status_command(cluster, &output, probe).await,
        Command::Exec(args) => exec::run(&cluster.client, namespace, args).await,
        Command::PortForward(args) => forward::run(&cluster.client, namespace, args).await,
        Command::Test(args) => test::run(cluster, args).await,
        Command::Demo {
            name,
            release,
            yes,
            no_pause,
            record,
        } if name == "all" => {
            let operation = Operation::Demo {
                namespace: namespace.to_owned(),
                release: release.clone(),
                demo: crate::actions::demo::Demo::All,
            };
            for warning in operation.warnings(&cluster.context, None) {
                eprintln!("kubedeck: warning: {warning}");
            }
            confirm(&operation.question(), yes)?;
            let how = demo_all::Walk { no_pause, record };
            demo_all::run(&cluster.client, namespace, &release, &cluster.context, how).await
        }
        asked => {
            let (operation, yes) = operation_of(namespace, asked)?;
            ask_and_run(cluster, &operation, None, yes).await
        }
    }
}

/// The operation of a subcommand that needs nothing but its arguments, and whether `--yes`
/// was given.
fn operation_of(namespace: &str, command: Command) -> Result<(Operation, bool), String> {
    let namespace = namespace.to_owned();
    let asked = match command {
        Command::Rollback {
            release,
            revision,
            timeout,
            yes,
            waiting,
            ..
        } => {
            let timeout = crate::cli::duration::parse_timeout(&timeout)?;
            let (workloads, jobs) = (waiting.wait, waiting.wait_for_jobs);
            (
                Operation::Rollback {
                    namespace,
                    release,
                    to: revision,
                    timeout,
                    waiting: crate::actions::deploy::Waiting { workloads, jobs },
                },
                yes,
            )
        }
        Command::Uninstall {
            release,
            keep_history,
            yes,
            ..
        } => (
            Operation::Uninstall {
                namespace,
                release,
                keep_history,
            },
            yes,
        ),
        Command::Restart { workload, timeout, yes } => {
            let workload = WorkloadRef::parse(&workload)?;
            let timeout = crate::cli::duration::parse_timeout(&timeout)?;
            (
                Operation::Restart {
                    namespace,
                    workload,
                    timeout,
                },
                yes,
            )
        }
        Command::Delete { name, timeout, yes, .. } => {
            let timeout = crate::cli::duration::parse_timeout(&timeout)?;
            (
                Operation::DeletePod {
                    namespace,
                    name,
                    timeout,
                },
                yes,
            )
        }
        Command::Demo { name, release, yes, .. } => {
            let demo = crate::actions::demo::Demo::parse(&name)?;
            (
                Operation::Demo {
                    namespace,
                    release,
                    demo,
                },
                yes,
            )
        }
        // Deploy, scale, history, logs, status, setup look something up or print something
        // before they are one operation; template, chart, completions and man need no cluster.
        _ => return Err("this subcommand is not a single operation".into()),
    };
    Ok(asked)
}

/// Says the operation's warnings, asks its question unless `--yes`, then runs it, printing its
/// progress.
async fn ask_and_run(
    cluster: &Connection,
    operation: &Operation,
    hpa: Option<&ManagingHpa>,
    yes: bool,
) -> Result<String, String> {
    // What is not there is said before any question about changing it.
    preflight::target_there(cluster, operation).await?;
    for warning in operation.warnings(&cluster.context, hpa) {
        eprintln!("kubedeck: warning: {warning}");
    }
    confirm(&operation.question(), yes)?;
    let run = operation.run(&cluster.client, &|line| outln!("{line}"));
    // A deploy or rollback stopped by Ctrl-C or SIGTERM marks its pending revision failed, as
    // helm does; a demo puts its own changes back, and the other operations leave no record.
    let release = match operation {
        Operation::Deploy { request, .. } => Some(request.release.as_str()),
        Operation::Rollback { release, .. } => Some(release.as_str()),
        _ => None,
    };
    let Some(release) = release else {
        return run.await;
    };
    tokio::select! {
        outcome = run => outcome,
        why = crate::actions::interrupt::interrupted() => {
            Err(crate::actions::interrupt::mark_failed(&cluster.client, &cluster.namespace, release, why).await)
        }
    }
}

async fn status_command(cluster: &Connection, output: &str, probe: bool) -> Result<String, String> {
    let report = status::check(&cluster.client, &cluster.namespace).await;
    if probe {
        return probe_command(cluster, report, output).await;
    }
    if output == "json" {
        outln!("{}", serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?);
    } else if output == "yaml" {
        out!("{}", serde_yaml::to_string(&report).map_err(|e| e.to_string())?);
    } else {
        out!("{}", report.text());
    }
    match report.verdict() {
        None => Ok(String::new()),
        Some(why) => Err(why),
    }
}

/// `kubedeck status --probe`: the status, then each health endpoint's answer and its time;
/// fails when the status or any endpoint does.
async fn probe_command(cluster: &Connection, report: status::StatusReport, output: &str) -> Result<String, String> {
    let answers = crate::cluster::probe::probe_all(&cluster.client, &cluster.namespace, None).await?;
    if output == "json" {
        let both = serde_json::json!({"status": report, "probes": answers});
        outln!("{}", serde_json::to_string_pretty(&both).map_err(|e| e.to_string())?);
    } else {
        out!("{}", report.text());
        outln!("Health endpoints (through a port-forward):");
        for answer in &answers {
            outln!("  {}", answer.line());
        }
    }
    let failed = answers.iter().filter(|a| !a.ok()).count();
    match (report.verdict(), failed, answers.is_empty()) {
        (Some(why), _, _) => Err(why),
        (None, 0, true) => Err(format!(
            "no Deployment in {} has an HTTP probe to call",
            cluster.namespace
        )),
        (None, 0, false) => Ok(String::new()),
        (None, n, _) => Err(format!("{n} of {} health endpoints failed", answers.len())),
    }
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

/// `kubedeck scale`: where an HPA manages the workload, says it will override a manual scale,
/// or with `--hpa` moves the HPA's minimum instead.
async fn scale_command(
    cluster: &Connection,
    workload: &str,
    replicas: &str,
    hpa: bool,
    timeout: Duration,
    yes: bool,
) -> Result<String, String> {
    let workload = WorkloadRef::parse(workload)?;
    let replicas = operate::parse_replicas(replicas)?;
    operate::exists(&cluster.client, &cluster.namespace, &workload).await?;
    let managing = operate::hpa_for(&cluster.client, &cluster.namespace, &workload)
        .await?
        .map(|h| ManagingHpa::of(&h));
    if hpa && managing.is_none() {
        return Err(format!("{workload} has no HPA: scale it without --hpa"));
    }
    if hpa && replicas == 0 {
        return Err(
            "an HPA keeps at least 1 replica: give --hpa 1 or more, or scale the workload itself to 0 (without --hpa)"
                .into(),
        );
    }
    let namespace = cluster.namespace.clone();
    let operation = match &managing {
        Some(managing) if hpa => Operation::ScaleHpa {
            namespace,
            workload,
            hpa: managing.clone(),
            replicas,
        },
        _ => Operation::Scale {
            namespace,
            workload,
            replicas,
            timeout,
        },
    };
    ask_and_run(cluster, &operation, managing.as_ref(), yes).await
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
    out!("{question} [y/N] ");
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

/// The chart folder (the built-in chart unless `--chart`) and the values files `-f` names.
pub(crate) fn chart_and_values(input: &crate::cli::ChartInput) -> Result<(PathBuf, Vec<PathBuf>), String> {
    let chart_dir = input.chart.clone().unwrap_or_else(|| PathBuf::from(BUNDLED_CHART));
    // The chart first: its values files are named from it.
    if input.chart.is_some() && !crate::chart::is_embedded(&chart_dir) && !chart_dir.is_dir() {
        let what = if chart_dir.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        return Err(format!(
            "--chart {}: {what}; give a chart folder (with its Chart.yaml), or leave --chart out for the Todo Chatbot chart",
            chart_dir.display()
        ));
    }
    let values_files = input
        .values
        .iter()
        .map(|v| values_file(&chart_dir, v))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((chart_dir, values_files))
}

/// `kubedeck deploy`: prints the plan, then (unless `--dry-run`) asks and applies it.
async fn deploy_command(cluster: &Connection, args: DeployArgs) -> Result<String, String> {
    let (chart_dir, values_files) = chart_and_values(&args.input)?;
    let request = DeployRequest {
        release: args.release.clone(),
        namespace: cluster.namespace.clone(),
        chart_dir,
        values_files,
        set: args.input.set.clone(),
        atomic: args.atomic,
        timeout: crate::cli::duration::parse_timeout(&args.timeout)?,
        history_max: args.history_max,
        helm_renderer: args.renderer == "helm",
        base_values: Default::default(),
        options: release::deploy_options(&args),
    };
    if args.dry_run == DryRun::Client {
        let preview = deploy::preview(&cluster.client, &request).await?;
        out!("{}", release::helm_dry_run_text(&preview));
        return Ok(String::new());
    }
    let plan = deploy::plan(&cluster.client, &request).await?;
    print_plan(&request, &plan);
    if args.dry_run == DryRun::Server {
        return Ok(String::new());
    }
    let operation = Operation::Deploy {
        request: Box::new(request),
        revision: Some(plan.revision),
    };
    ask_and_run(cluster, &operation, None, args.yes).await
}

fn print_plan(request: &DeployRequest, plan: &DeployPlan) {
    outln!(
        "release {} in {}: revision {} would",
        request.release,
        request.namespace,
        plan.revision
    );
    release::print_changes(plan);
}

async fn history_command(client: &Client, namespace: &str, release: &str, output: &str) -> Result<(), String> {
    let history = ReleaseStore::new(client.clone(), namespace, release).history().await?;
    if history.is_empty() {
        return Err(format!("release {release} not found in {namespace}"));
    }
    if output == "json" || output == "yaml" {
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
        let text = if output == "yaml" {
            serde_yaml::to_string(&rows).map_err(|e| e.to_string())?
        } else {
            serde_json::to_string_pretty(&rows).map_err(|e| e.to_string())? + "\n"
        };
        out!("{text}");
        return Ok(());
    }
    outln!(
        "{:<9}{:<27}{:<17}{:<24}{:<12}DESCRIPTION",
        "REVISION",
        "UPDATED",
        "STATUS",
        "CHART",
        "APP VERSION"
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
        outln!(
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
