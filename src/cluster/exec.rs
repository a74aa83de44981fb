//! Commands in containers through the API server's exec subresource (a WebSocket, kube-rs's
//! `Api::exec`): a shell or a command, its bytes joined to a local end (the terminal or pipes),
//! window sizes forwarded, and the exit status read from the Status object the kubelet sends.

use std::pin::Pin;

use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Status;
use kube::api::{AttachParams, TerminalSize};
use kube::{Api, Client};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;

use super::{Attempt, explain};

mod local;
pub use local::{RawInput, StdWriter, window_sizes};

/// One command in one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExecRequest {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub command: Vec<String>,
    /// Send the local input to the command.
    pub stdin: bool,
    /// Give the command a terminal (its output then comes as one stream).
    pub tty: bool,
}

/// Where the command's bytes come from and go to.
pub struct LocalEnd {
    /// The local input, in chunks as read; None when the command gets no input. The channel
    /// closing is the end of the input.
    pub input: Option<mpsc::Receiver<Vec<u8>>>,
    pub output: Pin<Box<dyn AsyncWrite + Send>>,
    pub errors: Pin<Box<dyn AsyncWrite + Send>>,
    /// The local terminal's size, first as it is, then each time it changes (tty only).
    pub sizes: Option<mpsc::Receiver<TerminalSize>>,
}

/// Runs the command with its bytes joined to `local`, until it ends; its exit status, or
/// the sentence saying why it could not run or how the connection was lost.
pub async fn run(client: &Client, request: &ExecRequest, local: LocalEnd) -> Result<i32, String> {
    let LocalEnd {
        input,
        mut output,
        mut errors,
        sizes,
    } = local;
    let params = AttachParams::default()
        .container(request.container.clone())
        .stdin(request.stdin && input.is_some())
        .stdout(true)
        .stderr(!request.tty)
        .tty(request.tty);
    let pods = Api::<Pod>::namespaced(client.clone(), &request.namespace);
    let what = format!("exec into pod {}", request.pod);
    let mut attached = pods
        .exec(&request.pod, request.command.clone(), &params)
        .await
        .map_err(|e| explain(&e, Attempt::new("open", &what, &request.namespace)))?;
    let status = attached.take_status();
    let mut pumps = tokio::task::JoinSet::new();
    if let (Some(mut tx), Some(mut sizes)) = (attached.terminal_size(), sizes) {
        pumps.spawn(async move {
            while let Some(size) = sizes.recv().await {
                if futures::SinkExt::send(&mut tx, size).await.is_err() {
                    break;
                }
            }
        });
    }
    if let (Some(mut remote), Some(mut input)) = (attached.stdin(), input) {
        pumps.spawn(async move {
            while let Some(bytes) = input.recv().await {
                if remote.write_all(&bytes).await.is_err() || remote.flush().await.is_err() {
                    return;
                }
            }
            // The end of the local input is the end of the command's (Ctrl-D on a pipe).
            let _ = remote.shutdown().await;
        });
    }
    let (stdout, stderr) = (attached.stdout(), attached.stderr());
    let copy_out = async {
        if let Some(mut out) = stdout {
            let _ = tokio::io::copy(&mut out, &mut output).await;
        }
        let _ = output.flush().await;
    };
    let copy_err = async {
        if let Some(mut err) = stderr {
            let _ = tokio::io::copy(&mut err, &mut errors).await;
        }
        let _ = errors.flush().await;
    };
    tokio::join!(copy_out, copy_err);
    // The input and size pumps wait on the local end, which outlives the command.
    pumps.abort_all();
    let status = match status {
        Some(status) => status.await,
        None => None,
    };
    let joined = attached.join().await;
    match (status, joined) {
        (Some(status), _) => exit_code(&status),
        (None, Err(e)) => Err(format!("the connection to {} was lost: {e}", request.pod)),
        (None, Ok(())) => Err(format!(
            "the connection to {} closed before the command said how it ended",
            request.pod
        )),
    }
}

/// The exit status in the Status the kubelet sends when the command ends: Success is 0, a
/// NonZeroExitCode carries its code; any other failure (no such command, no such container)
/// is the sentence to show.
pub fn exit_code(status: &Status) -> Result<i32, String> {
    if status.status.as_deref() == Some("Success") {
        return Ok(0);
    }
    let code = status
        .details
        .as_ref()
        .and_then(|d| d.causes.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.reason.as_deref() == Some("ExitCode"))
        .and_then(|c| c.message.as_deref())
        .and_then(|m| m.trim().parse::<i32>().ok());
    match code {
        Some(code) if status.reason.as_deref() == Some("NonZeroExitCode") => Ok(code),
        _ => Err(format!(
            "the command could not run: {}",
            crate::text::sanitize(status.message.as_deref().unwrap_or("no reason given"))
        )),
    }
}

/// The shell to open: `/bin/bash` where the container has it, else `/bin/sh`. Asked with a
/// quick `bash -c exit` first, since the terminal cannot be taken back from a failed shell.
pub async fn shell_of(client: &Client, namespace: &str, pod: &str, container: &str) -> Vec<String> {
    let request = ExecRequest {
        namespace: namespace.to_owned(),
        pod: pod.to_owned(),
        container: container.to_owned(),
        command: vec!["/bin/bash".into(), "-c".into(), "exit 0".into()],
        stdin: false,
        tty: false,
    };
    let quiet = || LocalEnd {
        input: None,
        output: Box::pin(tokio::io::sink()),
        errors: Box::pin(tokio::io::sink()),
        sizes: None,
    };
    let shell = match run(client, &request, quiet()).await {
        Ok(0) => "/bin/bash",
        _ => "/bin/sh",
    };
    vec![shell.to_owned()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(json: serde_json::Value) -> Status {
        serde_json::from_value(json).unwrap()
    }

    #[test]
    fn the_exit_status_comes_from_the_status_object() {
        assert_eq!(exit_code(&status(serde_json::json!({"status": "Success"}))), Ok(0));
        let three = status(serde_json::json!({
            "status": "Failure", "reason": "NonZeroExitCode",
            "message": "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
            "details": {"causes": [{"reason": "ExitCode", "message": "3"}]}
        }));
        assert_eq!(exit_code(&three), Ok(3));
        let missing = status(serde_json::json!({
            "status": "Failure",
            "message": "exec: \"nope\": executable file not found in $PATH"
        }));
        assert_eq!(
            exit_code(&missing).unwrap_err(),
            "the command could not run: exec: \"nope\": executable file not found in $PATH"
        );
    }
}
