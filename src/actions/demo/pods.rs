//! The demos that move pods: self-healing (delete one, time its replacement), scaling (ask for
//! more frontend replicas) and autoscaling (load on the backend until its HPA adds replicas).

use std::time::{Duration, Instant};

use futures::StreamExt;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{Patch, PatchParams, PostParams};
use kube::runtime::{WatchStreamExt, watcher};
use serde_json::json;

use super::undo::{Step, Undo};
use super::{Outcome, PATIENCE, Release};
use crate::actions::deploy::Progress;
use crate::actions::operate::{self, WorkloadRef};

pub(super) async fn self_healing(app: &Release<'_>, progress: Progress<'_>) -> Result<Outcome, String> {
    let pods = app.ready_pods("backend").await?;
    let pod = pods
        .first()
        .and_then(|p| p.metadata.name.clone())
        .ok_or("no Ready backend pod to delete: wait until the backend is up")?;
    progress(format!("Deleting pod {pod} ..."));
    let started = Instant::now();
    let result = operate::delete_pod(app.client, app.namespace, &pod, PATIENCE, progress).await?;
    Ok(Outcome {
        summary: format!("Self-healing: backend pod {pod} deleted; {result}"),
        figure: format!("{:.1} s", started.elapsed().as_secs_f32()),
    })
}

pub(super) async fn scaling(app: &Release<'_>, undo: &Undo, progress: Progress<'_>) -> Result<Outcome, String> {
    let frontend = app.deployment("frontend").await?;
    let target = 4;
    let started = Instant::now();
    match operate::hpa_for(app.client, app.namespace, &frontend).await? {
        Some(hpa) => {
            // The HPA owns the replica count: raise its floor; the undo puts it back.
            let name = hpa.metadata.name.clone().unwrap_or_default();
            let (min, max) = (hpa.spec.min_replicas.unwrap_or(1), hpa.spec.max_replicas);
            progress(format!(
                "HPA {name} manages {frontend} ({min}..{max}); raising its minimum to {target}"
            ));
            undo.push(Step::HpaBounds {
                name: name.clone(),
                min,
                max,
            });
            operate::set_hpa_bounds(app.client, app.namespace, &name, target, max.max(target)).await?;
            let secs = wait_ready_replicas(app, &frontend, target, progress).await?;
            Ok(Outcome {
                summary: format!(
                    "Scaling: {frontend} had {target} Ready replicas {secs:.1}s after asking (the HPA then scales it back)"
                ),
                figure: format!("{secs:.1} s ({min} -> {target})"),
            })
        }
        None => {
            let before = replicas(app, &frontend).await?;
            progress(format!("{frontend}: {before} -> {target} replicas"));
            undo.push(Step::Replicas {
                workload: frontend.clone(),
                replicas: before,
            });
            operate::scale(app.client, app.namespace, &frontend, target, PATIENCE, progress).await?;
            let secs = started.elapsed().as_secs_f32();
            Ok(Outcome {
                summary: format!(
                    "Scaling: {frontend} went from {before} to {target} Ready replicas in {secs:.1}s, and back"
                ),
                figure: format!("{secs:.1} s ({before} -> {target})"),
            })
        }
    }
}

async fn replicas(app: &Release<'_>, workload: &WorkloadRef) -> Result<i32, String> {
    Api::<Deployment>::namespaced(app.client.clone(), app.namespace)
        .get(&workload.name)
        .await
        .map(|d| d.spec.and_then(|s| s.replicas).unwrap_or(1))
        .map_err(|e| {
            crate::cluster::explain(
                &e,
                crate::cluster::Attempt::new("get", &workload.to_string(), app.namespace),
            )
        })
}

/// Waits until the Deployment has at least `n` ready replicas; the seconds it took.
async fn wait_ready_replicas(
    app: &Release<'_>,
    workload: &WorkloadRef,
    n: i32,
    progress: Progress<'_>,
) -> Result<f32, String> {
    let started = Instant::now();
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let api = Api::<Deployment>::namespaced(app.client.clone(), app.namespace);
    // Fed by a watch on this one Deployment: each change of its status, no polling.
    let only_it = watcher::Config::default().fields(&format!("metadata.name={}", workload.name));
    let mut changes = std::pin::pin!(watcher(api, only_it).applied_objects());
    let mut last = -1;
    loop {
        let deployment = match tokio::time::timeout_at(deadline, changes.next()).await {
            Ok(Some(Ok(d))) => d,
            Ok(Some(Err(e))) => return Err(format!("watching {workload}: {e}")),
            Ok(None) => return Err(format!("the watch on {workload} ended")),
            Err(_) => {
                return Err(format!(
                    "{workload} did not reach {n} ready replicas within {}s",
                    PATIENCE.as_secs()
                ));
            }
        };
        let ready = deployment.status.and_then(|s| s.ready_replicas).unwrap_or(0);
        if ready != last {
            progress(format!("{workload}: {ready} of {n} ready"));
            last = ready;
        }
        if ready >= n {
            return Ok(started.elapsed().as_secs_f32());
        }
    }
}

