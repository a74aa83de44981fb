//! kubedeck's chart renderer against the real `helm template`, object for object.
//! Needs `helm` on PATH (scripts/test puts the sim cluster's there).

use kubedeck::chart::{RenderOptions, Rendered, load_chart, render, render_with_helm};
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

fn chart_dirs() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut dirs = vec![root.join("tests/fixtures/charts/sample")];
    if let Ok(entries) = std::fs::read_dir(root.join("assets/chart")) {
        dirs.extend(
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.join("Chart.yaml").exists()),
        );
    }
    dirs
}

/// Values-file sets to try: none, then each `values-*.yaml`, then each file under `ci/` (the
/// chart-testing convention for option combinations); `ci-values.yaml` always comes along.
fn values_variants(dir: &Path) -> Vec<Vec<PathBuf>> {
    let ci = dir.join("ci-values.yaml");
    let base: Vec<PathBuf> = if ci.exists() { vec![ci] } else { vec![] };
    let mut variants = vec![base.clone()];
    let yaml_files = |d: &Path| {
        let mut files: Vec<PathBuf> = std::fs::read_dir(d)
            .map(|rd| rd.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.retain(|f| f.extension().is_some_and(|e| e == "yaml" || e == "yml"));
        files.sort();
        files
    };
    let named = yaml_files(dir).into_iter().filter(|f| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("values-"))
    });
    for f in named.chain(yaml_files(&dir.join("ci"))) {
        let mut v = base.clone();
        v.push(f);
        variants.push(v);
    }
    variants
}

fn by_kind_and_name(r: &Rendered) -> BTreeMap<(String, String), Value> {
    let mut out = BTreeMap::new();
    for o in r.objects.iter().chain(r.hooks.iter().map(|h| &h.object)) {
        out.insert((o.kind.clone(), o.name.clone()), o.yaml.clone());
    }
    out
}

#[test]
fn renders_like_helm_template() {
    let helm = std::process::Command::new("helm").arg("version").output();
    assert!(
        helm.is_ok_and(|o| o.status.success()),
        "helm is not on PATH; run through scripts/test, which puts the sim cluster's helm there"
    );
    for dir in chart_dirs() {
        let chart = load_chart(&dir).unwrap_or_else(|e| panic!("{e}"));
        for values_files in values_variants(&dir) {
            let what = format!("{} with {values_files:?}", dir.display());
            let opts = RenderOptions {
                release_name: "rel".into(),
                namespace: "ns".into(),
                values_files: values_files.clone(),
                ..Default::default()
            };
            let ours = render(&chart, &opts).unwrap_or_else(|e| panic!("{what}: {e}"));
            let theirs = render_with_helm(&dir, "rel", "ns", &values_files, &[]).unwrap_or_else(|e| panic!("{e}"));
            let (a, b) = (by_kind_and_name(&ours), by_kind_and_name(&theirs));
            assert_eq!(
                a.keys().collect::<Vec<_>>(),
                b.keys().collect::<Vec<_>>(),
                "{what}: object sets differ"
            );
            for (key, ours) in &a {
                assert_eq!(Some(ours), b.get(key), "{what}: {key:?} differs");
            }
            assert_eq!(ours.manifest, theirs.manifest, "{what}: manifest text differs");
        }
    }
}

