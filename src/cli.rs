//! Command-line flags.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::cluster::ConnectOptions;

mod chart_args;
mod deploy_flags;
pub mod duration;
mod sandbox_args;
pub use chart_args::{ChartCommand, ChartInput, Shell, TemplateArgs};
pub use deploy_flags::DryRun;
pub use sandbox_args::{SandboxArgs, SandboxCommand};

/// A terminal dashboard for deploying and operating the Todo Chatbot on Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "kubedeck", version, about)]
pub struct Cli {
    /// Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "PATH", global = true)]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME", global = true)]
    pub context: Option<String>,

    /// Namespace to show (default: the context's namespace, else "default").
    #[arg(
        short = 'n',
        long,
        value_name = "NAME",
        conflicts_with = "all_namespaces",
        global = true
    )]
    pub namespace: Option<String>,

    /// Show all namespaces.
    #[arg(short = 'A', long, global = true)]
    pub all_namespaces: bool,

    /// Read-only: nothing that changes the cluster is offered or done (also `readonly: true`,
    /// for all or per context, in the config file).
    #[arg(long, global = true)]
    pub readonly: bool,

    /// Act as this user (or service account, `system:serviceaccount:NS:NAME`), as kubectl --as.
    #[arg(long = "as", value_name = "USER", global = true)]
    pub as_user: Option<String>,

    /// Act as a member of this group, as kubectl --as-group; repeatable.
    #[arg(long = "as-group", value_name = "GROUP", global = true)]
    pub as_groups: Vec<String>,

    /// How long to wait for each request to the API server before giving up, as kubectl:
    /// 30s, 1m (0: no limit, the default).
    #[arg(long, value_name = "DURATION", global = true, allow_hyphen_values = true, value_parser = request_timeout)]
    pub request_timeout: Option<std::time::Duration>,

    /// Enable the mouse (wheel scroll, click to focus); also `mouse: true` in the config file.
    #[arg(long)]
    pub mouse: bool,

    /// Config file (default: $KUBEDECK_CONFIG, else the config folder's kubedeck/config.yaml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,

    #[command(subcommand)]
    pub command: Option<Command>,
}

