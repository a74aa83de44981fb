//! The terminal event loop: turns key presses, resizes, signals and cluster messages into
//! `Msg`s, feeds them to `App::update`, and draws when something changed, at most once a frame.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use crossterm::event::{Event, EventStream};
use futures::StreamExt;
use tokio::signal::unix::{SignalKind, signal};
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::keys::KeyMap;
use super::{App, Effect, Msg};
use crate::actions::deploy;
use crate::actions::operation::Operation;
use crate::cluster::logs::{self, LogEvent};
use crate::cluster::session::SessionEvent;
use crate::cluster::{ConnectOptions, objects, releases, session};

/// After a key, mouse or resize, the next frame comes at most this long after the last one.
const FRAME: Duration = Duration::from_millis(1000 / 30);
/// After changes from the cluster (watch events, log lines, the clock), at most this long: the
/// first change after a quiet spell is drawn at once, a steady stream of them (pods churning,
/// a busy log) is coalesced into ten frames a second, which is all the eye can follow in a
/// table and a third of the drawing work.
const DATA_FRAME: Duration = Duration::from_millis(100);
/// Messages handled before input gets another look, so a flood of watch events cannot starve keys.
const DRAIN_LIMIT: usize = 4096;

/// Puts the terminal back however we leave: normal return, error, or unwinding panic.
pub(crate) struct TerminalGuard {
    mouse: bool,
}

/// Raw mode and the alternate screen (and the mouse when asked), undone when the guard drops.
/// The dashboard and `kubedeck setup` both start here.
pub(crate) fn init_terminal(mouse: bool) -> Result<(ratatui::DefaultTerminal, TerminalGuard)> {
    let terminal = ratatui::try_init().wrap_err("kubedeck needs an interactive terminal; could not set it up")?;
    let guard = TerminalGuard { mouse };
    if mouse {
        crossterm::execute!(std::io::stdout(), crossterm::event::EnableMouseCapture).wrap_err("enabling the mouse")?;
    }
    Ok((terminal, guard))
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        if self.mouse {
            let _ = crossterm::execute!(std::io::stdout(), crossterm::event::DisableMouseCapture);
        }
        ratatui::restore();
    }
}

/// How the dashboard starts, from flags and the config file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub mouse: bool,
    pub keymap: KeyMap,
    pub readonly: super::Readonly,
    /// Shown until the first key: what was wrong with the config file.
    pub notice: Option<String>,
    pub logs: super::logs::LogSettings,
}

/// Runs the dashboard until the user quits or a signal asks us to.
/// How the dashboard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// The user asked for the first-run wizard (`S`).
    Setup,
}

