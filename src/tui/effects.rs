//! The effect runner: does the work the dashboard asks for (connect, read, deploy, operate,
//! tail logs, save) in the background, and hands their answers back as messages.

use std::future::Future;

use tokio::sync::mpsc;

use crate::actions::deploy;
use crate::actions::operation::Operation;
use crate::app::exec::{ForwardEvent, ForwardRequest};
use crate::app::{App, Effect, Msg};
use crate::cluster::forward::{Forward, StateSink};
use crate::cluster::logs::{self, LogEvent, LogRequest};
use crate::cluster::session::SessionEvent;
use crate::cluster::{ConnectOptions, describe, objects, probe, releases, resources, session};

const NOT_CONNECTED: &str = "not connected to the cluster yet";

/// The running session and log tail, the session's current client, and the channel every
/// background task answers on.
pub(crate) struct EffectRunner {
    /// Answers that outlive a session: operations, reads, logs, notices.
    tx: mpsc::UnboundedSender<Msg>,
    rx: mpsc::UnboundedReceiver<Msg>,
    /// The current session's own channel (its events and watches), replaced on reconnect so
    /// what the old session had sent is dropped with it and nothing else is.
    session_tx: mpsc::UnboundedSender<Msg>,
    session_rx: mpsc::UnboundedReceiver<Msg>,
    /// The current session's client, for reads and actions the app asks for.
    client: Option<kube::Client>,
    session: Option<AbortOnDrop>,
    /// The log stream of the open log view, if any; dropping it stops the stream.
    log_tail: Option<AbortOnDrop>,
    /// The resource pane's watches, started as kinds are first shown; stopped with the session.
    resource_watches: Vec<AbortOnDrop>,
    /// The running port-forwards by number; dropping one stops it.
    forwards: std::collections::HashMap<u64, AbortOnDrop>,
    /// Deploys and rollbacks started, by namespace and release: one still running when the
    /// dashboard quits is stopped and its revision marked failed (`stop_operations`).
    releasing: Vec<(String, String, tokio::task::JoinHandle<()>)>,
    /// Demos started: one still running when the dashboard quits is stopped, and what it
    /// changed is put back before the process ends.
    demos: Vec<tokio::task::JoinHandle<()>>,
}

impl EffectRunner {
    /// Connects with `opts` in the background; the session reports through `recv`.
    pub(crate) fn start(opts: ConnectOptions) -> EffectRunner {
        let (tx, rx) = mpsc::unbounded_channel();
        let (session_tx, session_rx) = mpsc::unbounded_channel();
        let session = Some(AbortOnDrop(tokio::spawn(session::run(opts, session_tx.clone()))));
        EffectRunner {
            tx,
            rx,
            session_tx,
            session_rx,
            client: None,
            session,
            log_tail: None,
            resource_watches: Vec::new(),
            forwards: Default::default(),
            releasing: Vec::new(),
            demos: Vec::new(),
        }
    }

    /// The next answer from the session or a background task. Cancel-safe, for `select!`.
    pub(crate) async fn recv(&mut self) -> Option<Msg> {
        let msg = tokio::select! {
            msg = self.session_rx.recv() => msg?,
            msg = self.rx.recv() => msg?,
        };
        self.note_client(&msg);
        Some(msg)
    }

    /// An answer that is already waiting, if any.
    pub(crate) fn try_recv(&mut self) -> Option<Msg> {
        let msg = self.session_rx.try_recv().or_else(|_| self.rx.try_recv()).ok()?;
        self.note_client(&msg);
        Some(msg)
    }

    /// The current session's client, if connected.
    pub(crate) fn client(&self) -> Option<kube::Client> {
        self.client.clone()
    }

    fn note_client(&mut self, msg: &Msg) {
        if let Msg::Session(SessionEvent::Client(c)) = msg {
            self.client = Some(c.0.clone());
        }
    }

