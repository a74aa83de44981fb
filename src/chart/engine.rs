//! Runs a chart's templates through gotmpl with Helm's context, `include` and `tpl`.

use super::funcs::{sprig, strval};
use super::{Chart, ChartError};
use gotmpl::parse::{Expr, ListNode, Node, PipeNode};
use gotmpl::{FuncMap, Template, TemplateError, Value};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, Weak};

/// Nested `include`/`tpl` calls allowed before we call it a loop (each nests a whole executor on the stack).
const MAX_INCLUDE_DEPTH: usize = 100;

/// Go's text/template builtins, which gotmpl provides itself.
const BUILTINS: &[&str] = &[
    "and", "or", "not", "len", "index", "slice", "print", "printf", "println", "html", "js", "urlquery", "call", "eq",
    "ne", "lt", "le", "gt", "ge",
];

const API_VERSIONS_HAS: &str = "kubedeckApiVersionsHas";

/// The whole template set, reachable from `include` and `tpl` once parsing is done.
type SharedSet = Arc<OnceLock<Template>>;

/// Renders every template file of `chart`; returns output per template path (`chart/templates/x.yaml`).
pub fn render_files(
    chart: &Chart,
    top: &BTreeMap<Arc<str>, Value>,
    api_versions: &[String],
    lookup: Option<super::Lookup>,
) -> Result<BTreeMap<String, String>, ChartError> {
    let set: SharedSet = Arc::new(OnceLock::new());
    let mut funcs = function_map(&set, api_versions);
    if let Some(answer) = lookup {
        funcs.insert("lookup".into(), super::live::lookup_function(answer));
    }
    let known: Vec<String> = funcs
        .keys()
        .cloned()
        .chain(BUILTINS.iter().map(|b| b.to_string()))
        .collect();

    let mut whole = Template::new("kubedeck-root").funcs(funcs.clone());
    let mut names = Vec::new();
    for (rel, src) in &chart.templates {
        let name = format!("{}/templates/{rel}", chart.name);
        let src = rewrite_methods(src);
        let one = Template::new(&name)
            .funcs(funcs.clone())
            .parse(&src)
            .map_err(|e| parse_error(&name, &e))?;
        for defined in one.templates() {
            if let Some(tree) = one.lookup(defined) {
                if let Some((function, line)) = first_unknown_function(tree, &known) {
                    return Err(ChartError::UnsupportedFunction {
                        template: name.clone(),
                        line,
                        function,
                    });
                }
                whole = whole.add_parse_tree(defined, tree.clone());
            }
        }
        names.push(name);
    }
    let _ = set.set(whole.clone());

    let mut out = BTreeMap::new();
    for name in names {
        let base = name.rsplit_once('/').map_or("", |(b, _)| b).to_string();
        let mut data = top.clone();
        data.insert(
            "Template".into(),
            map([
                ("Name", Value::String(name.as_str().into())),
                ("BasePath", str_val(&base)),
            ]),
        );
        let text = match whole.lookup(&name) {
            Some(_) => whole
                .execute_template_to_string(&name, &Value::Map(Arc::new(data)))
                .map_err(|e| ChartError::Execute {
                    template: name.clone(),
                    reason: exec_reason(&e),
                })?,
            None => String::new(),
        };
        out.insert(name, text.replace("<no value>", ""));
    }
    Ok(out)
}

pub fn map<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Map(Arc::new(entries.into_iter().map(|(k, v)| (Arc::from(k), v)).collect()))
}

pub fn str_val(s: &str) -> Value {
    Value::String(s.into())
}

fn exec_reason(e: &TemplateError) -> String {
    match e {
        TemplateError::Exec(msg) => msg.clone(),
        other => other.to_string(),
    }
}

fn parse_error(name: &str, e: &TemplateError) -> ChartError {
    match e {
        TemplateError::Parse { line, message, .. } | TemplateError::Lex { line, message, .. } => ChartError::Parse {
            template: name.to_string(),
            line: *line,
            reason: message.clone(),
        },
        other => ChartError::Parse {
            template: name.to_string(),
            line: 0,
            reason: other.to_string(),
        },
    }
}

/// gotmpl has no method calls, so `.Capabilities.APIVersions.Has "x"` becomes a function call.
fn rewrite_methods(src: &str) -> String {
    let mut out = src.to_string();
    for prefix in ["$.Capabilities.APIVersions.Has", ".Capabilities.APIVersions.Has"] {
        out = out.replace(prefix, API_VERSIONS_HAS);
    }
    out
}

