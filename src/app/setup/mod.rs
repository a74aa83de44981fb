//! The first-run wizard's state and its pure `update`: keys and step results in, the new state
//! and the effects to run (start or cancel a step, save progress) out. Nothing here does I/O.

pub mod form;
#[cfg(test)]
mod tests;

use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::actions::setup::ImageChoice;
use crate::actions::setup::dockerfiles::Missing;
use crate::actions::setup::progress::{DatabaseChoice, SavedProgress, SavedStatus, SavedStep, SecretRecord};
use crate::actions::setup::{CANCELLED, SECRET_NAME, StepId, StepRequest};
use form::{AUTH_SECRET_FIELD, Field, HostInfo};

/// Lines kept per step; minikube start and image builds can print thousands.
const LOG_LIMIT: usize = 5000;
/// Longest input a field takes, so a paste of a whole file cannot grow it without end.
const FIELD_LIMIT: usize = 4096;

#[derive(Debug, Clone, PartialEq)]
pub enum StepStatus {
    Pending,
    Running { started: Instant },
    Done { elapsed: Option<Duration>, summary: String },
    Failed { elapsed: Duration, reason: String },
    Skipped,
}

/// One step as the wizard shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepView {
    pub id: StepId,
    pub status: StepStatus,
    /// Its commands' output, already sanitized for drawing.
    pub log: Vec<String>,
    pub fields: Vec<Field>,
    /// Done or skipped in an earlier run of the wizard.
    pub earlier: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Typing into the current step's fields.
    Editing {
        field: usize,
    },
    /// The current step waits for Enter (first time) or r (after a failure).
    Waiting,
    Running {
        cancelling: bool,
    },
    Finished,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SetupMsg {
    Key(KeyEvent),
    /// One line of output from the running step.
    Line(StepId, String),
    StepDone(StepId, Result<String, String>),
    /// A generated BETTER_AUTH_SECRET (Ctrl-G).
    Generated(Result<String, String>),
    /// The image step's source folders that have no Dockerfile.
    MissingDockerfiles(ImageChoice, Vec<Missing>),
    /// kubedeck's Dockerfile templates written (what was written), or why not.
    DockerfilesWritten(Result<String, String>),
    Tick(Instant),
    /// A signal or the terminal going away.
    Quit,
}

/// Work the wizard's loop does on the state's behalf.
#[derive(Debug, Clone, PartialEq)]
pub enum SetupEffect {
    Run(StepRequest),
    /// Kill the running step's command and stop it.
    Cancel,
    Save(SavedProgress),
    GenerateSecret,
    /// Look for source folders without a Dockerfile before building.
    FindMissingDockerfiles(ImageChoice),
    /// Write kubedeck's templates into these folders (never over a file that exists).
    WriteDockerfiles(Vec<Missing>),
}

#[derive(Debug, Clone)]
pub struct SetupState {
    pub steps: Vec<StepView>,
    pub current: usize,
    pub mode: Mode,
    /// One sentence for the user, until the next key.
    pub notice: Option<String>,
    pub saved: SavedProgress,
    pub namespace: String,
    pub host: HostInfo,
    pub now: Instant,
    /// Log lines scrolled up from the bottom (0: follow the output).
    pub scroll: usize,
    pub should_quit: bool,
    pub effects: Vec<SetupEffect>,
    /// What the running step was asked to do, folded into `saved` when it succeeds.
    running: Option<StepRequest>,
    /// The running step is being cancelled to skip it (s), not to quit.
    skip_after_cancel: bool,
    /// The images that were checked for Dockerfiles, so the build starts without asking again.
    dockerfiles_checked: Option<ImageChoice>,
    /// Folders without a Dockerfile, while the user is asked whether to write kubedeck's.
    pub dockerfile_offer: Option<(ImageChoice, Vec<Missing>)>,
}

