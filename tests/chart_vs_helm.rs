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
