//! The Sprig and Helm template functions kubedeck's renderer supports (everything but `include` and `tpl`).
//! Each group of functions (strings, lists, dicts...) registers itself from its own file.

mod dicts;
mod encoding;
mod lists;
mod logic;
mod math;
mod semver;
mod strings;

use gotmpl::{FuncMap, TemplateError, Value};
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

/// The function map: Sprig/Helm functions by name.
pub fn sprig() -> FuncMap {
    let mut m = FuncMap::new();
    encoding::register(&mut m);
    strings::register(&mut m);
    math::register(&mut m);
    lists::register(&mut m);
    dicts::register(&mut m);
    logic::register(&mut m);
    m
}

/// Adds one function to the map under its template name.
fn add(m: &mut FuncMap, name: &str, f: fn(&[Value]) -> Res) {
    m.insert(name.to_string(), Arc::new(f));
}

#[cfg(test)]
mod tests {
    use super::semver::semver_compare;
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
