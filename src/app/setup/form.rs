//! The wizard's input fields (Minikube's size, the images, the secrets) and the checks that turn
//! what was typed into a step to run, or into one sentence saying what to fix.

use std::path::PathBuf;
use std::time::Duration;

use crate::actions::deploy::DeployRequest;
use crate::actions::setup::progress::{DatabaseChoice, SavedProgress};
use crate::actions::setup::tools::Version;
use crate::actions::setup::{
    ImageChoice, ImageSource, MinikubeSettings, RELEASE, SECRET_NAME, SecretValues, StepId, StepRequest,
};

/// One line of input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub label: &'static str,
    pub value: String,
    /// Shown as dots: a secret.
    pub masked: bool,
    pub hint: &'static str,
}

impl Field {
    fn new(label: &'static str, value: impl Into<String>, hint: &'static str) -> Self {
        Field {
            label,
            value: value.into(),
            masked: false,
            hint,
        }
    }

    fn secret(label: &'static str, hint: &'static str) -> Self {
        Field {
            masked: true,
            ..Field::new(label, "", hint)
        }
    }
}

/// Index of BETTER_AUTH_SECRET among the secrets fields, which Ctrl-G fills.
pub const AUTH_SECRET_FIELD: usize = 2;

/// What the host has, for checking Minikube's size against it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostInfo {
    pub cpus: Option<u32>,
    pub memory_mb: Option<u64>,
}

/// The fields a step asks for, filled with what was chosen last time.
pub fn fields_for(step: StepId, saved: &SavedProgress) -> Vec<Field> {
    match step {
        StepId::Minikube => {
            let s = saved.minikube.clone().unwrap_or_default();
            vec![
                Field::new("CPUs", s.cpus.to_string(), "at least 2, at most what this machine has"),
                Field::new(
                    "Memory (MB)",
                    s.memory_mb.to_string(),
                    "at least 1800; 8192 fits the whole app",
                ),
                Field::new(
                    "Kubernetes version",
                    s.kubernetes_version,
                    "empty for minikube's default, or e.g. v1.30.0",
                ),
            ]
        }
        StepId::Images => {
            let shown = |s: Option<&ImageSource>, default: &str| match s {
                Some(ImageSource::Build(dir)) => dir.display().to_string(),
                Some(ImageSource::Image(name)) => name.clone(),
                None => default.to_owned(),
            };
            let images = saved.images.as_ref();
            let hint = "a source folder to build (./frontend, /src/app) or an image with a tag (repo/name:tag)";
            vec![
                Field::new("Frontend", shown(images.map(|i| &i.frontend), "./frontend"), hint),
                Field::new("Backend", shown(images.map(|i| &i.backend), "./backend"), hint),
                Field::new("MCP server", shown(images.map(|i| &i.mcp_server), "./mcp-server"), hint),
            ]
        }
        StepId::Secrets => vec![
            Field::secret("DATABASE_URL", "empty: use the in-cluster PostgreSQL"),
            Field::secret("OPENAI_API_KEY", "required (sk-...)"),
            Field::secret("BETTER_AUTH_SECRET", "Ctrl-G generates a random one"),
        ],
        _ => Vec::new(),
    }
}

/// The step to run from what was typed, or what to fix.
pub fn request_for(step: StepId, fields: &[Field], host: HostInfo) -> Result<StepRequest, String> {
    let value = |i: usize| fields.get(i).map_or("", |f| f.value.trim());
    match step {
        StepId::Minikube => Ok(StepRequest::Minikube(minikube_settings(
            value(0),
            value(1),
            value(2),
            host,
        )?)),
        StepId::Images => Ok(StepRequest::Images(ImageChoice {
            frontend: image_source("Frontend", value(0))?,
            backend: image_source("Backend", value(1))?,
            mcp_server: image_source("MCP server", value(2))?,
        })),
        StepId::Secrets => {
            let database_url =
                match value(0) {
                    "" => None,
                    url if url.starts_with("postgres://") || url.starts_with("postgresql") => Some(url.to_owned()),
                    _ => return Err(
                        "DATABASE_URL must start with postgresql:// (or leave it empty for the in-cluster PostgreSQL)"
                            .into(),
                    ),
                };
            if value(1).is_empty() {
                return Err(
                    "OPENAI_API_KEY is required: paste your key (it is masked and never written to disk)".into(),
                );
            }
            if value(AUTH_SECRET_FIELD).is_empty() {
                return Err("BETTER_AUTH_SECRET is empty: press Ctrl-G to generate one, or type your own".into());
            }
            Ok(StepRequest::Secrets(SecretValues {
                database_url,
                openai_api_key: value(1).to_owned(),
                better_auth_secret: value(AUTH_SECRET_FIELD).to_owned(),
            }))
        }
        StepId::Tools => Ok(StepRequest::Tools),
        StepId::Addons => Ok(StepRequest::Addons),
        StepId::Access => Ok(StepRequest::Access),
        StepId::Deploy => Err("the deploy step takes no input".into()),
    }
}

