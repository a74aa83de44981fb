//! YAML and JSON text the way Helm's `toYaml`/`toJson` write it (Go's yaml.v2 emitter after a JSON round trip).

use gotmpl::Value;
use std::fmt::Write as _;

/// Lines of plain and quoted scalars are folded at spaces once they pass this column, as yaml.v2 does.
const BEST_WIDTH: usize = 80;

/// Serialises a value as a YAML document, keys sorted, ending in one newline (like yaml.Marshal).
pub fn to_yaml(value: &Value) -> String {
    let mut e = Emitter::default();
    match value {
        Value::Map(m) if !m.is_empty() => e.map(m, 0, false),
        Value::List(l) if !l.is_empty() => e.seq(l, 0, false),
        other => e.scalar(other, 2, false),
    }
    e.out.push('\n');
    e.out
}

#[derive(Default)]
struct Emitter {
    out: String,
    column: usize,
}

impl Emitter {
    fn put(&mut self, s: &str) {
        for ch in s.chars() {
            if ch == '\n' {
                self.column = 0;
            } else {
                self.column += 1;
            }
        }
        self.out.push_str(s);
    }

    fn put_char(&mut self, ch: char) {
        let mut buf = [0u8; 4];
        self.put(ch.encode_utf8(&mut buf));
    }

    /// Starts a new line at `indent`, unless the cursor already sits at the start of an empty line.
    fn line(&mut self, indent: usize) {
        if !self.out.is_empty() && self.column > 0 {
            self.put("\n");
        }
        self.put(&" ".repeat(indent));
    }

    fn map(&mut self, m: &std::collections::BTreeMap<std::sync::Arc<str>, Value>, indent: usize, inline: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 || !inline {
                self.line(indent);
            }
            self.string(k, indent, true);
            self.put(":");
            match v {
                Value::Map(inner) if !inner.is_empty() => self.map(inner, indent + 2, false),
                Value::List(items) if !items.is_empty() => self.seq(items, indent, false),
                other => {
                    self.put(" ");
                    self.scalar(other, indent + 2, false);
                }
            }
        }
    }

    fn seq(&mut self, items: &[Value], indent: usize, inline: bool) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || !inline {
                self.line(indent);
            }
            self.put("- ");
            match item {
                Value::Map(inner) if !inner.is_empty() => self.map(inner, indent + 2, true),
                Value::List(inner) if !inner.is_empty() => self.seq(inner, indent + 2, true),
                other => self.scalar(other, indent + 2, false),
            }
        }
    }

    fn scalar(&mut self, v: &Value, indent: usize, key: bool) {
        match v {
            Value::Nil | Value::Function(_) => self.put("null"),
            Value::Bool(b) => self.put(if *b { "true" } else { "false" }),
            Value::Int(n) => self.put(&n.to_string()),
            Value::Uint(n) => self.put(&n.to_string()),
            Value::Float(f) => self.put(&json_number(*f).map(|_| go_float(*f)).unwrap_or_else(|| "null".into())),
            Value::String(s) => self.string(s, indent, key),
            Value::Map(_) => self.put("{}"),
            Value::List(_) => self.put("[]"),
        }
    }

    fn string(&mut self, s: &str, indent: usize, key: bool) {
        let a = analyze(s);
        if s.contains('\n') {
            if a.block_allowed && !key {
                return self.literal(s, indent);
            }
            return self.double_quoted(s, indent, !key);
        }
        if !resolves_to_string(s) {
            return self.double_quoted(s, indent, !key);
        }
        if a.block_plain_allowed && !s.is_empty() {
            self.plain(s, indent, !key);
        } else if a.single_quoted_allowed {
            self.single_quoted(s, indent, !key);
        } else {
            self.double_quoted(s, indent, !key);
        }
    }

    fn wrap(&mut self, indent: usize) {
        self.put("\n");
        self.put(&" ".repeat(indent));
    }

    fn plain(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        let mut spaces = false;
        for (i, &ch) in chars.iter().enumerate() {
            let space = ch == ' ';
            let next_space = chars.get(i + 1) == Some(&' ');
            if space && allow_breaks && !spaces && self.column > BEST_WIDTH && !next_space {
                self.wrap(indent);
            } else {
                self.put_char(ch);
            }
            spaces = space;
        }
    }

    fn single_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put("'");
        let mut spaces = false;
        for (i, &ch) in chars.iter().enumerate() {
            if ch == ' ' {
                let next_space = chars.get(i + 1) == Some(&' ');
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() && !next_space
                {
                    self.wrap(indent);
                } else {
                    self.put_char(ch);
                }
                spaces = true;
            } else {
                if ch == '\'' {
                    self.put("'");
                }
                self.put_char(ch);
                spaces = false;
            }
        }
        self.put("'");
    }

    fn double_quoted(&mut self, s: &str, indent: usize, allow_breaks: bool) {
        let chars: Vec<char> = s.chars().collect();
        self.put("\"");
        let mut spaces = false;
        for (i, &ch) in chars.iter().enumerate() {
            if !is_printable(ch) || ch == '\u{feff}' || is_break(ch) || ch == '"' || ch == '\\' {
                let esc = match ch {
                    '\0' => "\\0".to_string(),
                    '\u{7}' => "\\a".into(),
                    '\u{8}' => "\\b".into(),
                    '\t' => "\\t".into(),
                    '\n' => "\\n".into(),
                    '\u{b}' => "\\v".into(),
                    '\u{c}' => "\\f".into(),
                    '\r' => "\\r".into(),
                    '\u{1b}' => "\\e".into(),
                    '"' => "\\\"".into(),
                    '\\' => "\\\\".into(),
                    '\u{85}' => "\\N".into(),
                    '\u{a0}' => "\\_".into(),
                    '\u{2028}' => "\\L".into(),
                    '\u{2029}' => "\\P".into(),
                    c if (c as u32) <= 0xff => format!("\\x{:02X}", c as u32),
                    c if (c as u32) <= 0xffff => format!("\\u{:04X}", c as u32),
                    c => format!("\\U{:08X}", c as u32),
                };
                self.put(&esc);
                spaces = false;
            } else if ch == ' ' {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && i != 0 && i + 1 != chars.len() {
                    self.wrap(indent);
                    if chars.get(i + 1) == Some(&' ') {
                        self.put("\\");
                    }
                } else {
                    self.put_char(ch);
                }
                spaces = true;
            } else {
                self.put_char(ch);
                spaces = false;
            }
        }
        self.put("\"");
    }

    fn literal(&mut self, s: &str, indent: usize) {
        self.put("|");
        if s.starts_with(' ') || s.starts_with('\n') {
            self.put("2");
        }
        let chomp = if !s.ends_with('\n') {
            "-"
        } else if s == "\n" || s.ends_with("\n\n") {
            "+"
        } else {
            ""
        };
        self.put(chomp);
        self.put("\n");
        let mut at_line_start = true;
        for ch in s.chars() {
            if ch == '\n' {
                self.put("\n");
                at_line_start = true;
            } else {
                if at_line_start {
                    self.put(&" ".repeat(indent));
                    at_line_start = false;
                }
                self.put_char(ch);
            }
        }
    }
}

