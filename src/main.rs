//! kubedeck's entry point: flags, error reporting, then the dashboard.

use clap::Parser;
use color_eyre::eyre::{Result, WrapErr};

fn main() -> Result<()> {
    // Installed before the terminal is set up, so ratatui's panic hook restores the terminal
    // first and color-eyre's report then prints on a normal screen.
    color_eyre::install()?;
    pin_mmap_threshold();
    let mut cli = kubedeck::cli::Cli::try_parse().unwrap_or_else(|e| match kubedeck::cli::bad_value(&e) {
        // A bad value is one sentence and exit 1, as any other; usage errors and --help stay clap's.
        Some(sentence) => {
            eprintln!("kubedeck: {sentence}");
            std::process::exit(1);
        }
        None => e.exit(),
    });
    let config_path = cli.config.clone().or_else(kubedeck::config::default_path);
    let (config, config_problem) = kubedeck::config::load(config_path.as_deref());
    let readonly = config.readonly(cli.readonly);
    if matches!(cli.command, Some(kubedeck::cli::Command::Setup)) && readonly.everywhere {
        eprintln!(
            "kubedeck: setup starts Minikube and deploys, which read-only mode refuses: run it without --readonly \
             (and without readonly: true in the config file)"
        );
        std::process::exit(1);
    }
    // A subcommand has no footer to show it in: the broken config file is said on stderr.
    if let (Some(_), Some(problem)) = (&cli.command, &config_problem) {
        eprintln!("kubedeck: {problem}");
    }
    // The dashboard and the wizard draw on a terminal: without one, say so instead of failing
    // deep inside the terminal setup.
    let full_screen = matches!(cli.command, None | Some(kubedeck::cli::Command::Setup));
    let terminal =
        std::io::IsTerminal::is_terminal(&std::io::stdin()) && std::io::IsTerminal::is_terminal(&std::io::stdout());
    if full_screen && !terminal {
        eprintln!(
            "kubedeck: the dashboard needs a terminal, and stdin or stdout is not one: run it in a terminal, \
             or use a subcommand in scripts (kubedeck status, kubedeck logs, ...; see kubedeck --help)"
        );
        std::process::exit(1);
    }
    // One runtime for whatever runs: a subcommand, the wizard or the dashboard.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    match cli.command.take() {
        Some(kubedeck::cli::Command::Setup) => {
            kubedeck::views::style::init(config.theme);
            setup(&runtime, cli.connect_options())
        }
        Some(kubedeck::cli::Command::Sandbox(args)) => sandbox(&runtime, &cli, &args, readonly.everywhere),
        Some(command) => match runtime.block_on(kubedeck::commands::run(command, cli.connect_options(), &readonly)) {
            // A remote command's status (`kubedeck exec`) is passed on as kubedeck's own.
            Ok(()) => match kubedeck::commands::exec::passed_on_status() {
                0 => Ok(()),
                code => std::process::exit(code),
            },
            Err(sentence) => {
                eprintln!("kubedeck: {sentence}");
                std::process::exit(1);
            }
        },
        None => dashboard(&runtime, &cli, config, config_problem, readonly),
    }
}

/// glibc raises its mmap threshold to the size of the largest block it has freed (up to 32 MiB),
/// so after the first page of the pods listing every later page's buffers are carved from the
/// heap and stay resident once freed. Pinning the threshold (which also turns that adjustment
/// off) keeps blocks over 256 KiB in their own mappings, handed back to the system when freed:
/// resident memory after the first screen at 10,000 pods drops from about 100 to 70 MiB.
fn pin_mmap_threshold() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter; called before any other thread starts.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 256 * 1024);
    }
}

