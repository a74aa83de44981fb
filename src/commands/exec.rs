//! `kubedeck exec`: a command in a container with this terminal's input and output, its exit
//! status passed on as kubedeck's own.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicI32, Ordering};

use kube::Client;

use crate::cli::ExecArgs;
use crate::cluster::exec::{self, ExecRequest, LocalEnd, RawInput};
use crate::cluster::pod_target::{PodTarget, container_of, find_pod};

/// The exit status of the command `kubedeck exec` ran, for main to exit with.
static PASSED_ON: AtomicI32 = AtomicI32::new(0);

/// The status a subcommand asks kubedeck to exit with when it succeeded (a remote command's).
pub fn passed_on_status() -> i32 {
    PASSED_ON.load(Ordering::SeqCst)
}

/// Raw mode while a remote terminal has the keys, put back however the command ends.
struct RawMode;

impl RawMode {
    fn enter() -> Result<RawMode, String> {
        crossterm::terminal::enable_raw_mode().map_err(|e| format!("cannot put the terminal in raw mode: {e}"))?;
        Ok(RawMode)
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = crossterm::terminal::disable_raw_mode();
    }
}

pub async fn run(client: &Client, namespace: &str, args: ExecArgs) -> Result<String, String> {
    let target = PodTarget::parse(&args.target)?;
    let pod = find_pod(client, namespace, &target).await?;
    let request = ExecRequest {
        namespace: namespace.to_owned(),
        pod: pod.metadata.name.clone().unwrap_or_default(),
        container: container_of(&pod, args.container.as_deref())?,
        command: args.command,
        stdin: args.stdin,
        tty: args.tty,
    };
    if request.tty && !std::io::stdin().is_terminal() {
        return Err("-t needs a terminal, and stdin is not one: leave -t out when piping input".into());
    }
    let _raw = if request.tty && request.stdin {
        Some(RawMode::enter()?)
    } else {
        None
    };
    let (reader, input) = match request.stdin {
        true => {
            let (reader, input) = RawInput::start(0);
            (Some(reader), Some(input))
        }
        false => (None, None),
    };
    let local = LocalEnd {
        input,
        output: Box::pin(exec::StdWriter::stdout()),
        errors: Box::pin(exec::StdWriter::stderr()),
        sizes: request
            .tty
            .then(|| exec::window_sizes(|| crossterm::terminal::size().ok())),
    };
    let code = exec::run(client, &request, local).await;
    drop(reader);
    PASSED_ON.store(code.clone().unwrap_or(0), Ordering::SeqCst);
    code.map(|_| String::new())
}