/// `kubedeck template ARGS` and `helm template ARGS` (with the chart's source folder), as
/// (exit status, stdout, stderr) each.
fn both_template(kubedeck_args: &[&str], helm_args: &[&str]) -> ((bool, String, String), (bool, String, String)) {
    let run = |mut cmd: std::process::Command| {
        let out = cmd.output().expect("running the command");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let mut ours = std::process::Command::new(env!("CARGO_BIN_EXE_kubedeck"));
    ours.arg("template")
        .args(kubedeck_args)
        .current_dir(std::env::temp_dir());
    let mut theirs = std::process::Command::new("helm");
    theirs.arg("template").args(helm_args);
    (run(ours), run(theirs))
}

const SOURCE_CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

/// `kubedeck template` prints, byte for byte, what `helm template` prints for the chart built
/// into kubedeck: each values file, --set cases, --show-only, --namespace.
#[test]
fn template_command_prints_what_helm_template_prints() {
    let ci = format!("{SOURCE_CHART}/ci-values.yaml");
    let file = |name: &str| format!("{SOURCE_CHART}/values-{name}.yaml");
    let (local, staging, production) = (file("local"), file("staging"), file("production"));
    // kubedeck's arguments; helm's are the same with the values names as files and no --release.
    let cases: Vec<Vec<&str>> = vec![
        vec!["-f", &ci],
        vec!["todo", "-f", &ci, "-f", "local"],
        vec!["--release", "todo", "-f", &ci, "-f", "staging"],
        vec!["todo", "-f", &ci, "-f", "production", "-n", "prod"],
        vec![
            "todo",
            "-f",
            &ci,
            "--set",
            "backend.replicas=3,frontend.image.tag=2.0.1",
        ],
        vec![
            "todo",
            "-f",
            &ci,
            "-f",
            "local",
            "--set",
            "postgresql.enabled=true",
            "--set",
            "redis.enabled=false,config.redisHost=r.example",
        ],
        // A null drops the chart's default; --set-literal's text is taken as it is.
        vec![
            "todo",
            "-f",
            &ci,
            "--set",
            "backend.image.pullPolicy=null,frontend.podAnnotations.a=x",
            "--set-literal",
            r"secrets.openaiApiKey=sk,a=b\c",
        ],
        vec![
            "todo",
            "-f",
            &ci,
            "-s",
            "templates/backend.yaml",
            "--show-only",
            "templates/tests/*",
        ],
    ];
    for ours in cases {
        let theirs: Vec<&str> = ours
            .iter()
            .filter(|a| **a != "--release")
            .map(|a| match *a {
                "local" => local.as_str(),
                "staging" => staging.as_str(),
                "production" => production.as_str(),
                other => other,
            })
            .collect();
        // helm's RELEASE comes before the chart; without one, helm calls it release-name too.
        let named = !theirs[0].starts_with('-');
        let mut helm_args: Vec<&str> = theirs.iter().take(usize::from(named)).copied().collect();
        helm_args.push(SOURCE_CHART);
        helm_args.extend(theirs.iter().skip(usize::from(named)));
        let ((ok, out, err), (helm_ok, helm_out, helm_err)) = both_template(&ours, &helm_args);
        assert!(helm_ok, "helm template {helm_args:?} failed: {helm_err}");
        assert!(ok, "kubedeck template {ours:?} failed: {err}");
        assert!(out.contains("# Source: todo-chatbot/templates/"), "{out}");
        assert_eq!(out, helm_out, "kubedeck template {ours:?} differs from helm template");
    }

    // What helm refuses, kubedeck refuses in one sentence.
    for bad in [
        vec!["-f", &ci, "-s", "templates/nope.yaml"],
        vec!["-f", &ci, "--kube-version", "one.two"],
        vec!["-f", "nonexistent"],
        vec!["-f", &ci, "--set", "backend.replicas=abc"],
    ] {
        let ((ok, out, err), _) = both_template(&bad, &["--help"]);
        assert!(!ok && out.is_empty(), "kubedeck template {bad:?} should fail");
        assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    }
}

/// `.Capabilities.KubeVersion` follows --kube-version, as with helm.
#[test]
fn kube_version_reaches_the_templates_as_with_helm() {
    let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/charts/sample");
    let mut seen = Vec::new();
    for version in ["v1.19.3", "1.31"] {
        let ((ok, out, err), (helm_ok, helm_out, helm_err)) = both_template(
            &["rel", "--chart", sample, "--kube-version", version],
            &["rel", sample, "--kube-version", version],
        );
        assert!(ok && helm_ok, "{err}{helm_err}");
        assert_eq!(out, helm_out, "with --kube-version {version}");
        seen.push(out);
    }
    assert_ne!(
        seen[0], seen[1],
        "an older Kubernetes should change the sample's Deployment"
    );
}