/// What kubedeck can do without the dashboard, for scripts and CI pipelines.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Install or upgrade the Todo Chatbot chart (or another) as a Helm-compatible release.
    Deploy(DeployArgs),
    /// Roll a release back to an earlier revision (default: the last good one).
    Rollback {
        /// Release name.
        #[arg(value_parser = release_name)]
        release: String,
        /// Revision to roll back to.
        #[arg(allow_negative_numbers = true, value_parser = revision)]
        revision: Option<i32>,
        /// How long to wait for the workloads to be ready, as helm writes it (90s, 5m, 1h30m).
        #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
        timeout: String,
        /// Do not ask for confirmation.
        #[arg(long, short = 'y')]
        yes: bool,
        /// Show what the rollback would change and stop.
        #[arg(long)]
        dry_run: bool,
        #[command(flatten)]
        waiting: WaitArgs,
    },
    /// Delete a release's objects and its history.
    Uninstall {
        #[arg(value_parser = release_name)]
        release: String,
        /// Keep the history, marking the release uninstalled (as helm uninstall --keep-history).
        #[arg(long)]
        keep_history: bool,
        #[arg(long, short = 'y')]
        yes: bool,
        /// Wait until every object is gone (pods terminated), up to --timeout.
        #[arg(long)]
        wait: bool,
        /// How long --wait waits, as helm writes it (90s, 5m, 1h30m).
        #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
        timeout: String,
        /// List what would be deleted and stop.
        #[arg(long)]
        dry_run: bool,
    },
    /// Scale a Deployment or StatefulSet: `kubedeck scale deploy/backend 4`.
    Scale {
        /// deploy/NAME or sts/NAME.
        workload: String,
        /// Replicas, 0 to 1000.
        #[arg(allow_negative_numbers = true)]
        replicas: String,
        /// When an HPA manages the workload, set its minimum (and maximum) instead.
        #[arg(long)]
        hpa: bool,
        /// How long to wait, as helm writes it (90s, 5m, 1h30m).
        #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
        timeout: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Restart a workload's pods, as kubectl rollout restart.
    Restart {
        /// deploy/NAME or sts/NAME.
        workload: String,
        /// How long to wait, as helm writes it (90s, 5m, 1h30m).
        #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
        timeout: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Delete a pod and time its replacement: `kubedeck delete pod NAME`.
    Delete {
        /// Only `pod` for now.
        #[arg(value_parser = ["pod"])]
        kind: String,
        name: String,
        /// How long to wait, as helm writes it (90s, 5m, 1h30m).
        #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
        timeout: String,
        #[arg(long, short = 'y')]
        yes: bool,
    },
    /// Stream the logs of a pod, or of every pod of a workload: `kubedeck logs deploy/backend -f`.
    Logs(LogsArgs),
    /// Is the app in this namespace healthy? Workloads, pods, HPAs and releases; exits 1 when not.
    Status {
        /// text, json or yaml.
        #[arg(long, short = 'o', value_parser = ["text", "json", "yaml"], default_value = "text")]
        output: String,
        /// Also call the app's health endpoints through a port-forward and time each answer.
        #[arg(long)]
        probe: bool,
    },
    /// A guided demo on the live cluster: self-healing, scaling, autoscaling, rollback, persistence,
    /// or all of them in order with a summary of what they measured.
    Demo {
        /// self-healing, scaling, autoscaling, rollback, persistence or all.
        name: String,
        /// The Todo Chatbot release to demo.
        #[arg(long, default_value = "todo", value_parser = release_name)]
        release: String,
        /// Do not ask, even on a context that does not look local.
        #[arg(long, short = 'y')]
        yes: bool,
        /// With `all`: go on to the next demo without waiting for Enter.
        #[arg(long)]
        no_pause: bool,
        /// With `all`: for screen recording: no cursor, large narration, the summary saved as
        /// Markdown in the current folder.
        #[arg(long)]
        record: bool,
    },
    /// First-run wizard: from a laptop with Docker to the Todo Chatbot running on Minikube
    /// (resumes where it stopped).
    Setup,
    /// A local sandbox cluster (built once from Go modules, then cached) with the Todo Chatbot
    /// deployed and the dashboard open on it: `kubedeck sandbox`; `kubedeck sandbox down` removes it.
    Sandbox(SandboxArgs),
    /// Print the chart's manifests as helm template does, without a cluster.
    Template(TemplateArgs),
    /// The Todo Chatbot chart built into kubedeck: `kubedeck chart export DIR`.
    Chart {
        #[command(subcommand)]
        action: ChartCommand,
    },
    /// Print a shell completion script: `kubedeck completions bash > /etc/bash_completion.d/kubedeck`.
    Completions {
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print kubedeck's man page (roff): `kubedeck man > kubedeck.1`.
    Man,
    /// Run a command in a container, exiting with its status: `kubedeck exec deploy/backend -it -- sh`.
    Exec(ExecArgs),
    /// Forward a local port to a pod's port until Ctrl-C: `kubedeck port-forward svc/backend 8000[:8000]`.
    PortForward(PortForwardArgs),
    /// List a release's revisions, as helm history does.
    History {
        #[arg(value_parser = release_name)]
        release: String,
        /// table, json or yaml (as helm history -o).
        #[arg(long, short = 'o', value_parser = ["table", "json", "yaml"], default_value = "table")]
        output: String,
    },
    /// Run a release's tests (its `helm.sh/hook: test` pods) as helm test does; exits 1 when one fails.
    Test(TestArgs),
}

/// `--wait[=BOOL]` and `--wait-for-jobs`, as helm's upgrade and rollback take them.
#[derive(Debug, Clone, Copy, Args)]
pub struct WaitArgs {
    /// Wait for the workloads to be ready, up to --timeout (the default); `--wait=false` returns
    /// once the objects are applied, as helm without --wait (a deploy with --atomic always waits).
    #[arg(
        long,
        value_name = "BOOL",
        num_args = 0..=1,
        require_equals = true,
        default_value = "true",
        default_missing_value = "true",
        value_parser = deploy_flags::boolean
    )]
    pub wait: bool,
    /// While waiting, also wait until the release's Jobs have completed (up to --timeout), as
    /// helm's flag; a failed Job fails the deploy or rollback.
    #[arg(long)]
    pub wait_for_jobs: bool,
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Release name.
    #[arg(value_parser = release_name)]
    pub release: String,
    /// How long each test may take, as helm writes it (90s, 5m, 1h30m).
    #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
    pub timeout: String,
    /// Print each test pod's logs (read as it ends, before its delete policy removes it).
    #[arg(long)]
    pub logs: bool,
    /// name=TEST runs only TEST, '!name=TEST' skips it; repeat or separate with commas.
    #[arg(long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Do not print the chart's notes after the results.
    #[arg(long)]
    pub hide_notes: bool,
    /// Do not ask for confirmation on a terminal.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

#[derive(Debug, Args)]
pub struct LogsArgs {
    /// A pod name, pod/NAME, deploy/NAME or sts/NAME (every pod of the workload, interleaved).
    pub target: String,
    /// Keep streaming new lines; reconnects when a container restarts or the connection drops.
    #[arg(short = 'f', long)]
    pub follow: bool,
    /// Lines from the end of each container's log to start with (default: all).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = lines)]
    pub tail: Option<i64>,
    /// Only lines newer than this: 30s, 5m, 2h, 1d.
    #[arg(long, value_name = "DURATION", allow_hyphen_values = true)]
    pub since: Option<String>,
    /// The container (default: the pod's default container, else its first).
    #[arg(short = 'c', long, conflicts_with = "all_containers")]
    pub container: Option<String>,
    /// Every container of each pod.
    #[arg(long)]
    pub all_containers: bool,
    /// The previous (terminated) container's logs.
    #[arg(short = 'p', long, conflicts_with = "follow")]
    pub previous: bool,
    /// Start each line with its time (RFC 3339).
    #[arg(long)]
    pub timestamps: bool,
    /// Start each line with pod/container (the default for workloads and --all-containers).
    #[arg(long)]
    pub prefix: bool,
    /// One JSON object per line: time, pod, container, line.
    #[arg(long, short = 'o', value_parser = ["text", "json"], default_value = "text")]
    pub output: String,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// A pod name, pod/NAME, or deploy/NAME, sts/NAME, svc/NAME (a ready pod of it).
    pub target: String,
    /// The container (default: the pod's default container, else its first).
    #[arg(short = 'c', long)]
    pub container: Option<String>,
    /// Pass this terminal's input (stdin) to the command.
    #[arg(short = 'i', long)]
    pub stdin: bool,
    /// Give the command a terminal (raw mode here, window size passed on); needs -i to type.
    #[arg(short = 't', long)]
    pub tty: bool,
    /// The command and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PortForwardArgs {
    /// pod/NAME (or a pod name), deploy/NAME, sts/NAME or svc/NAME.
    pub target: String,
    /// LOCAL[:REMOTE] ports, e.g. 8000 or 8080:8000; for a Service REMOTE is its port.
    #[arg(required = true, value_name = "LOCAL[:REMOTE]")]
    pub ports: Vec<String>,
    /// The local addresses to listen on (comma-separated); only 127.0.0.1 unless you say so.
    #[arg(long, default_value = "127.0.0.1", value_delimiter = ',')]
    pub address: Vec<String>,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// Release name, as helm spells it (`kubedeck deploy todo`); the same as --release.
    #[arg(value_name = "RELEASE", conflicts_with = "release", value_parser = release_name)]
    pub name: Option<String>,
    /// Release name.
    #[arg(long, default_value = "todo", value_parser = release_name)]
    pub release: String,
    #[command(flatten)]
    pub input: ChartInput,
    /// Roll back to the last good revision if the deploy fails.
    #[arg(long)]
    pub atomic: bool,
    /// How long to wait for hooks and workloads, as helm writes it (90s, 5m, 1h30m).
    #[arg(long, default_value = "5m", value_name = "DURATION", allow_hyphen_values = true, value_parser = timeout)]
    pub timeout: String,
    /// Revisions to keep (0: all).
    #[arg(long, default_value_t = 10, allow_negative_numbers = true, value_parser = revisions_kept)]
    pub history_max: usize,
    /// Render with the helm binary on PATH instead of kubedeck's own renderer.
    #[arg(long, value_parser = ["kubedeck", "helm"], default_value = "kubedeck")]
    pub renderer: String,
    /// Change nothing: `--dry-run` (= server) shows what would change in the cluster;
    /// `--dry-run=client` prints the release and its manifests as helm does.
    #[arg(
        long,
        value_name = "MODE",
        num_args = 0..=1,
        require_equals = true,
        default_value = "none",
        default_missing_value = "server",
        value_parser = deploy_flags::dry_run
    )]
    pub dry_run: DryRun,
    /// Create the namespace when it does not exist.
    #[arg(long)]
    pub create_namespace: bool,
    #[command(flatten)]
    pub waiting: WaitArgs,
    /// On an upgrade, only the chart's defaults and this command's values.
    #[arg(long)]
    pub reset_values: bool,
    /// On an upgrade, the last release's values with this command's on top (ignored with --reset-values).
    #[arg(long)]
    pub reuse_values: bool,
    /// On an upgrade, the chart's defaults, then the last release's values, then this command's
    /// (ignored with --reset-values or --reuse-values).
    #[arg(long)]
    pub reset_then_reuse_values: bool,
    /// Do not ask for confirmation.
    #[arg(long, short = 'y')]
    pub yes: bool,
}

