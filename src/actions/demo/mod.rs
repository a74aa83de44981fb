//! Guided demos for judges: each says what it will do, does it on the live cluster, and ends with
//! what it measured. They run against the Todo Chatbot release, finding its workloads by Helm's
//! instance and component labels. Whatever a demo changes, it puts back (see `undo`), also when
//! it fails or is interrupted.

mod persistence;
mod pods;
mod rollback;
mod undo;
pub mod walkthrough;

pub use crate::actions::interrupt::interrupted;
pub use rollback::DEMO_VARIABLE;
pub use undo::settle;

use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod};
use kube::api::ListParams;
use kube::{Api, Client};

use super::deploy::Progress;
use super::operate::WorkloadRef;

/// The demos, in the order a judge would see them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Demo {
    SelfHealing,
    Scaling,
    Autoscaling,
    Rollback,
    Persistence,
    /// The walkthrough: the five above in order, then the summary of what they measured.
    All,
}

/// How long any one wait in a demo may take.
const PATIENCE: Duration = Duration::from_secs(240);

impl Demo {
    pub const ALL: [Demo; 5] = [
        Demo::SelfHealing,
        Demo::Scaling,
        Demo::Autoscaling,
        Demo::Rollback,
        Demo::Persistence,
    ];

    /// What the dashboard's list of demos offers: each demo, then the walkthrough of them all.
    pub const LISTED: [Demo; 6] = [
        Demo::SelfHealing,
        Demo::Scaling,
        Demo::Autoscaling,
        Demo::Rollback,
        Demo::Persistence,
        Demo::All,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Demo::SelfHealing => "self-healing",
            Demo::Scaling => "scaling",
            Demo::Autoscaling => "autoscaling",
            Demo::Rollback => "rollback",
            Demo::Persistence => "persistence",
            Demo::All => "all",
        }
    }

    pub fn parse(name: &str) -> Result<Demo, String> {
        Demo::LISTED.into_iter().find(|d| d.name() == name).ok_or_else(|| {
            let known: Vec<&str> = Demo::ALL.iter().map(|d| d.name()).collect();
            format!("no demo named {name:?}: pick one of {}, or all", known.join(", "))
        })
    }

    /// What the demo will do, said before it does it.
    pub fn narration(self) -> &'static str {
        match self {
            Demo::SelfHealing => {
                "Self-healing: delete a backend pod. Its Deployment notices and starts a replacement; we time it."
            }
            Demo::Scaling => {
                "Scaling: take the frontend from 2 to 4 replicas and time until all are Ready, then put it back."
            }
            Demo::Autoscaling => {
                "Autoscaling: put load on the backend and watch its HPA add replicas, then take the load away."
            }
            Demo::Rollback => {
                "Rollback: deploy a new revision that sets an environment variable on the backend (same image), \
                 then roll back and show the pods run without it again."
            }
            Demo::Persistence => {
                "Persistence: write a key to Redis, delete the Redis pod, and read the key back from its replacement."
            }
            Demo::All => {
                "The walkthrough: self-healing, scaling, autoscaling, rollback and persistence in order, then a summary \
                 of what each measured."
            }
        }
    }

    /// What the walkthrough's summary calls the figure this demo measures.
    pub fn measure(self) -> &'static str {
        match self {
            Demo::SelfHealing => "replacement time",
            Demo::Scaling => "scale-out time",
            Demo::Autoscaling => "HPA reaction",
            Demo::Rollback => "rollback time",
            Demo::Persistence => "data kept",
            Demo::All => "demos passed",
        }
    }
}

/// How a demo ended: the sentence it says last, and its one figure for the summary table.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub summary: String,
    pub figure: String,
}

/// Whether a kubeconfig context looks like a cluster on this machine, where a demo may delete
/// pods without asking twice.
pub fn looks_local(context: &str) -> bool {
    let lower = context.to_ascii_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_ascii_alphanumeric()).collect();
    ["minikube", "kind", "kwok", "k3d", "colima", "localhost", "microk8s"]
        .iter()
        .any(|w| words.contains(w))
        || ["docker-desktop", "rancher-desktop", "127.0.0.1"]
            .iter()
            .any(|s| lower.contains(s))
}

/// Runs a demo; the outcome is the measured result, one sentence.
pub async fn run(
    client: &Client,
    namespace: &str,
    release: &str,
    demo: Demo,
    progress: Progress<'_>,
) -> Result<String, String> {
    run_measured(client, namespace, release, demo, progress)
        .await
        .map(|o| o.summary)
        .map_err(|f| f.why)
}

/// Why a demo did not finish: a failure, or a signal that stopped it (and the walkthrough).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub why: String,
    pub stopped: bool,
}

