//! Lists: building them, taking from them, sorting, joining and splitting.

use gotmpl::{FuncMap, Value};

use super::{add, arg, s, str_arg, strval};

/// `list`, `first`, `last`, `append`, `has`, `sortAlpha`, `join`, `splitList`.
pub(super) fn register(m: &mut FuncMap) {
    add(m, "list", |a| Ok(Value::List(a.to_vec().into())));
    add(m, "first", |a| {
        Ok(list_of(arg(a, 0, "first")?).first().cloned().unwrap_or(Value::Nil))
    });
    add(m, "last", |a| {
        Ok(list_of(arg(a, 0, "last")?).last().cloned().unwrap_or(Value::Nil))
    });
    add(m, "append", |a| {
        let mut items = list_of(arg(a, 0, "append")?);
        items.push(arg(a, 1, "append")?.clone());
        Ok(Value::List(items.into()))
    });
    add(m, "has", |a| {
        let needle = strval(arg(a, 0, "has")?);
        Ok(Value::Bool(
            list_of(arg(a, 1, "has")?).iter().any(|v| strval(v) == needle),
        ))
    });
    add(m, "sortAlpha", |a| {
        let mut items: Vec<String> = match arg(a, 0, "sortAlpha")? {
            Value::List(l) => l.iter().map(strval).collect(),
            other => vec![strval(other)],
        };
        items.sort();
        Ok(Value::List(items.iter().map(|i| s(i)).collect::<Vec<_>>().into()))
    });
    add(m, "join", |a| {
        let sep = str_arg(a, 0, "join")?;
        Ok(s(&match arg(a, 1, "join")? {
            Value::List(l) => l.iter().map(strval).collect::<Vec<_>>().join(&sep),
            other => strval(other),
        }))
    });
    add(m, "splitList", |a| {
        let (sep, text) = (str_arg(a, 0, "splitList")?, str_arg(a, 1, "splitList")?);
        Ok(Value::List(text.split(sep.as_str()).map(s).collect::<Vec<_>>().into()))
    });
}

fn list_of(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.to_vec(),
        _ => Vec::new(),
    }
}
