//! The nearest valid spelling of a values key the schema rejected (`frontend.replica` ->
//! `replicas`), found by walking the chart's schema to the object that holds the key.

use serde_json::Value;

/// The keys the schema allows in the object at `path` (JSON-pointer segments of the values).
pub fn allowed_keys(schema: &Value, path: &[String]) -> Vec<String> {
    let mut node = resolve(schema, schema);
    for segment in path {
        let next = if segment.parse::<usize>().is_ok() && node.get("items").is_some() {
            node.get("items")
        } else {
            node.get("properties")
                .and_then(|p| p.get(segment))
                .or_else(|| node.get("additionalProperties").filter(|a| a.is_object()))
        };
        match next {
            Some(n) => node = resolve(schema, n),
            None => return Vec::new(),
        }
    }
    node.get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

/// Follows local `$ref`s (`#/definitions/name`).
fn resolve<'a>(root: &'a Value, mut node: &'a Value) -> &'a Value {
    for _ in 0..16 {
        let Some(target) = node.get("$ref").and_then(Value::as_str) else {
            break;
        };
        match target.strip_prefix('#').and_then(|p| root.pointer(p)) {
            Some(n) => node = n,
            None => break,
        }
    }
    node
}

/// The allowed key closest to `typo`, when it is close enough to be a misspelling.
pub fn nearest<'a>(typo: &str, allowed: &'a [String]) -> Option<&'a str> {
    let typo_lower = typo.to_lowercase();
    allowed
        .iter()
        .map(|k| (edit_distance(&typo_lower, &k.to_lowercase()), k))
        .filter(|(d, k)| *d <= (k.chars().count() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.as_str())
}

/// Edits (insert, delete, substitute, swap two neighbours) that turn `a` into `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1).min(d[i][j - 1] + 1).min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_refs_and_finds_the_closest_key() {
        let schema = serde_json::json!({
            "definitions": {"app": {"type": "object", "properties": {"replicas": {}, "image": {}}}},
            "properties": {"frontend": {"$ref": "#/definitions/app"}, "list": {"items": {"$ref": "#/definitions/app"}}}
        });
        let keys = allowed_keys(&schema, &["frontend".into()]);
        assert_eq!(nearest("replica", &keys), Some("replicas"));
        assert_eq!(nearest("Image", &keys), Some("image"));
        assert_eq!(nearest("hostname", &keys), None);
        let in_list = allowed_keys(&schema, &["list".into(), "0".into()]);
        assert_eq!(nearest("imgae", &in_list), Some("image"));
    }
}
