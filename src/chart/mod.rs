//! Helm charts rendered by kubedeck itself: loading, values, templates, and Helm's release manifest.

mod bundled;
mod engine;
mod funcs;
pub mod goyaml;
mod helm_cli;
mod live;
mod manifest;
mod suggest;
mod values;
mod values_flags;

pub use bundled::{BUNDLED_CHART, export as export_bundled, is_embedded, is_file, read_text, values_file};
pub use helm_cli::render_with_helm;
pub use live::{Lookup, LookupQuery};
pub use values_flags::{LastRelease, SuppliedValues, ValuesReuse, supplied_values, upgrade_values};

use engine::{map, str_val};
use gotmpl::Value;
use serde_yaml::{Mapping, Value as Yaml};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The Kubernetes version templates see in `.Capabilities.KubeVersion` (the sim cluster's).
pub const KUBE_VERSION: &str = "v1.36.3";

/// Group/versions `.Capabilities.APIVersions.Has` reports as served.
pub const BUILTIN_API_VERSIONS: &[&str] = &[
    "v1",
    "apps/v1",
    "batch/v1",
    "autoscaling/v1",
    "autoscaling/v2",
    "networking.k8s.io/v1",
    "policy/v1",
    "rbac.authorization.k8s.io/v1",
    "storage.k8s.io/v1",
    "apiextensions.k8s.io/v1",
    "admissionregistration.k8s.io/v1",
    "apiregistration.k8s.io/v1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "events.k8s.io/v1",
    "scheduling.k8s.io/v1",
    "node.k8s.io/v1",
    "certificates.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1",
    "authentication.k8s.io/v1",
    "authorization.k8s.io/v1",
    "resource.k8s.io/v1",
];

/// A chart read from its directory.
#[derive(Debug, Clone)]
pub struct Chart {
    pub dir: PathBuf,
    pub name: String,
    pub version: String,
    pub app_version: String,
    pub api_version: String,
    pub description: String,
    pub values: Mapping,
    /// Template files by path under `templates/`, sorted.
    pub templates: BTreeMap<String, String>,
    pub schema: Option<serde_json::Value>,
}

/// What a render needs besides the chart.
#[derive(Debug, Clone, Default)]
pub struct RenderOptions {
    pub release_name: String,
    pub namespace: String,
    /// User values files, merged in order after the chart's values.yaml.
    pub values_files: Vec<PathBuf>,
    /// `--set` arguments, applied in order after the values files.
    pub set: Vec<String>,
    /// Values to start from before the files (a release's earlier values, as `--reuse-values`).
    pub base: Mapping,
    pub is_upgrade: bool,
    /// Release revision; 0 means 1.
    pub revision: u32,
    /// `.Capabilities.KubeVersion` (e.g. `v1.30.2`); None: [`KUBE_VERSION`].
    pub kube_version: Option<String>,
    /// `.Capabilities.APIVersions`; empty: [`BUILTIN_API_VERSIONS`].
    pub api_versions: Vec<String>,
    /// Answers `lookup` from a live cluster; None: `lookup` finds nothing, as `helm template`.
    pub lookup: Option<Lookup>,
}

/// One Kubernetes object of the rendered chart.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedObject {
    /// Template that produced it, e.g. `todo-chatbot/templates/deployment.yaml`.
    pub source: String,
    pub kind: String,
    pub api_version: String,
    pub name: String,
    pub namespace: Option<String>,
    pub yaml: Yaml,
}

/// An object annotated `helm.sh/hook`, kept out of the main manifest.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderedHook {
    pub object: RenderedObject,
    /// The hook's document text as Helm stores it.
    pub manifest: String,
    /// Lower-cased events, e.g. `pre-install`.
    pub events: Vec<String>,
    pub weight: i64,
    pub delete_policies: Vec<String>,
}

/// A rendered chart in Helm's release shape.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The manifest text Helm stores in a release (`---\n# Source: ...\n<doc>\n` per object, install order).
    pub manifest: String,
    pub objects: Vec<RenderedObject>,
    pub hooks: Vec<RenderedHook>,
    pub notes: String,
}