impl SetupState {
    /// The wizard as saved progress left it: on the first step not done, which starts by itself
    /// when it needs no input.
    pub fn new(saved: SavedProgress, namespace: String, host: HostInfo, now: Instant) -> Self {
        let steps = StepId::ALL
            .iter()
            .map(|&id| {
                let (status, earlier) = match saved.steps.get(&id).map(|s| s.status) {
                    Some(SavedStatus::Done) => (
                        StepStatus::Done {
                            elapsed: None,
                            summary: "done in an earlier run".into(),
                        },
                        true,
                    ),
                    Some(SavedStatus::Skipped) => (StepStatus::Skipped, true),
                    None => (StepStatus::Pending, false),
                };
                StepView {
                    id,
                    status,
                    log: Vec::new(),
                    fields: form::fields_for(id, &saved),
                    earlier,
                }
            })
            .collect();
        let mut state = SetupState {
            steps,
            current: 0,
            mode: Mode::Waiting,
            notice: None,
            saved,
            namespace,
            host,
            now,
            scroll: 0,
            should_quit: false,
            effects: Vec::new(),
            running: None,
            skip_after_cancel: false,
            dockerfiles_checked: None,
            dockerfile_offer: None,
        };
        state.advance();
        state
    }

    pub fn step(&self) -> &StepView {
        &self.steps[self.current.min(self.steps.len() - 1)]
    }

    fn step_mut(&mut self) -> &mut StepView {
        let i = self.current.min(self.steps.len() - 1);
        &mut self.steps[i]
    }

    /// Moves to the first step that is neither done nor skipped and starts it, or asks for
    /// its input first.
    fn advance(&mut self) {
        let next = self
            .steps
            .iter()
            .position(|s| !matches!(s.status, StepStatus::Done { .. } | StepStatus::Skipped));
        self.scroll = 0;
        match next {
            None => {
                self.current = self.steps.len() - 1;
                self.mode = Mode::Finished;
            }
            Some(i) => {
                self.current = i;
                if self.steps[i].fields.is_empty() {
                    self.start();
                } else {
                    self.mode = Mode::Editing { field: 0 };
                }
            }
        }
    }

    /// Starts the current step with what its fields say, or says what to fix.
    fn start(&mut self) {
        let id = self.step().id;
        let request = match id {
            StepId::Deploy => form::deploy_request(&self.namespace, &self.saved).map(StepRequest::Deploy),
            _ => form::request_for(id, &self.step().fields, self.host),
        };
        match request {
            Ok(StepRequest::Images(choice)) if self.dockerfiles_checked.as_ref() != Some(&choice) => {
                self.effects.push(SetupEffect::FindMissingDockerfiles(choice));
            }
            Ok(request) => {
                self.notice = None;
                self.scroll = 0;
                let now = self.now;
                let step = self.step_mut();
                step.status = StepStatus::Running { started: now };
                step.log.clear();
                self.mode = Mode::Running { cancelling: false };
                self.running = Some(request.clone());
                self.effects.push(SetupEffect::Run(request));
            }
            Err(why) => {
                self.notice = Some(why);
                if !self.step().fields.is_empty() && !matches!(self.mode, Mode::Editing { .. }) {
                    self.mode = Mode::Editing { field: 0 };
                } else if self.step().fields.is_empty() {
                    self.mode = Mode::Waiting;
                }
            }
        }
    }

    pub fn update(&mut self, msg: SetupMsg) -> bool {
        match msg {
            SetupMsg::Tick(now) => {
                self.now = now;
                return matches!(self.mode, Mode::Running { .. });
            }
            SetupMsg::Quit => self.quit(),
            SetupMsg::Line(id, line) => {
                if let Some(step) = self.steps.iter_mut().find(|s| s.id == id) {
                    if step.log.len() >= LOG_LIMIT {
                        step.log.drain(..LOG_LIMIT / 10);
                    }
                    step.log.push(crate::text::sanitize(&line));
                    if self.scroll > 0 {
                        // Keep the lines the user scrolled to in place while output arrives.
                        self.scroll += 1;
                    }
                }
            }
            SetupMsg::StepDone(id, result) => self.step_done(id, result),
            SetupMsg::Generated(Ok(secret)) => {
                if let Some(f) = self.step_mut().fields.get_mut(AUTH_SECRET_FIELD) {
                    f.value = secret;
                    self.notice = Some("generated a random BETTER_AUTH_SECRET (64 hex characters)".into());
                }
            }
            SetupMsg::Generated(Err(why)) => self.notice = Some(why),
            SetupMsg::MissingDockerfiles(choice, missing) => self.offer_dockerfiles(choice, missing),
            SetupMsg::DockerfilesWritten(Ok(written)) => {
                if let Some((choice, _)) = self.dockerfile_offer.take() {
                    self.dockerfiles_checked = Some(choice);
                    self.start();
                }
                self.notice = Some(written);
            }
            SetupMsg::DockerfilesWritten(Err(why)) => {
                self.dockerfile_offer = None;
                self.notice = Some(why);
                self.mode = Mode::Waiting;
            }
            SetupMsg::Key(key) if key.kind != KeyEventKind::Release => self.on_key(key),
            SetupMsg::Key(_) => return false,
        }
        true
    }

