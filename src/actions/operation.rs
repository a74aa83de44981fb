//! Each operation that changes the cluster, described once: the question it asks, what read-only
//! mode and the audit log call it, the warnings it gives and how it runs. The dashboard and the
//! command line both go through this, so their sentences cannot drift apart.

use std::fmt::Display;
use std::time::Duration;

use kube::Client;

use super::audit::{self, AuditEntry};
use super::demo::{self, Demo};
use super::deploy::{self, DeployRequest, Progress, TestRequest};
use super::operate::{self, ManagingHpa, WorkloadRef};
use crate::cluster::exec::{self, ExecRequest};

/// An operation the user asked for, with everything it needs to run.
#[derive(Debug, Clone, PartialEq)]
pub enum Operation {
    /// Install or upgrade a release; `revision` is the one its plan would write, once known.
    Deploy {
        request: Box<DeployRequest>,
        revision: Option<i32>,
    },
    /// Roll a release back to revision `to`, or to its last good revision.
    Rollback {
        namespace: String,
        release: String,
        to: Option<i32>,
        timeout: Duration,
        /// What it waits for (`--wait`, `--wait-for-jobs`).
        waiting: deploy::Waiting,
    },
    /// Delete a release's objects and its history (or keep the history, marked uninstalled).
    Uninstall {
        namespace: String,
        release: String,
        keep_history: bool,
    },
    /// Set a workload's replicas and wait until that many are ready.
    Scale {
        namespace: String,
        workload: WorkloadRef,
        replicas: i32,
        timeout: Duration,
    },
    /// Scale a workload an HPA manages by raising the HPA's minimum instead.
    ScaleHpa {
        namespace: String,
        workload: WorkloadRef,
        hpa: ManagingHpa,
        replicas: i32,
    },
    /// `kubectl rollout restart`, then wait for the new pods.
    Restart {
        namespace: String,
        workload: WorkloadRef,
        timeout: Duration,
    },
    /// Delete a pod and time its replacement.
    DeletePod {
        namespace: String,
        name: String,
        timeout: Duration,
    },
    /// A guided demo on a release of the Todo Chatbot.
    Demo {
        namespace: String,
        release: String,
        demo: Demo,
    },
    /// A command (or a shell) in a container. The dashboard and `kubedeck exec` join it to the
    /// terminal themselves; `run` runs it without input or output, for its exit status.
    Exec { request: ExecRequest },
    /// A release's test hooks, run as `helm test` runs them, their last runs stored in the record.
    Test { request: TestRequest },
}

impl Operation {
    pub fn namespace(&self) -> &str {
        match self {
            Operation::Deploy { request, .. } => &request.namespace,
            Operation::Rollback { namespace, .. }
            | Operation::Uninstall { namespace, .. }
            | Operation::Scale { namespace, .. }
            | Operation::ScaleHpa { namespace, .. }
            | Operation::Restart { namespace, .. }
            | Operation::DeletePod { namespace, .. }
            | Operation::Demo { namespace, .. } => namespace,
            Operation::Exec { request } => &request.namespace,
            Operation::Test { request } => &request.namespace,
        }
    }

    /// The question asked before it runs, naming the object and the namespace.
    pub fn question(&self) -> String {
        match self {
            Operation::Deploy { request, revision } => {
                let what = revision.map_or(String::new(), |r| format!("revision {r} of "));
                format!("Apply {what}{} to {}?", request.release, request.namespace)
            }
            Operation::Rollback {
                namespace, release, to, ..
            } => format!(
                "Roll back release {release} in {namespace} to {}?",
                to.map_or("the last good revision".to_owned(), |r| format!("revision {r}"))
            ),
            Operation::Uninstall { namespace, release, .. } => {
                format!("Uninstall release {release} from {namespace}, deleting its objects?")
            }
            Operation::Scale {
                namespace,
                workload,
                replicas,
                ..
            } => format!("Scale {workload} in {namespace} to {replicas}?"),
            Operation::ScaleHpa { hpa, replicas, .. } => format!(
                "Set HPA {}'s minimum to {replicas} (maximum {})?",
                hpa.name,
                hpa.max.max(*replicas)
            ),
            Operation::Restart {
                namespace, workload, ..
            } => format!("Restart every pod of {workload} in {namespace}?"),
            Operation::DeletePod { namespace, name, .. } => {
                format!("Delete pod {name} in {namespace}? Its controller will replace it; kubedeck times that.")
            }
            Operation::Demo {
                namespace,
                release,
                demo,
            } => format!("{} Run it on release {release} in {namespace}?", demo.narration()),
            Operation::Exec { request } => format!(
                "Run {} in pod {}, container {} ({})?",
                request.command.join(" "),
                request.pod,
                request.container,
                request.namespace
            ),
            Operation::Test { request } => format!(
                "Run the tests of release {} in {} (its helm.sh/hook: test pods)?",
                request.release, request.namespace
            ),
        }
    }

