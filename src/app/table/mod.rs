//! What every table pane shares: which rows are shown in which order (filter and sort), the
//! selected object and the scroll position. Rows themselves live in the cluster stores; a pane
//! keeps only their keys, recomputed once per batch of changes, never per frame.

use std::cmp::Ordering;

use regex::{Regex, RegexBuilder};

use crate::cluster::labels::Labels;
use crate::cluster::store::ObjectKey;

mod rows;

/// A table column: its title and how it is laid out. Each row kind declares its columns once
/// (`Tabular::COLUMNS`, in rows.rs); sorting, `:sort` and drawing all read that list. Widths are
/// not declared: the table measures the rows on screen every frame (views/table.rs).
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    pub title: &'static str,
    /// The most this column takes before the identifying columns have what they need; it may
    /// grow past it only into room nobody else wants.
    pub cap: u16,
    /// Tells rows apart (NAME, an HPA's target, a release's name): gets the remaining room
    /// first and, when cut, loses its middle rather than its distinguishing end.
    pub identifying: bool,
    /// When space runs out, columns with the highest number go first; 0 is never dropped.
    /// By convention 1 is the namespace (dropped last) and 5 the least useful column.
    pub drop: u8,
    /// Shown only in wide mode (`W`), like the extra columns of `kubectl get -o wide`.
    pub wide: bool,
}

/// A column as wide as its widest value, up to `cap`.
pub const fn col(title: &'static str, cap: u16, drop: u8) -> ColumnSpec {
    ColumnSpec {
        title,
        cap,
        identifying: false,
        drop,
        wide: false,
    }
}

/// A column shown only in wide mode, as wide as its widest value up to `cap`.
pub const fn wide_col(title: &'static str, cap: u16, drop: u8) -> ColumnSpec {
    ColumnSpec {
        title,
        cap,
        identifying: false,
        drop,
        wide: true,
    }
}

/// A column that tells rows apart: as wide as its widest value, before any other column grows.
pub const fn name_col(title: &'static str, drop: u8) -> ColumnSpec {
    ColumnSpec {
        title,
        cap: u16::MAX,
        identifying: true,
        drop,
        wide: false,
    }
}

/// A value a column sorts by.
#[derive(Debug, Clone, PartialEq, PartialOrd)]
pub enum SortValue<'a> {
    Number(f64),
    Text(&'a str),
    Missing,
}

/// A row that a table pane can filter and sort; the pane keeps rows by their `Row::key`.
pub trait Tabular: crate::cluster::store::Row {
    /// Columns in display order; sorting and drawing refer to them by index.
    const COLUMNS: &'static [ColumnSpec];
    fn sort_value(&self, column: usize) -> SortValue<'_>;
    /// Whether any of the row's text matches (name, namespace, status, ...).
    fn matches_text(&self, re: &Regex) -> bool;
    fn labels(&self) -> Option<&Labels> {
        None
    }
}

/// The pane's `/` filter: a regex (or literal text when it is not a valid regex, both
/// case-insensitive), `!` in front to invert, or `-l key=value,key2!=value` for labels.
#[derive(Debug, Clone)]
pub struct Filter {
    pub input: String,
    kind: FilterKind,
}

#[derive(Debug, Clone)]
enum FilterKind {
    Text { re: Regex, invert: bool },
    Labels(Vec<LabelTerm>),
}

#[derive(Debug, Clone, PartialEq)]
enum LabelTerm {
    Equals(String, String),
    NotEquals(String, String),
    Exists(String),
    Absent(String),
}

