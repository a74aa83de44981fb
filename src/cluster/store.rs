//! The rows behind a pane: kept sorted by namespace and name, fed by watch updates.

use std::collections::BTreeMap;
use std::fmt;

use compact_str::CompactString;

/// Namespace and name: how a row is found again after the rows around it change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjectKey {
    pub namespace: CompactString,
    pub name: CompactString,
}

impl ObjectKey {
    pub fn new(namespace: &str, name: &str) -> Self {
        ObjectKey {
            namespace: crate::text::sanitize_compact(namespace),
            name: crate::text::sanitize_compact(name),
        }
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.namespace.is_empty() {
            f.write_str(&self.name)
        } else {
            write!(f, "{}/{}", self.namespace, self.name)
        }
    }
}

/// Which watch an update or a status is about: one per kind of object the session watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WatchKind {
    Pods,
    Deployments,
    StatefulSets,
    Hpas,
    Events,
    /// Only the Warning events, for the summary line's count.
    WarningEvents,
    Namespaces,
    Releases,
    Certificates,
    TlsSecrets,
    Ingresses,
    /// A kind of the resource pane, watched once it is first shown.
    Resources(super::resources::ResourceKind),
}

impl WatchKind {
    /// The plural resource name, as messages use it ("cannot list pods").
    pub fn plural(self) -> &'static str {
        match self {
            WatchKind::Pods => "pods",
            WatchKind::Deployments => "deployments",
            WatchKind::StatefulSets => "statefulsets",
            WatchKind::Hpas => "horizontalpodautoscalers",
            WatchKind::Events | WatchKind::WarningEvents => "events",
            WatchKind::Namespaces => "namespaces",
            WatchKind::Releases => "releases",
            WatchKind::Certificates => "certificates",
            WatchKind::TlsSecrets => "secrets",
            WatchKind::Ingresses => "ingresses",
            WatchKind::Resources(kind) => kind.plural(),
        }
    }
}

impl fmt::Display for WatchKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.plural())
    }
}

/// A compact row made from a Kubernetes object, so the store never holds whole objects.
pub trait Row: Clone + Send + 'static {
    fn key(&self) -> &ObjectKey;
}

/// How a row is made from one kind of object, and which store its updates go to.
pub trait FromObject<K>: Row {
    /// Which watch this is.
    const KIND: WatchKind;
    fn from_object(object: &K) -> Self;
    /// Tags an update with the store it belongs to.
    fn wrap(update: WatchUpdate<Self>) -> super::RowUpdate;
}

/// A change to one pane's rows, as the watch reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchUpdate<R> {
    /// A complete listing (the first, or a re-list after the watch restarted), gathered by the
    /// watch task and sent as one message: it replaces every row, so the pane keeps showing the
    /// old rows until the new listing is whole.
    Listed(Vec<R>),
    /// An object was added or changed.
    Applied(R),
    /// An object was deleted.
    Deleted(ObjectKey),
}

/// The rows of one resource kind, sorted by key.
#[derive(Debug, Clone)]
pub struct RowStore<R> {
    rows: BTreeMap<ObjectKey, R>,
    synced: bool,
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        RowStore {
            rows: BTreeMap::new(),
            synced: false,
        }
    }
}

impl<R: Row> RowStore<R> {
    pub fn apply(&mut self, update: WatchUpdate<R>) {
        match update {
            WatchUpdate::Listed(rows) => {
                // The API server lists in namespace/name order, which is the key order, so
                // this is a bulk build rather than one insertion per row.
                self.rows = rows.into_iter().map(|row| (row.key().clone(), row)).collect();
                self.synced = true;
            }
            WatchUpdate::Applied(row) => {
                self.rows.insert(row.key().clone(), row);
            }
            WatchUpdate::Deleted(key) => {
                self.rows.remove(&key);
            }
        }
    }

    /// True once a first complete listing has arrived.
    pub fn is_synced(&self) -> bool {
        self.synced
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    pub fn get(&self, key: &ObjectKey) -> Option<&R> {
        self.rows.get(key)
    }

    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &R> + ExactSizeIterator {
        self.rows.values()
    }

    /// Position of `key` among the rows, or of the row that would follow it.
    pub fn position(&self, key: &ObjectKey) -> usize {
        self.rows.range(..key).count()
    }

    pub fn key_at(&self, index: usize) -> Option<&ObjectKey> {
        self.rows.keys().nth(index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Clone, PartialEq)]
    struct Named(ObjectKey);
    impl Row for Named {
        fn key(&self) -> &ObjectKey {
            &self.0
        }
    }
    fn row(name: &str) -> Named {
        Named(ObjectKey::new("ns", name))
    }
    fn names(store: &RowStore<Named>) -> Vec<&str> {
        store.iter().map(|r| r.0.name.as_str()).collect()
    }

    #[test]
    fn a_listing_replaces_every_row_and_drops_vanished_ones() {
        let mut store = RowStore::default();
        assert!(!store.is_synced());
        store.apply(WatchUpdate::Listed(vec![row("b"), row("a")]));
        assert!(store.is_synced());
        assert_eq!(names(&store), ["a", "b"]);

        // Reconnect: "a" vanished while we were away, "c" appeared.
        store.apply(WatchUpdate::Listed(vec![row("b"), row("c")]));
        assert_eq!(names(&store), ["b", "c"]);
        assert_eq!(store.position(&ObjectKey::new("ns", "c")), 1);
        assert_eq!(store.position(&ObjectKey::new("ns", "bb")), 1);
    }

    #[test]
    fn apply_and_delete() {
        let mut store = RowStore::default();
        store.apply(WatchUpdate::Applied(row("x")));
        store.apply(WatchUpdate::Applied(row("x")));
        store.apply(WatchUpdate::Applied(row("y")));
        store.apply(WatchUpdate::Deleted(ObjectKey::new("ns", "x")));
        assert_eq!(names(&store), ["y"]);
    }
}
