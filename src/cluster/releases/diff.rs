//! What changed between two revisions of a release: the user-supplied values and the rendered
//! manifest, as unified-diff lines ready to draw.

use serde_json::{Map, Value};
use similar::{ChangeTag, TextDiff};

use super::record::Release;
use crate::text::sanitize;

/// Lines of context kept around each change, as `diff -u` does.
const CONTEXT: usize = 3;

/// One line of a diff, its text sanitized and without the `+`/`-`/` ` marker.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DiffLine {
    /// `--- values, revision 2`, `@@ -1,4 +1,4 @@`, or a note that a section did not change.
    Header(String),
    Context(String),
    Added(String),
    Removed(String),
}

/// The diff from `old` to `new`: first the user-supplied values as YAML with sorted keys, then
/// the manifest.
pub fn diff_revisions(old: &Release, new: &Release) -> Vec<DiffLine> {
    let mut lines = Vec::new();
    // Secret values (a Secret's data, values under secret-looking keys) masked alike on both
    // sides: a change shows, the values do not.
    let mut masker = crate::cluster::mask::Masker::default();
    let mut masked_values = |config: &Map<String, Value>| {
        let mut value = Value::Object(config.clone());
        masker.mask_values(&mut value);
        match value {
            Value::Object(map) => values_yaml(&map),
            _ => String::new(),
        }
    };
    let (old_values, new_values) = (masked_values(&old.config), masked_values(&new.config));
    let sections = [
        ("values", old_values, new_values),
        (
            "manifest",
            masker.mask_manifest(&old.manifest),
            masker.mask_manifest(&new.manifest),
        ),
    ];
    for (section, before, after) in sections {
        diff_section(section, (old.version, &before), (new.version, &after), &mut lines);
    }
    lines
}

/// User-supplied values as YAML with keys sorted at every level; empty when there are none.
pub fn values_yaml(config: &Map<String, Value>) -> String {
    if config.is_empty() {
        return String::new();
    }
    let sorted = sorted_yaml(&Value::Object(config.clone()));
    // A YAML value built from JSON always serializes.
    serde_yaml::to_string(&sorted).unwrap_or_default()
}

fn sorted_yaml(value: &Value) -> serde_yaml::Value {
    match value {
        Value::Null => serde_yaml::Value::Null,
        Value::Bool(b) => serde_yaml::Value::Bool(*b),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into()
            } else if let Some(u) = n.as_u64() {
                u.into()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into()
            }
        }
        Value::String(s) => serde_yaml::Value::String(s.clone()),
        Value::Array(items) => serde_yaml::Value::Sequence(items.iter().map(sorted_yaml).collect()),
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            entries.sort_by(|a, b| a.0.cmp(b.0));
            serde_yaml::Value::Mapping(
                entries
                    .into_iter()
                    .map(|(k, v)| (serde_yaml::Value::String(k.clone()), sorted_yaml(v)))
                    .collect(),
            )
        }
    }
}

fn diff_section(section: &str, old: (i32, &str), new: (i32, &str), out: &mut Vec<DiffLine>) {
    if old.1 == new.1 {
        out.push(DiffLine::Header(format!(
            "{section}: no changes between revision {} and {}",
            old.0, new.0
        )));
        return;
    }
    out.push(DiffLine::Header(format!("--- {section}, revision {}", old.0)));
    out.push(DiffLine::Header(format!("+++ {section}, revision {}", new.0)));
    let diff = TextDiff::from_lines(old.1, new.1);
    let mut unified = diff.unified_diff();
    unified.context_radius(CONTEXT);
    for hunk in unified.iter_hunks() {
        out.push(DiffLine::Header(hunk.header().to_string()));
        for change in hunk.iter_changes() {
            let text = sanitize(change.value().trim_end_matches(['\n', '\r']));
            out.push(match change.tag() {
                ChangeTag::Equal => DiffLine::Context(text),
                ChangeTag::Insert => DiffLine::Added(text),
                ChangeTag::Delete => DiffLine::Removed(text),
            });
        }
    }
}