impl Filter {
    /// Parses filter input; an empty input means no filter. Errors are sentences for the user.
    pub fn parse(input: &str) -> Result<Option<Filter>, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let kind = if let Some(selector) = trimmed.strip_prefix("-l") {
            FilterKind::Labels(parse_selector(selector.trim())?)
        } else {
            let (invert, pattern) = match trimmed.strip_prefix('!') {
                Some(rest) => (true, rest),
                None => (false, trimmed),
            };
            let re = RegexBuilder::new(pattern)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .or_else(|_| {
                    RegexBuilder::new(&regex::escape(pattern))
                        .case_insensitive(true)
                        .build()
                })
                .map_err(|e| format!("cannot use {pattern:?} as a filter: {e}"))?;
            FilterKind::Text { re, invert }
        };
        Ok(Some(Filter {
            input: trimmed.to_owned(),
            kind,
        }))
    }

    pub fn accepts<R: Tabular>(&self, row: &R) -> bool {
        match &self.kind {
            FilterKind::Text { re, invert } => row.matches_text(re) != *invert,
            FilterKind::Labels(terms) => {
                let empty = Labels::default();
                let labels = row.labels().unwrap_or(&empty);
                terms.iter().all(|t| match t {
                    LabelTerm::Equals(k, v) => labels.get(k) == Some(v.as_str()),
                    LabelTerm::NotEquals(k, v) => labels.get(k) != Some(v.as_str()),
                    LabelTerm::Exists(k) => labels.contains_key(k),
                    LabelTerm::Absent(k) => !labels.contains_key(k),
                })
            }
        }
    }
}

fn parse_selector(selector: &str) -> Result<Vec<LabelTerm>, String> {
    if selector.is_empty() {
        return Err("-l needs a label selector, e.g. -l app=backend,tier!=cache".into());
    }
    selector
        .split(',')
        .map(|term| {
            let term = term.trim();
            let valid = |s: &str| {
                !s.is_empty()
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
            };
            let pair = |k: &str, v: &str| {
                let (k, v) = (k.trim(), v.trim());
                if valid(k) && (v.is_empty() || valid(v)) {
                    Ok((k.to_owned(), v.to_owned()))
                } else {
                    Err(format!(
                        "{term:?} is not a label selector term (key=value, key!=value, key or !key)"
                    ))
                }
            };
            if let Some((k, v)) = term.split_once("!=") {
                pair(k, v).map(|(k, v)| LabelTerm::NotEquals(k, v))
            } else if let Some((k, v)) = term.split_once("==").or_else(|| term.split_once('=')) {
                pair(k, v).map(|(k, v)| LabelTerm::Equals(k, v))
            } else if let Some(k) = term.strip_prefix('!') {
                pair(k, "").map(|(k, _)| LabelTerm::Absent(k))
            } else {
                pair(term, "").map(|(k, _)| LabelTerm::Exists(k))
            }
        })
        .collect()
}

/// The new view's keys, moved out of the old view where the two line up and cloned only where
/// they do not: between two frames a few rows come and go, and cloning every key of 100,000
/// pods ten times a second was most of a refresh. A key that moved further than LOOKAHEAD
/// places is simply cloned.
fn reuse_keys<'a>(mut old: Vec<ObjectKey>, new: impl ExactSizeIterator<Item = &'a ObjectKey>) -> Vec<ObjectKey> {
    const LOOKAHEAD: usize = 8;
    let mut view = Vec::with_capacity(new.len());
    let mut j = 0;
    for key in new {
        let found = old
            .get(j..(j + LOOKAHEAD).min(old.len()))
            .and_then(|ahead| ahead.iter().position(|k| k == key));
        match found {
            Some(skip) => {
                j += skip;
                view.push(std::mem::take(&mut old[j]));
                j += 1;
            }
            None => view.push(key.clone()),
        }
    }
    view
}

/// Sort order: by a column, or (None) by namespace and name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Sort {
    pub column: Option<usize>,
    pub descending: bool,
}

/// The state of one table pane.
#[derive(Debug, Clone, Default)]
pub struct TablePane {
    /// Keys of the rows shown, in display order.
    pub view: Vec<ObjectKey>,
    /// The selected object, by key, so the selection follows it while rows change.
    pub selected: Option<ObjectKey>,
    /// Where the selected object was last seen, so a deleted one hands over to its neighbour.
    pub selected_index: usize,
    pub offset: usize,
    pub filter: Option<Filter>,
    pub sort: Sort,
    /// Why the pane cannot show data (e.g. forbidden), if it cannot.
    pub problem: Option<String>,
    /// Since when its watch has had no answer while the API server answers (a stalled storage):
    /// the pane shows what it last saw then, dimmed.
    pub no_answer_since: Option<jiff::Timestamp>,
    /// Rows changed since `view` was computed.
    pub stale: bool,
    /// Rows before filtering, for the title ("3/40").
    pub total: usize,
}

