//! The rows behind a pane: kept sorted by namespace and name, fed by watch updates.

use std::collections::BTreeMap;
use std::fmt;

/// Namespace and name: how a row is found again after the rows around it change.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct ObjectKey {
    pub namespace: String,
    pub name: String,
}

impl ObjectKey {
    pub fn new(namespace: &str, name: &str) -> Self {
        ObjectKey {
            namespace: crate::text::sanitize(namespace),
            name: crate::text::sanitize(name),
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

/// A compact row made from a Kubernetes object, so the store never holds whole objects.
pub trait Row: Clone + Send + 'static {
    type Object;
    /// Plural resource name, used in messages ("cannot list pods").
    const KIND: &'static str;
    /// A field selector for the watch, so objects this row never shows are not sent at all
    /// (e.g. only secrets of type kubernetes.io/tls).
    const FIELD_SELECTOR: Option<&'static str> = None;
    fn key(&self) -> &ObjectKey;
    fn from_object(object: &Self::Object) -> Self;
    /// Tags an update with the pane it belongs to.
    fn wrap(update: WatchUpdate<Self>) -> super::RowUpdate;
}

/// A change to one pane's rows, as the watch reports it.
#[derive(Debug, Clone, PartialEq)]
pub enum WatchUpdate<R> {
    /// The watch (re)started: a full listing follows, ending with `Listed`.
    Relisting,
    /// One object of that listing.
    Listed(R),
    /// The listing is complete; rows not seen in it are gone.
    ListDone,
    /// An object was added or changed.
    Applied(R),
    /// An object was deleted.
    Deleted(ObjectKey),
}

/// The rows of one resource kind, sorted by key, with a listing in progress kept aside so the
/// pane keeps showing the old rows until a re-list after a reconnect is complete.
#[derive(Debug, Clone)]
pub struct RowStore<R> {
    rows: BTreeMap<ObjectKey, R>,
    relisting: Option<BTreeMap<ObjectKey, R>>,
    synced: bool,
}

impl<R> Default for RowStore<R> {
    fn default() -> Self {
        RowStore {
            rows: BTreeMap::new(),
            relisting: None,
            synced: false,
        }
    }
}

impl<R: Row> RowStore<R> {
    pub fn apply(&mut self, update: WatchUpdate<R>) {
        match update {
            WatchUpdate::Relisting => self.relisting = Some(BTreeMap::new()),
            WatchUpdate::Listed(row) => {
                let target = self.relisting.as_mut().unwrap_or(&mut self.rows);
                target.insert(row.key().clone(), row);
            }
            WatchUpdate::ListDone => {
                if let Some(fresh) = self.relisting.take() {
                    self.rows = fresh;
                }
                self.synced = true;
            }
            WatchUpdate::Applied(row) => {
                self.rows.insert(row.key().clone(), row);
            }
            WatchUpdate::Deleted(key) => {
                self.rows.remove(&key);
                if let Some(pending) = self.relisting.as_mut() {
                    pending.remove(&key);
                }
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
        type Object = ();
        const KIND: &'static str = "things";
        fn key(&self) -> &ObjectKey {
            &self.0
        }
        fn from_object(_: &()) -> Self {
            Named(ObjectKey::default())
        }
        fn wrap(_: WatchUpdate<Self>) -> crate::cluster::RowUpdate {
            unreachable!("not sent anywhere in these tests")
        }
    }
    fn row(name: &str) -> Named {
        Named(ObjectKey::new("ns", name))
    }
    fn names(store: &RowStore<Named>) -> Vec<&str> {
        store.iter().map(|r| r.0.name.as_str()).collect()
    }

    #[test]
    fn relist_keeps_old_rows_until_complete_then_drops_vanished_ones() {
        let mut store = RowStore::default();
        for u in [
            WatchUpdate::Relisting,
            WatchUpdate::Listed(row("b")),
            WatchUpdate::Listed(row("a")),
        ] {
            store.apply(u);
        }
        assert!(!store.is_synced());
        store.apply(WatchUpdate::ListDone);
        assert_eq!(names(&store), ["a", "b"]);

        // Reconnect: "a" vanished while we were away, "c" appeared.
        store.apply(WatchUpdate::Relisting);
        store.apply(WatchUpdate::Listed(row("c")));
        assert_eq!(names(&store), ["a", "b"], "old rows stay visible during the re-list");
        store.apply(WatchUpdate::Listed(row("b")));
        store.apply(WatchUpdate::ListDone);
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
