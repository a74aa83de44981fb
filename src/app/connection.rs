//! Where the dashboard stands with the API server, as the header and the panes show it.

use jiff::Timestamp;

use crate::cluster::ConfigProblem;

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
}

impl Connection {
    /// Whether what the panes and the summary show may be out of date: they keep the last
    /// known rows, dimmed, rather than look live.
    pub fn shows_last_known(&self) -> bool {
        matches!(
            self,
            Connection::Reconnecting { .. } | Connection::NoAnswer { .. } | Connection::StorageDown { .. }
        )
    }
}