impl TablePane {
    /// Recomputes the shown keys from `rows` (already in namespace/name order).
    pub fn refresh<'a, R: Tabular + 'a>(&mut self, rows: impl Iterator<Item = &'a R>, page: usize) {
        self.refresh_with(rows, page, R::sort_value)
    }

    /// `refresh`, sorting by `value` (for columns whose values live beside the rows, as the
    /// live CPU and memory do).
    pub fn refresh_with<'a, R: Tabular + 'a>(
        &mut self,
        rows: impl Iterator<Item = &'a R>,
        page: usize,
        value: impl Fn(&'a R, usize) -> SortValue<'a>,
    ) {
        let mut total = 0;
        let mut shown: Vec<&R> = rows
            .inspect(|_| total += 1)
            .filter(|r| self.filter.as_ref().is_none_or(|f| f.accepts(*r)))
            .collect();
        if let Some(column) = self.sort.column {
            // Stable: ties keep namespace/name order.
            shown.sort_by(|a, b| {
                let o = value(a, column)
                    .partial_cmp(&value(b, column))
                    .unwrap_or(Ordering::Equal);
                if self.sort.descending { o.reverse() } else { o }
            });
        }
        self.total = total;
        self.view = reuse_keys(std::mem::take(&mut self.view), shown.into_iter().map(|r| r.key()));
        self.stale = false;
        self.follow_selection(page);
    }

    /// Index of the highlighted row, if there are rows.
    pub fn highlighted(&self) -> Option<usize> {
        (!self.view.is_empty()).then(|| self.selected_index.min(self.view.len() - 1))
    }

    pub fn selected_key(&self) -> Option<&ObjectKey> {
        self.highlighted().map(|i| &self.view[i])
    }

    pub fn move_by(&mut self, delta: isize, page: usize) {
        let Some(current) = self.highlighted() else { return };
        let target = current.saturating_add_signed(delta).min(self.view.len() - 1);
        self.selected_index = target;
        self.selected = Some(self.view[target].clone());
        self.scroll_into_view(page);
    }

    pub fn select(&mut self, key: &ObjectKey, page: usize) {
        if let Some(i) = self.view.iter().position(|k| k == key) {
            self.selected_index = i;
            self.selected = Some(key.clone());
            self.scroll_into_view(page);
        }
    }

    /// After the view changed: find the selected object again, or keep the same position.
    fn follow_selection(&mut self, page: usize) {
        if let Some(key) = &self.selected
            && let Some(i) = self.view.iter().position(|k| k == key)
        {
            self.selected_index = i;
        }
        self.scroll_into_view(page);
    }

    /// Keeps the highlighted row between `offset` and `offset + page`.
    pub fn scroll_into_view(&mut self, page: usize) {
        let page = page.max(1);
        let max_offset = self.view.len().saturating_sub(page);
        let Some(index) = self.highlighted() else {
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

    /// Sorts by the next column (wrapping back to namespace/name order after the last).
    pub fn cycle_sort(&mut self, columns: usize) {
        self.sort.column = match self.sort.column {
            None => Some(0),
            Some(c) if c + 1 < columns => Some(c + 1),
            Some(_) => None,
        };
        self.stale = true;
    }

    pub fn sort_by(&mut self, column: usize) {
        self.sort.column = Some(column);
        self.stale = true;
    }

    pub fn reverse_sort(&mut self) {
        self.sort.descending = !self.sort.descending;
        self.stale = true;
    }

    pub fn set_filter(&mut self, filter: Option<Filter>) {
        self.filter = filter;
        self.stale = true;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// Whatever came and went between two frames, the view is exactly the new keys in order.
        #[test]
        fn reused_keys_are_exactly_the_new_keys(
            old in proptest::collection::vec(0u16..300, 0..60),
            new in proptest::collection::vec(0u16..300, 0..60),
        ) {
            let key = |n: &u16| ObjectKey::new("ns", &format!("pod-{n}"));
            let new_keys: Vec<ObjectKey> = new.iter().map(key).collect();
            let view = reuse_keys(old.iter().map(key).collect(), new_keys.iter());
            proptest::prop_assert_eq!(view, new_keys);
        }
    }

    #[derive(Clone)]
    struct Thing {
        key: ObjectKey,
        size: f64,
        labels: Labels,
    }

    impl crate::cluster::store::Row for Thing {
        fn key(&self) -> &ObjectKey {
            &self.key
        }
    }

    impl Tabular for Thing {
        const COLUMNS: &'static [ColumnSpec] = &[name_col("NAME", 0), col("SIZE", 4, 0)];
        fn sort_value(&self, column: usize) -> SortValue<'_> {
            match column {
                0 => SortValue::Text(&self.key.name),
                _ => SortValue::Number(self.size),
            }
        }
        fn matches_text(&self, re: &Regex) -> bool {
            re.is_match(&self.key.name)
        }
        fn labels(&self) -> Option<&Labels> {
            Some(&self.labels)
        }
    }

    fn things() -> Vec<Thing> {
        [
            ("api-1", 3.0, "backend"),
            ("api-2", 1.0, "backend"),
            ("web-1", 2.0, "frontend"),
            ("redis-0", 9.0, ""),
        ]
        .into_iter()
        .map(|(n, size, app)| Thing {
            key: ObjectKey::new("ns", n),
            size,
            labels: if app.is_empty() {
                Labels::default()
            } else {
                [("app", app)].into_iter().collect()
            },
        })
        .collect()
    }

    fn shown(pane: &TablePane) -> Vec<&str> {
        pane.view.iter().map(|k| k.name.as_str()).collect()
    }

    fn filtered(input: &str) -> Vec<String> {
        let mut pane = TablePane::default();
        pane.set_filter(Filter::parse(input).unwrap());
        pane.refresh(things().iter(), 10);
        shown(&pane).into_iter().map(String::from).collect()
    }

    #[test]
    fn filters_by_text_regex_inverted_and_labels() {
        assert_eq!(filtered("API"), ["api-1", "api-2"]);
        assert_eq!(filtered("^(web|redis)"), ["web-1", "redis-0"]);
        assert_eq!(filtered("!api"), ["web-1", "redis-0"]);
        assert_eq!(
            filtered("api-[12"),
            Vec::<String>::new(),
            "invalid regex is taken literally"
        );
        assert_eq!(filtered("-l app=backend"), ["api-1", "api-2"]);
        assert_eq!(filtered("-l app!=backend"), ["web-1", "redis-0"]);
        assert_eq!(filtered("-l app"), ["api-1", "api-2", "web-1"]);
        assert_eq!(filtered("-l !app"), ["redis-0"]);
        assert_eq!(filtered("   "), ["api-1", "api-2", "web-1", "redis-0"]);
        assert!(Filter::parse("-l").is_err());
        assert!(
            Filter::parse("-l a=b c")
                .unwrap_err()
                .contains("not a label selector term")
        );
    }

    #[test]
    fn sorts_and_keeps_the_selection_on_the_same_object() {
        let mut pane = TablePane::default();
        pane.refresh(things().iter(), 10);
        pane.select(&ObjectKey::new("ns", "web-1"), 10);
        pane.sort_by(1);
        pane.refresh(things().iter(), 10);
        assert_eq!(shown(&pane), ["api-2", "web-1", "api-1", "redis-0"]);
        assert_eq!(pane.selected_key().unwrap().name, "web-1");
        pane.reverse_sort();
        pane.refresh(things().iter(), 10);
        assert_eq!(shown(&pane), ["redis-0", "api-1", "web-1", "api-2"]);
        assert_eq!(pane.highlighted(), Some(2));

        // The selected row disappears: its neighbour takes the highlight.
        let rest: Vec<Thing> = things().into_iter().filter(|t| t.key.name != "web-1").collect();
        pane.refresh(rest.iter(), 10);
        assert_eq!(pane.selected_key().unwrap().name, "api-2");
    }

    #[test]
    fn cycling_sort_wraps_to_name_order() {
        let mut pane = TablePane::default();
        pane.cycle_sort(2);
        assert_eq!(pane.sort.column, Some(0));
        pane.cycle_sort(2);
        pane.cycle_sort(2);
        assert_eq!(pane.sort.column, None);
    }
}
