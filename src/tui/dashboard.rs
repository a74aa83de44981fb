//! The dashboard's loop: turns key presses, resizes, signals and cluster messages into `Msg`s,
//! feeds them to `App::update`, hands the app's effects to the runner, and draws when something
//! changed, at most once a frame.

use std::time::Duration;

use color_eyre::eyre::{Result, WrapErr};
use tokio::time::Instant;

use super::effects::EffectRunner;
use super::terminal::{Input, Inputs, Term, init_terminal};
use crate::app::keys::KeyMap;
use crate::app::{App, Msg, PaneId};
use crate::cluster::ConnectOptions;

/// After a key, mouse or resize, the next frame comes at most this long after the last one.
const FRAME: Duration = Duration::from_millis(1000 / 30);
/// After changes from the cluster (watch events, log lines, the clock), at most this long: the
/// first change after a quiet spell is drawn at once, a steady stream of them (pods churning,
/// a busy log) is coalesced into ten frames a second, which is all the eye can follow in a
/// table and a third of the drawing work.
const DATA_FRAME: Duration = Duration::from_millis(100);
/// The pace of changes from the cluster until the pods' first listing has arrived (or their
/// watch is refused), so a pod list that lands just after another pane's frame is not held back
/// by a DATA_FRAME; a few frames more at startup cost nothing.
const STARTUP_FRAME: Duration = FRAME;
/// Messages handled before input gets another look, so a flood of watch events cannot starve keys;
/// a drain that stops here goes on after the next look at input without waiting for a frame.
const DRAIN_LIMIT: usize = 4096;
/// How often ages and clocks move on.
const TICK: Duration = Duration::from_secs(1);

/// How the dashboard starts, from flags and the config file.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    pub mouse: bool,
    pub keymap: KeyMap,
    pub readonly: crate::app::Readonly,
    /// Shown until the first key: what was wrong with the config file.
    pub notice: Option<String>,
    pub logs: crate::app::logs::LogSettings,
    /// The columns each pane shows, and the config file they are saved to.
    pub columns: crate::app::columns::ColumnChoices,
}

/// How the dashboard ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// The user asked for the first-run wizard (`S`).
    Setup,
    /// The user asked for a local sandbox cluster (`B`).
    Sandbox,
}

/// Runs the dashboard until the user quits or a signal asks us to.
pub async fn run(opts: ConnectOptions, settings: Settings) -> Result<Exit> {
    let (mut terminal, _guard) = init_terminal(settings.mouse)?;
    let mouse = settings.mouse;
    let size = terminal.size().wrap_err("reading the terminal size")?;
    let mut app = dashboard(opts.clone(), settings, (size.width, size.height));
    let mut runner = EffectRunner::start(opts);
    let mut inputs = Inputs::new(TICK)?;
    let mut frames = Frames::new();
    // Set when the screen was lent out (a shell): the next frame repaints every cell.
    let mut repaint = false;
    // Set when the last drain stopped at DRAIN_LIMIT: a burst is taken in without waiting for
    // frames.
    let mut backlog = false;
    loop {
        // While a frame is scheduled, cluster messages wait in the channel; when it is due they
        // go in together, then it is drawn. Under churn the loop wakes once a frame instead of
        // once a watch event (each wake-up was a futex round trip between threads and a poll of
        // the terminal), and nothing is drawn later than before.
        let waited = if frames.takes_waiting() {
            runner.try_recv()
        } else {
            None
        };
        let msg = match waited {
            Some(msg) => msg,
            None => {
                if frames.is_due() {
                    draw(&mut terminal, &mut app, std::mem::take(&mut repaint))?;
                    frames.drawn();
                }
                let takes = frames.takes_messages(backlog);
                tokio::select! {
                    input = inputs.next() => message_of(input),
                    Some(msg) = runner.recv(), if takes => msg,
                    _ = tokio::time::sleep_until(frames.due.unwrap_or(frames.last_draw)), if frames.due.is_some() => continue,
                }
            }
        };
        let data_pace = data_pace(&app);
        let pace = if matches!(msg, Msg::Key(_) | Msg::Mouse(_) | Msg::Resize { .. }) {
            FRAME
        } else {
            data_pace
        };
        frames.schedule(app.update(msg), pace);
        backlog = true;
        for _ in 0..DRAIN_LIMIT {
            match runner.try_recv() {
                Some(msg) => frames.schedule(app.update(msg), data_pace),
                None => {
                    backlog = false;
                    break;
                }
            }
        }
        let context = Context {
            terminal: &mut terminal,
            inputs: &mut inputs,
            runner: &mut runner,
            mouse,
        };
        if run_effects(context, &mut app).await {
            repaint = true;
            frames.schedule(true, FRAME);
        }
        if app.should_quit {
            let stopped = runner.stop_operations().await;
            // Said on the normal screen, once the terminal is given back.
            drop(terminal);
            drop(_guard);
            for sentence in stopped {
                eprintln!("kubedeck: {sentence}");
            }
            return Ok(exit_of(&app));
        }
    }
}

