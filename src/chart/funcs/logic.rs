//! Defaults, checks and type tests: `default`, `required`, `ternary`, `kindIs`, `semverCompare`...

use std::sync::Arc;

use gotmpl::{FuncMap, Value};

use super::semver::semver_compare;
use super::{add, arg, err, is_empty, s, str_arg};

/// Defaults and failures first, then what a value is and what the cluster offers.
pub(super) fn register(m: &mut FuncMap) {
    add(m, "default", |a| {
        let given = a.get(1).cloned().unwrap_or(Value::Nil);
        Ok(if is_empty(&given) {
            arg(a, 0, "default")?.clone()
        } else {
            given
        })
    });
    add(m, "empty", |a| Ok(Value::Bool(a.first().is_none_or(is_empty))));
    add(m, "coalesce", |a| {
        Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
    });
    add(m, "ternary", |a| {
        Ok(if arg(a, 2, "ternary")?.is_truthy() {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    add(m, "required", |a| {
        let val = arg(a, 1, "required")?;
        match val {
            Value::Nil => Err(err(str_arg(a, 0, "required")?)),
            Value::String(t) if t.is_empty() => Err(err(str_arg(a, 0, "required")?)),
            other => Ok(other.clone()),
        }
    });
    add(m, "fail", |a| Err(err(str_arg(a, 0, "fail")?)));
    add(m, "kindIs", |a| {
        Ok(Value::Bool(str_arg(a, 0, "kindIs")? == kind_of(arg(a, 1, "kindIs")?)))
    });
    add(m, "kindOf", |a| Ok(s(kind_of(arg(a, 0, "kindOf")?))));
    add(m, "lookup", |_| Ok(Value::Map(Arc::default())));
    add(m, "semverCompare", |a| {
        semver_compare(&str_arg(a, 0, "semverCompare")?, &str_arg(a, 1, "semverCompare")?)
            .map(Value::Bool)
            .map_err(err)
    });
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Nil => "invalid",
        Value::Bool(_) => "bool",
        Value::Int(_) => "int64",
        Value::Uint(_) => "uint64",
        Value::Float(_) => "float64",
        Value::String(_) => "string",
        Value::List(_) => "slice",
        Value::Map(_) => "map",
        Value::Function(_) => "func",
    }
}