    /// Starts the work `effect` asks for. Returns the answer when it is known at once, for
    /// the app to take before the next frame.
    pub(crate) fn apply(&mut self, effect: Effect, app: &App) -> Option<Msg> {
        match effect {
            Effect::Reconnect(opts) => self.reconnect(opts),
            Effect::LoadDiff(request) => {
                let c = self.client.clone();
                self.spawn_read(async move {
                    let result = connected(c, |c| releases::load_diff(c, &request)).await;
                    Msg::DiffLoaded(request, result)
                });
            }
            Effect::PlanDeploy(req) => {
                let c = self.client.clone();
                self.spawn_read(async move {
                    Msg::PlanReady(connected(c, |c| async move { deploy::plan(&c, &req).await }).await)
                });
            }
            Effect::Operate(operation) => {
                let context = app.target.as_ref().map_or(String::new(), |t| t.context.clone());
                self.spawn_operation(context, operation)
            }
            Effect::TailLogs(stream, request) => return self.tail_logs(stream, request),
            Effect::StopLogs => drop(self.log_tail.take()),
            // A few hundred bytes, written in order: at once, so two quick changes cannot race.
            Effect::SaveColumns { path, columns } => {
                return crate::config::save_columns(&path, &columns).err().map(Msg::Notice);
            }
            Effect::SaveFile { path, text } => self.spawn_read(async move {
                Msg::Notice(match save_new(&path, text.as_bytes()).await {
                    Ok(()) => format!("saved to {}", path.display()),
                    Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => format!(
                        "{} already exists: nothing was overwritten; save under another name",
                        path.display()
                    ),
                    Err(e) => format!("could not save to {}: {e}", path.display()),
                })
            }),
            Effect::WatchResource(kind) => {
                self.start_watch(app, |c, scope, server, tx| resources::watch(kind, c, scope, server, tx))
            }
            Effect::WatchEvents => self.start_watch(app, crate::cluster::events::watch),
            Effect::Describe(object) => {
                let c = self.client.clone();
                self.spawn_read(async move {
                    let asked = object.clone();
                    let result = connected(c, |c| async move { describe::describe(c, &asked).await }).await;
                    Msg::Described(object, result)
                });
            }
            Effect::RememberDeploy { context, line } => {
                // A small file, written at once; only a failure is worth a word.
                if let Err(why) = crate::actions::choices::remember(&context, &line) {
                    return Some(Msg::Notice(why));
                }
            }
            Effect::LoadObject(object) => {
                let c = self.client.clone();
                self.spawn_read(async move {
                    let result = connected(c, |c| objects::fetch(c, &object)).await;
                    Msg::ObjectLoaded(object, result)
                });
            }
            // The loop runs it: it needs the terminal.
            Effect::Shell(_) => {}
            Effect::StartForward(request) => self.start_forward(request),
            Effect::StopForward(id) => drop(self.forwards.remove(&id)),
            Effect::Probe(namespace) => {
                let c = self.client.clone();
                self.spawn_read(async move {
                    Msg::Probed(connected(c, |c| async move { probe::probe_all(&c, &namespace, None).await }).await)
                });
            }
        }
        None
    }

    /// Starts a port-forward on 127.0.0.1 that runs until stopped; it reports its pod, or why
    /// it broke, as `Msg::Forward`.
    fn start_forward(&mut self, request: ForwardRequest) {
        let (client, tx, id) = (self.client.clone(), self.tx.clone(), request.id);
        let task = tokio::spawn(async move {
            let Some(client) = client else {
                let _ = tx.send(Msg::Forward(id, ForwardEvent::Failed(NOT_CONNECTED.into())));
                return;
            };
            let local = [std::net::IpAddr::from([127, 0, 0, 1])];
            match Forward::open(&client, &request.namespace, request.target, request.ports, &local).await {
                Err(why) => {
                    let _ = tx.send(Msg::Forward(id, ForwardEvent::Failed(why)));
                }
                Ok(forward) => {
                    let _ = tx.send(Msg::Forward(id, ForwardEvent::State(forward.state())));
                    let sink: StateSink = std::sync::Arc::new(move |state| {
                        let _ = tx.send(Msg::Forward(id, ForwardEvent::State(state)));
                    });
                    forward.serve(client, sink).await;
                }
            }
        });
        self.forwards.insert(id, AbortOnDrop(task));
    }

    /// Starts a watch the app asked for once it is shown; it ends with the session.
    fn start_watch<F, W>(&mut self, app: &App, watch: W)
    where
        W: FnOnce(kube::Client, crate::cluster::Scope, String, tokio::sync::mpsc::UnboundedSender<Msg>) -> F,
        F: std::future::Future<Output = ()> + Send + 'static,
    {
        if let (Some(client), Some(target)) = (self.client.clone(), app.target.as_ref()) {
            let task = watch(
                client,
                target.scope.clone(),
                target.server.clone(),
                self.session_tx.clone(),
            );
            self.resource_watches.push(AbortOnDrop(tokio::spawn(task)));
        }
    }

    /// Drops the old session, which aborts it and its watches, and starts one with `opts`.
    fn reconnect(&mut self, opts: ConnectOptions) {
        drop(self.session.take());
        self.resource_watches.clear();
        // What the old session and its watches already sent is for the old context: dropped
        // with their channel. Answers to operations and reads go on arriving on the other one
        // (draining a shared channel lost them, and the new session's first event with them).
        let (session_tx, session_rx) = mpsc::unbounded_channel();
        self.session_tx = session_tx;
        self.session_rx = session_rx;
        self.client = None;
        let session = AbortOnDrop(tokio::spawn(session::run(opts, self.session_tx.clone())));
        self.session = Some(session);
    }