fn function_map(set: &SharedSet, api_versions: &[String]) -> FuncMap {
    let mut funcs = sprig();
    let depth = Arc::new(AtomicUsize::new(0));
    let (weak, d) = (Arc::downgrade(set), depth.clone());
    funcs.insert(
        "include".into(),
        Arc::new(move |args: &[Value]| {
            let name = args.first().map(strval).unwrap_or_default();
            let data = args.get(1).cloned().unwrap_or(Value::Nil);
            nested(&weak, &d, &name, |t| {
                if t.lookup(&name).is_none() {
                    return Err(TemplateError::Exec(format!(
                        "template {name:?} not defined; check the name in include"
                    )));
                }
                t.execute_template_to_string(&name, &data)
            })
        }),
    );
    let weak = Arc::downgrade(set);
    funcs.insert(
        "tpl".into(),
        Arc::new(move |args: &[Value]| {
            let src = args.first().map(strval).unwrap_or_default();
            let data = args.get(1).cloned().unwrap_or(Value::Nil);
            nested(&weak, &depth, "tpl", |t| {
                let text = t.clone().parse(&rewrite_methods(&src))?.execute_to_string(&data)?;
                Ok(text.replace("<no value>", ""))
            })
        }),
    );
    let known: Vec<String> = api_versions.to_vec();
    // A list from discovery names each kind ("apps/v1/Deployment") and is matched exactly, as
    // helm does; the built-in list names group/versions only, so a kind counts when its
    // group/version is served.
    let names_kinds = known
        .iter()
        .any(|k| k.rsplit('/').next().is_some_and(|l| l.starts_with(char::is_uppercase)));
    funcs.insert(
        API_VERSIONS_HAS.into(),
        Arc::new(move |args: &[Value]| {
            let wanted = args.first().map(strval).unwrap_or_default();
            let group_version = match wanted.rsplit_once('/') {
                Some((gv, kind)) if kind.starts_with(char::is_uppercase) && !names_kinds => gv.to_string(),
                _ => wanted.clone(),
            };
            Ok(Value::Bool(known.iter().any(|k| *k == wanted || *k == group_version)))
        }),
    );
    funcs
}

fn nested(
    set: &Weak<OnceLock<Template>>,
    depth: &AtomicUsize,
    what: &str,
    run: impl FnOnce(&Template) -> gotmpl::Result<String>,
) -> gotmpl::Result<Value> {
    let set = set
        .upgrade()
        .ok_or_else(|| TemplateError::Exec("template set is gone".into()))?;
    let t = set
        .get()
        .ok_or_else(|| TemplateError::Exec(format!("{what} used while templates are parsed")))?;
    if depth.fetch_add(1, Ordering::SeqCst) >= MAX_INCLUDE_DEPTH {
        depth.fetch_sub(1, Ordering::SeqCst);
        return Err(TemplateError::Exec(format!(
            "{what}: nested too deeply; a template includes itself"
        )));
    }
    let result = run(t);
    depth.fetch_sub(1, Ordering::SeqCst);
    result
        .map(|s| Value::String(s.into()))
        .map_err(|e| TemplateError::Exec(exec_reason(&e)))
}

/// The first function a template calls that kubedeck does not implement, with its line.
fn first_unknown_function(list: &ListNode, known: &[String]) -> Option<(String, usize)> {
    list.nodes.iter().find_map(|n| node_unknown(n, known))
}

fn node_unknown(node: &Node, known: &[String]) -> Option<(String, usize)> {
    match node {
        Node::List(l) => first_unknown_function(l, known),
        Node::Action(a) => pipe_unknown(&a.pipe, known),
        Node::If(b) | Node::Range(b) | Node::With(b) => pipe_unknown(&b.pipe, known)
            .or_else(|| first_unknown_function(&b.body, known))
            .or_else(|| b.else_body.as_ref().and_then(|e| first_unknown_function(e, known))),
        Node::Template(t) => t.pipe.as_ref().and_then(|p| pipe_unknown(p, known)),
        Node::Define(d) => first_unknown_function(&d.body, known),
        Node::Text(_) | Node::Break(_) | Node::Continue(_) => None,
    }
}

fn pipe_unknown(pipe: &PipeNode, known: &[String]) -> Option<(String, usize)> {
    pipe.commands
        .iter()
        .flat_map(|c| c.args.iter())
        .find_map(|e| expr_unknown(e, known))
}

fn expr_unknown(expr: &Expr, known: &[String]) -> Option<(String, usize)> {
    match expr {
        Expr::Identifier(pos, name) if !known.iter().any(|k| k == name.as_str()) => Some((name.to_string(), pos.line)),
        Expr::Pipe(_, p) => pipe_unknown(p, known),
        Expr::Chain(_, inner, _) => expr_unknown(inner, known),
        _ => None,
    }
}