    fn step_done(&mut self, id: StepId, result: Result<String, String>) {
        if self.step().id != id {
            return;
        }
        let running = self.running.take();
        let elapsed = match self.step().status {
            StepStatus::Running { started } => self.now.saturating_duration_since(started),
            _ => Duration::ZERO,
        };
        let cancelling = self.mode == Mode::Running { cancelling: true };
        match result {
            Err(_) if cancelling && std::mem::take(&mut self.skip_after_cancel) => {
                self.step_mut().status = StepStatus::Skipped;
                self.remember(id, SavedStatus::Skipped, None);
                self.advance();
            }
            Err(why) if cancelling || why == CANCELLED => {
                // Nothing of a cancelled step is remembered: the next run starts it again.
                let step = self.step_mut();
                step.status = StepStatus::Pending;
                step.log.push("cancelled: this step runs again next time".into());
                self.should_quit = cancelling;
                self.mode = Mode::Waiting;
            }
            Err(reason) => {
                self.step_mut().status = StepStatus::Failed {
                    elapsed,
                    reason: crate::text::sanitize(&reason),
                };
                self.mode = Mode::Waiting;
            }
            Ok(summary) => {
                self.step_mut().status = StepStatus::Done {
                    elapsed: Some(elapsed),
                    summary: crate::text::sanitize(&summary),
                };
                self.remember(id, SavedStatus::Done, running);
                if id == StepId::Secrets {
                    // Out of memory as soon as they are in the cluster.
                    self.step_mut().fields = form::fields_for(StepId::Secrets, &self.saved);
                }
                self.advance();
            }
        }
    }

    /// Records a finished step and the choices it was run with, and asks for a save.
    fn remember(&mut self, id: StepId, status: SavedStatus, request: Option<StepRequest>) {
        match request {
            Some(StepRequest::Minikube(s)) => self.saved.minikube = Some(s),
            Some(StepRequest::Images(choice)) => self.saved.images = Some(choice),
            Some(StepRequest::Secrets(values)) => {
                self.saved.secret = Some(SecretRecord {
                    name: SECRET_NAME.into(),
                    namespace: self.namespace.clone(),
                    database: match values.database_url {
                        Some(_) => DatabaseChoice::External,
                        None => DatabaseChoice::InCluster,
                    },
                })
            }
            _ => {}
        }
        self.saved.steps.insert(
            id,
            SavedStep {
                status,
                at: jiff::Timestamp::now().to_string(),
            },
        );
        self.effects.push(SetupEffect::Save(self.saved.clone()));
    }

    fn quit(&mut self) {
        match self.mode {
            Mode::Running { .. } if self.step().id == StepId::Deploy => {
                self.notice = Some(
                    "the deploy cannot be stopped halfway without leaving a half-done release: wait for it \
                     (it rolls back by itself if it fails)"
                        .into(),
                );
            }
            Mode::Running { cancelling: false } => {
                self.mode = Mode::Running { cancelling: true };
                self.notice = Some("cancelling: stopping the running command ...".into());
                self.effects.push(SetupEffect::Cancel);
            }
            Mode::Running { cancelling: true } => {}
            _ => self.should_quit = true,
        }
    }

    /// Builds at once when every folder has a Dockerfile; otherwise asks whether to write
    /// kubedeck's templates there.
    fn offer_dockerfiles(&mut self, choice: ImageChoice, missing: Vec<Missing>) {
        if missing.is_empty() {
            self.dockerfiles_checked = Some(choice);
            return self.start();
        }
        let folders: Vec<String> = missing
            .iter()
            .map(|(component, dir)| format!("{component} ({})", crate::text::sanitize(&dir.display().to_string())))
            .collect();
        self.notice = Some(format!(
            "no Dockerfile in the source folder of {}: write kubedeck's templates (Dockerfile, .dockerignore; \
             nothing is overwritten)? y write them  n no",
            folders.join(", ")
        ));
        self.dockerfile_offer = Some((choice, missing));
        self.mode = Mode::Waiting;
    }

