//! The subcommands that need no cluster: `kubedeck template` (as `helm template`),
//! `kubedeck chart export`, and the shell completions and man page.

use std::path::Path;

use crate::chart::{self, RenderOptions, Rendered};
use crate::cli::{ChartCommand, Cli, Command, Shell, TemplateArgs};

/// Runs `command` if it needs no cluster; None for the others.
pub fn run(command: &Command, namespace: Option<&str>) -> Option<Result<(), String>> {
    match command {
        Command::Template(args) => Some(template(args, namespace.unwrap_or("default")).map(|text| out!("{text}"))),
        Command::Chart {
            action: ChartCommand::Export { dir },
        } => Some(export(dir)),
        // Written whole through `out!`, so a closed pipe does not panic in the writer.
        Command::Completions { shell } => {
            let mut script = Vec::new();
            completions(*shell, &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Some(Ok(()))
        }
        Command::Man => {
            let mut page = Vec::new();
            Some(man(&mut page).map(|()| out!("{}", String::from_utf8_lossy(&page))))
        }
        _ => None,
    }
}

/// The completion script for `shell`, as clap_complete writes it.
pub fn completions(shell: Shell, out: &mut dyn std::io::Write) {
    use clap::CommandFactory;
    let shell = match shell {
        Shell::Bash => clap_complete::Shell::Bash,
        Shell::Zsh => clap_complete::Shell::Zsh,
        Shell::Fish => clap_complete::Shell::Fish,
    };
    clap_complete::generate(shell, &mut Cli::command(), "kubedeck", out);
}

/// The man page, kubedeck(1), listing the subcommands.
pub fn man(out: &mut dyn std::io::Write) -> Result<(), String> {
    use clap::CommandFactory;
    clap_mangen::Man::new(Cli::command())
        .render(out)
        .map_err(|e| format!("cannot write the man page: {e}"))
}

fn export(dir: &Path) -> Result<(), String> {
    let written = chart::export_bundled(dir)?;
    outln!(
        "wrote the Todo Chatbot chart ({} files) to {}",
        written.len(),
        dir.display()
    );
    Ok(())
}

/// The text `helm template` prints for the same arguments.
pub fn template(args: &TemplateArgs, namespace: &str) -> Result<String, String> {
    let (chart_dir, values_files) = super::chart_and_values(&args.input)?;
    let loaded = chart::load_chart(&chart_dir).map_err(|e| e.to_string())?;
    let kube_version = args.kube_version.as_deref().map(chart::kube_version).transpose()?;
    let mut api_versions: Vec<String> = chart::BUILTIN_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    for extra in &args.api_versions {
        if extra.is_empty() || extra.contains(char::is_whitespace) {
            return Err(format!(
                "--api-versions {extra:?} is not a group/version: give it as e.g. monitoring.coreos.com/v1"
            ));
        }
        api_versions.push(extra.clone());
    }
    let opts = RenderOptions {
        release_name: args
            .name
            .clone()
            .or_else(|| args.release.clone())
            .unwrap_or_else(|| "release-name".into()),
        namespace: namespace.to_owned(),
        base: chart::supplied_values(
            Default::default(),
            &chart::SuppliedValues {
                files: values_files,
                set_json: args.input.set_json.clone(),
                set: args.input.set.clone(),
                set_string: args.input.set_string.clone(),
                set_file: args.input.set_file.clone(),
                set_literal: args.input.set_literal.clone(),
            },
        )
        .map_err(|e| e.to_string())?,
        kube_version,
        api_versions,
        ..RenderOptions::default()
    };
    let rendered = chart::render(&loaded, &opts).map_err(|e| e.to_string())?;
    let all = helm_template_text(&rendered);
    if args.show_only.is_empty() {
        return Ok(all);
    }
    show_only(&all, &args.show_only)
}

/// The manifest, then the hooks, each `---\n# Source: ...\n<document>\n`.
pub fn helm_template_text(rendered: &Rendered) -> String {
    let hooks: String = rendered
        .hooks
        .iter()
        .map(|h| format!("---\n# Source: {}\n{}\n", h.object.source, h.manifest))
        .collect();
    format!("{}{hooks}", rendered.manifest)
}

/// The documents of `all` whose template matches one of `patterns`, pattern by pattern, as
/// helm's `--show-only` picks them.
fn show_only(all: &str, patterns: &[String]) -> Result<String, String> {
    let documents: Vec<&str> = all
        .split("\n---")
        .flat_map(|d| d.strip_prefix("---").or(Some(d)))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    let mut out = String::new();
    for pattern in patterns {
        let glob = glob_regex(pattern)?;
        let mut found = false;
        for doc in &documents {
            let template = doc
                .lines()
                .next()
                .and_then(|l| l.strip_prefix("# Source: "))
                .and_then(|s| s.split_once('/'))
                .map(|(_, t)| t);
            if template.is_some_and(|t| glob.is_match(t)) {
                out.push_str(&format!("---\n{doc}\n"));
                found = true;
            }
        }
        if !found {
            return Err(format!(
                "could not find template {pattern} in chart: name it as templates/FILE.yaml"
            ));
        }
    }
    Ok(out)
}

/// A shell glob (`*`, `?`, `[...]`, not crossing `/`) as a whole-string regex.
fn glob_regex(pattern: &str) -> Result<regex::Regex, String> {
    let mut re = String::from("^");
    let mut in_class = false;
    for c in pattern.chars() {
        match c {
            '*' if !in_class => re.push_str("[^/]*"),
            '?' if !in_class => re.push_str("[^/]"),
            '[' if !in_class => {
                in_class = true;
                re.push('[');
            }
            ']' if in_class => {
                in_class = false;
                re.push(']');
            }
            c if in_class => re.push(c),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).map_err(|_| format!("--show-only {pattern:?} is not a valid pattern: check its brackets"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn show_only_picks_by_template_path_and_glob() {
        let all = "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/b.yaml\nkind: B\n";
        assert_eq!(
            show_only(all, &["templates/b.yaml".into()]).unwrap(),
            "---\n# Source: c/templates/b.yaml\nkind: B\n"
        );
        assert_eq!(show_only(all, &["templates/*.yaml".into()]).unwrap(), all);
        let err = show_only(all, &["templates/c.yaml".into()]).unwrap_err();
        assert!(
            err.starts_with("could not find template templates/c.yaml in chart"),
            "{err}"
        );
    }

    #[test]
    fn completions_and_man_page_name_the_subcommands() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish] {
            let mut script = Vec::new();
            completions(shell, &mut script);
            let script = String::from_utf8(script).unwrap();
            assert!(script.contains("template") && script.contains("show-only"), "{shell:?}");
        }
        let mut page = Vec::new();
        man(&mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with(".ie"), "roff: {}", &page[..40]);
        assert!(page.contains("kubedeck\\-template"), "{page}");
    }

    #[test]
    fn bad_kube_version_is_one_sentence() {
        let args = TemplateArgs {
            name: None,
            release: None,
            input: Default::default(),
            show_only: vec![],
            kube_version: Some("one.two".into()),
            api_versions: vec![],
        };
        let err = template(&args, "default").unwrap_err();
        assert!(err.contains("is not a Kubernetes version"), "{err}");
    }
}
