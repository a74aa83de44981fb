//! Chart values: converting YAML to template values, Helm's merge order, and `--set` expressions.

use super::ChartError;
use gotmpl::Value;
use serde_yaml::{Mapping, Value as Yaml};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Turns parsed YAML into a template value; map keys become strings, as Helm's JSON round trip makes them.
pub fn yaml_to_value(y: &Yaml) -> Value {
    match y {
        Yaml::Null => Value::Nil,
        Yaml::Bool(b) => Value::Bool(*b),
        Yaml::Number(n) => match (n.as_i64(), n.as_f64()) {
            (Some(i), _) => Value::Int(i),
            (None, Some(f)) => Value::Float(f),
            _ => Value::Nil,
        },
        Yaml::String(s) => Value::String(s.as_str().into()),
        Yaml::Sequence(items) => Value::List(items.iter().map(yaml_to_value).collect::<Vec<_>>().into()),
        Yaml::Mapping(m) => {
            let map: BTreeMap<Arc<str>, Value> = m
                .iter()
                .map(|(k, v)| (Arc::from(key_string(k).as_str()), yaml_to_value(v)))
                .collect();
            Value::Map(Arc::new(map))
        }
        Yaml::Tagged(t) => yaml_to_value(&t.value),
    }
}

/// Turns a template value back into YAML (for `fromYaml` round trips and schema checks).
pub fn value_to_yaml(v: &Value) -> Yaml {
    match v {
        Value::Nil | Value::Function(_) => Yaml::Null,
        Value::Bool(b) => Yaml::Bool(*b),
        Value::Int(n) => Yaml::Number((*n).into()),
        Value::Uint(n) => Yaml::Number((*n).into()),
        Value::Float(f) => Yaml::Number((*f).into()),
        Value::String(s) => Yaml::String(s.to_string()),
        Value::List(items) => Yaml::Sequence(items.iter().map(value_to_yaml).collect()),
        Value::Map(m) => Yaml::Mapping(
            m.iter()
                .map(|(k, v)| (Yaml::String(k.to_string()), value_to_yaml(v)))
                .collect(),
        ),
    }
}

fn key_string(k: &Yaml) -> String {
    match k {
        Yaml::String(s) => s.clone(),
        Yaml::Bool(b) => b.to_string(),
        Yaml::Number(n) => n.to_string(),
        Yaml::Null => "null".into(),
        other => serde_yaml::to_string(other).unwrap_or_default().trim_end().to_string(),
    }
}

/// Parses a values file; `label` names it in the error ("values file X").
pub fn parse_values(text: &str, label: &str) -> Result<Mapping, ChartError> {
    let invalid = |line: usize, reason: String| ChartError::InvalidYaml {
        what: label.to_string(),
        line,
        reason,
    };
    let parsed: Yaml = serde_yaml::from_str(text)
        .map_err(|e| invalid(e.location().map_or(0, |l| l.line()), strip_location(&e.to_string())))?;
    match parsed {
        Yaml::Null => Ok(Mapping::new()),
        Yaml::Mapping(m) => Ok(normalise_keys(m)),
        _ => Err(invalid(1, "the top level must be a map of keys to values".into())),
    }
}

fn strip_location(msg: &str) -> String {
    msg.split(" at line ").next().unwrap_or(msg).to_string()
}

fn normalise_keys(m: Mapping) -> Mapping {
    m.into_iter()
        .map(|(k, v)| {
            let v = match v {
                Yaml::Mapping(inner) => Yaml::Mapping(normalise_keys(inner)),
                other => other,
            };
            (Yaml::String(key_string(&k)), v)
        })
        .collect()
}

/// Deep-merges `overlay` into `base` like Helm's values files: maps merge, other values replace,
/// and a `null` deletes the key.
pub fn merge_into(base: &mut Mapping, overlay: Mapping) {
    for (k, v) in overlay {
        match v {
            Yaml::Null => {
                base.remove(&k);
            }
            Yaml::Mapping(over) => match base.get_mut(&k) {
                Some(Yaml::Mapping(existing)) => merge_into(existing, over),
                _ => {
                    let mut fresh = Mapping::new();
                    merge_into(&mut fresh, over);
                    base.insert(k, Yaml::Mapping(fresh));
                }
            },
            other => {
                base.insert(k, other);
            }
        }
    }
}

/// Applies one `--set` argument (`a.b=1,c[0]=x`) to `values`, typing scalars like Helm's strvals.
pub fn apply_set(values: &mut Mapping, expr: &str) -> Result<(), ChartError> {
    apply_pairs(values, expr, typed_scalar)
}

/// Applies one `--set-string` argument: as `--set`, every value a string.
pub fn apply_set_string(values: &mut Mapping, expr: &str) -> Result<(), ChartError> {
    apply_pairs(values, expr, |raw| Yaml::String(raw.to_string())).map_err(|e| match e {
        ChartError::BadSet { expr, reason } => ChartError::BadFlag {
            flag: "--set-string",
            expr,
            reason,
        },
        other => other,
    })
}

