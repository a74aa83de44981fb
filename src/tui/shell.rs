//! The shell key's terminal handover: the dashboard leaves the alternate screen (raw mode
//! stays, for the remote tty), stops reading keys, joins the terminal to a shell in the
//! container until it exits or the connection drops, then comes back as it was.

use std::io::Write;

use crossterm::cursor::{Hide, Show};
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::terminal::{EnterAlternateScreen, LeaveAlternateScreen};

use super::terminal::Inputs;
use crate::actions::operation::Operation;
use crate::app::Msg;
use crate::app::exec::ShellRequest;
use crate::cluster::exec::{self, ExecRequest, LocalEnd, RawInput};
use crate::cluster::pod_target::{container_of, find_pod};

/// What the loop lends the shell while it runs.
pub(crate) struct Handover<'a> {
    pub terminal: &'a mut super::terminal::Term,
    pub inputs: &'a mut Inputs,
    pub mouse: bool,
    /// The kube context, for the audit log.
    pub context: String,
    pub readonly: bool,
}

/// Runs the shell `request` asks for and says how it ended. The pod, container and shell are
/// found before the screen is left, so a mistake shows in the footer, not on a bare terminal.
pub(crate) async fn run(handover: Handover<'_>, client: Option<kube::Client>, request: ShellRequest) -> Msg {
    let what = match &request.command {
        Some(c) => format!(
            "{} in {}",
            shlex::try_join(c.iter().map(String::as_str)).unwrap_or_else(|_| c.join(" ")),
            request.target
        ),
        None => format!("shell in {}", request.target),
    };
    let Some(client) = client else {
        return Msg::ShellDone(what, Err("not connected to the cluster yet".into()));
    };
    let exec_request = match resolve(&client, &request).await {
        Ok(r) => r,
        Err(why) => return Msg::ShellDone(what, Err(why)),
    };
    let operation = Operation::Exec {
        request: exec_request.clone(),
    };
    if let Err(refusal) = operation.permitted(handover.readonly, &handover.context) {
        return Msg::ShellDone(what, Err(refusal));
    }
    let what = format!("{what} (container {})", exec_request.container);
    // A command typed in (not the shell) prints and ends: its output is read before the
    // dashboard comes back over it.
    let typed = request.command.is_some();
    let outcome = handed_over(handover.inputs, handover.mouse, &what, &client, &exec_request, typed).await;
    // Back exactly as it was: the next draw repaints every cell.
    let _ = super::terminal::clear_for_repaint(handover.terminal);
    let recorded = outcome.clone().map(|code| format!("exited {code}"));
    if let Err(e) = operation.record(&handover.context, &recorded) {
        return Msg::ShellDone(what, outcome.map_err(|o| format!("{o} (audit log not written: {e})")));
    }
    Msg::ShellDone(what, outcome)
}

async fn resolve(client: &kube::Client, request: &ShellRequest) -> Result<ExecRequest, String> {
    let pod = find_pod(client, &request.namespace, &request.target).await?;
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let container = container_of(&pod, request.container.as_deref())?;
    let command = match &request.command {
        Some(c) => c.clone(),
        None => exec::shell_of(client, &request.namespace, &pod_name, &container).await,
    };
    Ok(ExecRequest {
        namespace: request.namespace.clone(),
        pod: pod_name,
        container,
        command,
        stdin: true,
        tty: true,
    })
}

/// The terminal belongs to the shell from here until it ends.
async fn handed_over(
    inputs: &mut Inputs,
    mouse: bool,
    what: &str,
    client: &kube::Client,
    request: &ExecRequest,
    wait_for_key: bool,
) -> Result<i32, String> {
    inputs.pause();
    let mut out = std::io::stdout();
    if mouse {
        let _ = crossterm::execute!(out, DisableMouseCapture);
    }
    let _ = crossterm::execute!(out, LeaveAlternateScreen, Show);
    // Raw mode stays on: the remote tty does the echo and the line editing.
    let _ = write!(
        out,
        "kubedeck: {what} in {}; exit the shell to return to the dashboard.\r\n",
        request.namespace
    );
    let _ = out.flush();
    let (reader, input) = RawInput::start(0);
    let local = LocalEnd {
        input: Some(input),
        output: Box::pin(exec::StdWriter::stdout()),
        errors: Box::pin(exec::StdWriter::stderr()),
        sizes: Some(exec::window_sizes(|| crossterm::terminal::size().ok())),
    };
    let outcome = exec::run(client, request, local).await;
    // Stops the reader before the dashboard reads keys again, so none is lost between them.
    drop(reader);
    if wait_for_key {
        let ended = match &outcome {
            Ok(code) => format!("exited {code}"),
            Err(why) => why.clone(),
        };
        let _ = write!(
            out,
            "\r\nkubedeck: {ended}; press any key to return to the dashboard.\r\n"
        );
        let _ = out.flush();
        let (key_reader, mut keys) = RawInput::start(0);
        let _ = keys.recv().await;
        drop(key_reader);
    }
    let _ = crossterm::execute!(out, EnterAlternateScreen, Hide);
    if mouse {
        let _ = crossterm::execute!(out, EnableMouseCapture);
    }
    inputs.resume();
    outcome
}
