//! The delivery pieces kubedeck ships for the Todo Chatbot's teams: the application's GitHub
//! Actions workflow (examples/ci), the Dockerfiles and .dockerignore files (examples/docker), and
//! kubedeck's own workflow (.github/workflows/ci.yml, the same steps as .ci/run).

use serde_yaml::Value;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(rel: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn workflow(rel: &str) -> Value {
    serde_yaml::from_str(&read(rel)).unwrap_or_else(|e| panic!("{rel} is not valid YAML: {e}"))
}

fn steps(job: &Value) -> Vec<&Value> {
    job["steps"]
        .as_sequence()
        .map(|s| s.iter().collect())
        .unwrap_or_default()
}

fn step_named<'a>(job: &'a Value, name: &str) -> &'a Value {
    steps(job)
        .into_iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no step {name:?}"))
}

fn run_text(job: &Value) -> String {
    steps(job)
        .iter()
        .filter_map(|s| s["run"].as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every `uses:` names a full 40-hex commit, with the release in a comment after it.
fn assert_actions_pinned(rel: &str) {
    let text = read(rel);
    let mut count = 0;
    for line in text
        .lines()
        .filter(|l| l.trim_start().starts_with("uses:") || l.contains("- uses:"))
    {
        let reference = line.split("uses:").nth(1).unwrap_or_default().trim();
        let (action, rest) = reference.split_once('@').unwrap_or_else(|| panic!("{rel}: {line}"));
        let sha: String = rest.chars().take_while(|c| !c.is_whitespace()).collect();
        assert!(
            sha.len() == 40 && sha.chars().all(|c| c.is_ascii_hexdigit()),
            "{rel}: {action} is not pinned by commit: {line}"
        );
        assert!(
            rest.contains("# v"),
            "{rel}: {action} lacks its release comment: {line}"
        );
        count += 1;
    }
    assert!(count > 0, "{rel} uses no actions");
}

/// A secret reaches a step only through `env:`, never inline in a command; a step that holds one
/// never echoes it nor traces its commands (`set -x`).
fn assert_secrets_not_echoed(rel: &str, wf: &Value) {
    for (name, job) in wf["jobs"].as_mapping().expect("jobs") {
        for step in steps(job) {
            let run = step["run"].as_str().unwrap_or_default();
            assert!(
                !run.contains("secrets."),
                "{rel} {name:?}: a secret inline in a command: {run}"
            );
            let secret_vars = step["env"]
                .as_mapping()
                .into_iter()
                .flatten()
                .filter(|(_, v)| v.as_str().is_some_and(|v| v.contains("secrets.")))
                .filter_map(|(k, _)| k.as_str());
            for var in secret_vars {
                assert!(
                    !run.contains("set -x"),
                    "{rel}: a step holding {var} traces its commands"
                );
                for line in run.lines().filter(|l| l.contains(&format!("${var}"))) {
                    assert!(
                        !line.trim_start().starts_with("echo") && line.contains('>'),
                        "{rel}: {var} may reach the log: {line}"
                    );
                }
            }
        }
    }
}

#[test]
fn app_workflow_builds_tests_deploys_staging_then_production_after_approval() {
    let rel = "examples/ci/todo-chatbot.yml";
    let wf = workflow(rel);
    let jobs = &wf["jobs"];
    let names: Vec<&str> = jobs
        .as_mapping()
        .expect("jobs")
        .keys()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(names, ["images", "chart", "deploy-staging", "deploy-production"]);

    // The three images as a matrix, pushed to GHCR with the commit's tag.
    let images = &jobs["images"];
    assert_eq!(
        images["strategy"]["matrix"]["service"],
        serde_yaml::from_str::<Value>("[frontend, backend, mcp-server]").unwrap()
    );
    let build = step_named(images, "Build and push");
    assert!(
        build["uses"]
            .as_str()
            .unwrap_or_default()
            .starts_with("docker/build-push-action@")
    );
    assert_eq!(build["with"]["push"], Value::Bool(true));
    assert_eq!(images["permissions"]["packages"].as_str(), Some("write"));

    let chart = run_text(&jobs["chart"]);
    assert!(chart.contains("helm lint --strict"), "{chart}");
    for env in ["values-staging.yaml", "values-production.yaml"] {
        assert!(chart.contains("values-local.yaml") && chart.contains(env), "{chart}");
    }

    let staging = &jobs["deploy-staging"];
    assert_eq!(
        staging["needs"],
        serde_yaml::from_str::<Value>("[images, chart]").unwrap()
    );
    let deploy = step_named(staging, "Deploy")["run"].as_str().unwrap_or_default();
    for flag in [
        "kubedeck deploy",
        "-n staging",
        "-f staging",
        "--atomic",
        "--yes",
        "global.imageTag=",
    ] {
        assert!(deploy.contains(flag), "staging deploy lacks {flag}: {deploy}");
    }
    let gate = step_named(staging, "Status gate")["run"].as_str().unwrap_or_default();
    assert!(
        gate.starts_with("kubedeck status") && gate.contains("-n staging"),
        "{gate}"
    );

    // Production runs after staging, in an environment whose reviewers approve it.
    let production = &jobs["deploy-production"];
    assert_eq!(
        production["needs"],
        serde_yaml::from_str::<Value>("[deploy-staging]").unwrap()
    );
    assert_eq!(production["environment"]["name"].as_str(), Some("production"));
    let deploy = step_named(production, "Deploy")["run"].as_str().unwrap_or_default();
    assert!(
        deploy.contains("-f production") && deploy.contains("--atomic"),
        "{deploy}"
    );
    assert!(
        step_named(production, "Status gate")["run"]
            .as_str()
            .unwrap_or_default()
            .contains("-n production")
    );

    // Kubeconfigs come from the environment's secrets through env, into a private file.
    let write = step_named(staging, "Write the kubeconfig");
    assert_eq!(
        write["env"]["KUBECONFIG_DATA"].as_str(),
        Some("${{ secrets.KUBECONFIG_STAGING }}")
    );
    assert!(write["run"].as_str().unwrap_or_default().contains("umask 077"));
    // The kubedeck download is checked against a known sha256.
    let install = step_named(staging, "Install kubedeck")["run"]
        .as_str()
        .unwrap_or_default();
    assert!(install.contains("sha256sum --check"), "{install}");

    assert_actions_pinned(rel);
    assert_secrets_not_echoed(rel, &wf);
    assert_eq!(wf["permissions"]["contents"].as_str(), Some("read"));
}

#[test]
fn app_workflow_kubedeck_commands_parse_with_kubedeck_itself() {
    use clap::Parser;
    let wf = workflow("examples/ci/todo-chatbot.yml");
    let mut checked = 0;
    for job in ["deploy-staging", "deploy-production"] {
        for step in ["Deploy", "Status gate"] {
            let run = step_named(&wf["jobs"][job], step)["run"].as_str().unwrap_or_default();
            // Shell words, with the variables the runner would expand.
            let expanded = run
                .replace("\"$RUNNER_TEMP/kubeconfig\"", "/tmp/kubeconfig")
                .replace("\"$IMAGE_TAG\"", "sha-0123abc");
            let args: Vec<&str> = expanded.split_whitespace().collect();
            assert_eq!(args[0], "kubedeck");
            if let Err(e) = kubedeck::cli::Cli::try_parse_from(&args) {
                panic!("{job}/{step}: `{expanded}` does not parse: {e}");
            }
            checked += 1;
        }
    }
    assert_eq!(checked, 4);
}

#[test]
fn kubedeck_workflow_does_what_ci_run_does_and_releases_binaries() {
    let rel = ".github/workflows/ci.yml";
    let wf = workflow(rel);
    let ci_run = read(".ci/run");
    let all_runs: String = wf["jobs"]
        .as_mapping()
        .expect("jobs")
        .values()
        .map(run_text)
        .collect::<Vec<_>>()
        .join("\n");
    for command in ci_run
        .lines()
        .filter(|l| l.starts_with("cargo ") || l.starts_with("scripts/"))
    {
        assert!(
            all_runs.contains(command),
            "{rel} does not run `{command}` from .ci/run"
        );
    }
    let cache = steps(&wf["jobs"]["test"])
        .into_iter()
        .find(|s| s["uses"].as_str().unwrap_or_default().starts_with("actions/cache@"))
        .expect("the sim cluster is cached");
    assert_eq!(cache["with"]["path"].as_str(), Some("~/.cache/kubedeck/sim/bin"));
    let targets: Vec<&str> = wf["jobs"]["release"]["strategy"]["matrix"]["include"]
        .as_sequence()
        .expect("release targets")
        .iter()
        .filter_map(|t| t["target"].as_str())
        .collect();
    assert!(targets.iter().any(|t| t.ends_with("linux-gnu")), "{targets:?}");
    assert!(targets.iter().any(|t| t.ends_with("apple-darwin")), "{targets:?}");
    assert_actions_pinned(rel);
    assert_secrets_not_echoed(rel, &wf);
}

/// A Dockerfile's instructions: keyword and arguments, continuation lines joined, comments out.
fn instructions(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('#') || (t.is_empty() && current.is_empty()) {
            continue;
        }
        if let Some(head) = t.strip_suffix('\\') {
            current.push_str(head);
            current.push(' ');
            continue;
        }
        current.push_str(t);
        let (keyword, args) = current.split_once(' ').unwrap_or((current.as_str(), ""));
        out.push((keyword.to_uppercase(), args.trim().to_string()));
        current.clear();
    }
    out
}

struct Image {
    stages: Vec<String>,
    last_stage: Vec<(String, String)>,
    all: Vec<(String, String)>,
}

fn image(service: &str) -> Image {
    let all = instructions(&read(&format!("examples/docker/{service}/Dockerfile")));
    let stages: Vec<String> = all
        .iter()
        .filter(|(k, _)| k == "FROM")
        .map(|(_, a)| a.clone())
        .collect();
    let last_from = all.iter().rposition(|(k, _)| k == "FROM").expect("a FROM");
    Image {
        stages,
        last_stage: all[last_from..].to_vec(),
        all,
    }
}

fn assert_production_image(service: &str, port: &str) {
    let img = image(service);
    assert!(img.stages.len() >= 2, "{service}: not multi-stage: {:?}", img.stages);
    assert!(
        img.stages.iter().all(|s| s.to_lowercase().contains(" as ")),
        "{service}: unnamed stage in {:?}",
        img.stages
    );
    let user = img
        .last_stage
        .iter()
        .rfind(|(k, _)| k == "USER")
        .map(|(_, a)| a.clone())
        .unwrap_or_else(|| panic!("{service}: the final stage sets no USER"));
    let uid = user.split(':').next().unwrap_or_default();
    assert!(uid != "root" && uid != "0", "{service}: runs as {user}");
    // The chart's podSecurityContext.runAsUser.
    assert_eq!(uid, "10001", "{service}");
    let health = img
        .last_stage
        .iter()
        .find(|(k, _)| k == "HEALTHCHECK")
        .unwrap_or_else(|| panic!("{service}: no HEALTHCHECK in the final stage"));
    assert!(health.1.contains("/health"), "{service}: {}", health.1);
    assert!(
        img.last_stage.iter().any(|(k, a)| k == "EXPOSE" && a == port),
        "{service}: does not EXPOSE {port}"
    );
    assert!(img.all.iter().any(|(k, _)| k == "CMD"), "{service}: no CMD");
}

#[test]
fn dockerfiles_are_multi_stage_non_root_with_a_healthcheck() {
    assert_production_image("frontend", "3000");
    assert_production_image("backend", "8000");
    assert_production_image("mcp-server", "8001");

    // Next.js: deps, builder and runner stages; the runner copies only the standalone output.
    let frontend = image("frontend");
    let names: Vec<String> = frontend
        .stages
        .iter()
        .filter_map(|s| s.split_whitespace().last().map(str::to_string))
        .collect();
    assert_eq!(names, ["deps", "builder", "runner"]);
    assert!(
        frontend
            .last_stage
            .iter()
            .any(|(k, a)| k == "COPY" && a.contains("/app/.next/standalone")),
        "the runner does not copy .next/standalone"
    );
    assert!(
        frontend
            .stages
            .iter()
            .all(|s| s.contains("node:") && s.contains("-alpine"))
    );

    // FastAPI and the MCP server: slim Python, the virtualenv built in its own stage.
    for service in ["backend", "mcp-server"] {
        let img = image(service);
        assert!(
            img.stages.iter().all(|s| s.contains("python:") && s.contains("-slim")),
            "{service}"
        );
        assert!(
            img.last_stage
                .iter()
                .any(|(k, a)| k == "COPY" && a.contains("--from=builder")),
            "{service}: the runtime stage does not take the builder's virtualenv"
        );
        assert!(
            img.last_stage
                .iter()
                .any(|(k, a)| k == "ENV" && a.contains("PYTHONDONTWRITEBYTECODE=1")),
            "{service}: would write .pyc files on a read-only root filesystem"
        );
    }
}

#[test]
fn dockerignore_keeps_secrets_dependencies_and_git_out_of_the_context() {
    for (service, deps) in [
        ("frontend", "node_modules"),
        ("backend", ".venv"),
        ("mcp-server", ".venv"),
    ] {
        let text = read(&format!("examples/docker/{service}/.dockerignore"));
        let lines: Vec<&str> = text.lines().map(str::trim).collect();
        for must in [".git", ".env", ".env.*", deps] {
            assert!(lines.contains(&must), "{service}/.dockerignore lacks {must}");
        }
    }
}