    /// y or n to the Dockerfile question; any other key leaves it asked.
    fn answer_dockerfile_offer(&mut self, code: KeyCode) {
        match code {
            KeyCode::Char('y') => {
                if let Some((_, missing)) = &self.dockerfile_offer {
                    self.effects.push(SetupEffect::WriteDockerfiles(missing.clone()));
                }
            }
            KeyCode::Char('n') | KeyCode::Esc => {
                self.dockerfile_offer = None;
                self.notice = Some(
                    "nothing written: add a Dockerfile to that folder, or give an image name instead of a folder"
                        .into(),
                );
                self.mode = Mode::Editing { field: 0 };
            }
            _ => {}
        }
    }

    fn on_key(&mut self, key: KeyEvent) {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') {
            return self.quit();
        }
        if self.dockerfile_offer.is_some() {
            return self.answer_dockerfile_offer(key.code);
        }
        if self.scroll_key(key.code) {
            return;
        }
        self.notice = None;
        match self.mode {
            Mode::Editing { field } => self.on_edit_key(key, field),
            Mode::Running { cancelling } => match key.code {
                KeyCode::Char('q') | KeyCode::Esc => self.quit(),
                // A skippable step may be left while it runs (a long wait for the addons).
                KeyCode::Char('s') if !cancelling && self.step().id.skippable() => {
                    self.skip_after_cancel = true;
                    self.mode = Mode::Running { cancelling: true };
                    self.notice = Some("skipping: stopping the running command ...".into());
                    self.effects.push(SetupEffect::Cancel);
                }
                _ => {}
            },
            Mode::Finished => {
                if matches!(key.code, KeyCode::Char('q') | KeyCode::Esc | KeyCode::Enter) {
                    self.should_quit = true;
                }
            }
            Mode::Waiting => match key.code {
                KeyCode::Char('q') | KeyCode::Esc => self.quit(),
                KeyCode::Char('r') | KeyCode::Enter => self.start(),
                KeyCode::Char('e') if !self.step().fields.is_empty() => self.mode = Mode::Editing { field: 0 },
                KeyCode::Char('s') => self.skip(),
                _ => {}
            },
        }
    }

    /// Up/Down and the page keys scroll the output (in a form, Up/Down move between fields).
    fn scroll_key(&mut self, code: KeyCode) -> bool {
        let editing = matches!(self.mode, Mode::Editing { .. });
        let lines = self.step().log.len();
        match code {
            KeyCode::PageUp => self.scroll = (self.scroll + 10).min(lines),
            KeyCode::PageDown => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Up if !editing => self.scroll = (self.scroll + 1).min(lines),
            KeyCode::Down if !editing => self.scroll = self.scroll.saturating_sub(1),
            _ => return false,
        }
        true
    }

    fn skip(&mut self) {
        let id = self.step().id;
        if !id.skippable() {
            self.notice = Some(format!(
                "{} cannot be skipped: the steps after it need it. Press r to run it, or q to stop here",
                id.title()
            ));
            return;
        }
        self.step_mut().status = StepStatus::Skipped;
        self.remember(id, SavedStatus::Skipped, None);
        self.advance();
    }

    fn on_edit_key(&mut self, key: KeyEvent, field: usize) {
        let count = self.step().fields.len();
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => self.mode = Mode::Waiting,
            KeyCode::Enter => self.start(),
            KeyCode::Tab | KeyCode::Down => {
                self.mode = Mode::Editing {
                    field: (field + 1) % count,
                }
            }
            KeyCode::BackTab | KeyCode::Up => {
                self.mode = Mode::Editing {
                    field: (field + count - 1) % count,
                }
            }
            KeyCode::Char('g') if ctrl && self.step().id == StepId::Secrets => {
                self.effects.push(SetupEffect::GenerateSecret);
                self.mode = Mode::Editing {
                    field: AUTH_SECRET_FIELD,
                };
            }
            KeyCode::Char('u') if ctrl => {
                if let Some(f) = self.step_mut().fields.get_mut(field) {
                    f.value.clear();
                }
            }
            KeyCode::Backspace => {
                if let Some(f) = self.step_mut().fields.get_mut(field) {
                    f.value.pop();
                }
            }
            KeyCode::Char(c) if !ctrl => {
                if let Some(f) = self.step_mut().fields.get_mut(field)
                    && f.value.len() < FIELD_LIMIT
                {
                    f.value.push(c);
                }
            }
            _ => {}
        }
    }
}