impl Command {
    /// The command with helm's spellings settled: `deploy RELEASE` is `deploy --release RELEASE`.
    pub fn settled(mut self) -> Self {
        if let Command::Deploy(args) = &mut self
            && let Some(name) = args.name.take()
        {
            args.release = name;
        }
        self
    }
}

impl Cli {
    pub fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            all_namespaces: self.all_namespaces,
            as_user: self.as_user.clone(),
            as_groups: self.as_groups.clone(),
            request_timeout: self.request_timeout.filter(|t| !t.is_zero()),
        }
    }
}

// Numbers are parsed here, not by clap's defaults, so a bad one (negative ones included: they
// are values, never mistaken for flags) fails with one sentence like any other bad value; main
// prints it and exits 1.

fn whole_number(text: &str) -> Option<i64> {
    text.trim().parse::<i64>().ok()
}

/// A release name as helm allows it (`cluster::releases::release_name`).
pub(crate) fn release_name(text: &str) -> Result<String, String> {
    crate::cluster::releases::release_name(text)
}

/// A release revision: 1 or more.
fn revision(text: &str) -> Result<i32, String> {
    match whole_number(text) {
        Some(n) if (1..=i64::from(i32::MAX)).contains(&n) => Ok(n as i32),
        _ => Err(format!(
            "{text:?} is not a revision: give a whole number of at least 1 (kubedeck history RELEASE lists them)"
        )),
    }
}