/// Why a chart could not be loaded or rendered; each reads as one sentence with what to fix.
#[derive(Debug, Clone, PartialEq)]
pub enum ChartError {
    Read {
        path: PathBuf,
        reason: String,
    },
    ChartYaml {
        path: PathBuf,
        reason: String,
    },
    /// `what` names the file, e.g. "values file ./prod.yaml".
    InvalidYaml {
        what: String,
        line: usize,
        reason: String,
    },
    BadSet {
        expr: String,
        reason: String,
    },
    /// A bad `--set-string`, `--set-json` or `--set-file`.
    BadFlag {
        flag: &'static str,
        expr: String,
        reason: String,
    },
    Schema {
        path: String,
        reason: String,
    },
    Parse {
        template: String,
        line: usize,
        reason: String,
    },
    UnsupportedFunction {
        template: String,
        line: usize,
        function: String,
    },
    Execute {
        template: String,
        reason: String,
    },
    OutputYaml {
        template: String,
        line: usize,
        reason: String,
    },
    Helm {
        reason: String,
    },
}

impl std::fmt::Display for ChartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Read { path, reason } => write!(f, "cannot read {}: {reason}", path.display()),
            Self::ChartYaml { path, reason } => {
                write!(
                    f,
                    "{} is not a usable Chart.yaml: {reason}; it needs at least name and version",
                    path.display()
                )
            }
            Self::InvalidYaml { what, line, reason } => write!(f, "{what} is not valid YAML: line {line}: {reason}"),
            Self::BadSet { expr, reason } => write!(f, "--set {expr} is not valid: {reason}; use key.path=value"),
            Self::BadFlag { flag, expr, reason } => write!(f, "{flag} {expr} is not valid: {reason}"),
            Self::Schema { path, reason } => {
                write!(
                    f,
                    "values don't meet the specifications of the schema: {path}: {reason}"
                )
            }
            Self::Parse { template, line, reason } => {
                write!(f, "template {template} line {line} does not parse: {reason}")
            }
            Self::UnsupportedFunction {
                template,
                line,
                function,
            } => write!(
                f,
                "template {template} line {line} calls function {function:?}, which kubedeck's renderer does not \
                 support; render with --renderer helm instead"
            ),
            Self::Execute { template, reason } => write!(f, "rendering {template} failed: {reason}"),
            Self::OutputYaml { template, line, reason } => write!(
                f,
                "template {template} produced invalid YAML at line {line} of a document: {reason}; check its \
                 indentation (nindent/indent)"
            ),
            Self::Helm { reason } => write!(f, "helm template failed: {reason}"),
        }
    }
}

impl std::error::Error for ChartError {}

fn read(path: &Path) -> Result<String, ChartError> {
    bundled::read_text(path).map_err(|e| ChartError::Read {
        path: path.to_path_buf(),
        reason: e.to_string(),
    })
}

/// Reads a chart directory: Chart.yaml, values.yaml, templates/ and values.schema.json.
pub fn load_chart(dir: impl AsRef<Path>) -> Result<Chart, ChartError> {
    let dir = dir.as_ref();
    let chart_path = dir.join("Chart.yaml");
    let meta: Yaml = serde_yaml::from_str(&read(&chart_path)?).map_err(|e| ChartError::ChartYaml {
        path: chart_path.clone(),
        reason: e.to_string(),
    })?;
    let field = |k: &str| match meta.get(k) {
        Some(Yaml::String(s)) => s.clone(),
        Some(Yaml::Number(n)) => n.to_string(),
        _ => String::new(),
    };
    let (name, version) = (field("name"), field("version"));
    if name.is_empty() || version.is_empty() {
        return Err(ChartError::ChartYaml {
            path: chart_path,
            reason: "name or version is missing".into(),
        });
    }
    let values_path = dir.join("values.yaml");
    let values = if bundled::is_file(&values_path) {
        values::parse_values(&read(&values_path)?, &format!("values file {}", values_path.display()))?
    } else {
        Mapping::new()
    };
    let mut templates = BTreeMap::new();
    collect_templates(&dir.join("templates"), &mut templates)?;
    let schema_path = dir.join("values.schema.json");
    let schema = if bundled::is_file(&schema_path) {
        Some(
            serde_json::from_str(&read(&schema_path)?).map_err(|e| ChartError::InvalidYaml {
                what: format!("schema {}", schema_path.display()),
                line: e.line(),
                reason: e.to_string(),
            })?,
        )
    } else {
        None
    };
    Ok(Chart {
        dir: dir.to_path_buf(),
        name,
        version,
        app_version: field("appVersion"),
        api_version: field("apiVersion"),
        description: field("description"),
        values,
        templates,
        schema,
    })
}