pub async fn run(opts: ConnectOptions, settings: Settings) -> Result<Exit> {
    let (mut terminal, _guard) = init_terminal(settings.mouse)?;
    let size = terminal.size().wrap_err("reading the terminal size")?;
    let mut app = App::new(opts.clone(), jiff::Timestamp::now(), (size.width, size.height));
    app.keymap = settings.keymap;
    app.readonly = settings.readonly;
    app.keymap.readonly = app.is_readonly();
    app.notice = settings.notice;
    app.log_settings = settings.logs;

    let (tx, mut rx) = mpsc::unbounded_channel();
    let mut running = Some(AbortOnDrop(tokio::spawn(session::run(opts, tx.clone()))));
    // The log stream of the open log view, if any; dropping it stops the stream.
    let mut log_tail: Option<AbortOnDrop> = None;

    let mut input = EventStream::new();
    let mut sigterm = signal(SignalKind::terminate()).wrap_err("installing the SIGTERM handler")?;
    let mut sigint = signal(SignalKind::interrupt()).wrap_err("installing the SIGINT handler")?;
    let mut sighup = signal(SignalKind::hangup()).wrap_err("installing the SIGHUP handler")?;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    ticker.set_missed_tick_behavior(MissedTickBehavior::Skip);

    // The current session's client, for reads and actions the app asks for.
    let mut client: Option<kube::Client> = None;
    // When the next frame is due, if something changed since the last one.
    let mut due = Some(Instant::now());
    let mut last_draw = Instant::now() - DATA_FRAME;
    loop {
        if due.is_some_and(|at| at <= Instant::now()) {
            app.refresh();
            terminal
                .draw(|frame| crate::views::render(&app, frame))
                .wrap_err("drawing the screen")?;
            last_draw = Instant::now();
            due = None;
        }
        let msg = tokio::select! {
            event = input.next() => match event {
                Some(Ok(Event::Key(key))) => Msg::Key(key),
                Some(Ok(Event::Mouse(mouse))) => Msg::Mouse(mouse),
                Some(Ok(Event::Resize(width, height))) => Msg::Resize { width, height },
                Some(Ok(_)) => continue,
                // The terminal is gone: nothing more to show.
                Some(Err(_)) | None => Msg::Quit,
            },
            Some(msg) = rx.recv() => msg,
            _ = ticker.tick() => Msg::Tick(jiff::Timestamp::now()),
            _ = sigterm.recv() => Msg::Quit,
            _ = sigint.recv() => Msg::Quit,
            _ = sighup.recv() => Msg::Quit,
            _ = tokio::time::sleep_until(due.unwrap_or(last_draw)), if due.is_some() => continue,
        };
        let pace = if matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Resize { .. }) {
            FRAME
        } else {
            DATA_FRAME
        };
        let mut handle = |msg: Msg| {
            if let Msg::Session(SessionEvent::Client(c)) = &msg {
                client = Some(c.0.clone());
            }
            app.update(msg)
        };
        let mut schedule = |changed: bool, pace: Duration| {
            if changed {
                let at = last_draw + pace;
                due = Some(due.map_or(at, |d| d.min(at)));
            }
        };
        schedule(handle(msg), pace);
        for _ in 0..DRAIN_LIMIT {
            match rx.try_recv() {
                Ok(msg) => schedule(handle(msg), DATA_FRAME),
                Err(_) => break,
            }
        }
        let effects: Vec<Effect> = app.effects.drain(..).collect();
        for effect in effects {
            match effect {
                Effect::Reconnect(opts) => {
                    // Dropping the old session aborts it and its watches; messages it already
                    // sent are for the old context, so they are discarded.
                    drop(running.replace(AbortOnDrop(tokio::spawn(session::run(opts, tx.clone())))));
                    while rx.try_recv().is_ok() {}
                    client = None;
                }
                Effect::LoadDiff(request) => {
                    let c = client.clone();
                    spawn_read(&tx, async move {
                        let result = match c {
                            Some(c) => releases::load_diff(c, &request).await,
                            None => Err(NOT_CONNECTED.into()),
                        };
                        Msg::DiffLoaded(request, result)
                    });
                }
                Effect::PlanDeploy(req) => {
                    let c = client.clone();
                    spawn_read(&tx, async move {
                        let result = match c {
                            Some(c) => deploy::plan(&c, &req).await,
                            None => Err(NOT_CONNECTED.into()),
                        };
                        Msg::PlanReady(result)
                    });
                }
                Effect::Operate(operation) => {
                    let context = app.target.as_ref().map_or(String::new(), |t| t.context.clone());
                    spawn_operation(&tx, client.clone(), context, operation)
                }
                Effect::TailLogs(stream, request) => {
                    drop(log_tail.take());
                    let Some(c) = client.clone() else {
                        app.update(Msg::Logs(stream, LogEvent::Ended(Err(NOT_CONNECTED.into()))));
                        continue;
                    };
                    let tx = tx.clone();
                    let sink: logs::Sink = std::sync::Arc::new(move |event| {
                        let _ = tx.send(Msg::Logs(stream, event));
                    });
                    drop(log_tail.replace(AbortOnDrop(tokio::spawn(logs::stream(c, request, sink)))));
                }
                Effect::StopLogs => drop(log_tail.take()),
                Effect::SaveFile { path, text } => spawn_read(&tx, async move {
                    Msg::Notice(match tokio::fs::write(&path, text).await {
                        Ok(()) => format!("saved to {}", path.display()),
                        Err(e) => format!("could not save to {}: {e}", path.display()),
                    })
                }),
                Effect::LoadObject(object) => {
                    let c = client.clone();
                    spawn_read(&tx, async move {
                        let result = match c {
                            Some(c) => objects::fetch(c, &object).await,
                            None => Err(NOT_CONNECTED.into()),
                        };
                        Msg::ObjectLoaded(object, result)
                    });
                }
            }
        }
        if app.should_quit {
            return Ok(if app.run_setup { Exit::Setup } else { Exit::Quit });
        }
    }
}

const NOT_CONNECTED: &str = "not connected to the cluster yet";

/// Runs a read or an action in the background and sends its answer to the app.
fn spawn_read(tx: &mpsc::UnboundedSender<Msg>, read: impl Future<Output = Msg> + Send + 'static) {
    let tx = tx.clone();
    tokio::spawn(async move {
        let _ = tx.send(read.await);
    });
}

/// Runs an operation in the background: its progress lines and its outcome go to the app, and
/// the outcome to the audit log.
fn spawn_operation(tx: &mpsc::UnboundedSender<Msg>, client: Option<kube::Client>, context: String, op: Operation) {
    let progress_tx = tx.clone();
    spawn_read(tx, async move {
        let Some(client) = client else {
            return Msg::ActionDone(Err(NOT_CONNECTED.into()));
        };
        let progress = move |line: String| {
            let _ = progress_tx.send(Msg::ActionProgress(line));
        };
        Msg::ActionDone(op.run_and_record(&client, &context, &progress).await)
    });
}

struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
