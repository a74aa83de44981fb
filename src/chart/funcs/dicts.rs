//! Dictionaries: building, reading and merging them the way Sprig does.

use std::collections::BTreeMap;
use std::sync::Arc;

use gotmpl::{FuncMap, Value};

use super::{Res, add, arg, is_empty, s, str_arg, strval};
use crate::chart::values::{value_to_yaml, yaml_to_value};

/// `dict`, `merge`, `mergeOverwrite`, `hasKey`, `get`, `keys`, `deepCopy`.
pub(super) fn register(m: &mut FuncMap) {
    add(m, "dict", |a| {
        let map: BTreeMap<Arc<str>, Value> = a
            .chunks(2)
            .map(|kv| {
                (
                    Arc::from(strval(&kv[0]).as_str()),
                    kv.get(1).cloned().unwrap_or_else(|| s("")),
                )
            })
            .collect();
        Ok(Value::Map(Arc::new(map)))
    });
    add(m, "merge", |a| merge_all(a, false));
    add(m, "mergeOverwrite", |a| merge_all(a, true));
    add(m, "hasKey", |a| {
        let key = str_arg(a, 1, "hasKey")?;
        Ok(Value::Bool(
            map_of(arg(a, 0, "hasKey")?).is_some_and(|m| m.contains_key(key.as_str())),
        ))
    });
    add(m, "get", |a| {
        let key = str_arg(a, 1, "get")?;
        Ok(map_of(arg(a, 0, "get")?)
            .and_then(|m| m.get(key.as_str()).cloned())
            .unwrap_or_else(|| s("")))
    });
    add(m, "keys", |a| {
        let keys: Vec<Value> = a
            .iter()
            .filter_map(map_of)
            .flat_map(|m| m.keys().map(|k| Value::String(k.clone())))
            .collect();
        Ok(Value::List(keys.into()))
    });
    add(m, "deepCopy", |a| {
        Ok(yaml_to_value(&value_to_yaml(arg(a, 0, "deepCopy")?)))
    });
}

fn map_of(v: &Value) -> Option<&BTreeMap<Arc<str>, Value>> {
    match v {
        Value::Map(m) => Some(m),
        _ => None,
    }
}

/// Deep merge where keys already in `dst` win (Sprig's `merge`), or `src` wins when `overwrite`.
fn deep_merge(dst: &BTreeMap<Arc<str>, Value>, src: &BTreeMap<Arc<str>, Value>, overwrite: bool) -> Value {
    let mut out = dst.clone();
    for (k, sv) in src {
        let merged = match (out.get(k), sv) {
            (Some(Value::Map(d)), Value::Map(sm)) => deep_merge(d, sm, overwrite),
            (Some(existing), other) if overwrite && is_empty(other) => existing.clone(),
            (Some(existing), _) if !overwrite && !is_empty(existing) => existing.clone(),
            (_, other) => other.clone(),
        };
        out.insert(k.clone(), merged);
    }
    Value::Map(Arc::new(out))
}

fn merge_all(a: &[Value], overwrite: bool) -> Res {
    let mut acc = map_of(arg(a, 0, "merge")?).cloned().unwrap_or_default();
    for src in a[1..].iter().filter_map(map_of) {
        if let Value::Map(merged) = deep_merge(&acc, src, overwrite) {
            acc = (*merged).clone();
        }
    }
    Ok(Value::Map(Arc::new(acc)))
}
