//! The first-run wizard's steps as actions: each runs external commands (docker, minikube) or
//! talks to the cluster through kube-rs, streams every output line as progress, and ends with
//! one sentence. A step can be cancelled; a running child process is then killed and reaped.

pub mod access;
pub mod cluster;
pub mod dockerfiles;
pub mod progress;
pub mod tools;

use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::process::Command;
use tokio::sync::watch;

use super::deploy::{DeployRequest, Progress};
use crate::cluster::ConnectOptions;
use tools::{Finding, Tool};

/// The wizard's steps, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepId {
    Tools,
    Minikube,
    Addons,
    Images,
    Secrets,
    Deploy,
    Access,
}

impl StepId {
    pub const ALL: [StepId; 7] = [
        StepId::Tools,
        StepId::Minikube,
        StepId::Addons,
        StepId::Images,
        StepId::Secrets,
        StepId::Deploy,
        StepId::Access,
    ];

    pub fn title(self) -> &'static str {
        match self {
            StepId::Tools => "Check tools",
            StepId::Minikube => "Start Minikube",
            StepId::Addons => "Ingress and metrics",
            StepId::Images => "Images",
            StepId::Secrets => "Secrets",
            StepId::Deploy => "Deploy the chart",
            StepId::Access => "Open the app",
        }
    }

    /// Whether later steps still work when this one is skipped: the addons only serve the
    /// ingress and HPAs, images may already be in Minikube, and access is only advice.
    pub fn skippable(self) -> bool {
        matches!(self, StepId::Addons | StepId::Images | StepId::Access)
    }
}

/// Minikube's size and version, as the user edited them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MinikubeSettings {
    pub cpus: u32,
    pub memory_mb: u64,
    /// Empty: minikube's default.
    pub kubernetes_version: String,
}

impl Default for MinikubeSettings {
    fn default() -> Self {
        MinikubeSettings {
            cpus: 4,
            memory_mb: 8192,
            kubernetes_version: String::new(),
        }
    }
}

/// Where one of the app's images comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImageSource {
    /// Built into Minikube from this folder, as the local values expect (`<repository>:local`).
    Build(PathBuf),
    /// Used as is: `repository[:tag]`.
    Image(String),
}

/// The frontend, backend and MCP server images; remembered in the progress file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageChoice {
    pub frontend: ImageSource,
    pub backend: ImageSource,
    pub mcp_server: ImageSource,
}

impl ImageChoice {
    /// (values key, repository the local values use, source).
    pub fn components(&self) -> [(&'static str, &'static str, &ImageSource); 3] {
        [
            ("frontend", "ghcr.io/todo-chatbot/frontend", &self.frontend),
            ("backend", "ghcr.io/todo-chatbot/backend", &self.backend),
            ("mcpServer", "ghcr.io/todo-chatbot/mcp-server", &self.mcp_server),
        ]
    }
}

/// The secret values typed in the wizard. Held in memory only: never serialized, and its Debug
/// shows no value, so it cannot reach a log or the progress file by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValues {
    /// None: the chart's in-cluster PostgreSQL.
    pub database_url: Option<String>,
    pub openai_api_key: String,
    pub better_auth_secret: String,
}

impl std::fmt::Debug for SecretValues {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretValues { .. }")
    }
}

/// The Secret the wizard creates and the chart reads through `existingSecret`, so no secret
/// value is ever passed as a chart value (Helm's release record would keep it).
pub const SECRET_NAME: &str = "todo-chatbot-secrets";
/// The release name the dashboard deploys too.
pub const RELEASE: &str = "todo";

/// One step to run, with what the user chose for it.
#[derive(Debug, Clone, PartialEq)]
pub enum StepRequest {
    Tools,
    Minikube(MinikubeSettings),
    Addons,
    Images(ImageChoice),
    Secrets(SecretValues),
    Deploy(DeployRequest),
    Access,
}

impl StepRequest {
    pub fn id(&self) -> StepId {
        match self {
            StepRequest::Tools => StepId::Tools,
            StepRequest::Minikube(_) => StepId::Minikube,
            StepRequest::Addons => StepId::Addons,
            StepRequest::Images(_) => StepId::Images,
            StepRequest::Secrets(_) => StepId::Secrets,
            StepRequest::Deploy(_) => StepId::Deploy,
            StepRequest::Access => StepId::Access,
        }
    }
}