/// Draws the app; `repaint` (after the screen was lent out) clears it first so every cell is
/// written again.
fn draw(terminal: &mut Term, app: &mut App, repaint: bool) -> Result<()> {
    app.refresh();
    if repaint {
        super::terminal::clear_for_repaint(terminal).wrap_err("clearing the screen")?;
    }
    terminal
        .draw(|frame| crate::views::render(app, frame))
        .wrap_err("drawing the screen")?;
    Ok(())
}

/// What the loop lends to the effects it runs.
struct Context<'a> {
    terminal: &'a mut Term,
    inputs: &'a mut Inputs,
    runner: &'a mut EffectRunner,
    mouse: bool,
}

/// Hands the app's effects to the runner, or runs a shell in the terminal, feeding each answer
/// back to the app. True when a shell had the screen, so the next frame must repaint it.
async fn run_effects(cx: Context<'_>, app: &mut App) -> bool {
    let mut lent = false;
    for effect in std::mem::take(&mut app.effects) {
        if let crate::app::Effect::Shell(request) = effect {
            let handover = super::shell::Handover {
                terminal: &mut *cx.terminal,
                inputs: &mut *cx.inputs,
                mouse: cx.mouse,
                context: app.target.as_ref().map_or(String::new(), |t| t.context.clone()),
                readonly: app.is_readonly(),
            };
            app.update(super::shell::run(handover, cx.runner.client(), request).await);
            // The window may have changed size while the shell had it.
            if let Ok(size) = cx.terminal.size() {
                app.update(Msg::Resize {
                    width: size.width,
                    height: size.height,
                });
            }
            lent = true;
            continue;
        }
        if let Some(answer) = cx.runner.apply(effect, app) {
            app.update(answer);
        }
    }
    lent
}

/// How a quitting app asked to end.
fn exit_of(app: &App) -> Exit {
    if app.run_setup {
        Exit::Setup
    } else if app.sandbox.requested {
        Exit::Sandbox
    } else {
        Exit::Quit
    }
}

/// The app as the flags and the config file start it.
fn dashboard(opts: ConnectOptions, settings: Settings, size: (u16, u16)) -> App {
    let mut app = App::new(opts, jiff::Timestamp::now(), size);
    app.keymap = settings.keymap;
    app.readonly = settings.readonly;
    app.keymap.readonly = app.is_readonly();
    app.notice = settings.notice;
    app.log_settings = settings.logs;
    app.columns = settings.columns;
    app.deploy_choices = crate::actions::choices::load();
    app.sandbox.missing = crate::actions::sandbox::missing();
    app
}

fn message_of(input: Input) -> Msg {
    match input {
        Input::Key(key) => Msg::Key(key),
        Input::Mouse(mouse) => Msg::Mouse(mouse),
        Input::Resize { width, height } => Msg::Resize { width, height },
        Input::Tick => Msg::Tick(jiff::Timestamp::now()),
        Input::Quit => Msg::Quit,
    }
}

/// How soon after the last frame a change from the cluster is drawn. A pods watch that is
/// refused (no right to list pods) will not list soon, so it ends the startup pace too.
fn data_pace(app: &App) -> Duration {
    if app.data.pods.is_synced() || app.panes.get(PaneId::Pods).problem.is_some() {
        DATA_FRAME
    } else {
        STARTUP_FRAME
    }
}

/// When the next frame is due: changes are drawn at once after a quiet spell, and otherwise
/// at most once per pace after the last frame.
struct Frames {
    /// When the next frame is due, if something changed since the last one.
    due: Option<Instant>,
    last_draw: Instant,
    /// Whether the messages that waited for the due frame were taken in.
    waiting_taken: bool,
}

