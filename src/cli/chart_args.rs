//! Flags of the subcommands that need no cluster: `template`, `chart export`, `completions`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

/// Which chart and which values, the same flags for `deploy` and `template`, as helm has them.
#[derive(Debug, Default, Args)]
pub struct ChartInput {
    /// Chart folder (default: the Todo Chatbot chart built into kubedeck).
    #[arg(long, value_name = "PATH")]
    pub chart: Option<PathBuf>,
    /// Values: `local`, `staging`, `production` (the chart's values-NAME.yaml) or a file path; repeatable.
    #[arg(short = 'f', long = "values", value_name = "NAME|PATH")]
    pub values: Vec<String>,
    /// Override a value, e.g. `--set backend.image.tag=1.2.0`; repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// As --set, every value a string (`--set-string backend.image.tag=1.10`); repeatable.
    #[arg(long, value_name = "KEY=VALUE")]
    pub set_string: Vec<String>,
    /// A value from a file's text (`--set-file backend.config=app.conf`); repeatable.
    #[arg(long, value_name = "KEY=PATH")]
    pub set_file: Vec<String>,
    /// JSON values (`--set-json 'a.b=[1,2]'` or a JSON object); repeatable. Order, as helm:
    /// -f files, then --set-json, --set, --set-string, --set-file, --set-literal.
    #[arg(long, value_name = "KEY=JSON")]
    pub set_json: Vec<String>,
    /// A string value taken as it is, commas and backslashes included
    /// (`--set-literal backend.greeting=a,b`); repeatable.
    #[arg(long, value_name = "KEY=TEXT")]
    pub set_literal: Vec<String>,
}

/// `kubedeck template`: as `helm template`.
#[derive(Debug, Args)]
pub struct TemplateArgs {
    /// Release name (default: release-name, as helm template).
    #[arg(value_name = "RELEASE", conflicts_with = "release", value_parser = super::release_name)]
    pub name: Option<String>,
    /// Release name, as the positional RELEASE.
    #[arg(long, value_name = "NAME", value_parser = super::release_name)]
    pub release: Option<String>,
    #[command(flatten)]
    pub input: ChartInput,
    /// Only the manifests of these templates, e.g. `--show-only templates/backend.yaml`; repeatable, globs allowed.
    #[arg(short = 's', long, value_name = "TEMPLATE")]
    pub show_only: Vec<String>,
    /// `.Capabilities.KubeVersion` the templates see (default: v1.36.3).
    #[arg(long, value_name = "VERSION")]
    pub kube_version: Option<String>,
    /// Extra group/versions for `.Capabilities.APIVersions`; repeatable or comma-separated.
    #[arg(short = 'a', long, value_name = "GROUP/VERSION", value_delimiter = ',')]
    pub api_versions: Vec<String>,
}

/// `kubedeck chart ...`.
#[derive(Debug, Subcommand)]
pub enum ChartCommand {
    /// Write the Todo Chatbot chart built into kubedeck to a folder, e.g. for helm.
    Export {
        /// A new or empty folder.
        dir: PathBuf,
    },
}

/// Shells `kubedeck completions` writes a script for.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
}