fn collect_templates(dir: &Path, out: &mut BTreeMap<String, String>) -> Result<(), ChartError> {
    for (rel, path) in bundled::files_under(dir) {
        if [".yaml", ".yml", ".tpl", ".txt", ".json"]
            .iter()
            .any(|ext| rel.ends_with(ext))
        {
            out.insert(rel, read(&path)?);
        }
    }
    Ok(())
}

/// The values the user supplied (values files, then `--set`s) without the chart's defaults:
/// what Helm records as a release's config, nulls included (`--set key=null`).
pub fn user_values(opts: &RenderOptions) -> Result<Mapping, ChartError> {
    let supplied = values_flags::SuppliedValues {
        files: opts.values_files.clone(),
        set: opts.set.clone(),
        ..Default::default()
    };
    values_flags::supplied_values(opts.base.clone(), &supplied)
}

/// The chart's values with the user's on top, as helm coalesces them: a null the user gives
/// removes the chart's default.
fn overlay(mut merged: Mapping, opts: &RenderOptions) -> Result<Mapping, ChartError> {
    values::merge_into(&mut merged, user_values(opts)?);
    Ok(merged)
}

/// The chart's values after values files and `--set`s, checked against values.schema.json.
pub fn merged_values(chart: &Chart, opts: &RenderOptions) -> Result<Mapping, ChartError> {
    let merged = overlay(chart.values.clone(), opts)?;
    if let Some(schema) = &chart.schema {
        validate_schema(schema, &merged)?;
    }
    Ok(merged)
}

fn validate_schema(schema: &serde_json::Value, values: &Mapping) -> Result<(), ChartError> {
    let invalid = |path: &str, reason: String| ChartError::Schema {
        path: path.to_string(),
        reason,
    };
    let validator = jsonschema::validator_for(schema).map_err(|e| invalid("values.schema.json", e.to_string()))?;
    let instance = serde_json::to_value(values).map_err(|e| invalid("(root)", e.to_string()))?;
    if let Some(e) = validator.iter_errors(&instance).next() {
        let pointer = e.instance_path().to_string();
        let segments: Vec<String> = pointer
            .split('/')
            .skip(1)
            .map(|s| s.replace("~1", "/").replace("~0", "~"))
            .collect();
        let path = if segments.is_empty() {
            "(root)".to_string()
        } else {
            segments.join(".")
        };
        let reason = match e.kind() {
            jsonschema::error::ValidationErrorKind::AdditionalProperties { unexpected } => {
                unknown_keys_reason(schema, &segments, unexpected)
            }
            _ => e.to_string(),
        };
        return Err(invalid(&path, reason));
    }
    Ok(())
}

/// "unknown key "replica" (did you mean "replicas"?)" for each key the schema does not allow.
fn unknown_keys_reason(schema: &serde_json::Value, at: &[String], unexpected: &[String]) -> String {
    let allowed = suggest::allowed_keys(schema, at);
    let each: Vec<String> = unexpected
        .iter()
        .map(|key| match suggest::nearest(key, &allowed) {
            Some(near) => format!("unknown key {key:?} (did you mean {near:?}?)"),
            None => format!("unknown key {key:?}"),
        })
        .collect();
    each.join(", ")
}

