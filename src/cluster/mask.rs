//! Secret values kept off the screen in what compares two versions (a deploy's plan, a
//! rollback's plan, the diff of two revisions): a Secret's `data` and `stringData`, and values
//! whose key says they are secret (`secrets.*`, `*password*`, `*token*`, ...). One `Masker` masks
//! both sides, so a value that did not change reads the same on both and one that did differs,
//! without showing either (as `kubectl diff` marks them).

use std::collections::HashMap;

use serde_json::Value;

/// Hands out one placeholder per distinct secret value.
#[derive(Debug, Default)]
pub struct Masker {
    seen: HashMap<String, usize>,
}

impl Masker {
    /// The placeholder for `value`: the same for the same value, another for another.
    pub fn mask(&mut self, value: &str) -> String {
        let next = self.seen.len() + 1;
        let n = *self.seen.entry(value.to_owned()).or_insert(next);
        format!("•••••••• (secret value {n})")
    }

    /// A Secret object's `data` and `stringData` values masked in place; other kinds untouched.
    pub fn mask_object(&mut self, object: &mut Value) {
        if object.get("kind").and_then(Value::as_str) != Some("Secret") {
            return;
        }
        for section in ["data", "stringData"] {
            if let Some(map) = object.get_mut(section).and_then(Value::as_object_mut) {
                for value in map.values_mut() {
                    let text = match &*value {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    *value = Value::String(self.mask(&text));
                }
            }
        }
    }

    /// Chart values with every value under a secret-looking key masked (see `secret_key`).
    pub fn mask_values(&mut self, values: &mut Value) {
        self.mask_values_under(values, false);
    }

    fn mask_values_under(&mut self, value: &mut Value, secret: bool) {
        match value {
            Value::Object(map) => {
                for (key, v) in map.iter_mut() {
                    self.mask_values_under(v, secret || secret_key(key));
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.mask_values_under(v, secret)),
            Value::Null => {}
            Value::String(s) if s.is_empty() => {}
            scalar if secret => {
                let text = match &*scalar {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                *scalar = Value::String(self.mask(&text));
            }
            _ => {}
        }
    }

    /// A rendered manifest with its Secrets' values masked; every other document is kept as
    /// written. Documents are split as `actions::deploy::manifest_objects` splits a release's.
    pub fn mask_manifest(&mut self, manifest: &str) -> String {
        let docs: Vec<String> = manifest.split("\n---").map(|doc| self.mask_document(doc)).collect();
        docs.join("\n---")
    }

    fn mask_document(&mut self, doc: &str) -> String {
        let Ok(mut value) = serde_yaml::from_str::<Value>(doc) else {
            return doc.to_owned();
        };
        if value.get("kind").and_then(Value::as_str) != Some("Secret") {
            return doc.to_owned();
        }
        self.mask_object(&mut value);
        // The `---` and `# Source:` comments at its top say where it came from; the rest is
        // the object.
        let comments: String = doc
            .lines()
            .take_while(|l| l.starts_with('#') || l.starts_with("---") || l.trim().is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        comments + &serde_yaml::to_string(&value).unwrap_or_default()
    }
}

/// Whether a values key names something secret: `secrets`, or a key with password, secret,
/// token, apikey, credential or a database URL (which holds its password) in its name.
pub fn secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase().replace(['_', '-'], "");
    [
        "secret",
        "password",
        "passwd",
        "token",
        "apikey",
        "credential",
        "databaseurl",
        "privatekey",
    ]
    .iter()
    .any(|word| key.contains(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_masks_the_same_on_both_sides_and_differently_when_it_changed() {
        let mut m = Masker::default();
        let mut before = serde_json::json!({"kind": "Secret", "data": {"A": "c2st", "B": "eA=="}});
        let mut after = serde_json::json!({"kind": "Secret", "data": {"A": "c2st", "B": "eQ=="}});
        m.mask_object(&mut before);
        m.mask_object(&mut after);
        assert_eq!(before["data"]["A"], after["data"]["A"], "unchanged reads the same");
        assert_ne!(before["data"]["B"], after["data"]["B"], "changed reads differently");
        let text = format!("{before}{after}");
        assert!(
            !text.contains("c2st") && !text.contains("eA==") && !text.contains("eQ=="),
            "{text}"
        );
        let mut config_map = serde_json::json!({"kind": "ConfigMap", "data": {"A": "plain"}});
        m.mask_object(&mut config_map);
        assert_eq!(config_map["data"]["A"], "plain");
    }

    #[test]
    fn values_under_secret_keys_and_manifest_secrets_are_masked() {
        let mut m = Masker::default();
        let mut values = serde_json::json!({
            "secrets": {"openaiApiKey": "sk-1", "existingSecret": ""},
            "postgresql": {"auth": {"password": "pw"}, "databaseUrl": "postgresql://u:pw@db"},
            "backend": {"replicas": 2, "image": {"tag": "1.0"}},
        });
        m.mask_values(&mut values);
        let text = values.to_string();
        assert!(
            !text.contains("sk-1") && !text.contains("\"pw\"") && !text.contains("u:pw@"),
            "{text}"
        );
        assert_eq!(values["backend"]["image"]["tag"], "1.0");
        assert_eq!(values["backend"]["replicas"], 2);

        let manifest = "---\n# Source: c/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n\
                        data:\n  KEY: c2stMQ==\n---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\n\
                        metadata:\n  name: c\ndata:\n  A: plain\n";
        let masked = m.mask_manifest(manifest);
        assert!(!masked.contains("c2stMQ=="), "{masked}");
        assert!(masked.contains("# Source: c/templates/secret.yaml\n"), "{masked}");
        assert!(masked.contains("KEY: •••••••• (secret value"), "{masked}");
        assert!(
            masked.ends_with("kind: ConfigMap\nmetadata:\n  name: c\ndata:\n  A: plain\n"),
            "{masked}"
        );
    }
}