    /// Replaces the running log stream with one for `request`, numbered `stream`.
    fn tail_logs(&mut self, stream: u64, request: LogRequest) -> Option<Msg> {
        drop(self.log_tail.take());
        let Some(c) = self.client.clone() else {
            return Some(Msg::Logs(stream, LogEvent::Ended(Err(NOT_CONNECTED.into()))));
        };
        let tx = self.tx.clone();
        let sink: logs::Sink = std::sync::Arc::new(move |event| {
            let _ = tx.send(Msg::Logs(stream, event));
        });
        self.log_tail = Some(AbortOnDrop(tokio::spawn(logs::stream(c, request, sink))));
        None
    }

    /// Runs a read in the background and sends its answer to the app.
    fn spawn_read(&self, read: impl Future<Output = Msg> + Send + 'static) {
        drop(self.spawn_answer(read));
    }

    /// As `spawn_read`, keeping the task's handle.
    fn spawn_answer(&self, read: impl Future<Output = Msg> + Send + 'static) -> tokio::task::JoinHandle<()> {
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let _ = tx.send(read.await);
        })
    }

    /// Runs an operation in the background: its progress lines and its outcome go to the app,
    /// and the outcome to the audit log.
    fn spawn_operation(&mut self, context: String, operation: Operation) {
        let client = self.client.clone();
        let progress_tx = self.tx.clone();
        let demo = matches!(operation, Operation::Demo { .. });
        let release = match &operation {
            Operation::Deploy { request, .. } => Some((request.namespace.clone(), request.release.clone())),
            Operation::Rollback { namespace, release, .. } => Some((namespace.clone(), release.clone())),
            _ => None,
        };
        let task = self.spawn_answer(async move {
            let Some(client) = client else {
                return Msg::ActionDone(Err(NOT_CONNECTED.into()));
            };
            let progress = move |line: String| {
                let _ = progress_tx.send(Msg::ActionProgress(line));
            };
            Msg::ActionDone(operation.run_and_record(&client, &context, &progress).await)
        });
        self.releasing.retain(|(_, _, task)| !task.is_finished());
        self.demos.retain(|task| !task.is_finished());
        match release {
            Some((namespace, release)) => self.releasing.push((namespace, release, task)),
            None if demo => self.demos.push(task),
            None => {}
        }
    }

    /// When the dashboard quits: stops the deploys and rollbacks still running and marks their
    /// revisions failed, as helm marks a cancelled one (left pending, the next deploy would be
    /// refused as "in progress"). A sentence for each, for after the terminal is restored.
    pub(crate) async fn stop_operations(&mut self) -> Vec<String> {
        let mut said = Vec::new();
        let mut stopped_demos = 0;
        for task in std::mem::take(&mut self.demos) {
            if !task.is_finished() {
                // Dropping the demo puts back what it changed (`demo::settle` waits for it).
                task.abort();
                let _ = task.await;
                stopped_demos += 1;
            }
        }
        if stopped_demos > 0 {
            said.push(
                match crate::actions::demo::settle(std::time::Duration::from_secs(60)).await {
                    true => "the demo was stopped, and what it changed is put back".to_owned(),
                    false => "the demo was stopped, and putting back what it changed took over a minute: check the \
                          release's HPAs and replicas (kubedeck status)"
                        .to_owned(),
                },
            );
        }
        for (namespace, release, task) in std::mem::take(&mut self.releasing) {
            if task.is_finished() {
                continue;
            }
            task.abort();
            let _ = task.await;
            let Some(client) = &self.client else { continue };
            let why = "stopped (kubedeck quit while it ran)";
            said.push(crate::actions::interrupt::mark_failed(client, &namespace, &release, why).await);
        }
        said
    }
}

/// Writes `bytes` to a file that must not exist yet: a typed path never replaces a file (the log
/// view's `s` overwrote whatever it was given, /etc/passwd included).
async fn save_new(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use tokio::io::AsyncWriteExt;
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await?;
    file.write_all(bytes).await?;
    file.flush().await
}

/// What `read` answers with the current client, or "not connected" when there is none yet.
async fn connected<T, Fut>(client: Option<kube::Client>, read: impl FnOnce(kube::Client) -> Fut) -> Result<T, String>
where
    Fut: Future<Output = Result<T, String>>,
{
    match client {
        Some(c) => read(c).await,
        None => Err(NOT_CONNECTED.into()),
    }
}

/// A background task that stops when its handle is dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod save_tests {
    #[tokio::test]
    async fn saving_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pod.log");
        super::save_new(&path, b"first\n").await.unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n");
        let again = super::save_new(&path, b"second\n").await.unwrap_err();
        assert_eq!(again.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first\n", "left as it was");
    }
}
