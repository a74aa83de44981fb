//! Flags of `kubedeck sandbox`: a local cluster built from the sim recipe, with the chart on it.

use clap::{Args, Subcommand};

/// `kubedeck sandbox [down] [--name NAME]`.
#[derive(Debug, Args)]
pub struct SandboxArgs {
    #[command(subcommand)]
    pub action: Option<SandboxCommand>,
    /// The sandbox's name (its own cluster and kubeconfig; your other contexts are never touched).
    #[arg(
        long,
        env = "KUBEDECK_SANDBOX_NAME",
        default_value = "kubedeck-sandbox",
        value_name = "NAME",
        global = true
    )]
    pub name: String,
    /// Build, start and deploy, then print how to open the dashboard instead of opening it.
    #[arg(long)]
    pub no_dashboard: bool,
}

#[derive(Debug, Subcommand)]
pub enum SandboxCommand {
    /// Remove the sandbox: its processes, its real node and its folder (the build cache stays).
    Down,
}
