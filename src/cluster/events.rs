//! Kubernetes Events as the Events pane shows them: what happened to which object, how often.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Event;

use super::RowUpdate;
use super::store::{FromObject, ObjectKey, Row, WatchUpdate};
use crate::text::sanitize;

#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub key: ObjectKey,
    pub warning: bool,
    pub reason: String,
    /// `Pod/backend-7c9d-x2x`.
    pub object: String,
    pub message: String,
    pub count: i32,
    pub last_seen: Option<Timestamp>,
}

impl Row for EventRow {
    fn key(&self) -> &ObjectKey {
        &self.key
    }
}

impl FromObject<Event> for EventRow {
    const KIND: super::store::WatchKind = super::store::WatchKind::Events;

    fn from_object(e: &Event) -> Self {
        let last_seen = e
            .series
            .as_ref()
            .and_then(|s| s.last_observed_time.as_ref().map(|t| t.0))
            .or_else(|| e.last_timestamp.as_ref().map(|t| t.0))
            .or_else(|| e.event_time.as_ref().map(|t| t.0))
            .or_else(|| e.first_timestamp.as_ref().map(|t| t.0))
            .or_else(|| e.metadata.creation_timestamp.as_ref().map(|t| t.0));
        let count = e.series.as_ref().and_then(|s| s.count).or(e.count).unwrap_or(1);
        let involved = &e.involved_object;
        EventRow {
            key: ObjectKey::new(
                e.metadata.namespace.as_deref().unwrap_or_default(),
                e.metadata.name.as_deref().unwrap_or_default(),
            ),
            warning: e.type_.as_deref() == Some("Warning"),
            reason: sanitize(e.reason.as_deref().unwrap_or_default()),
            object: sanitize(&format!(
                "{}/{}",
                involved.kind.as_deref().unwrap_or("?"),
                involved.name.as_deref().unwrap_or("?")
            )),
            message: sanitize(e.message.as_deref().unwrap_or_default().trim()),
            count,
            last_seen,
        }
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Events(update)
    }
}

/// A Warning event, known by its key only: the summary line counts them from the first screen,
/// while the whole Events watch waits until the pane (or an object's events) is first shown.
#[derive(Debug, Clone, PartialEq)]
pub struct WarningKey(pub ObjectKey);

impl Row for WarningKey {
    fn key(&self) -> &ObjectKey {
        &self.0
    }
}

impl FromObject<Event> for WarningKey {
    const KIND: super::store::WatchKind = super::store::WatchKind::WarningEvents;

    fn from_object(e: &Event) -> Self {
        WarningKey(ObjectKey::new(
            e.metadata.namespace.as_deref().unwrap_or_default(),
            e.metadata.name.as_deref().unwrap_or_default(),
        ))
    }

    fn wrap(update: WatchUpdate<Self>) -> RowUpdate {
        RowUpdate::Warnings(update)
    }
}

/// Only the Warning events: what the summary line counts.
pub const WARNINGS_ONLY: &str = "type=Warning";

/// Watches every event in `scope`: started when the Events pane or an object's events are first
/// shown, since under pod churn events arrive faster than pod changes and most are never read.
pub async fn watch(client: kube::Client, scope: super::Scope, server: String, tx: impl super::EventSink) {
    super::watch::run::<Event, EventRow>(scope.api(client), super::watch::config(), server, tx).await;
}

/// The pane's default order: warnings first; within each, objects with the newest event
/// first, and each object's events together, newest first.
pub fn default_order<'a>(rows: impl Iterator<Item = &'a EventRow>) -> Vec<&'a EventRow> {
    let rows: Vec<&EventRow> = rows.collect();
    let mut newest: std::collections::HashMap<(&str, bool), Option<Timestamp>> = Default::default();
    for r in &rows {
        let e = newest.entry((r.object.as_str(), r.warning)).or_insert(r.last_seen);
        *e = (*e).max(r.last_seen);
    }
    // Each row's group timestamp is looked up once, not twice per comparison: with 10,000
    // events this runs on every frame of a busy cluster, and hashing in the comparator
    // dominated kubedeck's CPU under pod churn.
    let mut keyed: Vec<(Option<Timestamp>, &EventRow)> = rows
        .into_iter()
        .map(|r| (newest[&(r.object.as_str(), r.warning)], r))
        .collect();
    keyed.sort_by(|(a_newest, a), (b_newest, b)| {
        b.warning
            .cmp(&a.warning)
            .then_with(|| b_newest.cmp(a_newest))
            .then_with(|| a.object.cmp(&b.object))
            .then_with(|| b.last_seen.cmp(&a.last_seen))
    });
    keyed.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(name: &str, warning: bool, object: &str, at: &str) -> EventRow {
        EventRow {
            key: ObjectKey::new("todo", name),
            warning,
            reason: "R".into(),
            object: object.into(),
            message: "m".into(),
            count: 1,
            last_seen: Some(at.parse().unwrap()),
        }
    }

    #[test]
    fn warnings_first_then_grouped_by_object_newest_first() {
        let rows = [
            ev("a", false, "Pod/web", "2026-11-23T12:00:05Z"),
            ev("b", true, "Pod/api", "2026-11-23T11:00:00Z"),
            ev("c", true, "Pod/db", "2026-11-23T11:30:00Z"),
            ev("d", true, "Pod/api", "2026-11-23T11:45:00Z"),
        ];
        let order: Vec<&str> = default_order(rows.iter()).iter().map(|r| r.key.name.as_str()).collect();
        assert_eq!(order, ["d", "b", "c", "a"]);
    }

    #[test]
    fn many_events_keep_the_grouped_order() {
        // Objects interleaved, as a churning cluster's events arrive: every object's events must
        // come out together, objects by their newest event, each object's newest first.
        let rows: Vec<EventRow> = (0..600)
            .map(|i| {
                let at = format!("2026-11-23T11:{:02}:{:02}Z", (i * 7) % 60, i % 60);
                ev(&format!("e{i}"), i % 5 == 0, &format!("Pod/p{}", i % 40), &at)
            })
            .collect();
        let order = default_order(rows.iter());
        assert_eq!(order.len(), rows.len());
        for pair in order.windows(2) {
            let (a, b) = (pair[0], pair[1]);
            assert!(a.warning >= b.warning, "warnings first");
            if a.warning == b.warning && a.object == b.object {
                assert!(a.last_seen >= b.last_seen, "an object's events newest first");
            }
        }
        let mut groups: Vec<(bool, &str)> = order.iter().map(|r| (r.warning, r.object.as_str())).collect();
        groups.dedup();
        let distinct: std::collections::HashSet<_> = groups.iter().collect();
        assert_eq!(groups.len(), distinct.len(), "each object's events together");
    }

    #[test]
    fn reads_series_counts_and_hostile_messages() {
        let e: Event = serde_yaml::from_str(
            "metadata: {name: x.1, namespace: todo}
involvedObject: {kind: Pod, name: backend-1}
type: Warning
reason: BackOff
message: \"Back-off restarting \\e]52;c;ZXZpbA==\\a failed container\"
count: 12
lastTimestamp: '2026-11-23T11:59:00Z'",
        )
        .unwrap();
        let row = EventRow::from_object(&e);
        assert!(row.warning);
        assert_eq!((row.count, row.object.as_str()), (12, "Pod/backend-1"));
        assert_eq!(row.message, "Back-off restarting  failed container");
    }
}
