//! The Sprig and Helm template functions kubedeck's renderer supports (everything but `include` and `tpl`).

use super::goyaml::{to_json, to_yaml};
use super::values::{value_to_yaml, yaml_to_value};
use base64::Engine as _;
use gotmpl::{FuncMap, TemplateError, Value};
use sha2::Digest as _;
use std::collections::BTreeMap;
use std::sync::Arc;

type Res = gotmpl::Result<Value>;

fn err(msg: impl Into<String>) -> TemplateError {
    TemplateError::Exec(msg.into())
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

/// Sprig's `strval`: strings as they are, everything else as Go's `%v` prints it.
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Nil => String::new(),
        Value::Float(f) => super::goyaml::go_float(*f),
        other => other.to_string(),
    }
}

fn arg<'a>(args: &'a [Value], i: usize, name: &str) -> gotmpl::Result<&'a Value> {
    args.get(i)
        .ok_or_else(|| err(format!("wrong number of args for {name}: want at least {}", i + 1)))
}

fn str_arg(args: &[Value], i: usize, name: &str) -> gotmpl::Result<String> {
    arg(args, i, name).map(strval)
}

/// `cast.ToInt64`: numbers truncate, numeric strings parse, anything else is 0.
pub fn to_i64(v: &Value) -> i64 {
    match v {
        Value::Int(n) => *n,
        Value::Uint(n) => *n as i64,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => {
            let t = s.trim_end_matches(".0").trim_end_matches('.');
            t.parse().unwrap_or(0)
        }
        _ => 0,
    }
}

fn to_f64(v: &Value) -> f64 {
    match v {
        Value::Int(n) => *n as f64,
        Value::Uint(n) => *n as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => s.parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Sprig's `empty`: nil, false, zero, and empty strings, lists and maps.
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        Value::Bool(b) => !b,
        Value::Int(n) => *n == 0,
        Value::Uint(n) => *n == 0,
        Value::Float(f) => *f == 0.0,
        Value::String(s) => s.is_empty(),
        Value::List(l) => l.is_empty(),
        Value::Map(m) => m.is_empty(),
        Value::Function(_) => false,
    }
}

/// Go's `%q`: a double-quoted string with Go escapes.
fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\u{b}' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
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

fn title(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut prev_sep = true;
    for ch in text.chars() {
        if prev_sep {
            out.extend(ch.to_uppercase());
        } else {
            out.push(ch);
        }
        prev_sep = !(ch.is_alphanumeric() || ch == '_');
    }
    out
}

