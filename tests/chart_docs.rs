//! The chart README's values table is generated from values.yaml's `# --` comments (helm-docs
//! style) and must match it; every value is documented, itself or through a documented parent.
//! Regenerate with `KUBEDECK_UPDATE_CHART_README=1 cargo test --test chart_docs`.

use serde_yaml::{Mapping, Value};
use std::path::Path;

const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");
const START: &str = "<!-- values:start (generated from values.yaml by tests/chart_docs.rs) -->";
const END: &str = "<!-- values:end -->";

/// One documented key: its dotted path and the text of its `# --` comment.
struct Documented {
    path: Vec<String>,
    text: String,
}

/// Reads values.yaml line by line: a `# -- text` comment (with following `#` lines) documents
/// the key on the next line; keys inside list items are not keys of the values tree.
fn documented_keys(text: &str) -> Vec<Documented> {
    let mut out = Vec::new();
    let mut stack: Vec<(usize, String)> = Vec::new();
    let mut pending: Option<String> = None;
    let mut list_indent: Option<usize> = None;
    for line in text.lines() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if trimmed.is_empty() {
            pending = None;
            continue;
        }
        if let Some(doc) = trimmed.strip_prefix("# -- ") {
            pending = Some(doc.trim().to_string());
            continue;
        }
        if let Some(more) = trimmed.strip_prefix('#') {
            if let Some(p) = pending.as_mut() {
                p.push(' ');
                p.push_str(more.trim());
            }
            continue;
        }
        if trimmed.starts_with("- ") {
            list_indent.get_or_insert(indent);
            continue;
        }
        let Some((key, _)) = trimmed.split_once(':') else {
            continue;
        };
        if list_indent.is_some_and(|l| indent >= l) {
            pending = None;
            continue;
        }
        list_indent = None;
        while stack.last().is_some_and(|(i, _)| *i >= indent) {
            stack.pop();
        }
        stack.push((indent, key.trim().to_string()));
        if let Some(text) = pending.take() {
            out.push(Documented {
                path: stack.iter().map(|(_, k)| k.clone()).collect(),
                text,
            });
        }
    }
    out
}

fn at<'a>(values: &'a Value, path: &[String]) -> Option<&'a Value> {
    path.iter().try_fold(values, |v, k| v.as_mapping()?.get(k.as_str()))
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "string",
        Value::Sequence(_) => "list",
        Value::Mapping(_) => "object",
        _ => "null",
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The markdown table, one row per documented key, in file order.
fn values_table(values: &Value, docs: &[Documented]) -> String {
    let mut table = String::from("| Key | Type | Default | Description |\n|-----|------|---------|-------------|\n");
    for d in docs {
        let v = at(values, &d.path).unwrap_or(&Value::Null);
        let default = serde_json::to_string(v).unwrap_or_default();
        table.push_str(&format!(
            "| `{}` | {} | `{}` | {} |\n",
            d.path.join("."),
            type_name(v),
            cell(&default),
            cell(&d.text)
        ));
    }
    table
}

/// Paths of every value that is not a non-empty map (what a user sets).
fn leaves(m: &Mapping, prefix: &[String], out: &mut Vec<Vec<String>>) {
    for (k, v) in m {
        let mut path = prefix.to_vec();
        path.push(k.as_str().unwrap_or_default().to_string());
        match v {
            Value::Mapping(inner) if !inner.is_empty() => leaves(inner, &path, out),
            _ => out.push(path),
        }
    }
}

#[test]
fn readme_values_table_is_generated_from_values_yaml() {
    let text = std::fs::read_to_string(Path::new(CHART).join("values.yaml")).expect("values.yaml");
    let values: Value = serde_yaml::from_str(&text).expect("values.yaml parses");
    let docs = documented_keys(&text);

    for d in &docs {
        assert!(
            at(&values, &d.path).is_some(),
            "documented key {} is not in values.yaml",
            d.path.join(".")
        );
    }
    let mut all = Vec::new();
    leaves(values.as_mapping().expect("a map"), &[], &mut all);
    let undocumented: Vec<String> = all
        .iter()
        .filter(|leaf| !docs.iter().any(|d| leaf.starts_with(&d.path)))
        .map(|leaf| leaf.join("."))
        .collect();
    assert!(
        undocumented.is_empty(),
        "values without a `# --` comment (on them or a parent): {undocumented:?}"
    );

    let readme_path = Path::new(CHART).join("README.md");
    let readme = std::fs::read_to_string(&readme_path).expect("README.md");
    let (Some(start), Some(end)) = (readme.find(START), readme.find(END)) else {
        panic!("README.md lacks the markers {START} ... {END}");
    };
    let expected = format!(
        "{}{START}\n{}{}",
        &readme[..start],
        values_table(&values, &docs),
        &readme[end..]
    );
    if std::env::var_os("KUBEDECK_UPDATE_CHART_README").is_some() {
        std::fs::write(&readme_path, &expected).expect("writing README.md");
        return;
    }
    assert!(
        readme == expected,
        "README.md's values table is stale: run KUBEDECK_UPDATE_CHART_README=1 cargo test --test chart_docs"
    );
}

#[test]
fn the_parser_follows_nesting_and_skips_list_items() {
    let text = "# -- top\na: 1\nb:\n  # -- inner\n  # continued\n  c: x\n  list:\n    - name: n\n      # -- not a key\n      value: v\n  # -- after the list\n  d: 2\n";
    let docs = documented_keys(text);
    let got: Vec<(String, &str)> = docs.iter().map(|d| (d.path.join("."), d.text.as_str())).collect();
    assert_eq!(
        got,
        [
            ("a".to_string(), "top"),
            ("b.c".to_string(), "inner continued"),
            ("b.d".to_string(), "after the list"),
        ]
    );
}
