//! Step 1 of the wizard: which tools are there, at which version, read from the tools' own
//! version output, and what to do when one is missing or too old on this operating system.

use std::fmt;

/// A `major.minor.patch` version; anything after the numbers (`-rc1`, `+g1234`) is ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version(pub u32, pub u32, pub u32);

impl Version {
    /// Reads `v1.32.0`, `1.29`, `24.0.7`, `v3.14.2+gc309b6f`; None when there are no numbers.
    pub fn parse(text: &str) -> Option<Version> {
        let text = text.trim().trim_start_matches('v');
        let mut numbers = text
            .split(|c: char| !c.is_ascii_digit())
            .take_while(|part| !part.is_empty())
            .map(|part| part.parse::<u32>().ok());
        let major = numbers.next()??;
        let minor = numbers.next().flatten().unwrap_or(0);
        let patch = numbers.next().flatten().unwrap_or(0);
        Some(Version(major, minor, patch))
    }
}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.0, self.1, self.2)
    }
}

/// A tool the wizard checks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Docker,
    Minikube,
    Kubectl,
    Helm,
}

impl Tool {
    pub const ALL: [Tool; 4] = [Tool::Docker, Tool::Minikube, Tool::Kubectl, Tool::Helm];

    pub fn program(self) -> &'static str {
        match self {
            Tool::Docker => "docker",
            Tool::Minikube => "minikube",
            Tool::Kubectl => "kubectl",
            Tool::Helm => "helm",
        }
    }

    /// The oldest version the issue asks for.
    pub fn minimum(self) -> Version {
        match self {
            Tool::Docker => Version(24, 0, 0),
            Tool::Minikube => Version(1, 32, 0),
            Tool::Kubectl => Version(1, 29, 0),
            Tool::Helm => Version(3, 14, 0),
        }
    }

    /// kubedeck talks to the cluster itself, so kubectl and helm are only nice to have.
    pub fn required(self) -> bool {
        matches!(self, Tool::Docker | Tool::Minikube)
    }

    /// The command that prints the version, in the form `parse_version` reads.
    pub fn version_args(self) -> &'static [&'static str] {
        match self {
            // Asks the engine, so it also fails when the engine is not running.
            Tool::Docker => &["version", "--format", "{{.Server.Version}}"],
            Tool::Minikube => &["version", "-o", "json"],
            Tool::Kubectl => &["version", "--client", "-o", "json"],
            Tool::Helm => &["version", "--short"],
        }
    }

    /// The version in the tool's own output of `version_args`.
    pub fn parse_version(self, output: &str) -> Option<Version> {
        match self {
            Tool::Docker | Tool::Helm => output.lines().find_map(Version::parse),
            Tool::Minikube => {
                let json: serde_json::Value = serde_json::from_str(output.trim()).ok()?;
                Version::parse(json.get("minikubeVersion")?.as_str()?)
            }
            Tool::Kubectl => {
                let json: serde_json::Value = serde_json::from_str(output.trim()).ok()?;
                Version::parse(json.pointer("/clientVersion/gitVersion")?.as_str()?)
            }
        }
    }

    /// How to install or upgrade the tool on `os` (`std::env::consts::OS`).
    pub fn install_hint(self, os: &str) -> &'static str {
        match (self, os) {
            (Tool::Docker, "macos") => {
                "install or update Docker Desktop (https://docs.docker.com/desktop/setup/install/mac-install/) or `brew install --cask docker`"
            }
            (Tool::Docker, "windows") => {
                "install or update Docker Desktop (https://docs.docker.com/desktop/setup/install/windows-install/) or `winget install Docker.DockerDesktop`"
            }
            (Tool::Docker, _) => {
                "install Docker Engine from https://docs.docker.com/engine/install/ (your distribution's docker.io package may be too old)"
            }
            (Tool::Minikube, "macos") => "`brew install minikube` (or `brew upgrade minikube`)",
            (Tool::Minikube, "windows") => {
                "`winget install Kubernetes.minikube` (or `winget upgrade Kubernetes.minikube`)"
            }
            (Tool::Minikube, _) => {
                "`curl -LO https://storage.googleapis.com/minikube/releases/latest/minikube-linux-amd64 && sudo install minikube-linux-amd64 /usr/local/bin/minikube`"
            }
            (Tool::Kubectl, "macos") => "`brew install kubectl` (or `brew upgrade kubectl`)",
            (Tool::Kubectl, "windows") => "`winget install Kubernetes.kubectl`",
            (Tool::Kubectl, _) => {
                "see https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/ (or `minikube kubectl --` works too)"
            }
            (Tool::Helm, "macos") => "`brew install helm` (or `brew upgrade helm`)",
            (Tool::Helm, "windows") => "`winget install Helm.Helm`",
            (Tool::Helm, _) => {
                "`curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash`"
            }
        }
    }

    /// What to do when the tool is installed but does not answer (only Docker has an engine).
    pub fn not_running_hint(self, os: &str) -> Option<&'static str> {
        match (self, os) {
            (Tool::Docker, "linux") => Some(
                "start the engine with `sudo systemctl start docker`, and make sure your user may use it (`sudo usermod -aG docker $USER`, then log in again)",
            ),
            (Tool::Docker, _) => Some("start Docker Desktop and wait until it says the engine is running"),
            _ => None,
        }
    }
}

