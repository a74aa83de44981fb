//! docs/ stays true: every `kubedeck` command in docs/runbook.md runs, in the order written,
//! against the chart deployed on the sim cluster, and succeeds; the docs name files that exist.

mod common;

use kubedeck::actions::deploy;

const RUNBOOK: &str = include_str!("../docs/runbook.md");

/// The `kubedeck ...` lines of the fenced shell blocks, in order.
fn commands(markdown: &str) -> Vec<String> {
    let mut in_shell = false;
    let mut out = Vec::new();
    for line in markdown.lines() {
        if line.starts_with("```") {
            in_shell = line.trim() == "```sh";
            continue;
        }
        if in_shell && line.starts_with("kubedeck ") {
            out.push(line.trim().to_owned());
        }
    }
    out
}

#[test]
fn the_runbook_names_the_commands_of_each_symptom() {
    let all = commands(RUNBOOK);
    for expected in [
        "kubedeck status",
        "kubedeck rollback",
        "kubedeck logs",
        "kubedeck scale",
        "kubedeck restart",
    ] {
        assert!(
            all.iter().any(|c| c.starts_with(expected)),
            "{expected} missing from {all:?}"
        );
    }
}

#[test]
fn the_docs_link_files_that_exist() {
    let docs = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs");
    let text = std::fs::read_to_string(docs.join("architecture.md")).unwrap();
    assert!(text.contains("(architecture.svg)"), "architecture.md links its image");
    let svg = std::fs::read_to_string(docs.join("architecture.svg")).unwrap();
    assert!(svg.starts_with("<svg") && svg.trim_end().ends_with("</svg>"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_runbook_command_runs_against_the_deployed_chart() {
    let client = common::client().await;
    let ns = common::namespace(&client, "runbook").await;
    common::chart_volumes(&client, &ns).await;
    deploy::deploy(&client, &common::chart_request(&ns, &[]), &|_| {})
        .await
        .expect("deploying the chart");
    let state = std::env::temp_dir().join("kubedeck-test-runbook-state");
    for command in commands(RUNBOOK) {
        // `-n todo` becomes the test's namespace; the release keeps its name.
        let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
        if let Some(i) = args.iter().position(|a| *a == "-n") {
            args[i + 1] = ns.as_str();
        }
        let (code, out, err) = common::run_kubedeck(&args, &common::sim_kubeconfig(), &state);
        assert_eq!(code, 0, "`{command}` failed:\n{out}{err}");
    }
    common::delete_namespace(&client, &ns).await;
}
