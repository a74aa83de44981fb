//! kubedeck's entry point: flags, error reporting, then the dashboard.

use clap::Parser;
use color_eyre::eyre::Result;

fn main() -> Result<()> {
    // Installed before the terminal is set up, so ratatui's panic hook restores the terminal
    // first and color-eyre's report then prints on a normal screen.
    color_eyre::install()?;
    let cli = kubedeck::cli::Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    runtime.block_on(kubedeck::app::event_loop::run(cli.connect_options()))
}