/// What the check found for one tool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    Ok(Version),
    Missing,
    /// Installed, but the version command failed (for Docker: the engine is not running).
    NotAnswering,
    Unreadable,
    TooOld(Version),
}

/// The verdict on one tool as one sentence, and whether it blocks the wizard.
pub fn verdict(tool: Tool, finding: &Finding, os: &str) -> (String, bool) {
    let name = tool.program();
    let min = tool.minimum();
    let (sentence, bad) = match finding {
        Finding::Ok(v) => return (format!("{name} {v}: ok (needs {min} or newer)"), false),
        Finding::Missing => (format!("{name} is not installed: {}", tool.install_hint(os)), true),
        Finding::TooOld(v) => (
            format!("{name} {v} is older than {min}: upgrade it: {}", tool.install_hint(os)),
            true,
        ),
        Finding::NotAnswering => match tool.not_running_hint(os) {
            Some(hint) => (
                format!("{name} is installed but its engine is not running: {hint}"),
                true,
            ),
            None => (
                format!(
                    "{name} is installed but `{name} version` failed: reinstall it: {}",
                    tool.install_hint(os)
                ),
                true,
            ),
        },
        Finding::Unreadable => (
            format!(
                "{name} printed a version kubedeck cannot read; it needs {min} or newer: {}",
                tool.install_hint(os)
            ),
            true,
        ),
    };
    if bad && !tool.required() {
        (format!("{sentence} (optional: kubedeck does not need it)"), false)
    } else {
        (sentence, bad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_real_version_outputs() {
        assert_eq!(Tool::Docker.parse_version("24.0.7\n"), Some(Version(24, 0, 7)));
        assert_eq!(
            Tool::Minikube
                .parse_version(r#"{"commit":"8220a6eb95f0a4d75f7f2d7b14cef975f050512d","minikubeVersion":"v1.32.0"}"#),
            Some(Version(1, 32, 0))
        );
        let kubectl = r#"{
  "clientVersion": {"major": "1", "minor": "29", "gitVersion": "v1.29.2", "platform": "linux/amd64"},
  "kustomizeVersion": "v5.0.4-0.20230601165947-6ce0bf390ce3"
}"#;
        assert_eq!(Tool::Kubectl.parse_version(kubectl), Some(Version(1, 29, 2)));
        assert_eq!(Tool::Helm.parse_version("v3.14.2+gc309b6f\n"), Some(Version(3, 14, 2)));
        assert_eq!(Tool::Helm.parse_version("garbage"), None);
        assert_eq!(Tool::Minikube.parse_version("minikube version: v1.32.0"), None);
    }

    #[test]
    fn too_old_required_tools_block_and_optional_ones_do_not() {
        let (sentence, blocks) = verdict(Tool::Minikube, &Finding::TooOld(Version(1, 31, 2)), "linux");
        assert!(blocks);
        assert!(sentence.contains("minikube 1.31.2 is older than 1.32.0"), "{sentence}");
        assert!(sentence.contains("minikube-linux-amd64"), "{sentence}");
        let (sentence, blocks) = verdict(Tool::Helm, &Finding::Missing, "macos");
        assert!(!blocks);
        assert!(
            sentence.contains("brew install helm") && sentence.contains("optional"),
            "{sentence}"
        );
        let (sentence, blocks) = verdict(Tool::Docker, &Finding::NotAnswering, "linux");
        assert!(blocks && sentence.contains("systemctl start docker"), "{sentence}");
    }
}