impl Frames {
    fn new() -> Frames {
        Frames {
            due: Some(Instant::now()),
            last_draw: Instant::now() - DATA_FRAME,
            waiting_taken: false,
        }
    }

    fn is_due(&self) -> bool {
        self.due.is_some_and(|at| at <= Instant::now())
    }

    fn drawn(&mut self) {
        self.last_draw = Instant::now();
        self.due = None;
        self.waiting_taken = false;
    }

    /// True once per due frame: the moment to take in the messages that waited for it, before
    /// it is drawn (once, so a channel that keeps filling cannot hold the frame back).
    fn takes_waiting(&mut self) -> bool {
        self.is_due() && !std::mem::replace(&mut self.waiting_taken, true)
    }

    /// Whether the loop takes cluster messages now: not while a frame is scheduled (they wait in
    /// the channel and go into that frame together), unless the last drain left a backlog.
    fn takes_messages(&self, backlog: bool) -> bool {
        self.due.is_none() || backlog
    }

    /// After a change, the next frame comes at most `pace` after the last one.
    fn schedule(&mut self, changed: bool, pace: Duration) {
        if changed {
            let at = self.last_draw + pace;
            self.due = Some(self.due.map_or(at, |d| d.min(at)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster_messages_wait_for_a_scheduled_frame_unless_a_burst_is_left_over() {
        let mut frames = Frames::new();
        frames.drawn();
        assert!(
            frames.takes_messages(false),
            "nothing scheduled: the first change is taken at once"
        );
        frames.schedule(true, DATA_FRAME);
        assert!(
            !frames.takes_messages(false),
            "a frame is scheduled: changes wait for it"
        );
        assert!(
            frames.takes_messages(true),
            "a drain stopped at its limit: the rest is taken"
        );
    }

    #[test]
    fn waiting_messages_are_taken_once_per_due_frame() {
        let mut frames = Frames::new();
        frames.drawn();
        frames.schedule(true, Duration::ZERO);
        assert!(frames.takes_waiting(), "the frame is due: what waited goes in first");
        assert!(
            !frames.takes_waiting(),
            "then the frame is drawn, however much keeps coming"
        );
        frames.drawn();
        assert!(!frames.takes_waiting(), "nothing is due after a frame");
        frames.schedule(true, Duration::ZERO);
        assert!(frames.takes_waiting(), "the next due frame takes in its own");
    }

    #[test]
    fn changes_are_drawn_at_the_key_pace_until_the_pods_have_listed_or_are_refused() {
        use crate::cluster::FailureKind;
        use crate::cluster::RowUpdate;
        use crate::cluster::store::{WatchKind, WatchUpdate};
        use crate::cluster::watch::WatchStatus;
        let new_app = || App::new(ConnectOptions::default(), jiff::Timestamp::now(), (120, 40));
        let mut app = new_app();
        assert_eq!(data_pace(&app), FRAME, "before the pods' first listing");
        app.update(Msg::Rows(RowUpdate::Pods(WatchUpdate::Listed(Vec::new()))));
        assert_eq!(data_pace(&app), DATA_FRAME, "once the pods have listed, even none");

        let mut refused = new_app();
        refused.update(Msg::Watch(WatchStatus::Failed {
            kind: WatchKind::Pods,
            failure: FailureKind::Refused,
            message: "you cannot list pods".into(),
            retry_in: Duration::from_secs(15),
        }));
        assert_eq!(
            data_pace(&refused),
            DATA_FRAME,
            "a refused pods watch does not keep the startup pace"
        );
    }

    #[test]
    fn the_first_frame_is_due_at_once() {
        assert!(Frames::new().is_due());
    }

    #[test]
    fn a_key_brings_a_pending_data_frame_forward_and_nothing_changed_draws_nothing() {
        let mut frames = Frames::new();
        frames.drawn();
        frames.schedule(false, FRAME);
        assert_eq!(frames.due, None);
        frames.schedule(true, DATA_FRAME);
        assert_eq!(frames.due, Some(frames.last_draw + DATA_FRAME));
        frames.schedule(true, FRAME);
        assert_eq!(frames.due, Some(frames.last_draw + FRAME));
        // A later data change does not push the key's frame back.
        frames.schedule(true, DATA_FRAME);
        assert_eq!(frames.due, Some(frames.last_draw + FRAME));
    }
}
