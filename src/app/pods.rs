//! The Pods pane's state: its rows, the selected pod and the scroll position.

use crate::cluster::pods::PodRow;
use crate::cluster::store::{ObjectKey, RowStore};

#[derive(Debug, Clone, Default)]
pub struct PodsPane {
    pub store: RowStore<PodRow>,
    /// The selected pod, by key, so the selection follows the pod while rows come and go.
    pub selected: Option<ObjectKey>,
    /// Index of the first row on screen.
    pub offset: usize,
    /// Why the pane cannot show data (e.g. forbidden), if it cannot.
    pub problem: Option<String>,
}

impl PodsPane {
    /// Index of the highlighted row: the selected pod, or the row that took its place.
    pub fn selected_index(&self) -> Option<usize> {
        let len = self.store.len();
        if len == 0 {
            return None;
        }
        Some(match &self.selected {
            Some(key) => self.store.position(key).min(len - 1),
            None => 0,
        })
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        let Some(current) = self.selected_index() else { return };
        let last = self.store.len() - 1;
        let target = current.saturating_add_signed(delta).min(last);
        self.selected = self.store.key_at(target).cloned();
        self.scroll_into_view(page);
    }

    /// Keeps the highlighted row between `offset` and `offset + page`.
    pub fn scroll_into_view(&mut self, page: usize) {
        let len = self.store.len();
        let max_offset = len.saturating_sub(page);
        let Some(index) = self.selected_index() else {
            self.offset = 0;
            return;
        };
        if index < self.offset {
            self.offset = index;
        } else if index >= self.offset + page {
            self.offset = index + 1 - page;
        }
        self.offset = self.offset.min(max_offset);
    }
}
