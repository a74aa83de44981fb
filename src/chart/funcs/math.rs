//! Numbers: conversions (`int`, `float64`, `atoi`) and integer arithmetic as Sprig does it.

use gotmpl::{FuncMap, Value};

use super::{Res, add, arg, err, str_arg, to_i64};

/// Conversions, then arithmetic over any number of arguments.
pub(super) fn register(m: &mut FuncMap) {
    add(m, "int", |a| Ok(Value::Int(to_i64(arg(a, 0, "int")?))));
    add(m, "int64", |a| Ok(Value::Int(to_i64(arg(a, 0, "int64")?))));
    add(m, "atoi", |a| {
        Ok(Value::Int(str_arg(a, 0, "atoi")?.parse().unwrap_or(0)))
    });
    add(m, "float64", |a| Ok(Value::Float(to_f64(arg(a, 0, "float64")?))));
    add(m, "add", |a| num_result(a, |x, y| Some(x.wrapping_add(y)), "add"));
    add(m, "add1", |a| Ok(Value::Int(to_i64(arg(a, 0, "add1")?) + 1)));
    add(m, "sub", |a| num_result(a, |x, y| Some(x.wrapping_sub(y)), "sub"));
    add(m, "mul", |a| num_result(a, |x, y| Some(x.wrapping_mul(y)), "mul"));
    add(m, "div", |a| num_result(a, |x, y| x.checked_div(y), "div"));
    add(m, "mod", |a| num_result(a, |x, y| x.checked_rem(y), "mod"));
    add(m, "max", |a| num_result(a, |x, y| Some(x.max(y)), "max"));
    add(m, "min", |a| num_result(a, |x, y| Some(x.min(y)), "min"));
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

fn num_result(args: &[Value], f: impl Fn(i64, i64) -> Option<i64>, name: &str) -> Res {
    let mut it = args.iter().map(to_i64);
    let first = it.next().ok_or_else(|| err(format!("{name} needs arguments")))?;
    it.try_fold(first, f)
        .map(Value::Int)
        .ok_or_else(|| err(format!("{name}: integer divide by zero")))
}
