use std::time::{Duration, Instant};

use super::*;

fn states(p: &Progress) -> Vec<String> {
    p.steps
        .iter()
        .map(|s| match s.state {
            StepState::ToDo => "todo".to_owned(),
            StepState::Running { .. } => "running".to_owned(),
            StepState::Done { cached: true, .. } => "cached".to_owned(),
            StepState::Done { took, .. } => format!("done {}s", took.as_secs()),
            StepState::Failed { .. } => "failed".to_owned(),
        })
        .collect()
}

#[test]
fn the_recipe_lines_move_the_steps_on_and_time_them() {
    let t0 = Instant::now();
    let at = |s| t0 + Duration::from_secs(s);
    let mut p = Progress::new("sbx", t0);
    p.phase_started(Phase::Build, t0);
    assert_eq!(states(&p)[0], "running");
    p.line(
        Phase::Build,
        "[sim 01:00:00] etcd v3.6.16: cached in /c/bin/etcd-v3.6.16",
        at(1),
    );
    // The next step is under way as soon as the recipe moves on, before it says anything.
    assert_eq!(states(&p)[..2], ["cached", "running"]);
    p.line(
        Phase::Build,
        "[sim 01:00:00] kwok+kwokctl v0.8.0: building (log: x)",
        at(1),
    );
    p.line(
        Phase::Build,
        "[sim 01:00:40] kwok+kwokctl v0.8.0: built in 40s -> /c",
        at(41),
    );
    assert_eq!(states(&p)[..3], ["cached", "done 40s", "running"]);
    // A step the recipe skips to (helm's line before metrics-server's) ends the ones before.
    p.line(Phase::Build, "[sim 01:01:00] helm v3.20.2: building (log: y)", at(61));
    assert_eq!(states(&p)[2..4], ["done 20s", "running"]);
    // Lines of another phase do not move this one's steps.
    p.line(Phase::Up, "[sim 01:01:00] kubelet v1.36.3: building", at(62));
    assert_eq!(states(&p)[7], "todo");
    p.phase_done(Phase::Build, at(100));
    let s = states(&p);
    assert_eq!(s[3], "done 39s");
    assert!(s[4..10].iter().all(|s| s == "cached"), "{s:?}");
    assert_eq!(s[10..], ["todo", "todo", "todo"]);
    p.phase_started(Phase::Up, at(100));
    p.line(
        Phase::Up,
        "[sim 01:02:00] creating cluster sbx (kwokctl v0.8.0, Kubernetes v1.36.3)",
        at(101),
    );
    p.line(
        Phase::Up,
        "[sim 01:02:00] starting kubelet v1.36.3 as node sim-real-0",
        at(112),
    );
    assert_eq!(states(&p)[10..12], ["done 12s", "running"]);
    p.phase_failed(Phase::Up, at(130));
    assert_eq!(states(&p)[11], "failed");
    let events = p.take_events();
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("[2/13] kwok and kwokctl v0.8.0: done in 40s")),
        "{events:?}"
    );
    assert!(
        events
            .iter()
            .any(|e| e.starts_with("[12/13] real node sim-real-0") && e.ends_with("failed after 18s")),
        "{events:?}"
    );
    assert!(p.take_events().is_empty());
}

#[test]
fn the_versions_come_from_the_embedded_recipe() {
    assert!(pinned("KUBE_VERSION").starts_with("v1."), "{}", pinned("KUBE_VERSION"));
    assert!(pinned("LOCAL_PATH_VERSION").starts_with('v'));
    assert_eq!(pinned("NO_SUCH_VERSION"), "?");
}

#[test]
fn the_recipe_is_written_as_in_the_source_tree_and_runs_from_there() {
    let cache = tempfile::tempdir().expect("temp dir");
    let script = write_recipe(cache.path()).expect("writing the recipe");
    let root = script.parent().and_then(Path::parent).expect("recipe root");
    assert!(root.join("assets/sim/kwok.yaml").is_file());
    assert!(root.join("assets/sim/real-node/netpol/main.go").is_file());
    let mode =
        |p: &Path| std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(p).expect("metadata").permissions());
    assert_eq!(mode(&root.join("assets/sim/real-node/standin-serve")) & 0o111, 0o111);
    assert_eq!(mode(&script) & 0o111, 0o111);
    // Writing again finds it, and the script's help runs from the written copy.
    assert_eq!(write_recipe(cache.path()).expect("again"), script);
    let help = std::process::Command::new("bash")
        .arg(&script)
        .arg("help")
        .output()
        .expect("bash");
    assert!(
        String::from_utf8_lossy(&help.stderr).contains("scripts/sim"),
        "{help:?}"
    );
    assert!(!build_cached(cache.path()));
}

#[test]
fn names_are_dns_labels() {
    assert!(valid_name("kubedeck-sandbox"));
    assert!(valid_name("sbx-1"));
    for bad in ["", "-a", "a-", "A", "a_b", "a/b", &"a".repeat(64)] {
        assert!(!valid_name(bad), "{bad}");
    }
}
