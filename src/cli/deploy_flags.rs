//! Values of `deploy`'s helm-style flags that take an optional `=VALUE` (`--dry-run=client`,
//! `--wait=false`), each bad one refused in one sentence.

/// What `--dry-run` asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DryRun {
    /// Not a dry run (no flag, `--dry-run=none` or `=false`).
    None,
    /// Print the release and its manifests as helm's client dry run does.
    Client,
    /// What would change in the cluster, compared with what is live (`--dry-run` alone).
    Server,
}

/// `--dry-run[=MODE]`, with helm's spellings; `true` is the bare flag's meaning.
pub(super) fn dry_run(text: &str) -> Result<DryRun, String> {
    match text {
        "none" | "false" => Ok(DryRun::None),
        "client" => Ok(DryRun::Client),
        "server" | "true" => Ok(DryRun::Server),
        _ => Err(format!(
            "--dry-run={text:?} is not a dry-run mode: give --dry-run (what would change, as =server) or \
             --dry-run=client (print the manifests)"
        )),
    }
}

/// A boolean as Go's flags take it (`--wait=false`, `=0`, `=t`, ...).
pub(super) fn boolean(text: &str) -> Result<bool, String> {
    match text {
        "1" | "t" | "T" | "true" | "TRUE" | "True" => Ok(true),
        "0" | "f" | "F" | "false" | "FALSE" | "False" => Ok(false),
        _ => Err(format!("{text:?} is not true or false: write --wait or --wait=false")),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::DryRun;
    use crate::cli::{Cli, Command};

    fn deploy(args: &[&str]) -> Result<crate::cli::DeployArgs, String> {
        let all = [&["kubedeck", "deploy"], args].concat();
        match Cli::try_parse_from(all) {
            Ok(Cli {
                command: Some(Command::Deploy(d)),
                ..
            }) => Ok(d),
            Ok(_) => Err("not deploy".into()),
            Err(e) => Err(crate::cli::bad_value(&e).unwrap_or_else(|| e.to_string())),
        }
    }

    #[test]
    fn dry_run_and_wait_take_helms_spellings() {
        assert_eq!(deploy(&[]).unwrap().dry_run, DryRun::None);
        assert_eq!(deploy(&["--dry-run"]).unwrap().dry_run, DryRun::Server);
        assert_eq!(deploy(&["--dry-run=client"]).unwrap().dry_run, DryRun::Client);
        assert_eq!(deploy(&["--dry-run=server"]).unwrap().dry_run, DryRun::Server);
        // The bare flag does not swallow the release name.
        let d = deploy(&["--dry-run", "todo"]).unwrap();
        assert_eq!((d.dry_run, d.name.as_deref()), (DryRun::Server, Some("todo")));
        assert!(deploy(&[]).unwrap().waiting.wait);
        assert!(deploy(&["--wait"]).unwrap().waiting.wait);
        assert!(!deploy(&["--wait=false"]).unwrap().waiting.wait);
    }

    #[test]
    fn an_unknown_mode_is_one_sentence() {
        let err = deploy(&["--dry-run=maybe"]).unwrap_err();
        assert!(err.starts_with("--dry-run=\"maybe\" is not a dry-run mode"), "{err}");
        let err = deploy(&["--wait=perhaps"]).unwrap_err();
        assert!(err.starts_with("\"perhaps\" is not true or false"), "{err}");
    }
}