/// Where the steps that talk to the cluster connect, and in which namespace the app goes.
#[derive(Debug, Clone, PartialEq)]
pub struct SetupTarget {
    pub connect: ConnectOptions,
    pub namespace: String,
    /// `std::env::consts::OS`, for install hints.
    pub os: &'static str,
}

/// Set to true to cancel the running step.
pub type Cancel = watch::Receiver<bool>;

/// What the wizard says when a step was cancelled; the app recognises it.
pub const CANCELLED: &str = "cancelled";

/// Runs one step to its end (or until cancelled) and says what it did in one sentence.
pub async fn run_step(
    req: StepRequest,
    target: &SetupTarget,
    out: Progress<'_>,
    cancel: Cancel,
) -> Result<String, String> {
    match req {
        StepRequest::Tools => check_tools(target.os, out, cancel).await,
        StepRequest::Minikube(settings) => start_minikube(&settings, out, cancel).await,
        StepRequest::Addons => {
            for addon in ["ingress", "metrics-server"] {
                run_ok("minikube", &["addons", "enable", addon], out, cancel.clone()).await?;
            }
            let pods = cluster::addon_pods();
            until_cancelled(
                cancel,
                cluster::wait_for_pods(&target.connect, &pods, cluster::ADDON_TIMEOUT, out),
            )
            .await?
        }
        StepRequest::Images(choice) => build_images(&choice, out, cancel).await,
        StepRequest::Secrets(values) => {
            until_cancelled(
                cancel,
                cluster::create_secret(&target.connect, &target.namespace, &values, out),
            )
            .await?
        }
        // Not cancellable: the app refuses, since stopping between two applies leaves a
        // half-done release; the request is atomic, so a failure rolls back by itself.
        StepRequest::Deploy(req) => cluster::deploy(&target.connect, &req, out).await,
        StepRequest::Access => access(target.os, out, cancel).await,
    }
}

/// What a finished command left behind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    pub success: bool,
    pub code: Option<i32>,
    /// Standard output, for the steps that parse it (bounded).
    pub stdout: String,
}

/// Kept of a command's standard output for parsing; version and status outputs are tiny.
const STDOUT_KEPT: usize = 1 << 20;

/// Runs `program args`, sending `$ command`, every output line and the exit status with the
/// elapsed time as progress. Err when it could not start or was cancelled (then it is killed
/// and reaped before this returns, so nothing keeps running behind the wizard's back).
pub async fn run_command(
    program: &str,
    args: &[&str],
    out: Progress<'_>,
    mut cancel: Cancel,
) -> Result<CommandOutput, String> {
    out(format!("$ {program} {}", args.join(" ")));
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                format!("{program} is not installed (not found on PATH)")
            } else {
                format!("cannot start {program}: {e}")
            }
        })?;
    let stdout = child.stdout.take();
    let stderr = child.stderr.take();
    let mut kept = String::new();
    let finished = tokio::select! {
        status = async {
            tokio::join!(forward_lines(stdout, out, Some(&mut kept)), forward_lines(stderr, out, None));
            child.wait().await
        } => Some(status),
        _ = cancelled(&mut cancel) => None,
    };
    let Some(status) = finished else {
        // kill() also reaps it, so no zombie and no process left behind.
        let _ = child.kill().await;
        out(format!(
            "{program} stopped: cancelled after {:.1}s",
            started.elapsed().as_secs_f32()
        ));
        return Err(CANCELLED.into());
    };
    let status = status.map_err(|e| format!("waiting for {program}: {e}"))?;
    let elapsed = started.elapsed().as_secs_f32();
    match status.code() {
        Some(code) => out(format!("{program} exited with {code} after {elapsed:.1}s")),
        None => out(format!("{program} was killed by a signal after {elapsed:.1}s")),
    }
    Ok(CommandOutput {
        success: status.success(),
        code: status.code(),
        stdout: kept,
    })
}