    /// What is being done, as a heading over its progress.
    pub fn doing(&self) -> String {
        match self {
            Operation::Deploy { request, revision } => {
                let which = revision.map_or(String::new(), |r| format!(" revision {r}"));
                format!("Deploying {}{which} to {}", request.release, request.namespace)
            }
            Operation::Rollback {
                namespace, release, to, ..
            } => format!(
                "Rolling {release} back to {} in {namespace}",
                to.map_or("the last good revision".to_owned(), |r| format!("revision {r}"))
            ),
            Operation::Uninstall { namespace, release, .. } => format!("Uninstalling {release} from {namespace}"),
            Operation::Scale {
                namespace,
                workload,
                replicas,
                ..
            } => format!("Scaling {workload} in {namespace} to {replicas}"),
            Operation::ScaleHpa { hpa, replicas, .. } => format!("Setting HPA {}'s minimum to {replicas}", hpa.name),
            Operation::Restart {
                namespace, workload, ..
            } => format!("Restarting every pod of {workload} in {namespace}"),
            Operation::DeletePod { namespace, name, .. } => format!("Deleting pod {name} in {namespace}"),
            Operation::Demo {
                namespace,
                release,
                demo,
            } => format!("The {} demo on release {release} in {namespace}", demo.name()),
            Operation::Exec { request } => format!(
                "Running {} in {}/{}",
                request.command.join(" "),
                request.pod,
                request.container
            ),
            Operation::Test { request } => format!("Testing release {} in {}", request.release, request.namespace),
        }
    }

    /// What the audit log and a read-only refusal call it.
    pub fn subject(&self) -> Subject {
        match self {
            Operation::Deploy { request, .. } => Subject::deploy(&request.release),
            Operation::Rollback { release, to, .. } => Subject::rollback(release, *to),
            Operation::Uninstall { release, .. } => Subject::uninstall(release),
            Operation::Scale { workload, replicas, .. } | Operation::ScaleHpa { workload, replicas, .. } => {
                Subject::scale(&workload.to_string(), replicas)
            }
            Operation::Restart { workload, .. } => Subject::restart(&workload.to_string()),
            Operation::DeletePod { name, .. } => Subject::delete_pod(name),
            Operation::Demo { release, demo, .. } => Subject::demo(demo.name(), release),
            Operation::Exec { request } => Subject::exec(
                &format!("pod/{}", request.pod),
                Some(request.container.as_str()),
                &request.command,
            ),
            Operation::Test { request } => Subject::test(&request.release),
        }
    }

    /// What the user should know before saying yes: an HPA that will undo a manual scale, a
    /// demo about to change a cluster that does not look like one on this machine.
    pub fn warnings(&self, context: &str, hpa: Option<&ManagingHpa>) -> Vec<String> {
        match (self, hpa) {
            (Operation::Scale { workload, replicas, .. }, Some(h)) => vec![format!(
                "HPA {} manages {workload} ({}..{} replicas) and will override a manual scale; \
                 `kubedeck scale {workload} {replicas} --hpa` sets its minimum instead.",
                h.name, h.min, h.max
            )],
            (Operation::Demo { .. }, _) if !demo::looks_local(context) => vec![format!(
                "Context {context} does not look like a local cluster (minikube, kind, kwok, docker-desktop): \
                 this demo deletes or changes real pods there."
            )],
            _ => Vec::new(),
        }
    }

