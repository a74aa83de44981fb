//! `kubedeck sandbox`: a local Kubernetes cluster built from the sim recipe (`scripts/sim` and
//! `assets/sim`, compiled into the binary like the chart, so an installed kubedeck needs no
//! source checkout), with the Todo Chatbot chart deployed on its real node, for trying kubedeck
//! and its demos on a machine without a cluster.
//!
//! The recipe is written to the sim's cache folder and run from there; its Go builds are cached
//! beside it, so only the first run is long. The sandbox has a name and a kubeconfig of its own
//! (never `~/.kube/config`), and everything in it listens on 127.0.0.1 only.

mod steps;

pub use steps::{Phase, Progress, Step, StepState, short};

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use sha2::{Digest, Sha256};

static ASSETS: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/assets/sim");
const SIM_SCRIPT: &str = include_str!("../../../scripts/sim");
const SIM_REAL_NODE: &str = include_str!("../../../scripts/sim-real-node");

/// The sandbox cluster's name unless `--name` says otherwise: never the sim's own default
/// (`kubedeck`) nor the test suite's, so `kubedeck sandbox down` removes only the sandbox.
pub const DEFAULT_NAME: &str = "kubedeck-sandbox";
/// Where the chart goes: the release and namespace the demos look for.
pub const NAMESPACE: &str = "todo";
pub const RELEASE: &str = "todo";

/// The sim's cache folder, as `scripts/sim` computes it: `$KUBEDECK_SIM_CACHE`, else
/// `$XDG_CACHE_HOME/kubedeck/sim`, else `~/.cache/kubedeck/sim`.
pub fn sim_cache() -> Option<PathBuf> {
    let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    if let Some(dir) = set("KUBEDECK_SIM_CACHE") {
        return Some(dir);
    }
    let base = set("XDG_CACHE_HOME").or_else(|| set("HOME").map(|h| h.join(".cache")))?;
    Some(base.join("kubedeck").join("sim"))
}

/// Whether `name` can name a sandbox (the sim's rule: a DNS label).
pub fn valid_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// A version pinned at the top of the embedded recipe (`ETCD_VERSION="v3.6.16"`).
pub fn pinned(var: &str) -> String {
    let prefix = format!("{var}=\"");
    [SIM_SCRIPT, SIM_REAL_NODE]
        .iter()
        .flat_map(|s| s.lines())
        .find_map(|line| line.strip_prefix(prefix.as_str())?.split('"').next())
        .unwrap_or("?")
        .to_owned()
}

/// The folder the recipe is written to: keyed on its contents, so a newer kubedeck writes its
/// own next to an older one and never edits a recipe another sandbox may be running.
fn recipe_key() -> String {
    let mut hash = Sha256::new();
    hash.update(SIM_SCRIPT);
    hash.update(SIM_REAL_NODE);
    let mut files = Vec::new();
    collect(&ASSETS, &mut files);
    for file in files {
        hash.update(file.path().to_string_lossy().as_bytes());
        hash.update(file.contents());
    }
    hash.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

fn collect(dir: &'static Dir<'static>, out: &mut Vec<&'static include_dir::File<'static>>) {
    out.extend(dir.files());
    for sub in dir.dirs() {
        collect(sub, out);
    }
}

/// Writes the embedded recipe under `cache` (once per recipe) and returns the path of its
/// `scripts/sim`, laid out as in the source tree so the script finds `assets/sim` beside it.
pub fn write_recipe(cache: &Path) -> Result<PathBuf, String> {
    let root = cache.join("recipe").join(recipe_key());
    let script = root.join("scripts").join("sim");
    if script.is_file() {
        return Ok(script);
    }
    let cant = |what: &Path, e: std::io::Error| format!("cannot write the sandbox recipe to {}: {e}", what.display());
    // Written beside the final folder and renamed, so a reader never sees half a recipe.
    let tmp = cache.join("recipe").join(format!(".tmp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&tmp);
    let mut files: Vec<(PathBuf, &[u8])> = vec![
        (PathBuf::from("scripts/sim"), SIM_SCRIPT.as_bytes()),
        (PathBuf::from("scripts/sim-real-node"), SIM_REAL_NODE.as_bytes()),
    ];
    let mut assets = Vec::new();
    collect(&ASSETS, &mut assets);
    files.extend(
        assets
            .iter()
            .map(|f| (Path::new("assets/sim").join(f.path()), f.contents())),
    );
    for (rel, contents) in files {
        let path = tmp.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| cant(dir, e))?;
        }
        std::fs::write(&path, contents).map_err(|e| cant(&path, e))?;
        if contents.starts_with(b"#!") {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).map_err(|e| cant(&path, e))?;
        }
    }
    match std::fs::rename(&tmp, &root) {
        Ok(()) => Ok(script),
        // Another sandbox wrote the same recipe meanwhile: theirs is as good as ours.
        Err(_) if script.is_file() => {
            let _ = std::fs::remove_dir_all(&tmp);
            Ok(script)
        }
        Err(e) => Err(cant(&root, e)),
    }
}

/// Whether every binary of the first build is already in `cache` (then Go is not needed).
pub fn build_cached(cache: &Path) -> bool {
    let bin = cache.join("bin");
    let kube = pinned("KUBE_VERSION");
    [
        format!("etcd-{}/etcd", pinned("ETCD_VERSION")),
        format!("kwok-{}/kwokctl", pinned("KWOK_VERSION")),
        format!("metrics-server-{0}/metrics-server", pinned("METRICS_SERVER_VERSION")),
        format!("helm-{}/helm", pinned("HELM_VERSION")),
        format!("kubernetes-{kube}/kube-apiserver"),
        format!(
            "local-path-provisioner-{}/local-path-provisioner",
            pinned("LOCAL_PATH_VERSION")
        ),
        format!("kubelet-{kube}/kubelet"),
    ]
    .iter()
    .all(|rel| bin.join(rel).is_file())
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|dir| dir.join(program).is_file()))
}

/// What this machine lacks for a sandbox, as one sentence; None when it can have one.
pub fn missing() -> Option<String> {
    if !cfg!(target_os = "linux") {
        return Some(
            "kubedeck sandbox runs a Kubernetes cluster as Linux processes, so it needs Linux: use the Minikube wizard (S, or kubedeck setup) here".into(),
        );
    }
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        return Some(
            "kubedeck sandbox needs root for its real node (containers, cgroups, a network bridge): run `sudo kubedeck sandbox`, or use the Minikube wizard (S, or kubedeck setup)".into(),
        );
    }
    if !on_path("bash") || !on_path("flock") {
        return Some("kubedeck sandbox needs bash and flock (util-linux) on PATH to run its recipe".into());
    }
    if !on_path("containerd") && !on_path("apt-get") {
        return Some(
            "kubedeck sandbox needs containerd, runc and the CNI plugins for its real node (on Debian or Ubuntu it installs them itself with apt-get)".into(),
        );
    }
    let cached = sim_cache().is_some_and(|c| build_cached(&c));
    if !cached && !on_path("go") {
        return Some(
            "kubedeck sandbox builds its cluster from Go modules the first time and needs Go 1.26.4 or newer on PATH (https://go.dev/dl/)".into(),
        );
    }
    None
}

/// The sandbox's kubeconfig, where the recipe puts it (it exists once the sandbox is up).
pub fn kubeconfig(cache: &Path, name: &str) -> PathBuf {
    cache.join("kwok").join("clusters").join(name).join("kubeconfig.yaml")
}

#[cfg(test)]
mod tests;