/// Sends each line of a child's stream as progress, keeping a bounded copy when asked; bytes
/// that are not UTF-8 are replaced.
async fn forward_lines(stream: Option<impl AsyncRead + Unpin>, out: Progress<'_>, mut keep: Option<&mut String>) {
    let Some(stream) = stream else { return };
    let mut reader = BufReader::new(stream);
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {
                let text = String::from_utf8_lossy(&line);
                let text = text.trim_end_matches(['\n', '\r']);
                if let Some(kept) = keep.as_deref_mut()
                    && kept.len() < STDOUT_KEPT
                {
                    kept.push_str(text);
                    kept.push('\n');
                }
                out(text.to_owned());
            }
        }
    }
}

/// Resolves when the wizard asks to cancel; never, if it can no longer ask.
async fn cancelled(cancel: &mut Cancel) {
    if cancel.wait_for(|c| *c).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs a command that must succeed.
async fn run_ok(program: &str, args: &[&str], out: Progress<'_>, cancel: Cancel) -> Result<CommandOutput, String> {
    let output = run_command(program, args, out, cancel).await?;
    if output.success {
        Ok(output)
    } else {
        Err(format!(
            "`{program} {}` failed (exit {}): its output is above; fix that and press r to retry",
            args.join(" "),
            output.code.map_or("by signal".into(), |c| c.to_string())
        ))
    }
}

/// Runs a future that talks to the cluster, dropping it when the user cancels.
async fn until_cancelled<T>(mut cancel: Cancel, work: impl Future<Output = T>) -> Result<T, String> {
    tokio::select! {
        done = work => Ok(done),
        _ = cancelled(&mut cancel) => Err(CANCELLED.into()),
    }
}

async fn check_tools(os: &str, out: Progress<'_>, cancel: Cancel) -> Result<String, String> {
    let mut blocking = Vec::new();
    for tool in Tool::ALL {
        let finding = match run_command(tool.program(), tool.version_args(), out, cancel.clone()).await {
            Err(e) if e == CANCELLED => return Err(e),
            Err(_) => Finding::Missing,
            Ok(o) if !o.success => Finding::NotAnswering,
            Ok(o) => match tool.parse_version(&o.stdout) {
                None => Finding::Unreadable,
                Some(v) if v < tool.minimum() => Finding::TooOld(v),
                Some(v) => Finding::Ok(v),
            },
        };
        let (sentence, blocks) = tools::verdict(tool, &finding, os);
        out(format!("{} {sentence}", if blocks { "✗" } else { "✓" }));
        if blocks {
            blocking.push(sentence);
        }
    }
    match blocking.len() {
        0 => Ok("docker and minikube are ready".into()),
        _ => Err(format!("{}; then press r to check again", blocking.join("; "))),
    }
}

async fn start_minikube(settings: &MinikubeSettings, out: Progress<'_>, cancel: Cancel) -> Result<String, String> {
    // `minikube status` exits non-zero when the profile is stopped or missing; its JSON is
    // still the answer.
    let status = run_command("minikube", &["status", "-o", "json"], out, cancel.clone()).await?;
    if profile_running(&status.stdout) {
        out("the minikube profile is already running: reusing it (its size stays as it is)".into());
        return Ok("reused the running minikube profile".into());
    }
    let args = start_args(settings);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run_ok("minikube", &args, out, cancel).await?;
    Ok(format!(
        "minikube started with {} CPUs and {} MB",
        settings.cpus, settings.memory_mb
    ))
}

/// Whether `minikube status -o json` says the cluster is up.
pub fn profile_running(status_json: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(status_json.trim()) else {
        return false;
    };
    v.get("Host").and_then(|h| h.as_str()) == Some("Running")
        && v.get("APIServer").and_then(|h| h.as_str()) == Some("Running")
}

/// `minikube start` as the issue spells it, plus the Kubernetes version when one was chosen.
pub fn start_args(s: &MinikubeSettings) -> Vec<String> {
    let mut args = vec![
        "start".to_owned(),
        format!("--cpus={}", s.cpus),
        format!("--memory={}", s.memory_mb),
        "--driver=docker".to_owned(),
    ];
    if !s.kubernetes_version.is_empty() {
        args.push(format!("--kubernetes-version={}", s.kubernetes_version));
    }
    args
}

async fn build_images(choice: &ImageChoice, out: Progress<'_>, cancel: Cancel) -> Result<String, String> {
    let mut built = 0;
    for (_, repository, source) in choice.components() {
        let ImageSource::Build(dir) = source else { continue };
        if !dir.is_dir() {
            return Err(format!(
                "{} is not a folder: press e to point at the source folder (with its Dockerfile), or give an image name",
                dir.display()
            ));
        }
        let tag = format!("{repository}:local");
        let dir = dir.to_string_lossy();
        run_ok("minikube", &["image", "build", "-t", &tag, &dir], out, cancel.clone()).await?;
        built += 1;
    }
    Ok(match built {
        0 => "using the given images".into(),
        n => format!("built {n} image(s) into minikube"),
    })
}

async fn access(os: &str, out: Progress<'_>, cancel: Cancel) -> Result<String, String> {
    let output = run_ok("minikube", &["ip"], out, cancel.clone()).await?;
    let ip: std::net::IpAddr = output
        .stdout
        .lines()
        .find_map(|l| l.trim().parse().ok())
        .ok_or("`minikube ip` printed no address: is minikube running? Press r to retry")?;
    let hosts = if os == "windows" {
        r"C:\Windows\System32\drivers\etc\hosts"
    } else {
        "/etc/hosts"
    };
    out(format!("Add this line to {hosts}:  {ip} todo.local"));
    out("Then open http://todo.local".into());
    if os != "linux" {
        out("With the docker driver on macOS and Windows the minikube IP is not reachable from the host: run `minikube tunnel` and use 127.0.0.1 instead.".into());
    }
    out(format!(
        "checking that the app answers through the ingress at {ip}:80 for todo.local (the page, the backend's /health) ..."
    ));
    let findings = until_cancelled(cancel, access::check(ip, 80, "todo.local", Duration::from_secs(5))).await?;
    for finding in &findings {
        out(format!("{} {}", if finding.ok { "✓" } else { "✗" }, finding.said));
    }
    let failed: Vec<&str> = findings.iter().filter(|f| !f.ok).map(|f| f.said.as_str()).collect();
    match failed.is_empty() {
        true => Ok(format!(
            "the app answers at http://todo.local ({ip}): its page and the backend's /health"
        )),
        false => Err(format!(
            "{}. Press r to check again, or s to finish without the check",
            failed.join("; ")
        )),
    }
}

/// Hex from the operating system's CSPRNG (`bytes` random bytes), for generated secrets.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("the system random generator failed: {e}"))?;
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_running_profile_is_recognised() {
        let up = r#"{"Name":"minikube","Host":"Running","Kubelet":"Running","APIServer":"Running","Kubeconfig":"Configured","Worker":false}"#;
        let stopped = r#"{"Name":"minikube","Host":"Stopped","Kubelet":"Stopped","APIServer":"Stopped","Kubeconfig":"Stopped","Worker":false}"#;
        assert!(profile_running(up));
        assert!(!profile_running(stopped));
        assert!(!profile_running("🤷  Profile \"minikube\" not found."));
    }

    #[test]
    fn start_arguments_follow_the_settings() {
        let mut s = MinikubeSettings::default();
        assert_eq!(
            start_args(&s),
            ["start", "--cpus=4", "--memory=8192", "--driver=docker"]
        );
        s.kubernetes_version = "v1.30.0".into();
        assert_eq!(
            start_args(&s).last().map(String::as_str),
            Some("--kubernetes-version=v1.30.0")
        );
    }

    #[test]
    fn secret_values_never_show_in_debug() {
        let v = SecretValues {
            database_url: Some("postgresql://u:hunter2@db/x".into()),
            openai_api_key: "sk-hunter2".into(),
            better_auth_secret: "hunter2".into(),
        };
        assert!(!format!("{v:?}").contains("hunter2"));
        assert!(!format!("{:?}", StepRequest::Secrets(v)).contains("hunter2"));
    }

    #[test]
    fn generated_secrets_are_long_and_differ() {
        let (a, b) = (random_hex(32).unwrap(), random_hex(32).unwrap());
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
    }
}