/// Byte-based truncation like Sprig's `trunc`, kept on character boundaries.
fn trunc(n: i64, text: &str) -> String {
    let len = text.len() as i64;
    let floor = |mut i: usize| {
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    if n < 0 && len + n > 0 {
        text[floor((len + n) as usize)..].to_string()
    } else if n >= 0 && len > n {
        text[..floor(n as usize)].to_string()
    } else {
        text.to_string()
    }
}

fn num_result(args: &[Value], f: impl Fn(i64, i64) -> Option<i64>, name: &str) -> Res {
    let mut it = args.iter().map(to_i64);
    let first = it.next().ok_or_else(|| err(format!("{name} needs arguments")))?;
    it.try_fold(first, f)
        .map(Value::Int)
        .ok_or_else(|| err(format!("{name}: integer divide by zero")))
}

fn semver_parts(v: &str) -> Option<(Vec<Option<u64>>, bool)> {
    let v = v.trim().trim_start_matches(['v', '=']);
    let (core, pre) = match v.split_once('-') {
        Some((c, _)) => (c, true),
        None => (v.split('+').next().unwrap_or(v), false),
    };
    let mut parts: Vec<Option<u64>> = Vec::new();
    for p in core.split('.') {
        match p {
            "x" | "X" | "*" => parts.push(None),
            _ => parts.push(Some(p.parse().ok()?)),
        }
    }
    Some((parts, pre))
}

/// Masterminds-style constraint check, enough for the `>=1.19.0-0`, `^1.2`, `~1.2` and `1.2.x` forms charts use.
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let (ver, _) = semver_parts(version).ok_or_else(|| format!("invalid semantic version {version:?}"))?;
    let get = |p: &Vec<Option<u64>>, i: usize| p.get(i).copied().flatten().unwrap_or(0);
    let v = (get(&ver, 0), get(&ver, 1), get(&ver, 2));
    for alternative in constraint.split("||") {
        let cleaned = alternative.replace(", ", ",").replace(",", " ");
        let mut tokens: Vec<String> = Vec::new();
        for tok in cleaned.split_whitespace() {
            match tokens.last_mut() {
                Some(last) if last.chars().all(|c| "<>=!~^".contains(c)) => last.push_str(tok),
                _ => tokens.push(tok.to_string()),
            }
        }
        let mut all = true;
        for tok in &tokens {
            let op_len = tok.find(|c: char| !"<>=!~^".contains(c)).unwrap_or(tok.len());
            let (op, rest) = tok.split_at(op_len);
            let (parts, pre) = semver_parts(rest).ok_or_else(|| format!("improper constraint: {constraint}"))?;
            let c = (get(&parts, 0), get(&parts, 1), get(&parts, 2));
            let given = parts.iter().take_while(|p| p.is_some()).count();
            let upper = |level: usize| match level {
                0 => (c.0 + 1, 0, 0),
                1 => (c.0, c.1 + 1, 0),
                _ => (c.0, c.1, c.2 + 1),
            };
            let ok = match op {
                ">=" | "=>" => v >= c,
                ">" => v > c || (pre && v == c),
                "<=" | "=<" => v <= c,
                "<" => v < c && !(pre && v == c),
                "!=" => v != c,
                "~" | "~>" => v >= c && v < upper(if given >= 2 { 1 } else { 0 }),
                "^" => {
                    let level = if c.0 > 0 || given < 2 {
                        0
                    } else if c.1 > 0 || given < 3 {
                        1
                    } else {
                        2
                    };
                    v >= c && v < upper(level)
                }
                "" | "=" if given < 3 => v >= c && v < upper(given.saturating_sub(1)),
                "" | "=" => v == c,
                _ => return Err(format!("improper constraint: {constraint}")),
            };
            all &= ok;
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The function map: Sprig/Helm functions by name.
pub fn sprig() -> FuncMap {
    let mut m = FuncMap::new();
    let mut add = |name: &str, f: fn(&[Value]) -> Res| {
        m.insert(name.to_string(), Arc::new(f));
    };
    add("toYaml", |a| {
        let y = to_yaml(arg(a, 0, "toYaml")?);
        Ok(s(y.strip_suffix('\n').unwrap_or(&y)))
    });
    add("toJson", |a| Ok(s(&to_json(arg(a, 0, "toJson")?))));
    add("fromYaml", |a| {
        let text = str_arg(a, 0, "fromYaml")?;
        Ok(match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(serde_yaml::Value::Null) => Value::Map(Arc::default()),
            Ok(y) => yaml_to_value(&y),
            Err(e) => Value::Map(Arc::new(BTreeMap::from([(Arc::from("Error"), s(&e.to_string()))]))),
        })
    });
    add("fromJson", |a| {
        let text = str_arg(a, 0, "fromJson")?;
        Ok(match serde_yaml::from_str::<serde_yaml::Value>(&text) {
            Ok(y) => yaml_to_value(&y),
            Err(e) => Value::Map(Arc::new(BTreeMap::from([(Arc::from("Error"), s(&e.to_string()))]))),
        })
    });
    add("indent", |a| {
        let pad = " ".repeat(to_i64(arg(a, 0, "indent")?).max(0) as usize);
        Ok(s(&format!(
            "{pad}{}",
            str_arg(a, 1, "indent")?.replace('\n', &format!("\n{pad}"))
        )))
    });
    add("nindent", |a| {
        let pad = " ".repeat(to_i64(arg(a, 0, "nindent")?).max(0) as usize);
        Ok(s(&format!(
            "\n{pad}{}",
            str_arg(a, 1, "nindent")?.replace('\n', &format!("\n{pad}"))
        )))
    });
    add("default", |a| {
        let given = a.get(1).cloned().unwrap_or(Value::Nil);
        Ok(if is_empty(&given) {
            arg(a, 0, "default")?.clone()
        } else {
            given
        })
    });
    add("empty", |a| Ok(Value::Bool(a.first().is_none_or(is_empty))));
    add("coalesce", |a| {
        Ok(a.iter().find(|v| !is_empty(v)).cloned().unwrap_or(Value::Nil))
    });
    add("ternary", |a| {
        Ok(if arg(a, 2, "ternary")?.is_truthy() {
            a[0].clone()
        } else {
            a[1].clone()
        })
    });
    add("required", |a| {
        let val = arg(a, 1, "required")?;
        match val {
            Value::Nil => Err(err(str_arg(a, 0, "required")?)),
            Value::String(t) if t.is_empty() => Err(err(str_arg(a, 0, "required")?)),
            other => Ok(other.clone()),
        }
    });
    add("fail", |a| Err(err(str_arg(a, 0, "fail")?)));
    add("quote", |a| {
        Ok(s(&a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| go_quote(&strval(v)))
            .collect::<Vec<_>>()
            .join(" ")))
    });
    add("squote", |a| {
        let quoted: Vec<String> = a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        Ok(s(&quoted.join(" ")))
    });
    add("b64enc", |a| {
        Ok(s(
            &base64::engine::general_purpose::STANDARD.encode(str_arg(a, 0, "b64enc")?)
        ))
    });
    add("b64dec", |a| {
        let text = str_arg(a, 0, "b64dec")?;
        Ok(s(
            &match base64::engine::general_purpose::STANDARD.decode(text.as_bytes()) {
                Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                Err(e) => e.to_string(),
            },
        ))
    });
    add("trunc", |a| {
        Ok(s(&trunc(to_i64(arg(a, 0, "trunc")?), &str_arg(a, 1, "trunc")?)))
    });
    add("trimSuffix", |a| {
        let (suffix, text) = (str_arg(a, 0, "trimSuffix")?, str_arg(a, 1, "trimSuffix")?);
        Ok(s(text.strip_suffix(suffix.as_str()).unwrap_or(&text)))
    });
    add("trimPrefix", |a| {
        let (prefix, text) = (str_arg(a, 0, "trimPrefix")?, str_arg(a, 1, "trimPrefix")?);
        Ok(s(text.strip_prefix(prefix.as_str()).unwrap_or(&text)))
    });
    add("trim", |a| Ok(s(str_arg(a, 0, "trim")?.trim())));
    add("trimAll", |a| {
        let (cut, text) = (str_arg(a, 0, "trimAll")?, str_arg(a, 1, "trimAll")?);
        Ok(s(text.trim_matches(|c| cut.contains(c))))
    });
    add("replace", |a| {
        let (old, new, text) = (
            str_arg(a, 0, "replace")?,
            str_arg(a, 1, "replace")?,
            str_arg(a, 2, "replace")?,
        );
        Ok(s(&text.replace(&old, &new)))
    });
    add("lower", |a| Ok(s(&str_arg(a, 0, "lower")?.to_lowercase())));
    add("upper", |a| Ok(s(&str_arg(a, 0, "upper")?.to_uppercase())));
    add("title", |a| Ok(s(&title(&str_arg(a, 0, "title")?))));
    add("toString", |a| Ok(s(&strval(arg(a, 0, "toString")?))));
    add("int", |a| Ok(Value::Int(to_i64(arg(a, 0, "int")?))));
    add("int64", |a| Ok(Value::Int(to_i64(arg(a, 0, "int64")?))));
    add("atoi", |a| Ok(Value::Int(str_arg(a, 0, "atoi")?.parse().unwrap_or(0))));
    add("float64", |a| Ok(Value::Float(to_f64(arg(a, 0, "float64")?))));
    add("add", |a| num_result(a, |x, y| Some(x.wrapping_add(y)), "add"));
    add("add1", |a| Ok(Value::Int(to_i64(arg(a, 0, "add1")?) + 1)));
    add("sub", |a| num_result(a, |x, y| Some(x.wrapping_sub(y)), "sub"));
    add("mul", |a| num_result(a, |x, y| Some(x.wrapping_mul(y)), "mul"));
    add("div", |a| num_result(a, |x, y| x.checked_div(y), "div"));
    add("mod", |a| num_result(a, |x, y| x.checked_rem(y), "mod"));
    add("max", |a| num_result(a, |x, y| Some(x.max(y)), "max"));
    add("min", |a| num_result(a, |x, y| Some(x.min(y)), "min"));
    add("dict", |a| {
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
    add("list", |a| Ok(Value::List(a.to_vec().into())));
    add("merge", |a| merge_all(a, false));
    add("mergeOverwrite", |a| merge_all(a, true));
    add("hasKey", |a| {
        let key = str_arg(a, 1, "hasKey")?;
        Ok(Value::Bool(
            map_of(arg(a, 0, "hasKey")?).is_some_and(|m| m.contains_key(key.as_str())),
        ))
    });
    add("get", |a| {
        let key = str_arg(a, 1, "get")?;
        Ok(map_of(arg(a, 0, "get")?)
            .and_then(|m| m.get(key.as_str()).cloned())
            .unwrap_or_else(|| s("")))
    });
    add("keys", |a| {
        let keys: Vec<Value> = a
            .iter()
            .filter_map(map_of)
            .flat_map(|m| m.keys().map(|k| Value::String(k.clone())))
            .collect();
        Ok(Value::List(keys.into()))
    });
    add("sortAlpha", |a| {
        let mut items: Vec<String> = match arg(a, 0, "sortAlpha")? {
            Value::List(l) => l.iter().map(strval).collect(),
            other => vec![strval(other)],
        };
        items.sort();
        Ok(Value::List(items.iter().map(|i| s(i)).collect::<Vec<_>>().into()))
    });
    add("join", |a| {
        let sep = str_arg(a, 0, "join")?;
        Ok(s(&match arg(a, 1, "join")? {
            Value::List(l) => l.iter().map(strval).collect::<Vec<_>>().join(&sep),
            other => strval(other),
        }))
    });
    add("splitList", |a| {
        let (sep, text) = (str_arg(a, 0, "splitList")?, str_arg(a, 1, "splitList")?);
        Ok(Value::List(text.split(sep.as_str()).map(s).collect::<Vec<_>>().into()))
    });
    add("first", |a| {
        Ok(list_of(arg(a, 0, "first")?).first().cloned().unwrap_or(Value::Nil))
    });
    add("last", |a| {
        Ok(list_of(arg(a, 0, "last")?).last().cloned().unwrap_or(Value::Nil))
    });
    add("append", |a| {
        let mut items = list_of(arg(a, 0, "append")?);
        items.push(arg(a, 1, "append")?.clone());
        Ok(Value::List(items.into()))
    });
    add("has", |a| {
        let needle = strval(arg(a, 0, "has")?);
        Ok(Value::Bool(
            list_of(arg(a, 1, "has")?).iter().any(|v| strval(v) == needle),
        ))
    });
    add("contains", |a| {
        Ok(Value::Bool(
            str_arg(a, 1, "contains")?.contains(&str_arg(a, 0, "contains")?),
        ))
    });
    add("hasPrefix", |a| {
        Ok(Value::Bool(str_arg(a, 1, "hasPrefix")?.starts_with(&str_arg(
            a,
            0,
            "hasPrefix",
        )?)))
    });
    add("hasSuffix", |a| {
        Ok(Value::Bool(str_arg(a, 1, "hasSuffix")?.ends_with(&str_arg(
            a,
            0,
            "hasSuffix",
        )?)))
    });
    add("repeat", |a| {
        Ok(s(
            &str_arg(a, 1, "repeat")?.repeat(to_i64(arg(a, 0, "repeat")?).max(0) as usize)
        ))
    });
    add("nospace", |a| {
        Ok(s(&str_arg(a, 0, "nospace")?.replace(char::is_whitespace, "")))
    });
    add("cat", |a| {
        Ok(s(&a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(strval)
            .collect::<Vec<_>>()
            .join(" ")))
    });
    add("sha256sum", |a| {
        let digest = sha2::Sha256::digest(str_arg(a, 0, "sha256sum")?.as_bytes());
        Ok(s(&digest.iter().map(|b| format!("{b:02x}")).collect::<String>()))
    });
    add("lookup", |_| Ok(Value::Map(Arc::default())));
    add("semverCompare", |a| {
        semver_compare(&str_arg(a, 0, "semverCompare")?, &str_arg(a, 1, "semverCompare")?)
            .map(Value::Bool)
            .map_err(err)
    });
    add("kindIs", |a| {
        Ok(Value::Bool(str_arg(a, 0, "kindIs")? == kind_of(arg(a, 1, "kindIs")?)))
    });
    add("kindOf", |a| Ok(s(kind_of(arg(a, 0, "kindOf")?))));
    add("deepCopy", |a| {
        Ok(yaml_to_value(&value_to_yaml(arg(a, 0, "deepCopy")?)))
    });
    m
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

fn list_of(v: &Value) -> Vec<Value> {
    match v {
        Value::List(l) => l.to_vec(),
        _ => Vec::new(),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn call(name: &str, args: &[Value]) -> Value {
        let funcs = sprig();
        funcs[name](args).unwrap()
    }

    fn st(v: Value) -> String {
        strval(&v)
    }

    // Expected outputs below were produced by `helm template` (v3.20.2) on the same inputs.
    #[test]
    fn strings_match_helm() {
        assert_eq!(
            st(call("quote", &[s("a\"b\tü"), Value::Int(3)])),
            "\"a\\\"b\\tü\" \"3\""
        );
        assert_eq!(st(call("quote", &[Value::Nil])), "");
        assert_eq!(st(call("squote", &[s("x")])), "'x'");
        assert_eq!(st(call("title", &[s("hello world-foo")])), "Hello World-Foo");
        assert_eq!(st(call("trunc", &[Value::Int(3), s("abcdef")])), "abc");
        assert_eq!(st(call("trunc", &[Value::Int(-2), s("abcdef")])), "ef");
        assert_eq!(st(call("trimSuffix", &[s("-x"), s("a-x")])), "a");
        assert_eq!(st(call("trimPrefix", &[s("a-"), s("a-x")])), "x");
        assert_eq!(st(call("replace", &[s("-"), s("_"), s("a-b-c")])), "a_b_c");
        assert_eq!(st(call("b64enc", &[s("hi")])), "aGk=");
        assert_eq!(st(call("b64dec", &[s("aGk=")])), "hi");
        assert_eq!(
            st(call("sha256sum", &[s("x")])),
            "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881"
        );
        assert_eq!(st(call("nindent", &[Value::Int(2), s("a\nb")])), "\n  a\n  b");
        assert_eq!(st(call("indent", &[Value::Int(2), s("a\nb")])), "  a\n  b");
    }

    #[test]
    fn numbers_and_logic_match_helm() {
        assert_eq!(call("add", &[Value::Int(1), Value::Int(8080)]), Value::Int(8081));
        assert_eq!(call("div", &[Value::Int(7), Value::Int(2)]), Value::Int(3));
        assert_eq!(
            call("max", &[Value::Int(1), Value::Int(5), Value::Int(3)]),
            Value::Int(5)
        );
        assert_eq!(call("int", &[s("42")]), Value::Int(42));
        assert_eq!(st(call("default", &[s("d"), Value::Int(0)])), "d");
        assert_eq!(st(call("default", &[s("d"), s("x")])), "x");
        assert_eq!(call("empty", &[Value::Map(Arc::default())]), Value::Bool(true));
        assert_eq!(st(call("ternary", &[s("a"), s("b"), Value::Bool(true)])), "a");
        assert_eq!(st(call("list", &[Value::Int(1), s("a")])), "[1 a]");
        assert_eq!(st(call("dict", &[s("a"), Value::Int(1)])), "map[a:1]");
        assert_eq!(semver_compare(">=1.20.0-0", "v1.36.3"), Ok(true));
        assert_eq!(semver_compare("<1.20", "v1.36.3"), Ok(false));
        assert_eq!(semver_compare("^1.30", "v1.36.3"), Ok(true));
        assert_eq!(semver_compare("~1.35", "v1.36.3"), Ok(false));
    }

    #[test]
    fn merge_keeps_destination_values() {
        let dst = call("dict", &[s("a"), Value::Int(1)]);
        let src = call("dict", &[s("a"), Value::Int(2), s("b"), Value::Int(3)]);
        assert_eq!(st(call("merge", &[dst.clone(), src.clone()])), "map[a:1 b:3]");
        assert_eq!(st(call("mergeOverwrite", &[dst, src])), "map[a:2 b:3]");
    }

    #[test]
    fn required_fails_with_its_message() {
        let funcs = sprig();
        let e = funcs["required"](&[s("set image.tag"), Value::Nil]).unwrap_err();
        assert!(e.to_string().contains("set image.tag"));
    }
}