fn is_break(ch: char) -> bool {
    matches!(ch, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_printable(ch: char) -> bool {
    let c = ch as u32;
    c == 0x0a
        || (0x20..=0x7e).contains(&c)
        || c == 0x85
        || (0xa0..=0xd7ff).contains(&c)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
        || (0x10000..=0x10ffff).contains(&c)
}

struct Analysis {
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

/// Which scalar styles can carry `s` unchanged; a port of the rules of libyaml's scalar analysis.
fn analyze(s: &str) -> Analysis {
    let mut a = Analysis {
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if s.is_empty() {
        a.block_plain_allowed = false;
        return a;
    }
    let chars: Vec<char> = s.chars().collect();
    let block_indicators = has_indicators(s, &chars);
    let shape = ScalarShape::of(&chars);
    if shape.leading_space || shape.leading_break || shape.trailing_space || shape.trailing_break {
        a.block_plain_allowed = false;
    }
    if shape.trailing_space {
        a.block_allowed = false;
    }
    if shape.break_space {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if shape.space_break || shape.special {
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if shape.line_breaks || block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// Whether a character means something to YAML where it stands (a leading `-` or `&`, a `: `, a
/// ` #`), so the text cannot be written plain.
fn has_indicators(s: &str, chars: &[char]) -> bool {
    let mut block_indicators = s.starts_with("---") || s.starts_with("...");
    let mut preceded_by_ws = true;
    for (i, &ch) in chars.iter().enumerate() {
        let next = chars.get(i + 1).copied();
        let followed_by_ws = next.is_none_or(|c| c == ' ' || c == '\t' || is_break(c));
        if i == 0 {
            match ch {
                '#' | ',' | '[' | ']' | '{' | '}' | '&' | '*' | '!' | '|' | '>' | '\'' | '"' | '%' | '@' | '`' => {
                    block_indicators = true
                }
                '?' | ':' | '-' if followed_by_ws => block_indicators = true,
                _ => {}
            }
        } else {
            match ch {
                ':' if followed_by_ws => block_indicators = true,
                '#' if preceded_by_ws => block_indicators = true,
                _ => {}
            }
        }
        preceded_by_ws = ch == ' ' || ch == '\t' || is_break(ch);
    }
    block_indicators
}

/// Where a scalar's spaces and line breaks sit, and whether it holds a character YAML cannot
/// print as it is.
#[derive(Default)]
struct ScalarShape {
    leading_space: bool,
    leading_break: bool,
    trailing_space: bool,
    trailing_break: bool,
    /// A space right after a line break.
    break_space: bool,
    /// A line break right after a space.
    space_break: bool,
    line_breaks: bool,
    special: bool,
}

impl ScalarShape {
    fn of(chars: &[char]) -> Self {
        let mut shape = ScalarShape::default();
        let (mut previous_space, mut previous_break) = (false, false);
        for (i, &ch) in chars.iter().enumerate() {
            if !is_printable(ch) || ch == '\u{feff}' {
                shape.special = true;
            }
            if is_break(ch) {
                shape.line_breaks = true;
            }
            let (first, last) = (i == 0, i + 1 == chars.len());
            if ch == ' ' {
                shape.leading_space |= first;
                shape.trailing_space |= last;
                shape.break_space |= previous_break;
                previous_space = true;
                previous_break = false;
            } else if is_break(ch) {
                shape.leading_break |= first;
                shape.trailing_break |= last;
                shape.space_break |= previous_space;
                previous_break = true;
                previous_space = false;
            } else {
                previous_space = false;
                previous_break = false;
            }
        }
        shape
    }
}

/// Whether yaml.v2 would read `s` back as a string when written plain (else it must be quoted).
fn resolves_to_string(s: &str) -> bool {
    const SPECIAL: &[&str] = &[
        "", "~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
        "TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", ".nan", ".NaN", ".NAN", ".inf",
        ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if SPECIAL.contains(&s) {
        return false;
    }
    let Some(first) = s.chars().next() else { return false };
    if !(first.is_ascii_digit() || matches!(first, '+' | '-' | '.')) {
        return true;
    }
    let plain = s.replace('_', "");
    if go_parse_int(&plain).is_some() || go_parse_float(&plain) || is_base60(s) {
        return false;
    }
    !(first.is_ascii_digit() && is_timestamp(s))
}

fn go_parse_int(s: &str) -> Option<i128> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, &lower[1..])
    } else {
        (10, lower.as_str())
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let n = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -n } else { n })
}

fn go_parse_float(s: &str) -> bool {
    let body = s.trim_start_matches(['+', '-']);
    let lower = body.to_ascii_lowercase();
    if matches!(lower.as_str(), "inf" | "infinity" | "nan") {
        return true;
    }
    let valid_chars = body
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'));
    valid_chars && body.chars().any(|c| c.is_ascii_digit()) && body.parse::<f64>().is_ok()
}

fn is_base60(s: &str) -> bool {
    let body = s.trim_start_matches(['+', '-']);
    let (int_part, _) = body.split_once('.').unwrap_or((body, ""));
    let mut parts = int_part.split(':');
    let head_ok = parts
        .next()
        .is_some_and(|h| h.starts_with(|c: char| c.is_ascii_digit()));
    let rest: Vec<&str> = parts.collect();
    head_ok
        && !rest.is_empty()
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 2 && p.chars().all(|c| c.is_ascii_digit()))
        && body
            .split_once('.')
            .is_none_or(|(_, f)| f.chars().all(|c| c.is_ascii_digit() || c == '_'))
}

fn is_timestamp(s: &str) -> bool {
    let date = s.split(['T', 't', ' ']).next().unwrap_or("");
    let parts: Vec<&str> = date.split('-').collect();
    parts.len() == 3
        && parts[0].len() == 4
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 4 && p.chars().all(|c| c.is_ascii_digit()))
        && (date.len() == s.len() || s.len() > date.len() + 1)
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 64)`, what yaml.v2 and `%v` print for a float64.
pub fn go_float(f: f64) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return format!("{}", f as i128);
    }
    let sci = format!("{f:e}");
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return format!("{mantissa}e{sign}{:02}", exp.abs());
    }
    format!("{f}")
}

/// `Some(())` when `f` can be written as a JSON number.
fn json_number(f: f64) -> Option<()> {
    f.is_finite().then_some(())
}

/// Serialises a value as compact JSON the way Go's encoding/json does (sorted keys, HTML-safe escapes).
pub fn to_json(value: &Value) -> String {
    let mut out = String::new();
    write_json(&mut out, value);
    out
}

fn write_json(out: &mut String, value: &Value) {
    match value {
        Value::Nil | Value::Function(_) => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(n) => out.push_str(&n.to_string()),
        Value::Uint(n) => out.push_str(&n.to_string()),
        Value::Float(f) => match json_number(*f) {
            Some(()) if f.abs() < 1e21 && (f.abs() >= 1e-6 || *f == 0.0) => out.push_str(&if f.trunc() == *f {
                format!("{}", *f as i128)
            } else {
                format!("{f}")
            }),
            Some(()) => out.push_str(&go_float(*f).replace("e-0", "e-").replace("e+0", "e+")),
            None => out.push_str("null"),
        },
        Value::String(s) => json_string(out, s),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_json(out, item);
            }
            out.push(']');
        }
        Value::Map(m) => {
            out.push('{');
            for (i, (k, v)) in m.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_string(out, k);
                out.push(':');
                write_json(out, v);
            }
            out.push('}');
        }
    }
}

/// The escapes Go's `%q` and JSON strings have in common.
pub(crate) fn common_escape(ch: char) -> Option<&'static str> {
    Some(match ch {
        '"' => "\\\"",
        '\\' => "\\\\",
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        _ => return None,
    })
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        if let Some(escape) = common_escape(ch) {
            out.push_str(escape);
            continue;
        }
        match ch {
            '<' | '>' | '&' | '\u{2028}' | '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", ch as u32);
            }
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::values::yaml_to_value;

    // Expected strings are what Helm 3.20.2's toYaml/toJson printed for the same values.yaml.
    #[test]
    fn to_yaml_matches_helm() {
        let src = "b: [1, \"two\", true, null, {x: 1}]\na: \"yes\"\ne: \"\"\nc: \"foo: bar\"\nd: \"#x\"\ng: \"- x\"\n\
                   h: \"a'b\"\ni: \" lead\"\nj: \"123\"\nk: \"1.5\"\nl: \"null\"\nml: \"line1\\nline2\\n\"\n\
                   ml2: \"line1\\n line2\"\no: {}\np: []\nq: \"*star\"\nr: \"a,b\"\nt: \"on\"\nu: \"0x1F\"\n\
                   v: \"1e3\"\nw: \"2001-01-01\"\nz: \"~\"\ntab: \"ü\\t\"\n";
        let v = yaml_to_value(&serde_yaml::from_str(src).unwrap());
        let expected = "a: \"yes\"\nb:\n- 1\n- two\n- true\n- null\n- x: 1\nc: 'foo: bar'\nd: '#x'\ne: \"\"\n\
                        g: '- x'\nh: a'b\ni: ' lead'\nj: \"123\"\nk: \"1.5\"\nl: \"null\"\nml: |\n  line1\n  line2\n\
                        ml2: |-\n  line1\n   line2\no: {}\np: []\nq: '*star'\nr: a,b\nt: \"on\"\ntab: \"ü\\t\"\n\
                        u: \"0x1F\"\nv: \"1e3\"\nw: \"2001-01-01\"\nz: \"~\"\n";
        assert_eq!(to_yaml(&v), expected);
        assert_eq!(
            to_json(&v).split(",\"ml\"").next().unwrap(),
            "{\"a\":\"yes\",\"b\":[1,\"two\",true,null,{\"x\":1}],\"c\":\"foo: bar\",\"d\":\"#x\",\"e\":\"\",\
             \"g\":\"- x\",\"h\":\"a'b\",\"i\":\" lead\",\"j\":\"123\",\"k\":\"1.5\",\"l\":\"null\""
        );
    }

    #[test]
    fn long_plain_strings_fold_past_column_80() {
        let text = "aaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccccccccccccccccccccc dddddddddddddddd";
        let v = yaml_to_value(&serde_yaml::from_str(&format!("long: {text}")).unwrap());
        assert_eq!(
            to_yaml(&v),
            "long: aaaaaaaaaaaaaaaaaaaaa bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb cccccccccccccccccccccccccccccccccccccccccc\n  dddddddddddddddd\n"
        );
    }
}
