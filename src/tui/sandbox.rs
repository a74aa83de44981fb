//! `kubedeck sandbox`'s run: the recipe's build, the cluster's start and the chart's deploy, one
//! child process each, with the progress view below the prompt while they work (one line per
//! step when stdout is not a terminal), everything they write kept in a log.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use ratatui::{Terminal, TerminalOptions, Viewport, backend::CrosstermBackend};
use tokio::io::{AsyncBufReadExt, AsyncRead, BufReader};
use tokio::sync::mpsc;

use crate::actions::sandbox::{self, Phase, Progress};

/// Where the sandbox is and how it was asked for.
pub struct Sandbox {
    pub name: String,
    cache: PathBuf,
    script: PathBuf,
    log: PathBuf,
}

impl Sandbox {
    /// Checks the machine and writes the recipe; the error is the sentence to print.
    pub fn prepare(name: &str, needs_machine: bool) -> Result<Sandbox, String> {
        if !sandbox::valid_name(name) {
            return Err(format!(
                "`{name}` cannot name a sandbox: use lower-case letters, digits and '-' (a DNS label)"
            ));
        }
        if needs_machine && let Some(what) = sandbox::missing() {
            return Err(what);
        }
        let cache = sandbox::sim_cache().ok_or(
            "kubedeck sandbox keeps its build in the cache folder, and neither HOME nor KUBEDECK_SIM_CACHE is set",
        )?;
        let script = sandbox::write_recipe(&cache)?;
        let log = cache.join("logs").join(format!("sandbox-{name}.log"));
        Ok(Sandbox {
            name: name.to_owned(),
            cache,
            script,
            log,
        })
    }

    pub fn kubeconfig(&self) -> PathBuf {
        sandbox::kubeconfig(&self.cache, &self.name)
    }

    fn sim(&self, args: &[&str]) -> tokio::process::Command {
        let mut cmd = tokio::process::Command::new("bash");
        cmd.arg(&self.script).args(args).args(["--name", &self.name]);
        cmd
    }

    /// Builds and starts the sandbox and deploys the chart to it; returns its kubeconfig.
    pub async fn up(&self) -> Result<PathBuf, String> {
        if let Some(dir) = self.log.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        }
        let mut log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .map_err(|e| format!("cannot write the sandbox's log {}: {e}", self.log.display()))?;
        let _ = writeln!(log, "== kubedeck sandbox {} at {}", self.name, jiff::Timestamp::now());
        let kubeconfig = self.kubeconfig();
        let exe = std::env::current_exe().map_err(|e| format!("cannot find kubedeck's own binary: {e}"))?;
        let mut deploy = tokio::process::Command::new(exe);
        deploy.arg("--kubeconfig").arg(&kubeconfig).args([
            "deploy",
            sandbox::RELEASE,
            "-n",
            sandbox::NAMESPACE,
            "-f",
            "sim",
            "--yes",
            "--create-namespace",
            "--timeout",
            "5m",
        ]);
        let phases = [
            (Phase::Build, self.sim(&["build", "--real-node"])),
            (Phase::Up, self.sim(&["up", "--real-node"])),
            (Phase::Deploy, deploy),
        ];
        let mut view = View::new(&self.name, &self.log);
        for (phase, cmd) in phases {
            if let Err(e) = run_phase(phase, cmd, &mut view, &mut log).await {
                view.finish();
                return Err(e);
            }
        }
        view.finish();
        Ok(kubeconfig)
    }

    /// Removes the sandbox: its processes, its real node, its folder.
    pub async fn down(&self) -> Result<(), String> {
        let status = self
            .sim(&["down"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .status()
            .await
            .map_err(|e| format!("cannot run the sandbox's recipe with bash: {e}"))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!(
                "removing the sandbox {} failed (see the lines above); run kubedeck sandbox down again",
                self.name
            ))
        }
    }
}

