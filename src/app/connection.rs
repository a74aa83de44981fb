//! Where the dashboard stands with the API server, as the header and the panes show it.

use jiff::Timestamp;

use super::App;
use crate::cluster::ConfigProblem;
use crate::cluster::session::SessionEvent;

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
    /// Connected, but the API server has not answered since `last_answer` (hung, partitioned,
    /// overloaded): the panes show what was last seen, dimmed, until it answers again.
    NoAnswer { last_answer: Timestamp },
    /// The API server answers but its storage (etcd) does not, since `last_answer`: nothing
    /// can be read fresh or changed, so the panes show what was last seen, dimmed.
    StorageDown { last_answer: Timestamp },
    /// The API server rejects our credentials since `since` (401: a token that expired or was
    /// revoked): the panes show what was last seen until the user logs in again and re-reads
    /// the kubeconfig (`c`, then the context).
    Rejected { since: Timestamp },
}

impl Connection {
    /// Whether what the panes and the summary show may be out of date: they keep the last
    /// known rows, dimmed, rather than look live.
    pub fn shows_last_known(&self) -> bool {
        matches!(
            self,
            Connection::Reconnecting { .. }
                | Connection::NoAnswer { .. }
                | Connection::StorageDown { .. }
                | Connection::Rejected { .. }
        )
    }
}

impl App {
    pub(super) fn on_session(&mut self, event: SessionEvent) {
        match event {
            SessionEvent::Target(target) => {
                self.target = Some(target);
                self.keymap.readonly = self.is_readonly();
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
            SessionEvent::Client(_) => {}
            SessionEvent::Connected { version } => {
                self.server_version = Some(version);
                self.connection = Connection::Live;
                self.resume_watches();
            }
            // A watch that already failed says more (reconnecting, and why) than silence does.
            SessionEvent::NoAnswer { last_answer } => {
                if self.connection == Connection::Live {
                    self.connection = Connection::NoAnswer { last_answer };
                }
            }
            // More precise than a watch's reconnecting: the server says what is wrong.
            SessionEvent::StorageDown { last_answer } => {
                if matches!(
                    self.connection,
                    Connection::Live | Connection::Reconnecting { .. } | Connection::NoAnswer { .. }
                ) {
                    self.connection = Connection::StorageDown { last_answer };
                }
            }
            // Every request will fail the same way until the user logs in again: say that,
            // over whatever the watches say.
            SessionEvent::Rejected { since } => {
                if matches!(
                    self.connection,
                    Connection::Live
                        | Connection::Reconnecting { .. }
                        | Connection::NoAnswer { .. }
                        | Connection::StorageDown { .. }
                ) {
                    self.connection = Connection::Rejected { since };
                }
            }
            SessionEvent::Answering => {
                if matches!(
                    self.connection,
                    Connection::NoAnswer { .. } | Connection::StorageDown { .. } | Connection::Rejected { .. }
                ) {
                    self.connection = Connection::Live;
                }
            }
        }
    }
}