    /// Runs it; the outcome is one sentence, good or bad.
    pub async fn run(&self, client: &Client, progress: Progress<'_>) -> Result<String, String> {
        match self {
            Operation::Deploy { request, .. } => {
                let rev = deploy::deploy(client, request, progress).await?;
                Ok(format!("release {} revision {rev} deployed", request.release))
            }
            Operation::Rollback {
                namespace,
                release,
                to,
                timeout,
                waiting,
            } => {
                let which = (namespace.as_str(), release.as_str());
                let rev = deploy::rollback_waiting(client, which, *to, *timeout, *waiting, progress).await?;
                Ok(format!("release {release} rolled back: revision {rev} deployed"))
            }
            Operation::Uninstall {
                namespace,
                release,
                keep_history,
            } => {
                deploy::uninstall(client, namespace, release, *keep_history, progress).await?;
                Ok(format!("release {release} uninstalled"))
            }
            Operation::Scale {
                namespace,
                workload,
                replicas,
                timeout,
            } => operate::scale(client, namespace, workload, *replicas, *timeout, progress).await,
            Operation::ScaleHpa {
                namespace,
                hpa,
                replicas,
                ..
            } => operate::set_hpa_bounds(client, namespace, &hpa.name, *replicas, hpa.max.max(*replicas)).await,
            Operation::Restart {
                namespace,
                workload,
                timeout,
            } => operate::restart(client, namespace, workload, *timeout, progress).await,
            Operation::DeletePod {
                namespace,
                name,
                timeout,
            } => operate::delete_pod(client, namespace, name, *timeout, progress).await,
            Operation::Demo {
                namespace,
                release,
                demo,
            } => demo::run(client, namespace, release, *demo, progress).await,
            Operation::Exec { request } => {
                let local = exec::LocalEnd {
                    input: None,
                    output: Box::pin(tokio::io::sink()),
                    errors: Box::pin(tokio::io::sink()),
                    sizes: None,
                };
                let code = exec::run(client, request, local).await?;
                Ok(format!("{} exited {code}", request.command.join(" ")))
            }
            Operation::Test { request } => {
                let run = deploy::run_tests(client, request, progress).await?;
                for log in &run.logs {
                    progress(format!("logs of {} ({}):", log.pod, log.container));
                    log.text.lines().for_each(|line| progress(format!("  {line}")));
                }
                match run.failure {
                    None => Ok(run.summary()),
                    Some(_) => Err(run.summary()),
                }
            }
        }
    }

    /// Runs it between two audit entries: `started`, then its outcome. A log that cannot be
    /// written refuses it before it runs; if the outcome cannot be written after, that is said
    /// beside the outcome (the change already happened).
    pub async fn run_and_record(
        &self,
        client: &Client,
        context: &str,
        progress: Progress<'_>,
    ) -> Result<String, String> {
        self.subject().begin(context, self.namespace())?;
        let outcome = self.run(client, progress).await;
        let recorded = self.record(context, &outcome);
        match (outcome, recorded) {
            (Ok(done), Err(e)) => Ok(format!("{done} (audit log not written: {e})")),
            (outcome, _) => outcome,
        }
    }

    /// Appends its outcome to the audit log.
    pub fn record(&self, context: &str, outcome: &Result<String, String>) -> Result<(), String> {
        self.subject().record(context, self.namespace(), outcome)
    }

    /// Read-only mode forbids every operation: each of them changes the cluster.
    pub fn permitted(&self, readonly: bool, context: &str) -> Result<(), String> {
        self.subject().permitted(readonly, context)
    }
}

/// What the audit log and a read-only refusal call an operation: the object and what was done
/// to it. The command line builds it from the arguments as typed, so a command whose arguments
/// are wrong still leaves an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub object: String,
    pub verb: String,
}

impl Subject {
    fn new(object: String, verb: String) -> Subject {
        Subject { object, verb }
    }

    pub fn deploy(release: &str) -> Subject {
        Subject::new(format!("release/{release}"), "deploy".into())
    }

    pub fn rollback(release: &str, to: Option<i32>) -> Subject {
        let to = to.map_or("the last good revision".to_owned(), |r| r.to_string());
        Subject::new(format!("release/{release}"), format!("rollback to {to}"))
    }

    pub fn uninstall(release: &str) -> Subject {
        Subject::new(format!("release/{release}"), "uninstall".into())
    }

    /// `workload` as `deploy/NAME` or `sts/NAME`; `replicas` as asked, even when not a number.
    pub fn scale(workload: &str, replicas: &dyn Display) -> Subject {
        Subject::new(workload.into(), format!("scale to {replicas}"))
    }

