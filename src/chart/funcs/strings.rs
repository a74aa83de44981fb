//! Functions on text: layout (indent, trim, truncate), case and quoting, and substring tests.

use gotmpl::{FuncMap, Value};

use super::{add, arg, s, str_arg, strval, to_i64};

pub(super) fn register(m: &mut FuncMap) {
    add_layout(m);
    add_case_and_quotes(m);
    add_tests(m);
}

/// Indenting, trimming, cutting and repeating text.
fn add_layout(m: &mut FuncMap) {
    add(m, "indent", |a| {
        let pad = " ".repeat(to_i64(arg(a, 0, "indent")?).max(0) as usize);
        Ok(s(&format!(
            "{pad}{}",
            str_arg(a, 1, "indent")?.replace('\n', &format!("\n{pad}"))
        )))
    });
    add(m, "nindent", |a| {
        let pad = " ".repeat(to_i64(arg(a, 0, "nindent")?).max(0) as usize);
        Ok(s(&format!(
            "\n{pad}{}",
            str_arg(a, 1, "nindent")?.replace('\n', &format!("\n{pad}"))
        )))
    });
    add(m, "trunc", |a| {
        Ok(s(&trunc(to_i64(arg(a, 0, "trunc")?), &str_arg(a, 1, "trunc")?)))
    });
    add(m, "trimSuffix", |a| {
        let (suffix, text) = (str_arg(a, 0, "trimSuffix")?, str_arg(a, 1, "trimSuffix")?);
        Ok(s(text.strip_suffix(suffix.as_str()).unwrap_or(&text)))
    });
    add(m, "trimPrefix", |a| {
        let (prefix, text) = (str_arg(a, 0, "trimPrefix")?, str_arg(a, 1, "trimPrefix")?);
        Ok(s(text.strip_prefix(prefix.as_str()).unwrap_or(&text)))
    });
    add(m, "trim", |a| Ok(s(str_arg(a, 0, "trim")?.trim())));
    add(m, "trimAll", |a| {
        let (cut, text) = (str_arg(a, 0, "trimAll")?, str_arg(a, 1, "trimAll")?);
        Ok(s(text.trim_matches(|c| cut.contains(c))))
    });
    add(m, "replace", |a| {
        let (old, new, text) = (
            str_arg(a, 0, "replace")?,
            str_arg(a, 1, "replace")?,
            str_arg(a, 2, "replace")?,
        );
        Ok(s(&text.replace(&old, &new)))
    });
    add(m, "repeat", |a| {
        Ok(s(
            &str_arg(a, 1, "repeat")?.repeat(to_i64(arg(a, 0, "repeat")?).max(0) as usize)
        ))
    });
    add(m, "nospace", |a| {
        Ok(s(&str_arg(a, 0, "nospace")?.replace(char::is_whitespace, "")))
    });
}

/// Case, quoting, and turning values into text.
fn add_case_and_quotes(m: &mut FuncMap) {
    add(m, "lower", |a| Ok(s(&str_arg(a, 0, "lower")?.to_lowercase())));
    add(m, "upper", |a| Ok(s(&str_arg(a, 0, "upper")?.to_uppercase())));
    add(m, "title", |a| Ok(s(&title(&str_arg(a, 0, "title")?))));
    add(m, "toString", |a| Ok(s(&strval(arg(a, 0, "toString")?))));
    add(m, "quote", |a| {
        Ok(s(&a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| go_quote(&strval(v)))
            .collect::<Vec<_>>()
            .join(" ")))
    });
    add(m, "squote", |a| {
        let quoted: Vec<String> = a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(|v| format!("'{}'", strval(v)))
            .collect();
        Ok(s(&quoted.join(" ")))
    });
    add(m, "cat", |a| {
        Ok(s(&a
            .iter()
            .filter(|v| !matches!(v, Value::Nil))
            .map(strval)
            .collect::<Vec<_>>()
            .join(" ")))
    });
}

/// Whether a text contains, starts or ends with another.
fn add_tests(m: &mut FuncMap) {
    add(m, "contains", |a| {
        Ok(Value::Bool(
            str_arg(a, 1, "contains")?.contains(&str_arg(a, 0, "contains")?),
        ))
    });
    add(m, "hasPrefix", |a| {
        Ok(Value::Bool(str_arg(a, 1, "hasPrefix")?.starts_with(&str_arg(
            a,
            0,
            "hasPrefix",
        )?)))
    });
    add(m, "hasSuffix", |a| {
        Ok(Value::Bool(str_arg(a, 1, "hasSuffix")?.ends_with(&str_arg(
            a,
            0,
            "hasSuffix",
        )?)))
    });
}

/// Go's `%q`: a double-quoted string with Go escapes.
fn go_quote(text: &str) -> String {
    let mut out = String::from("\"");
    for ch in text.chars() {
        if let Some(escape) = crate::chart::goyaml::common_escape(ch) {
            out.push_str(escape);
            continue;
        }
        match ch {
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