/// Runs a demo, returning its sentence and its figure. What it changed is put back before this
/// returns, also after a failure or Ctrl-C, and said in a progress line.
pub async fn run_measured(
    client: &Client,
    namespace: &str,
    release: &str,
    demo: Demo,
    progress: Progress<'_>,
) -> Result<Outcome, Failure> {
    if demo == Demo::All {
        return walkthrough::run_all(client, namespace, release, progress).await;
    }
    progress(demo.narration().to_owned());
    let app = Release {
        client,
        namespace,
        name: release,
    };
    let undo = undo::Undo::new(client, namespace);
    let body = async {
        match demo {
            Demo::SelfHealing => pods::self_healing(&app, progress).await,
            Demo::Scaling => pods::scaling(&app, &undo, progress).await,
            Demo::Autoscaling => pods::autoscaling(&app, &undo, progress).await,
            Demo::Rollback => rollback::rollback(&app, &undo, progress).await,
            Demo::Persistence => persistence::persistence(&app, progress).await,
            Demo::All => Err("the walkthrough is not one demo".into()),
        }
    };
    let (outcome, stopped) = tokio::select! {
        outcome = body => (outcome, false),
        signal = interrupted() => (Err(format!("{signal}: the {} demo stopped", demo.name())), true),
    };
    let undone = undo.finish(progress).await;
    let why = match (outcome, undone) {
        (Ok(outcome), Ok(())) => return Ok(outcome),
        (Err(why), Ok(())) => why,
        (Ok(_), Err(e)) => e,
        (Err(why), Err(e)) => format!("{why}; then {e}"),
    };
    Err(Failure { why, stopped })
}

/// The release a demo works on.
struct Release<'a> {
    client: &'a Client,
    namespace: &'a str,
    name: &'a str,
}

impl Release<'_> {
    fn selector(&self, component: &str) -> String {
        format!(
            "app.kubernetes.io/instance={},app.kubernetes.io/component={component}",
            self.name
        )
    }

    /// The Deployment of one component (frontend, backend, mcp-server).
    async fn deployment(&self, component: &str) -> Result<WorkloadRef, String> {
        let list = Api::<Deployment>::namespaced(self.client.clone(), self.namespace)
            .list(&ListParams::default().labels(&self.selector(component)))
            .await
            .map_err(crate::cluster::failed_to(crate::cluster::Attempt::new(
                "list",
                "Deployments",
                self.namespace,
            )))?;
        let name = list
            .items
            .first()
            .and_then(|d| d.metadata.name.clone())
            .ok_or_else(|| {
                format!(
                    "release {} in {} has no {component} Deployment: deploy the chart first (d, or kubedeck deploy)",
                    self.name, self.namespace
                )
            })?;
        Ok(WorkloadRef {
            statefulset: false,
            name,
        })
    }

    async fn ready_pods(&self, component: &str) -> Result<Vec<Pod>, String> {
        let list = Api::<Pod>::namespaced(self.client.clone(), self.namespace)
            .list(&ListParams::default().labels(&self.selector(component)))
            .await
            .map_err(crate::cluster::failed_to(crate::cluster::Attempt::new(
                "list",
                "pods",
                self.namespace,
            )))?;
        Ok(list.items.into_iter().filter(is_ready).collect())
    }

    /// Whether the pods run on kwok's fake nodes, where no process runs.
    async fn on_fake_nodes(&self, pod: &Pod) -> bool {
        let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.clone()) else {
            return false;
        };
        Api::<Node>::all(self.client.clone())
            .get(&node)
            .await
            .ok()
            .and_then(|n| n.metadata.annotations)
            .is_some_and(|a| a.get("kwok.x-k8s.io/node").is_some_and(|v| v == "fake"))
    }

    /// Runs a command in a container of a pod; its standard output, sanitised.
    async fn exec(&self, pod: &str, argv: &[&str]) -> Result<String, String> {
        use tokio::io::AsyncReadExt;
        let api = Api::<Pod>::namespaced(self.client.clone(), self.namespace);
        let params = kube::api::AttachParams::default().stderr(false);
        let mut attached = api.exec(pod, argv.iter().copied(), &params).await.map_err(|e| {
            crate::cluster::explain(
                &e,
                crate::cluster::Attempt::new(&format!("exec {} in", argv[0]), &format!("pod {pod}"), self.namespace),
            )
        })?;
        let status = attached.take_status();
        let mut out = String::new();
        if let Some(mut stdout) = attached.stdout() {
            stdout
                .read_to_string(&mut out)
                .await
                .map_err(|e| format!("reading what {} printed in pod {pod}: {e}", argv[0]))?;
        }
        let _ = attached.join().await;
        // A command that could not run (not in the image) prints nothing: say so, never "empty".
        if let Some(status) = status
            && let Some(status) = status.await
            && status.status.as_deref() == Some("Failure")
        {
            return Err(format!(
                "{} in pod {pod} failed: {}",
                argv[0],
                crate::text::sanitize(status.message.as_deref().unwrap_or("no reason given"))
            ));
        }
        Ok(crate::text::sanitize(&out))
    }
}

fn is_ready(pod: &Pod) -> bool {
    pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.conditions.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_contexts_are_told_from_remote_ones() {
        for local in [
            "minikube",
            "kind-todo",
            "kwok-kubedeck",
            "docker-desktop",
            "k3d-dev",
            "rancher-desktop",
        ] {
            assert!(looks_local(local), "{local}");
        }
        for remote in [
            "gke_prod_europe-west1_todo",
            "arn:aws:eks:eu-west-1:1:cluster/prod",
            "mankind-prod",
            "aks-todo",
        ] {
            assert!(!looks_local(remote), "{remote}");
        }
    }

    #[test]
    fn demos_parse_by_name_and_say_what_exists() {
        assert_eq!(Demo::parse("self-healing"), Ok(Demo::SelfHealing));
        let err = Demo::parse("chaos").unwrap_err();
        assert!(
            err.contains("self-healing, scaling, autoscaling, rollback, persistence, or all"),
            "{err}"
        );
    }
}