pub(super) async fn autoscaling(app: &Release<'_>, undo: &Undo, progress: Progress<'_>) -> Result<Outcome, String> {
    let backend = app.deployment("backend").await?;
    let hpa = operate::hpa_for(app.client, app.namespace, &backend)
        .await?
        .ok_or_else(|| format!("no HPA scales {backend}: enable backend.autoscaling in the chart's values"))?;
    let name = hpa.metadata.name.clone().unwrap_or_default();
    // The Deployment's count, at least the HPA's floor (a fresh HPA first lifts it there).
    let before = replicas(app, &backend).await?.max(hpa.spec.min_replicas.unwrap_or(1));
    let max = hpa.spec.max_replicas;
    let pods = app.ready_pods("backend").await?;
    let fake = match pods.first() {
        Some(p) => app.on_fake_nodes(p).await,
        None => return Err("no Ready backend pod: wait until the backend is up".into()),
    };
    let spec = pods.first().and_then(|p| p.spec.clone()).unwrap_or_default();
    let load = Load { app, fake, spec };
    progress(if fake {
        "Fake nodes (kwok): raising the backend pods' reported CPU to 900m each".to_owned()
    } else {
        "Starting a load-generator pod that calls the backend in a loop".to_owned()
    });
    undo.push(match fake {
        true => Step::FakeLoad {
            selector: app.selector("backend"),
        },
        false => Step::LoadPod { name: LOAD_POD.into() },
    });
    load.start().await?;
    let started = Instant::now();
    let api = Api::<HorizontalPodAutoscaler>::namespaced(app.client.clone(), app.namespace);
    loop {
        if load.fake {
            // Pods the HPA adds report the same load, as real pods under the same traffic would.
            load.start().await?;
        }
        let hpa = api.get(&name).await.map_err(|e| {
            crate::cluster::explain(
                &e,
                crate::cluster::Attempt::new("get", &format!("HPA {name}"), app.namespace),
            )
        })?;
        let status = hpa.status.unwrap_or_default();
        let (current, desired) = (status.current_replicas.unwrap_or(0), status.desired_replicas);
        progress(format!("HPA {name}: {current} replicas, wants {desired} (max {max})"));
        if current > before && current >= desired {
            let secs = started.elapsed().as_secs_f32();
            return Ok(Outcome {
                summary: format!(
                    "Autoscaling: HPA {name} took {backend} from {before} to {current} replicas {secs:.0}s after the load \
                     started; the load is off again, and it scales back down after its stabilization window"
                ),
                figure: format!("{secs:.0} s ({before} -> {current})"),
            });
        }
        if started.elapsed() > PATIENCE {
            return Err(format!(
                "HPA {name} did not add replicas within {}s: is metrics-server running?",
                PATIENCE.as_secs()
            ));
        }
        tokio::time::sleep(Duration::from_secs(3)).await;
    }
}

/// Load on the backend: reported CPU on fake nodes, a load-generator pod on real ones.
struct Load<'a> {
    app: &'a Release<'a>,
    fake: bool,
    /// A backend pod's spec: the load runs where the backend may run (node selector, tolerations).
    spec: k8s_openapi::api::core::v1::PodSpec,
}

const LOAD_POD: &str = "kubedeck-demo-load";

impl Load<'_> {
    async fn start(&self) -> Result<(), String> {
        if self.fake {
            return self.set_usage("900m").await;
        }
        // The backend pods by address: a cluster without DNS or kube-proxy (the sim) has no
        // Service name to call, and every cluster routes pod to pod. Four loops a pod, so even a
        // light backend uses enough CPU for its HPA to see.
        let mut loops = Vec::new();
        for pod in self.app.ready_pods("backend").await? {
            let ip = pod.status.as_ref().and_then(|s| s.pod_ip.clone()).unwrap_or_default();
            let port = pod
                .spec
                .as_ref()
                .and_then(|s| s.containers.first())
                .and_then(|c| c.ports.as_ref())
                .and_then(|p| p.first())
                .map_or(80, |p| p.container_port);
            if !ip.is_empty() {
                loops
                    .push(format!("(while true; do wget -q -O /dev/null http://{ip}:{port}/health; done) &").repeat(4));
            }
        }
        if loops.is_empty() {
            return Err("no Ready backend pod has an address to send load to".into());
        }
        let script = format!("{} wait", loops.join(" "));
        let pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": LOAD_POD, "labels": {"app.kubernetes.io/managed-by": "kubedeck-demo"}},
            "spec": {"restartPolicy": "Never",
                "nodeSelector": self.spec.node_selector, "tolerations": self.spec.tolerations,
                "containers": [{
                "name": "load", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
                "command": ["sh", "-c", script]
            }]}
        }))
        .map_err(|e| e.to_string())?;
        Api::<Pod>::namespaced(self.app.client.clone(), self.app.namespace)
            .create(&PostParams::default(), &pod)
            .await
            .map(|_| ())
            .or_else(|e| match e {
                kube::Error::Api(s) if s.code == 409 => Ok(()),
                e => Err(crate::cluster::explain(
                    &e,
                    crate::cluster::Attempt::new("create", "the load generator pod", self.app.namespace),
                )),
            })
    }

    /// kwok reports this CPU use for every backend pod (see assets/sim/README.md).
    async fn set_usage(&self, cpu: &str) -> Result<(), String> {
        let api = Api::<Pod>::namespaced(self.app.client.clone(), self.app.namespace);
        let patch = Patch::Merge(json!({"metadata": {"annotations": {"kwok.x-k8s.io/usage-cpu": cpu}}}));
        for pod in self.app.ready_pods("backend").await? {
            let name = pod.metadata.name.unwrap_or_default();
            api.patch(&name, &PatchParams::default(), &patch).await.map_err(|e| {
                crate::cluster::explain(
                    &e,
                    crate::cluster::Attempt::new("patch", &format!("pod {name}"), self.app.namespace),
                )
            })?;
        }
        Ok(())
    }
}