/// The live view on a terminal, or plain lines.
struct View {
    progress: Progress,
    log: PathBuf,
    terminal: Option<Terminal<CrosstermBackend<std::io::Stdout>>>,
}

impl View {
    fn new(name: &str, log: &Path) -> View {
        let progress = Progress::new(name, Instant::now());
        let terminal = std::io::stdout().is_terminal().then(|| {
            let height = crate::views::sandbox::height(&progress);
            Terminal::with_options(
                CrosstermBackend::new(std::io::stdout()),
                TerminalOptions {
                    viewport: Viewport::Inline(height),
                },
            )
            .ok()
        });
        View {
            progress,
            log: log.to_owned(),
            terminal: terminal.flatten(),
        }
    }

    /// Shows what changed: redraws the view, or prints the new step lines.
    fn show(&mut self, log: &mut std::fs::File) {
        let elapsed = crate::actions::sandbox::short(self.progress.started.elapsed());
        for event in self.progress.take_events() {
            let _ = writeln!(log, "== {elapsed} {event}");
            if self.terminal.is_none() {
                println!("sandbox {elapsed} {event}");
            }
        }
        if let Some(terminal) = &mut self.terminal {
            let (progress, log) = (&self.progress, &self.log);
            let _ = terminal
                .draw(|f| crate::views::sandbox::render(progress, Instant::now(), log, f.area(), f.buffer_mut()));
        }
    }

    /// Leaves the view on screen and puts the cursor below it.
    fn finish(&mut self) {
        if let Some(mut terminal) = self.terminal.take() {
            let _ = terminal.show_cursor();
            println!();
        }
    }
}

/// Runs one phase's command to its end, its lines moving the steps on.
async fn run_phase(
    phase: Phase,
    mut cmd: tokio::process::Command,
    view: &mut View,
    log: &mut std::fs::File,
) -> Result<(), String> {
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot start the sandbox's recipe: {e}"))?;
    let (tx, mut lines) = mpsc::unbounded_channel();
    if let Some(out) = child.stdout.take() {
        forward(out, tx.clone());
    }
    if let Some(err) = child.stderr.take() {
        forward(err, tx);
    }
    view.progress.phase_started(phase, Instant::now());
    view.show(log);
    let mut ticker = tokio::time::interval(Duration::from_millis(500));
    let mut recent: Vec<String> = Vec::new();
    loop {
        tokio::select! {
            line = lines.recv() => match line {
                Some(line) => {
                    let _ = writeln!(log, "{line}");
                    view.progress.line(phase, &line, Instant::now());
                    recent.push(line);
                    if recent.len() > 12 { recent.remove(0); }
                }
                None => break,
            },
            _ = ticker.tick() => {}
            _ = tokio::signal::ctrl_c() => {
                let _ = child.start_kill();
                view.progress.phase_failed(phase, Instant::now());
                view.show(log);
                return Err("stopped: what is built stays cached, and kubedeck sandbox goes on from there (kubedeck sandbox down removes the cluster)".into());
            }
        }
        view.show(log);
    }
    let status = child
        .wait()
        .await
        .map_err(|e| format!("waiting for the sandbox's recipe: {e}"))?;
    if status.success() {
        view.progress.phase_done(phase, Instant::now());
        view.show(log);
        return Ok(());
    }
    view.progress.phase_failed(phase, Instant::now());
    view.show(log);
    view.finish();
    for line in &recent {
        eprintln!("  {}", crate::text::sanitize(line));
    }
    let what = view
        .progress
        .steps
        .iter()
        .find(|s| matches!(s.state, crate::actions::sandbox::StepState::Failed { .. }))
        .map_or("a step".to_owned(), |s| s.title.clone());
    Err(format!(
        "the sandbox stopped at \"{what}\" (its last lines are above, all of them in {}); fix what they say and run kubedeck sandbox again",
        view.log.display()
    ))
}

fn forward(stream: impl AsyncRead + Unpin + Send + 'static, tx: mpsc::UnboundedSender<String>) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
}