    pub fn restart(workload: &str) -> Subject {
        Subject::new(workload.into(), "restart".into())
    }

    pub fn delete_pod(name: &str) -> Subject {
        Subject::new(format!("pod/{name}"), "delete".into())
    }

    pub fn demo(name: &str, release: &str) -> Subject {
        Subject::new(format!("release/{release}"), format!("demo {name}"))
    }

    /// `target` as typed (`pod/NAME`, `deploy/NAME`), the container when known.
    pub fn exec(target: &str, container: Option<&str>, command: &[String]) -> Subject {
        let object = match container {
            Some(c) => format!("{target} container {c}"),
            None => target.to_owned(),
        };
        Subject::new(object, format!("exec {}", command.join(" ")))
    }

    /// Read-only mode forbids every operation: each of them changes the cluster.
    pub fn test(release: &str) -> Subject {
        Subject::new(format!("release/{release}"), "test".into())
    }

    pub fn permitted(&self, readonly: bool, context: &str) -> Result<(), String> {
        if readonly {
            return Err(format!(
                "{} of {} refused: context {context} is read-only (--readonly, or readonly in the config file)",
                self.verb, self.object
            ));
        }
        Ok(())
    }

    /// Appends the `started` line before the operation runs; the error is the refusal to show
    /// when the log cannot be written, so nothing changes the cluster unaudited.
    pub fn begin(&self, context: &str, namespace: &str) -> Result<(), String> {
        audit::record(&audit::started(context, namespace, &self.object, &self.verb)).map_err(|e| {
            format!(
                "{} of {} refused: the audit log cannot be written ({e}); free space or fix the folder, \
                 or set KUBEDECK_STATE_DIR to a writable folder",
                self.verb, self.object
            )
        })
    }

    /// Appends one line to the audit log: who did what where, and how it ended.
    pub fn record(&self, context: &str, namespace: &str, result: &Result<String, String>) -> Result<(), String> {
        audit::record(&AuditEntry::new(context, namespace, &self.object, &self.verb, result))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_description_gives_the_question_the_refusal_the_audit_and_the_warnings() {
        let workload = WorkloadRef {
            statefulset: false,
            name: "backend".into(),
        };
        let scale = Operation::Scale {
            namespace: "shop".into(),
            workload,
            replicas: 4,
            timeout: Duration::from_secs(1),
        };
        assert_eq!(scale.question(), "Scale deploy/backend in shop to 4?");
        assert_eq!(
            scale.subject(),
            Subject {
                object: "deploy/backend".into(),
                verb: "scale to 4".into()
            }
        );
        assert_eq!(
            scale.permitted(true, "prod"),
            Err("scale to 4 of deploy/backend refused: context prod is read-only \
                 (--readonly, or readonly in the config file)"
                .into())
        );
        assert_eq!(scale.permitted(false, "prod"), Ok(()));
        assert!(scale.warnings("prod", None).is_empty());
        let hpa = ManagingHpa {
            name: "backend".into(),
            min: 2,
            max: 5,
        };
        let warnings = scale.warnings("minikube", Some(&hpa));
        assert!(
            warnings[0].starts_with("HPA backend manages deploy/backend (2..5 replicas) and will override"),
            "{warnings:?}"
        );

        let rollback = Operation::Rollback {
            namespace: "shop".into(),
            release: "todo".into(),
            to: None,
            timeout: Duration::from_secs(1),
            waiting: deploy::Waiting::default(),
        };
        assert_eq!(
            rollback.question(),
            "Roll back release todo in shop to the last good revision?"
        );
        assert_eq!(rollback.subject().verb, "rollback to the last good revision");
        let deploy = Subject::deploy("todo").permitted(true, "kind-kind").unwrap_err();
        assert!(deploy.starts_with("deploy of release/todo refused"), "{deploy}");

        let demo = Operation::Demo {
            namespace: "shop".into(),
            release: "todo".into(),
            demo: Demo::SelfHealing,
        };
        assert!(demo.warnings("kwok-kubedeck", None).is_empty());
        assert!(demo.warnings("gke_shop_prod", None)[0].contains("gke_shop_prod does not look like a local cluster"));
        assert_eq!(demo.subject(), Subject::demo("self-healing", "todo"));
    }
}
