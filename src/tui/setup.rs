//! `kubedeck setup`'s loop: keys, ticks, signals and step output become `SetupMsg`s for the
//! wizard's state; its effects start, cancel and save steps; the screen is redrawn after each.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use color_eyre::eyre::{Result, WrapErr};
use tokio::sync::{mpsc, watch};

use super::terminal::{Input, Inputs, init_terminal};
use crate::actions::setup::progress::{self, SavedProgress};
use crate::actions::setup::{self, SetupTarget, StepId};
use crate::app::setup::form::HostInfo;
use crate::app::setup::{Mode, SetupEffect, SetupMsg, SetupState};
use crate::cluster::ConnectOptions;

/// How often the running step's clock moves on.
const TICK: Duration = Duration::from_millis(250);

/// Runs the wizard until it is finished or the user stops it; returns what to print after the
/// terminal is restored.
pub async fn run(connect: ConnectOptions) -> Result<String> {
    let path = progress::path();
    let (mut state, target) = start(connect, path.as_deref());
    let (mut terminal, _guard) = init_terminal(false)?;
    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut steps = Steps {
        target,
        path,
        tx,
        cancel: None,
    };
    let mut inputs = Inputs::new(TICK)?;
    let mut dirty = true;
    loop {
        // An effect answered at once may ask for another (Dockerfiles written, then the build).
        while !state.effects.is_empty() {
            for effect in std::mem::take(&mut state.effects) {
                steps.apply(effect, &mut state);
            }
        }
        if state.should_quit {
            break;
        }
        if dirty {
            terminal
                .draw(|frame| crate::views::setup::render(&state, frame.area(), frame.buffer_mut()))
                .wrap_err("drawing the screen")?;
        }
        let msg = tokio::select! {
            input = inputs.next() => match input {
                Input::Key(key) => SetupMsg::Key(key),
                Input::Resize { .. } => { dirty = true; continue }
                Input::Mouse(_) => continue,
                Input::Tick => SetupMsg::Tick(Instant::now()),
                Input::Quit => SetupMsg::Quit,
            },
            Some(msg) = rx.recv() => msg,
        };
        dirty = false;
        for msg in std::iter::once(msg).chain(std::iter::from_fn(|| rx.try_recv().ok())) {
            // A step's time is read when it ends, not at the last tick.
            if matches!(msg, SetupMsg::StepDone(..)) {
                state.update(SetupMsg::Tick(Instant::now()));
            }
            dirty |= state.update(msg);
        }
    }
    Ok(farewell(&state))
}

/// The wizard where saved progress left it, and the cluster it sets up.
fn start(connect: ConnectOptions, path: Option<&Path>) -> (SetupState, SetupTarget) {
    let (saved, problem) = match path.map(progress::load) {
        Some(Ok(saved)) => (saved, None),
        Some(Err(why)) => (SavedProgress::default(), Some(why)),
        None => (
            SavedProgress::default(),
            Some("no state folder to save progress in: set KUBEDECK_STATE_DIR to resume later".into()),
        ),
    };
    let namespace = connect
        .namespace
        .clone()
        .or_else(|| saved.secret.as_ref().map(|s| s.namespace.clone()))
        .unwrap_or_else(|| "todo".into());
    let target = SetupTarget {
        connect,
        namespace: namespace.clone(),
        os: std::env::consts::OS,
    };
    let mut state = SetupState::new(saved, namespace, host_info(), Instant::now());
    if problem.is_some() {
        state.notice = problem;
    }
    (state, target)
}

/// What carries out the wizard's effects: the cluster and the file it works on, the channel
/// steps answer on, and how to cancel the running step.
struct Steps {
    target: SetupTarget,
    /// Where progress is saved, if there is a state folder.
    path: Option<PathBuf>,
    tx: mpsc::UnboundedSender<SetupMsg>,
    cancel: Option<watch::Sender<bool>>,
}

impl Steps {
    fn apply(&mut self, effect: SetupEffect, state: &mut SetupState) {
        match effect {
            SetupEffect::Run(request) => self.cancel = Some(spawn_step(request, &self.target, &self.tx)),
            SetupEffect::Cancel => {
                if let Some(c) = &self.cancel {
                    let _ = c.send(true);
                }
            }
            SetupEffect::Save(saved) => {
                if let Some(path) = &self.path
                    && let Err(e) = progress::save(path, &saved)
                {
                    state.notice = Some(format!("progress not saved ({e}); the next run starts over"));
                }
            }
            // Answered at once, before the next key: an Enter typed right after Ctrl-G
            // must find the secret filled in.
            SetupEffect::GenerateSecret => {
                state.update(SetupMsg::Generated(setup::random_hex(32)));
            }
            SetupEffect::FindMissingDockerfiles(choice) => {
                let missing = setup::dockerfiles::missing(&choice);
                state.update(SetupMsg::MissingDockerfiles(choice, missing));
            }
            SetupEffect::WriteDockerfiles(folders) => {
                state.update(SetupMsg::DockerfilesWritten(setup::dockerfiles::write(&folders)));
            }
        }
    }
}

/// Runs one step in the background; its lines and its end come back as messages. The sender
/// returned cancels it.
fn spawn_step(
    request: setup::StepRequest,
    target: &SetupTarget,
    tx: &mpsc::UnboundedSender<SetupMsg>,
) -> watch::Sender<bool> {
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let (tx, target, id) = (tx.clone(), target.clone(), request.id());
    tokio::spawn(async move {
        let lines = tx.clone();
        let out = move |line: String| {
            let _ = lines.send(SetupMsg::Line(id, line));
        };
        let result = setup::run_step(request, &target, &out, cancel_rx).await;
        let _ = tx.send(SetupMsg::StepDone(id, result));
    });
    cancel_tx
}

/// The sentence left on the terminal after the wizard.
fn farewell(state: &SetupState) -> String {
    if state.mode == Mode::Finished {
        return format!(
            "kubedeck setup: all steps finished. Open the dashboard with `kubedeck -n {}`.",
            state.namespace
        );
    }
    let step = state.step().id;
    let number = StepId::ALL.iter().position(|s| *s == step).map_or(0, |i| i + 1);
    format!(
        "kubedeck setup stopped at step {number} ({}); run `kubedeck setup` again to resume there.",
        step.title()
    )
}

/// CPUs and memory of this machine, for checking Minikube's size; None where unknown.
fn host_info() -> HostInfo {
    let cpus = std::thread::available_parallelism()
        .ok()
        .and_then(|n| u32::try_from(n.get()).ok());
    HostInfo {
        cpus,
        memory_mb: total_memory_mb(),
    }
}

fn total_memory_mb() -> Option<u64> {
    if cfg!(target_os = "linux") {
        let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
        let kb: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))?
            .trim()
            .trim_end_matches("kB")
            .trim()
            .parse()
            .ok()?;
        Some(kb / 1024)
    } else if cfg!(target_os = "macos") {
        let out = std::process::Command::new("sysctl")
            .args(["-n", "hw.memsize"])
            .output()
            .ok()?;
        let bytes: u64 = String::from_utf8_lossy(&out.stdout).trim().parse().ok()?;
        Some(bytes / (1024 * 1024))
    } else {
        None
    }
}
