//! The local end of an exec: the bytes typed on this terminal (or piped in), read without
//! stealing any after the command ends, and the window's size each time it changes.

use std::io::Write;
use std::os::fd::RawFd;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use kube::api::TerminalSize;
use tokio::sync::mpsc;

/// How long a read waits before looking whether it should stop: the longest a key typed just
/// after the command ended could be taken from the dashboard is nothing, since the reader only
/// reads what poll says is there, and it stops within this.
const POLL: Duration = Duration::from_millis(50);

/// Reads a file descriptor (stdin) on a thread of its own, as bytes, until it is dropped or
/// the input ends. Unlike a blocking read, it can be stopped: dropping it stops the thread and
/// waits for it, so no byte read afterwards is lost to a command that has ended.
pub struct RawInput {
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RawInput {
    /// Starts reading `fd` (0 for stdin); the chunks arrive on the receiver, which closes at
    /// the end of the input.
    pub fn start(fd: RawFd) -> (RawInput, mpsc::Receiver<Vec<u8>>) {
        let (tx, rx) = mpsc::channel(64);
        let stop = Arc::new(AtomicBool::new(false));
        let stopped = stop.clone();
        let thread = std::thread::spawn(move || read_until_stopped(fd, &stopped, &tx));
        (
            RawInput {
                stop,
                thread: Some(thread),
            },
            rx,
        )
    }
}

impl Drop for RawInput {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn read_until_stopped(fd: RawFd, stop: &AtomicBool, tx: &mpsc::Sender<Vec<u8>>) {
    let mut buf = [0u8; 4096];
    while !stop.load(Ordering::SeqCst) {
        let mut poll = libc::pollfd {
            fd,
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for the duration of the call.
        let ready = unsafe { libc::poll(&mut poll, 1, POLL.as_millis() as libc::c_int) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            return;
        }
        if ready == 0 {
            continue;
        }
        // SAFETY: buf is valid for buf.len() bytes.
        let n = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 || tx.blocking_send(buf[..n as usize].to_vec()).is_err() {
            return;
        }
    }
}

/// The window's size now and after every SIGWINCH, as `read_size` reads it, until the
/// receiver is dropped.
pub fn window_sizes(read_size: fn() -> Option<(u16, u16)>) -> mpsc::Receiver<TerminalSize> {
    let (tx, rx) = mpsc::channel(8);
    tokio::spawn(async move {
        let mut changes = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok();
        loop {
            if let Some((width, height)) = read_size()
                && tx.send(TerminalSize { width, height }).await.is_err()
            {
                return;
            }
            let changed = async {
                match changes.as_mut() {
                    Some(c) => c.recv().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                _ = changed => {}
                () = tx.closed() => return,
            }
        }
    });
    rx
}

/// This process's stdout or stderr as an `AsyncWrite`, written straight through: a remote
/// shell's echo must reach the terminal at once, and a write to it never waits long.
pub struct StdWriter(Box<dyn std::io::Write + Send>);

impl StdWriter {
    pub fn stdout() -> StdWriter {
        StdWriter(Box::new(std::io::stdout()))
    }

    pub fn stderr() -> StdWriter {
        StdWriter(Box::new(std::io::stderr()))
    }
}

impl tokio::io::AsyncWrite for StdWriter {
    fn poll_write(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        buf: &[u8],
    ) -> std::task::Poll<std::io::Result<usize>> {
        let written = self.0.write(buf);
        // Flushed per write: stdout is line-buffered, and a prompt has no newline.
        std::task::Poll::Ready(written.and_then(|n| self.0.flush().map(|()| n)))
    }

    fn poll_flush(
        mut self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(self.0.flush())
    }

    fn poll_shutdown(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        self.poll_flush(cx)
    }
}