/// The dashboard, then the wizard if the user asked for it there.
fn dashboard(
    runtime: &tokio::runtime::Runtime,
    cli: &kubedeck::cli::Cli,
    config: kubedeck::config::Config,
    config_problem: Option<String>,
    readonly: kubedeck::app::Readonly,
) -> Result<()> {
    kubedeck::views::style::init(config.theme);
    let (keymap, key_problems) = kubedeck::app::keys::KeyMap::with_overrides(&config.keys);
    let (columns, column_problems) = kubedeck::app::columns::ColumnChoices::from_config(
        &config.columns,
        cli.config.clone().or_else(kubedeck::config::default_path),
    );
    let notice = config_problem.or_else(|| {
        (key_problems.iter().chain(&column_problems))
            .next()
            .map(|p| format!("config: {p}"))
    });
    let settings = kubedeck::tui::dashboard::Settings {
        mouse: cli.mouse || config.mouse,
        keymap,
        readonly,
        notice,
        logs: config.logs,
        columns,
    };
    match runtime.block_on(kubedeck::tui::dashboard::run(cli.connect_options(), settings))? {
        kubedeck::tui::dashboard::Exit::Quit => Ok(()),
        kubedeck::tui::dashboard::Exit::Setup => exec_setup(cli),
        kubedeck::tui::dashboard::Exit::Sandbox => exec_kubedeck(&["sandbox"], cli.config.as_deref()),
    }
}

/// `kubedeck sandbox`: build, start and deploy, then the dashboard on the sandbox (this process
/// replaced by it, as if typed); `kubedeck sandbox down` removes it.
fn sandbox(
    runtime: &tokio::runtime::Runtime,
    cli: &kubedeck::cli::Cli,
    args: &kubedeck::cli::SandboxArgs,
    readonly: bool,
) -> Result<()> {
    use kubedeck::tui::sandbox::Sandbox;
    let fail = |sentence: String| -> ! {
        eprintln!("kubedeck: {sentence}");
        std::process::exit(1);
    };
    let down = matches!(args.action, Some(kubedeck::cli::SandboxCommand::Down));
    if readonly && !down {
        fail("the sandbox builds and deploys, which read-only mode refuses: run it without --readonly".into());
    }
    let sandbox = Sandbox::prepare(&args.name, !down).unwrap_or_else(|e| fail(e));
    if down {
        runtime.block_on(sandbox.down()).unwrap_or_else(|e| fail(e));
        println!("sandbox {} removed", args.name);
        return Ok(());
    }
    let kubeconfig = runtime.block_on(sandbox.up()).unwrap_or_else(|e| fail(e));
    let namespace = kubedeck::actions::sandbox::NAMESPACE;
    let open = format!("kubedeck --kubeconfig {} -n {namespace}", kubeconfig.display());
    if args.no_dashboard || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        println!(
            "sandbox {} ready with the Todo Chatbot; open it with: {open}",
            args.name
        );
        return Ok(());
    }
    let kubeconfig = kubeconfig.to_string_lossy().into_owned();
    exec_kubedeck(&["--kubeconfig", &kubeconfig, "-n", namespace], cli.config.as_deref())
}

/// Replaces this process with kubedeck and `args` (and --config when given).
fn exec_kubedeck(args: &[&str], config: Option<&std::path::Path>) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.args(args);
    if let Some(c) = config {
        cmd.arg("--config").arg(c);
    }
    Err(cmd.exec()).wrap_err("starting kubedeck")
}

/// Replaces this process with `kubedeck setup` and the same cluster flags: the wizard starts
/// with a terminal and an input reader of its own, as if typed in the shell.
fn exec_setup(cli: &kubedeck::cli::Cli) -> Result<()> {
    use std::os::unix::process::CommandExt;
    let mut cmd = std::process::Command::new(std::env::current_exe()?);
    cmd.arg("setup");
    if let Some(k) = &cli.kubeconfig {
        cmd.arg("--kubeconfig").arg(k);
    }
    if let Some(c) = &cli.context {
        cmd.arg("--context").arg(c);
    }
    if let Some(n) = &cli.namespace {
        cmd.arg("--namespace").arg(n);
    }
    if let Some(c) = &cli.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(user) = &cli.as_user {
        cmd.arg("--as").arg(user);
    }
    for group in &cli.as_groups {
        cmd.arg("--as-group").arg(group);
    }
    if let Some(limit) = cli.request_timeout {
        cmd.arg("--request-timeout").arg(format!("{}ms", limit.as_millis()));
    }
    // exec only returns when it failed.
    Err(cmd.exec()).wrap_err("starting kubedeck setup")
}

/// The first-run wizard, from `kubedeck setup` or `S` on the dashboard.
fn setup(runtime: &tokio::runtime::Runtime, opts: kubedeck::cluster::ConnectOptions) -> Result<()> {
    // Printed after the terminal is restored, so it stays on screen.
    let farewell = runtime.block_on(kubedeck::tui::setup::run(opts))?;
    println!("{farewell}");
    Ok(())
}
