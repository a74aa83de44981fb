//! One watch that stops delivering while the others work (its resource's storage stalled):
//! its pane says it has had no answer for N s, shows what it last saw, dimmed, and is live
//! again by itself once the watch delivers or its resource answers (cluster/watch_health.rs).

use super::App;
use super::connection::Connection;
use super::data::ClusterData;
use crate::cluster::store::WatchKind;
use crate::cluster::watch::WatchStatus;

impl App {
    pub(super) fn on_watch_health(&mut self, status: WatchStatus) {
        let (kind, since) = match status {
            WatchStatus::Stalled { kind, last_answer } => (kind, Some(last_answer)),
            WatchStatus::Answering { kind } => (kind, None),
            WatchStatus::Synced { .. } | WatchStatus::Failed { .. } => return,
        };
        // A resource kind kept but not shown: its own table says nothing of stalls.
        if let WatchKind::Resources(k) = kind
            && k != self.resource_kind
        {
            return;
        }
        let Some(pane) = ClusterData::pane_of(kind) else {
            return;
        };
        let pane = self.panes.get_mut(pane);
        pane.no_answer_since = since;
        if since.is_none() {
            // Back without a new listing: whatever failure it reported is over.
            pane.problem = None;
            if matches!(self.connection, Connection::Reconnecting { .. }) {
                self.connection = Connection::Live;
            }
        }
    }
}
