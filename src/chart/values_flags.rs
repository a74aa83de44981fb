//! The values a command supplies, merged as helm's `MergeValues` does (the `-f` files, then
//! `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal`, later ones winning), and how an upgrade
//! meets them with the last release's (helm's `reuseValues`: the default, `--reset-values`,
//! `--reuse-values`, `--reset-then-reuse-values`). What comes out is what helm keeps as a
//! release's `config`, so helm and kubedeck read each other's releases the same way.

use std::path::PathBuf;

use serde_yaml::{Mapping, Value as Yaml};

use super::ChartError;
use super::values::{self, Segment};

/// The values flags of one command, as typed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SuppliedValues {
    pub files: Vec<PathBuf>,
    pub set_json: Vec<String>,
    pub set: Vec<String>,
    pub set_string: Vec<String>,
    pub set_file: Vec<String>,
    pub set_literal: Vec<String>,
}

impl SuppliedValues {
    /// Only what helm's own `-f` and `--set` can say (the `--renderer helm` path passes those on).
    pub fn is_files_and_set_only(&self) -> bool {
        self.set_json.is_empty()
            && self.set_string.is_empty()
            && self.set_file.is_empty()
            && self.set_literal.is_empty()
    }
}

/// How an upgrade treats the values of the release it upgrades, as helm's flags of these names.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ValuesReuse {
    /// helm upgrade's default: the values this command gives; when it gives none, the last
    /// release's values again.
    #[default]
    Default,
    /// `--reset-values`: only the chart's defaults and what this command gives.
    Reset,
    /// `--reuse-values`: the last release's values (and its chart's defaults) with this command's on top.
    Reuse,
    /// `--reset-then-reuse-values`: the chart's defaults, the last release's values, this command's on top.
    ResetThenReuse,
}

/// What the release being upgraded holds: its user values (`config`) and its chart's defaults.
pub struct LastRelease<'a> {
    pub config: &'a Mapping,
    pub chart_values: &'a Mapping,
}

/// `start` (values handed over by the caller) with the files and flags applied in helm's order.
pub fn supplied_values(start: Mapping, given: &SuppliedValues) -> Result<Mapping, ChartError> {
    let mut merged = start;
    for file in &given.files {
        let text = super::read_text(file).map_err(|e| ChartError::Read {
            path: file.clone(),
            reason: e.to_string(),
        })?;
        let overlay = values::parse_values(&text, &format!("values file {}", file.display()))?;
        merge_maps(&mut merged, overlay);
    }
    for expr in &given.set_json {
        apply_set_json(&mut merged, expr)?;
    }
    for expr in &given.set {
        values::apply_set(&mut merged, expr)?;
    }
    for expr in &given.set_string {
        values::apply_set_string(&mut merged, expr)?;
    }
    for expr in &given.set_file {
        apply_set_file(&mut merged, expr)?;
    }
    for expr in &given.set_literal {
        apply_set_literal(&mut merged, expr)?;
    }
    Ok(merged)
}

/// The values an upgrade keeps as its config, and, for `--reuse-values`, the chart defaults to
/// render with instead of the chart's own (the last release's chart values with its config, as
/// helm rebuilds them). `last` is None for an install.
pub fn upgrade_values(reuse: ValuesReuse, given: Mapping, last: Option<LastRelease<'_>>) -> (Mapping, Option<Mapping>) {
    let Some(last) = last else {
        return (given, None);
    };
    match reuse {
        ValuesReuse::Reset => (given, None),
        ValuesReuse::Reuse => {
            let old = coalesce_tables(last.config.clone(), last.chart_values.clone());
            (coalesce_tables(given, last.config.clone()), Some(old))
        }
        ValuesReuse::ResetThenReuse => (coalesce_tables(given, last.config.clone()), None),
        ValuesReuse::Default if given.is_empty() && !last.config.is_empty() => (last.config.clone(), None),
        ValuesReuse::Default => (given, None),
    }
}

