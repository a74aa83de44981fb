//! Command-line flags.

use std::path::PathBuf;

use clap::Parser;

use crate::cluster::ConnectOptions;

/// A terminal dashboard for deploying and operating the Todo Chatbot on Kubernetes.
#[derive(Debug, Parser)]
#[command(name = "kubedeck", version, about)]
pub struct Cli {
    /// Kubeconfig file to use (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Kubeconfig context to use (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    /// Namespace to show (default: the context's namespace, else "default").
    #[arg(short = 'n', long, value_name = "NAME", conflicts_with = "all_namespaces")]
    pub namespace: Option<String>,

    /// Show all namespaces.
    #[arg(short = 'A', long)]
    pub all_namespaces: bool,

    /// Enable the mouse (wheel scroll, click to focus); also `mouse: true` in the config file.
    #[arg(long)]
    pub mouse: bool,

    /// Config file (default: $KUBEDECK_CONFIG, else the config folder's kubedeck/config.yaml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
}

impl Cli {
    pub fn connect_options(&self) -> ConnectOptions {
        ConnectOptions {
            kubeconfig: self.kubeconfig.clone(),
            context: self.context.clone(),
            namespace: self.namespace.clone(),
            all_namespaces: self.all_namespaces,
        }
    }
}
