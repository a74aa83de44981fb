//! What one watch knows about its own health: the listing being gathered, the backoff, and
//! whether it is live, failed or stalled. A watch whose resource sits in a storage that stopped
//! answering (an etcd of its own, as big clusters give events) keeps its connection open and
//! sends nothing, bookmarks included, exactly like a quiet namespace. So a watch quiet for
//! QUIET_AFTER asks for one object of its kind (a consistent read, which needs that storage):
//! a quiet but healthy resource answers at once and is never flagged; a stalled one does not
//! answer within ASK_TIMEOUT and the pane says so, until the watch delivers or the ask answers.

use std::marker::PhantomData;
use std::time::Duration;

use kube::api::ListParams;
use kube::runtime::watcher;
use kube::{Api, Resource};
use serde::de::DeserializeOwned;

use super::{Backoff, WatchStatus};
use crate::cluster::store::{FromObject, WatchKind, WatchUpdate};
use crate::cluster::{ClusterEvent, EventSink};

/// How long a live watch may deliver nothing before its resource is asked whether it answers.
const QUIET_AFTER: Duration = Duration::from_secs(15);
/// How often a stalled or failed watch's resource is asked again.
const RECHECK_AFTER: Duration = Duration::from_secs(3);
/// How long that one-object list may take.
const ASK_TIMEOUT: Duration = Duration::from_secs(3);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Health {
    Live,
    /// The watch reported an error and is being resumed.
    Failed,
    /// Quiet, and its resource did not answer.
    Stalled,
    /// Failed, and its resource answers with a refusal (forbidden, not installed): asked again
    /// at the quiet pace only, and never called stalled.
    Refused,
}

pub(super) struct State<R> {
    backoff: Backoff,
    /// A listing is gathered here and sent whole: one message instead of one per object, and
    /// the app never sees half a listing.
    listing: Vec<R>,
    health: Health,
    /// When the watch last delivered something or its resource last answered.
    last_answer: jiff::Timestamp,
    row: PhantomData<R>,
}

impl<R> Default for State<R> {
    fn default() -> Self {
        State {
            backoff: Backoff::default(),
            listing: Vec::new(),
            health: Health::Live,
            last_answer: jiff::Timestamp::now(),
            row: PhantomData,
        }
    }
}

impl<R> State<R> {
    /// How long to wait for the next event before asking the resource whether it answers.
    pub(super) fn quiet_after(&self) -> Duration {
        match self.health {
            Health::Live | Health::Refused => QUIET_AFTER,
            Health::Failed | Health::Stalled => RECHECK_AFTER,
        }
    }

    /// The watch failed: the delay before it is polled again.
    pub(super) fn failed(&mut self) -> Duration {
        self.health = Health::Failed;
        self.backoff.next_delay()
    }

    /// Sends one watcher event on; false when the app has gone.
    pub(super) fn deliver<K>(&mut self, event: watcher::Event<K>, tx: &impl EventSink) -> bool
    where
        R: FromObject<K>,
    {
        self.last_answer = jiff::Timestamp::now();
        let send = |update: WatchUpdate<R>| tx.emit(ClusterEvent::Rows(R::wrap(update)));
        match event {
            // A new listing starts (the first, or after a 410 Gone); its end says Synced.
            watcher::Event::Init => {
                self.listing = Vec::new();
                true
            }
            watcher::Event::InitApply(obj) => {
                self.listing.push(R::from_object(&obj));
                true
            }
            watcher::Event::InitDone => {
                self.backoff.reset();
                self.health = Health::Live;
                send(WatchUpdate::Listed(std::mem::take(&mut self.listing)))
                    && tx.emit(ClusterEvent::Watch(WatchStatus::Synced { kind: R::KIND }))
            }
            watcher::Event::Apply(obj) => {
                self.answering(R::KIND, tx) && send(WatchUpdate::Applied(R::from_object(&obj)))
            }
            watcher::Event::Delete(obj) => {
                self.answering(R::KIND, tx) && send(WatchUpdate::Deleted(R::from_object(&obj).key().clone()))
            }
        }
    }

    /// The watch (or its resource) answers: after a failure or a stall, the pane is live again.
    fn answering(&mut self, kind: WatchKind, tx: &impl EventSink) -> bool {
        self.backoff.reset();
        if self.health == Health::Live {
            return true;
        }
        self.health = Health::Live;
        tx.emit(ClusterEvent::Watch(WatchStatus::Answering { kind }))
    }

    /// The watch has been quiet: asks for one object of its kind. False when the app has gone.
    pub(super) async fn ask<K>(&mut self, api: &Api<K>, config: &watcher::Config, tx: &impl EventSink) -> bool
    where
        R: FromObject<K>,
        K: Resource + Clone + DeserializeOwned + std::fmt::Debug,
    {
        let mut params = ListParams::default().limit(1);
        params.label_selector = config.label_selector.clone();
        params.field_selector = config.field_selector.clone();
        match tokio::time::timeout(ASK_TIMEOUT, api.list_metadata(&params)).await {
            Ok(Ok(_)) => {
                self.last_answer = jiff::Timestamp::now();
                self.answering(R::KIND, tx)
            }
            // It answered, with a refusal the watch reports on its own (forbidden, not
            // installed): not a stall, and not a sign that the watch is back either. A 5xx
            // (its storage timed out) is no answer.
            Ok(Err(kube::Error::Api(status))) if status.code < 500 => {
                if self.health != Health::Live {
                    self.health = Health::Refused;
                }
                true
            }
            // No answer in time. A watch already reported as failed keeps its message.
            _ if self.health != Health::Live => true,
            _ => {
                self.health = Health::Stalled;
                let last_answer = self.last_answer;
                tx.emit(ClusterEvent::Watch(WatchStatus::Stalled {
                    kind: R::KIND,
                    last_answer,
                }))
            }
        }
    }
}