/// `--tail`: lines, 0 or more, or -1 for all (as kubectl).
fn lines(text: &str) -> Result<i64, String> {
    match whole_number(text) {
        Some(n) if n >= -1 => Ok(n),
        _ => Err(format!(
            "--tail {text:?} is not a number of lines: give a whole number of 0 or more (-1: all)"
        )),
    }
}

/// `--history-max`: revisions to keep, 0 for all.
fn revisions_kept(text: &str) -> Result<usize, String> {
    match whole_number(text) {
        Some(n) if (0..=1_000_000).contains(&n) => Ok(n as usize),
        _ => Err(format!(
            "--history-max {text:?} is not a number of revisions: give a whole number of 0 (keep all) or more"
        )),
    }
}

/// `--timeout`: checked before anything is asked of the cluster, kept as written.
fn timeout(text: &str) -> Result<String, String> {
    duration::parse_timeout(text).map(|_| text.to_owned())
}

/// `--request-timeout`: a duration as kubectl writes it (a bare number is seconds, 0 no limit).
fn request_timeout(text: &str) -> Result<std::time::Duration, String> {
    duration::parse(text, "--request-timeout")
}

/// A bad value on the command line as the one sentence to print, for the errors that are
/// about a value (not a missing argument, `--help` or an unknown flag, which keep clap's usage).
pub fn bad_value(e: &clap::Error) -> Option<String> {
    use clap::error::ErrorKind;
    match e.kind() {
        ErrorKind::ValueValidation => {
            let source = std::error::Error::source(e).map(ToString::to_string);
            source.or_else(|| Some(first_line(e)))
        }
        ErrorKind::InvalidValue => Some(first_line(e)),
        _ => None,
    }
}

/// clap's message without "error: ", its tips and its usage: "invalid value 'yaml' for
/// '--output <OUTPUT>' (possible values: text, json)".
fn first_line(e: &clap::Error) -> String {
    let text = e.render().to_string();
    let mut lines = text.lines().map(str::trim).take_while(|l| !l.is_empty());
    let head = lines
        .next()
        .unwrap_or_default()
        .trim_start_matches("error: ")
        .to_owned();
    let rest: Vec<&str> = lines.map(|l| l.trim_matches(|c| c == '[' || c == ']')).collect();
    if rest.is_empty() {
        head
    } else {
        format!("{head} ({})", rest.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn flags_are_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn a_release_name_helm_would_refuse_is_one_sentence_before_anything_runs() {
        use clap::Parser;
        let said = |args: &[&str]| {
            let e = super::Cli::try_parse_from(args).expect_err("refused");
            super::bad_value(&e).expect("a sentence")
        };
        let too_long = "a".repeat(54);
        for args in [
            &["kubedeck", "deploy", "Bad_Name"][..],
            &["kubedeck", "deploy", "--release", &too_long],
            &["kubedeck", "rollback", "Todo"],
            &["kubedeck", "history", "todo-"],
        ] {
            let sentence = said(args);
            assert!(
                sentence
                    .ends_with("is not a release name: use lower-case letters, digits and -, at most 53 characters"),
                "{sentence}"
            );
        }
        assert!(said(&["kubedeck", "template", "./my-chart"]).ends_with("(a chart folder is given with --chart PATH)"));
        assert!(super::Cli::try_parse_from(["kubedeck", "deploy", &"a".repeat(53)]).is_ok());
    }
}