/// helm's `mergeMaps` for values files: maps merge key by key, anything else replaces, and a
/// null is kept (the chart's defaults drop it later).
fn merge_maps(base: &mut Mapping, overlay: Mapping) {
    for (k, v) in overlay {
        match (base.get_mut(&k), v) {
            (Some(Yaml::Mapping(existing)), Yaml::Mapping(over)) => merge_maps(existing, over),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

/// helm's `CoalesceTables(dst, src)`: `dst` wins, `src` fills in what `dst` lacks, maps are
/// coalesced key by key, and a null in `dst` removes the key.
pub fn coalesce_tables(mut dst: Mapping, src: Mapping) -> Mapping {
    for (key, val) in src {
        match dst.get_mut(&key) {
            Some(Yaml::Null) => {
                dst.remove(&key);
            }
            None => {
                dst.insert(key, val);
            }
            Some(Yaml::Mapping(d)) => {
                if let Yaml::Mapping(s) = val {
                    *d = coalesce_tables(std::mem::take(d), s);
                }
            }
            Some(_) => {}
        }
    }
    dst.retain(|_, v| !v.is_null());
    dst
}

fn bad(flag: &'static str, expr: &str, reason: impl Into<String>) -> ChartError {
    ChartError::BadFlag {
        flag,
        expr: expr.to_string(),
        reason: reason.into(),
    }
}

/// One `--set-json`: a JSON object merged in, or `key.path=JSON[,key.path=JSON...]`.
fn apply_set_json(values: &mut Mapping, expr: &str) -> Result<(), ChartError> {
    const FIX: &str = "give key.path=JSON (e.g. a.b=[1,2] or a={\"c\":true}) or a JSON object";
    let trimmed = expr.trim();
    if trimmed.starts_with('{') {
        let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(trimmed)
            .map_err(|e| bad("--set-json", expr, format!("it is not a JSON object ({e}); {FIX}")))?;
        let yaml = serde_yaml::to_value(object).map_err(|e| bad("--set-json", expr, e.to_string()))?;
        if let Yaml::Mapping(m) = yaml {
            merge_maps(values, m);
        }
        return Ok(());
    }
    let mut rest = expr;
    while !rest.is_empty() {
        let Some((path, after)) = rest.split_once('=') else {
            return Err(bad("--set-json", expr, format!("`{rest}` has no `=JSON`; {FIX}")));
        };
        let segments = key_path("--set-json", expr, path)?;
        let mut stream = serde_json::Deserializer::from_str(after).into_iter::<serde_json::Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                return Err(bad(
                    "--set-json",
                    expr,
                    format!("the value of {path} is not JSON ({e}); {FIX}"),
                ));
            }
            None => return Err(bad("--set-json", expr, format!("{path} has no value; {FIX}"))),
        };
        let tail = after[stream.byte_offset()..].trim_start();
        rest = match tail.strip_prefix(',') {
            Some(next) => next,
            None if tail.is_empty() => "",
            None => {
                return Err(bad(
                    "--set-json",
                    expr,
                    format!("the value of {path} is not JSON (`{tail}` follows it); {FIX}"),
                ));
            }
        };
        let yaml = serde_yaml::to_value(value).map_err(|e| bad("--set-json", expr, e.to_string()))?;
        set_at(values, &segments, yaml);
    }
    Ok(())
}

/// One `--set-file`: `key.path=FILE[,key.path=FILE...]`, each value the file's text.
fn apply_set_file(values: &mut Mapping, expr: &str) -> Result<(), ChartError> {
    for pair in values::split_unescaped(expr, ',') {
        if pair.is_empty() {
            continue;
        }
        let Some((path, file)) = pair.split_once('=') else {
            return Err(bad(
                "--set-file",
                expr,
                format!("`{pair}` has no `=FILE`; use key.path=FILE"),
            ));
        };
        let segments = key_path("--set-file", expr, path)?;
        let text = std::fs::read(file).map_err(|e| {
            bad(
                "--set-file",
                expr,
                format!("cannot read {file}: {e}; give the path of a readable file"),
            )
        })?;
        set_at(
            values,
            &segments,
            Yaml::String(String::from_utf8_lossy(&text).into_owned()),
        );
    }
    Ok(())
}

/// One `--set-literal` (helm 3.13+): `key.path=TEXT`, everything after the first `=` the value,
/// as a string, commas, backslashes and all.
fn apply_set_literal(values: &mut Mapping, expr: &str) -> Result<(), ChartError> {
    let Some((path, text)) = expr.split_once('=') else {
        return Err(bad(
            "--set-literal",
            expr,
            "it has no `=`; use key.path=TEXT (the text is taken as it is, commas included)",
        ));
    };
    let segments = key_path("--set-literal", expr, path)?;
    set_at(values, &segments, Yaml::String(text.to_string()));
    Ok(())
}

fn key_path(flag: &'static str, expr: &str, path: &str) -> Result<Vec<Segment>, ChartError> {
    values::parse_path(path).map_err(|reason| bad(flag, expr, format!("key `{path}`: {reason}")))
}

fn set_at(values: &mut Mapping, segments: &[Segment], value: Yaml) {
    let mut root = Yaml::Mapping(std::mem::take(values));
    values::set_path(&mut root, segments, value);
    if let Yaml::Mapping(m) = root {
        *values = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml(text: &str) -> Mapping {
        serde_yaml::from_str(text).unwrap()
    }

    fn flags(set_json: &[&str], set: &[&str], set_string: &[&str]) -> SuppliedValues {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        SuppliedValues {
            set_json: own(set_json),
            set: own(set),
            set_string: own(set_string),
            ..SuppliedValues::default()
        }
    }

    #[test]
    fn helms_order_set_json_then_set_then_set_string() {
        let given = flags(&["a=1,b={\"c\":[1,2]}"], &["a=2,s=3"], &["a=3"]);
        let out = supplied_values(Mapping::new(), &given).unwrap();
        assert_eq!(out, yaml("a: '3'\nb: {c: [1, 2]}\ns: 3\n"));
        let object = supplied_values(Mapping::new(), &flags(&["{\"x\": {\"y\": null}}"], &[], &[])).unwrap();
        assert_eq!(object, yaml("x: {y: null}\n"));
    }

    #[test]
    fn set_string_keeps_text() {
        let out = supplied_values(Mapping::new(), &flags(&[], &[], &["tag=007,on=true"])).unwrap();
        assert_eq!(out, yaml("tag: '007'\n'on': 'true'\n"));
    }

    #[test]
    fn set_literal_takes_the_text_as_it_is_and_comes_last() {
        let given = SuppliedValues {
            set: vec!["a=1,b=2".into()],
            set_literal: vec!["a=x,y=\\z,null".into(), "c[1].d=true".into()],
            ..SuppliedValues::default()
        };
        let out = supplied_values(Mapping::new(), &given).unwrap();
        assert_eq!(out, yaml("a: 'x,y=\\z,null'\nb: 2\nc: [null, {d: 'true'}]\n"));
        let bad = SuppliedValues {
            set_literal: vec!["novalue".into()],
            ..SuppliedValues::default()
        };
        let err = supplied_values(Mapping::new(), &bad).unwrap_err().to_string();
        assert!(
            err.starts_with("--set-literal novalue is not valid: it has no `=`"),
            "{err}"
        );
    }

    #[test]
    fn a_null_set_stays_in_the_config() {
        let out = supplied_values(Mapping::new(), &flags(&["b=null"], &["a.x=null"], &[])).unwrap();
        assert_eq!(out, yaml("a: {x: null}\nb: null\n"));
    }

    #[test]
    fn bad_json_and_missing_files_are_one_sentence() {
        let err = supplied_values(Mapping::new(), &flags(&["a={nope"], &[], &[]))
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("--set-json a={nope is not valid: the value of a is not JSON"),
            "{err}"
        );
        let missing = SuppliedValues {
            set_file: vec!["cfg=/no/such/file".into()],
            ..SuppliedValues::default()
        };
        let err = supplied_values(Mapping::new(), &missing).unwrap_err().to_string();
        assert!(
            err.starts_with("--set-file cfg=/no/such/file is not valid: cannot read /no/such/file"),
            "{err}"
        );
        assert!(!err.contains('\n'), "{err}");
    }

    #[test]
    fn upgrades_meet_the_last_release_as_helm_does() {
        let config = yaml("a: 1\nb: {c: 2}\n");
        let chart = yaml("a: 0\nb: {c: 0, d: 0}\ne: 0\n");
        let last = || {
            Some(LastRelease {
                config: &config,
                chart_values: &chart,
            })
        };
        let given = yaml("b: {d: 5}\n");
        assert_eq!(
            upgrade_values(ValuesReuse::Default, given.clone(), last()),
            (given.clone(), None)
        );
        assert_eq!(
            upgrade_values(ValuesReuse::Default, Mapping::new(), last()),
            (config.clone(), None)
        );
        assert_eq!(
            upgrade_values(ValuesReuse::Reset, Mapping::new(), last()),
            (Mapping::new(), None)
        );
        let merged = yaml("a: 1\nb: {c: 2, d: 5}\n");
        assert_eq!(
            upgrade_values(ValuesReuse::ResetThenReuse, given.clone(), last()),
            (merged.clone(), None)
        );
        let old_defaults = yaml("a: 1\nb: {c: 2, d: 0}\ne: 0\n");
        assert_eq!(
            upgrade_values(ValuesReuse::Reuse, given, last()),
            (merged, Some(old_defaults))
        );
        // A null given on top of a reused value removes it from the config.
        let (config_out, _) = upgrade_values(ValuesReuse::Reuse, yaml("a: null\n"), last());
        assert_eq!(config_out, yaml("b: {c: 2}\n"));
    }
}