/// Renders `chart` with `opts` the way `helm template`/`helm install` would.
pub fn render(chart: &Chart, opts: &RenderOptions) -> Result<Rendered, ChartError> {
    let values = merged_values(chart, opts)?;
    let revision = i64::from(opts.revision.max(1));
    let api_versions: Vec<String> = if opts.api_versions.is_empty() {
        BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect()
    } else {
        opts.api_versions.clone()
    };
    let kube_version = opts.kube_version.as_deref().unwrap_or(KUBE_VERSION);
    let top: BTreeMap<Arc<str>, Value> = BTreeMap::from([
        (Arc::from("Values"), values::yaml_to_value(&Yaml::Mapping(values))),
        (
            Arc::from("Release"),
            map([
                ("Name", str_val(&opts.release_name)),
                ("Namespace", str_val(&opts.namespace)),
                ("Service", str_val("Helm")),
                ("IsInstall", Value::Bool(!opts.is_upgrade)),
                ("IsUpgrade", Value::Bool(opts.is_upgrade)),
                ("Revision", Value::Int(revision)),
            ]),
        ),
        (
            Arc::from("Chart"),
            map([
                ("Name", str_val(&chart.name)),
                ("Version", str_val(&chart.version)),
                ("AppVersion", str_val(&chart.app_version)),
                ("APIVersion", str_val(&chart.api_version)),
                ("Description", str_val(&chart.description)),
            ]),
        ),
        (Arc::from("Capabilities"), capabilities(kube_version, &api_versions)),
        (Arc::from("Files"), Value::Map(Arc::default())),
    ]);
    let files = engine::render_files(chart, &top, &api_versions, opts.lookup.clone())?;
    let mut docs = Vec::new();
    let mut notes = String::new();
    for (path, text) in &files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base == "NOTES.txt" {
            notes = text.clone();
        } else if !base.starts_with('_') {
            docs.extend(manifest::split_documents(path, text)?);
        }
    }
    let (manifest, objects, hooks) = manifest::assemble(docs);
    Ok(Rendered {
        manifest,
        objects,
        hooks,
        notes,
    })
}

/// `version` (`1.30`, `v1.30.2`...) as Kubernetes spells it (`v1.30.2`), or why it is not one.
pub fn kube_version(version: &str) -> Result<String, String> {
    let parts: Vec<&str> = version.trim_start_matches('v').split('.').collect();
    let numbers: Option<Vec<u32>> = parts.iter().map(|p| p.parse().ok()).collect();
    match numbers.as_deref() {
        Some([major, minor]) => Ok(format!("v{major}.{minor}.0")),
        Some([major, minor, patch]) => Ok(format!("v{major}.{minor}.{patch}")),
        _ => Err(format!(
            "{version:?} is not a Kubernetes version: give it as MAJOR.MINOR or vMAJOR.MINOR.PATCH, e.g. v1.30.2"
        )),
    }
}

