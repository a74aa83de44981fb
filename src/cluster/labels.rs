//! An object's labels as a row keeps them: a sorted slice of short strings.
//!
//! A `BTreeMap<String, String>` allocates a node of about 540 bytes however few labels it holds,
//! plus a heap block per key and value: at 100,000 pods that was half of every pod row's memory.
//! Here a pod's usual labels (`app`, `pod-template-hash`, `app.kubernetes.io/name`) take one block.

use std::collections::BTreeMap;

use compact_str::CompactString;

/// Label keys and values, sorted by key, each key once.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Labels(Box<[(CompactString, CompactString)]>);

impl Labels {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0
            .binary_search_by(|(k, _)| k.as_str().cmp(key))
            .ok()
            .map(|i| self.0[i].1.as_str())
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// In key order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sanitized for drawing, as every text of a row is.
impl From<&BTreeMap<String, String>> for Labels {
    fn from(map: &BTreeMap<String, String>) -> Self {
        // Sanitizing can change a key, so the order and uniqueness are restored after.
        map.iter()
            .map(|(k, v)| (crate::text::sanitize_compact(k), crate::text::sanitize_compact(v)))
            .collect()
    }
}

impl<K: Into<CompactString>, V: Into<CompactString>> FromIterator<(K, V)> for Labels {
    /// Like a map: a key given twice keeps its last value.
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut pairs: Vec<(CompactString, CompactString)> =
            iter.into_iter().map(|(k, v)| (k.into(), v.into())).collect();
        // A stable sort keeps a repeated key's values in the order given; the last one wins.
        pairs.sort_by(|a, b| a.0.cmp(&b.0));
        let mut unique: Vec<(CompactString, CompactString)> = Vec::with_capacity(pairs.len());
        for (k, v) in pairs {
            match unique.last_mut() {
                Some(last) if last.0 == k => last.1 = v,
                _ => unique.push((k, v)),
            }
        }
        Labels(unique.into_boxed_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_by_key_whatever_order_they_came_in() {
        let labels: Labels = [("tier", "web"), ("app", "backend"), ("app.kubernetes.io/name", "todo")]
            .into_iter()
            .collect();
        assert_eq!(labels.get("app"), Some("backend"));
        assert_eq!(labels.get("tier"), Some("web"));
        assert_eq!(labels.get("app.kubernetes.io/name"), Some("todo"));
        assert_eq!(labels.get("ap"), None);
        assert!(!labels.contains_key("missing"));
        let keys: Vec<&str> = labels.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["app", "app.kubernetes.io/name", "tier"]);
    }

    #[test]
    fn a_key_given_twice_keeps_its_last_value() {
        let labels: Labels = [("app", "old"), ("tier", "web"), ("app", "new")].into_iter().collect();
        assert_eq!(labels.len(), 2);
        assert_eq!(labels.get("app"), Some("new"));
    }

    #[test]
    fn control_sequences_in_labels_are_removed_and_keys_stay_unique() {
        let map = BTreeMap::from([
            ("a\u{1b}[2Jpp".to_owned(), "x".to_owned()),
            ("app".to_owned(), "evil\u{7}".to_owned()),
        ]);
        let labels = Labels::from(&map);
        assert_eq!(labels.len(), 1);
        assert!(
            labels
                .iter()
                .all(|(k, v)| !k.contains('\u{1b}') && !v.contains('\u{7}'))
        );
    }
}
