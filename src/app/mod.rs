//! The dashboard's one state and the only place it changes: messages in, new state out.

pub mod event_loop;
pub mod keys;
mod pods;

use crossterm::event::KeyEvent;
use jiff::Timestamp;

pub use self::pods::PodsPane;
use crate::cluster::session::SessionEvent;
use crate::cluster::watch::WatchStatus;
use crate::cluster::{ConfigProblem, FailureKind, RowUpdate, Target};
use keys::Action;

/// Everything that can happen to the dashboard.
#[derive(Debug, Clone)]
pub enum Msg {
    Key(KeyEvent),
    Resize {
        width: u16,
        height: u16,
    },
    /// Once a second, so ages keep counting.
    Tick(Timestamp),
    /// SIGTERM, SIGINT or SIGHUP.
    Quit,
    Session(SessionEvent),
    Rows(RowUpdate),
    Watch(WatchStatus),
}

/// Where we are with the API server.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// Reading the kubeconfig.
    Starting,
    /// Kubeconfig read, first request under way.
    Connecting,
    /// Never reached the server yet; retrying.
    Unreachable {
        message: String,
        retry_in: std::time::Duration,
        attempt: u32,
    },
    /// The kubeconfig cannot be used.
    BadConfig(ConfigProblem),
    /// Talking to the server.
    Live,
    /// Was live, lost it; the panes show what they last knew.
    Reconnecting { message: String },
}

/// The whole dashboard state.
#[derive(Debug, Clone)]
pub struct App {
    pub target: Option<Target>,
    pub server_version: Option<String>,
    pub connection: Connection,
    pub pods: PodsPane,
    pub now: Timestamp,
    pub size: (u16, u16),
    pub should_quit: bool,
}

impl App {
    pub fn new(now: Timestamp, size: (u16, u16)) -> Self {
        App {
            target: None,
            server_version: None,
            connection: Connection::Starting,
            pods: PodsPane::default(),
            now,
            size,
            should_quit: false,
        }
    }

    /// Applies one message; returns whether the screen needs redrawing.
    pub fn update(&mut self, msg: Msg) -> bool {
        match msg {
            Msg::Key(key) => match keys::action_for(&key) {
                Some(action) => self.perform(action),
                None => false,
            },
            Msg::Resize { width, height } => {
                self.size = (width, height);
                self.pods.scroll_into_view(self.page_size());
                true
            }
            Msg::Tick(now) => {
                self.now = now;
                // Ages only change what is drawn when something is on screen.
                !self.pods.store.is_empty()
            }
            Msg::Quit => {
                self.should_quit = true;
                false
            }
            Msg::Session(event) => {
                self.on_session(event);
                true
            }
            Msg::Rows(RowUpdate::Pods(update)) => {
                self.pods.store.apply(update);
                self.pods.scroll_into_view(self.page_size());
                true
            }
            // The Certificates pane is not wired in yet; no watch sends these so far.
            Msg::Rows(RowUpdate::Certificates(_) | RowUpdate::TlsSecrets(_) | RowUpdate::IngressTls(_)) => false,
            Msg::Watch(status) => {
                self.on_watch(status);
                true
            }
        }
    }

    fn perform(&mut self, action: Action) -> bool {
        let page = self.page_size();
        match action {
            Action::Quit => {
                self.should_quit = true;
                return false;
            }
            Action::Up => self.pods.move_by(-1, page),
            Action::Down => self.pods.move_by(1, page),
            Action::PageUp => self.pods.move_by(-(page as isize), page),
            Action::PageDown => self.pods.move_by(page as isize, page),
            Action::Top => self.pods.move_by(isize::MIN / 2, page),
            Action::Bottom => self.pods.move_by(isize::MAX / 2, page),
        }
        true
    }

    fn on_session(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::Target(target) => {
                self.target = Some(target);
                self.connection = Connection::Connecting;
            }
            SessionEvent::ConfigProblem(problem) => self.connection = Connection::BadConfig(problem),
            SessionEvent::Unreachable {
                message,
                retry_in,
                attempt,
            } => {
                self.connection = Connection::Unreachable {
                    message,
                    retry_in,
                    attempt,
                }
            }
            SessionEvent::Connected { version } => {
                self.server_version = Some(version);
                self.connection = Connection::Live;
            }
        }
    }

    fn on_watch(&mut self, status: WatchStatus) {
        match status {
            WatchStatus::Synced { .. } => {
                self.pods.problem = None;
                self.connection = Connection::Live;
            }
            WatchStatus::Failed {
                failure: FailureKind::Refused,
                message,
                ..
            } => {
                self.pods.problem = Some(message);
            }
            WatchStatus::Failed {
                failure: FailureKind::Unreachable,
                message,
                ..
            } => {
                self.connection = Connection::Reconnecting { message };
            }
            // Only the certificates watch meets this, and the Certificates pane is not wired in yet.
            WatchStatus::Failed {
                failure: FailureKind::NotInstalled,
                ..
            } => {}
        }
    }

    /// Rows of the pods table that fit on screen: total height less header, footer, the
    /// pane's borders and its column header.
    pub fn page_size(&self) -> usize {
        usize::from(self.size.1.saturating_sub(crate::views::CHROME_HEIGHT)).max(1)
    }
}

#[cfg(test)]
mod tests;
