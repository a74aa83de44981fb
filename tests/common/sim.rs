//! `scripts/sim` from Rust, for the tests and the benchmarks.

/// Runs `scripts/sim ARGS` and panics with its output on failure; returns what it printed.
pub fn sim(args: &[&str]) -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/sim");
    let mut cmd = std::process::Command::new(script);
    cmd.args(args);
    if let Ok(name) = std::env::var("KUBEDECK_SIM_NAME") {
        cmd.args(["--name", &name]);
    }
    let out = cmd.output().expect("running scripts/sim");
    assert!(
        out.status.success(),
        "scripts/sim {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}