fn apply_pairs(values: &mut Mapping, expr: &str, typed: impl Fn(&str) -> Yaml) -> Result<(), ChartError> {
    for pair in split_unescaped(expr, ',') {
        if pair.is_empty() {
            continue;
        }
        let Some((path, raw)) = pair.split_once('=') else {
            return Err(ChartError::BadSet {
                expr: expr.to_string(),
                reason: format!("`{pair}` has no `=value`"),
            });
        };
        let segments = parse_path(path).map_err(|reason| ChartError::BadSet {
            expr: expr.to_string(),
            reason: format!("key `{path}`: {reason}"),
        })?;
        let value = typed(&raw.replace("\\,", ","));
        let mut root = Yaml::Mapping(std::mem::take(values));
        set_path(&mut root, &segments, value);
        if let Yaml::Mapping(m) = root {
            *values = m;
        }
    }
    Ok(())
}

pub(super) fn split_unescaped(s: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut escaped = false;
    for ch in s.chars() {
        if escaped {
            if ch != sep {
                current.push('\\');
            }
            current.push(ch);
            escaped = false;
        } else if ch == '\\' {
            escaped = true;
        } else if ch == sep {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(ch);
        }
    }
    parts.push(current);
    parts
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Segment {
    Key(String),
    Index(usize),
}

pub(super) fn parse_path(path: &str) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for part in split_unescaped(path, '.') {
        let (name, mut rest) = match part.find('[') {
            Some(i) => (&part[..i], &part[i..]),
            None => (part.as_str(), ""),
        };
        if name.is_empty() && out.is_empty() {
            return Err("a key name must come before `[`".into());
        }
        if !name.is_empty() {
            out.push(Segment::Key(name.to_string()));
        }
        while let Some(stripped) = rest.strip_prefix('[') {
            let end = stripped.find(']').ok_or("missing `]`")?;
            let idx = stripped[..end]
                .parse::<usize>()
                .map_err(|_| format!("`{}` is not a list index", &stripped[..end]))?;
            out.push(Segment::Index(idx));
            rest = &stripped[end + 1..];
        }
        if !rest.is_empty() {
            return Err(format!("unexpected `{rest}` after `]`"));
        }
    }
    if out.is_empty() {
        return Err("empty key".into());
    }
    Ok(out)
}

pub(super) fn set_path(node: &mut Yaml, path: &[Segment], value: Yaml) {
    let Some((first, rest)) = path.split_first() else {
        *node = value;
        return;
    };
    match first {
        Segment::Key(k) => {
            if !matches!(node, Yaml::Mapping(_)) {
                *node = Yaml::Mapping(Mapping::new());
            }
            if let Yaml::Mapping(m) = node {
                // A null is kept (`--set key=null`), as helm keeps it in the release's values;
                // merging with the chart's defaults removes the key there.
                let child = m.entry(Yaml::String(k.clone())).or_insert(Yaml::Null);
                set_path(child, rest, value);
            }
        }
        Segment::Index(i) => {
            if !matches!(node, Yaml::Sequence(_)) {
                *node = Yaml::Sequence(Vec::new());
            }
            if let Yaml::Sequence(items) = node {
                while items.len() <= *i {
                    items.push(Yaml::Null);
                }
                set_path(&mut items[*i], rest, value);
            }
        }
    }
}

/// strvals typing: `true`/`false`/`null` and plain integers get types, everything else is a string.
fn typed_scalar(raw: &str) -> Yaml {
    match raw {
        "true" => Yaml::Bool(true),
        "false" => Yaml::Bool(false),
        "null" => Yaml::Null,
        _ => {
            let leading_zero = raw.len() > 1 && raw.trim_start_matches(['-', '+']).starts_with('0');
            match raw.parse::<i64>() {
                Ok(n) if !leading_zero && !raw.starts_with('+') => Yaml::Number(n.into()),
                _ => Yaml::String(raw.to_string()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(expr: &str) -> Yaml {
        let mut m = Mapping::new();
        apply_set(&mut m, expr).unwrap();
        Yaml::Mapping(m)
    }

    #[test]
    fn set_types_like_strvals() {
        let y = set("a.b=1,c=true,d=01,e=abc,f[1]=x,g=null,h=1.5");
        assert_eq!(
            serde_yaml::to_string(&y).unwrap(),
            "a:\n  b: 1\nc: true\nd: '01'\ne: abc\nf:\n- null\n- x\ng: null\nh: '1.5'\n"
        );
    }

    #[test]
    fn null_in_a_later_file_deletes_the_key() {
        let mut base = parse_values("a: {b: 1, c: 2}\nd: 3\n", "values.yaml").unwrap();
        merge_into(&mut base, parse_values("a: {b: null, e: 5}\nd: [1]\n", "x").unwrap());
        assert_eq!(serde_yaml::to_string(&base).unwrap(), "a:\n  c: 2\n  e: 5\nd:\n- 1\n");
    }

    #[test]
    fn bad_values_file_names_file_and_line() {
        let err = parse_values("a: 1\nb: [\n", "values file custom.yaml")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("values file custom.yaml is not valid YAML: line "),
            "{err}"
        );
    }
}