fn minikube_settings(cpus: &str, memory: &str, version: &str, host: HostInfo) -> Result<MinikubeSettings, String> {
    let cpus: u32 = cpus
        .parse()
        .map_err(|_| format!("CPUs must be a whole number, not {cpus:?}"))?;
    if cpus < 2 {
        return Err("minikube needs at least 2 CPUs".into());
    }
    if let Some(have) = host.cpus
        && cpus > have
    {
        return Err(format!("this machine has {have} CPUs: ask for {have} or fewer"));
    }
    let lower = memory.to_ascii_lowercase();
    let memory_mb: u64 = match lower.strip_suffix("gb").or_else(|| lower.strip_suffix('g')) {
        Some(gb) => gb.trim().parse::<u64>().map(|g| g * 1024),
        None => lower.trim_end_matches("mb").trim().parse(),
    }
    .map_err(|_| format!("memory must be a number of MB (8192) or GB (8g), not {memory:?}"))?;
    if memory_mb < 1800 {
        return Err("minikube needs at least 1800 MB of memory".into());
    }
    if let Some(have) = host.memory_mb
        && memory_mb > have
    {
        return Err(format!(
            "this machine has {have} MB of memory: ask for less (half of it is a good start)"
        ));
    }
    let kubernetes_version = match version {
        "" => String::new(),
        "stable" | "latest" => version.to_owned(),
        v => match Version::parse(v) {
            Some(parsed) if v.trim_start_matches('v').starts_with(|c: char| c.is_ascii_digit()) => format!("v{parsed}"),
            _ => return Err(format!("Kubernetes version {v:?} is not a version like v1.30.0")),
        },
    };
    Ok(MinikubeSettings {
        cpus,
        memory_mb,
        kubernetes_version,
    })
}

fn image_source(what: &str, text: &str) -> Result<ImageSource, String> {
    if text.is_empty() {
        return Err(format!("{what}: give a source folder to build or an image name"));
    }
    if text.contains(|c: char| c.is_whitespace() || c == ',' || c == '=') {
        return Err(format!(
            "{what}: {text:?} has a space, comma or '=': not a folder kubedeck can pass on, nor an image name"
        ));
    }
    let folder = text.starts_with(['.', '/', '~']) || !text.contains(':');
    Ok(if folder {
        let path = match text.strip_prefix("~/") {
            Some(rest) => std::env::var_os("HOME").map_or(PathBuf::from(text), |h| PathBuf::from(h).join(rest)),
            None => PathBuf::from(text),
        };
        ImageSource::Build(std::path::absolute(&path).unwrap_or(path))
    } else {
        ImageSource::Image(text.to_owned())
    })
}

/// The deploy of step 6: the bundled chart with the local values, secrets from the Secret step 5
/// made, and the image names the user gave instead of built ones.
pub fn deploy_request(namespace: &str, saved: &SavedProgress) -> Result<DeployRequest, String> {
    let chart_dir = PathBuf::from(crate::chart::BUNDLED_CHART);
    let values = crate::chart::values_file(&chart_dir, "local")?;
    let mut set = vec![format!("existingSecret={SECRET_NAME}")];
    if saved.secret.as_ref().map(|s| s.database) == Some(DatabaseChoice::External) {
        set.push("postgresql.enabled=false".into());
    }
    if let Some(images) = &saved.images {
        for (key, _, source) in images.components() {
            let ImageSource::Image(name) = source else { continue };
            // The tag is after the last ':' that follows the last '/' (a registry may have a port).
            let (repository, tag) = match name.rsplit_once(':') {
                Some((repo, tag)) if !tag.contains('/') => (repo, tag),
                _ => (name.as_str(), "latest"),
            };
            set.push(format!("{key}.image.repository={repository}"));
            set.push(format!("{key}.image.tag={tag}"));
            set.push(format!("{key}.image.pullPolicy=IfNotPresent"));
        }
    }
    Ok(DeployRequest {
        release: RELEASE.into(),
        namespace: namespace.into(),
        chart_dir,
        values_files: vec![values],
        set,
        atomic: true,
        timeout: Duration::from_secs(600),
        history_max: 10,
        helm_renderer: false,
        base_values: Default::default(),
        options: Default::default(),
    })
}