fn capabilities(version: &str, api_versions: &[String]) -> Value {
    let mut parts = version.trim_start_matches('v').split('.');
    let major = parts.next().unwrap_or_default();
    let minor = parts.next().unwrap_or_default();
    map([
        (
            "KubeVersion",
            map([
                ("Version", str_val(version)),
                ("GitVersion", str_val(version)),
                ("Major", str_val(major)),
                ("Minor", str_val(minor)),
            ]),
        ),
        (
            "APIVersions",
            Value::List(api_versions.iter().map(|v| str_val(v)).collect::<Vec<_>>().into()),
        ),
        ("HelmVersion", map([("Version", str_val("v3.20.2"))])),
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> (Chart, PathBuf) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/charts/sample");
        (load_chart(&dir).unwrap(), dir)
    }

    fn helm_text(r: &Rendered) -> String {
        let hooks: String = r
            .hooks
            .iter()
            .map(|h| format!("---\n# Source: {}\n{}\n", h.object.source, h.manifest))
            .collect();
        format!("{}{hooks}", r.manifest)
    }

    /// The expected file is `helm template rel sample -f values-ingress.yaml --kube-version v1.36.3` (helm 3.20.2).
    #[test]
    fn sample_chart_matches_helm_byte_for_byte() {
        let (chart, dir) = sample();
        let opts = RenderOptions {
            release_name: "rel".into(),
            namespace: "default".into(),
            values_files: vec![dir.join("values-ingress.yaml")],
            ..Default::default()
        };
        let rendered = render(&chart, &opts).unwrap();
        let expected = std::fs::read_to_string(dir.with_file_name("sample-ingress.helm.yaml")).unwrap();
        assert_eq!(helm_text(&rendered), expected);
        assert_eq!(rendered.notes, "rel-sample is installed in default.\n");
        let hook = &rendered.hooks[0];
        assert_eq!(hook.events, ["pre-install", "pre-upgrade"]);
        assert_eq!(hook.weight, -5);
        assert_eq!(hook.delete_policies, ["before-hook-creation", "hook-succeeded"]);
        let kinds: Vec<&str> = rendered.objects.iter().map(|o| o.kind.as_str()).collect();
        assert_eq!(kinds, ["ConfigMap", "Service", "Deployment", "Ingress"]);
    }

    #[test]
    fn schema_violation_stops_the_render() {
        let (chart, _) = sample();
        let opts = RenderOptions {
            set: vec!["replicaCount=many".into()],
            ..Default::default()
        };
        let err = render(&chart, &opts).unwrap_err().to_string();
        assert!(
            err.starts_with("values don't meet the specifications of the schema: replicaCount: "),
            "{err}"
        );
    }

    #[test]
    fn unknown_key_names_the_key_and_its_nearest_spelling() {
        let chart = load_chart(BUNDLED_CHART).unwrap();
        let opts = RenderOptions {
            set: vec!["frontend.replica=3".into()],
            ..Default::default()
        };
        let err = merged_values(&chart, &opts).unwrap_err().to_string();
        assert_eq!(
            err,
            "values don't meet the specifications of the schema: frontend: unknown key \"replica\" (did you \
             mean \"replicas\"?)"
        );
        let opts = RenderOptions {
            set: vec!["backend.autoscaling.behavior.scaleUp.stabilisationWindowSeconds=30".into()],
            ..Default::default()
        };
        let err = merged_values(&chart, &opts).unwrap_err().to_string();
        assert!(err.contains("did you mean \"stabilizationWindowSeconds\""), "{err}");
    }

    #[test]
    fn unsupported_function_names_file_line_and_fallback() {
        let (mut chart, _) = sample();
        chart
            .templates
            .insert("bad.yaml".into(), "a: 1\nb: {{ randAlphaNum 5 }}\n".into());
        let err = render(&chart, &RenderOptions::default()).unwrap_err().to_string();
        assert_eq!(
            err,
            "template sample/templates/bad.yaml line 2 calls function \"randAlphaNum\", which kubedeck's renderer \
             does not support; render with --renderer helm instead"
        );
    }

    #[test]
    fn required_fails_with_its_message() {
        let (mut chart, _) = sample();
        chart.templates.insert(
            "req.yaml".into(),
            "a: {{ required \"set image.tag\" .Values.nope }}\n".into(),
        );
        let err = render(&chart, &RenderOptions::default()).unwrap_err().to_string();
        assert!(err.contains("set image.tag"), "{err}");
    }

    #[test]
    fn missing_values_print_empty_like_helm() {
        let (mut chart, _) = sample();
        chart.templates = BTreeMap::from([("m.yaml".into(), "a: x{{ .Values.nope }}y\n".into())]);
        let r = render(&chart, &RenderOptions::default()).unwrap();
        assert_eq!(r.manifest, "---\n# Source: sample/templates/m.yaml\na: xy\n");
    }
}
