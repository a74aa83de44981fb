//! The app's health endpoints called from here, through a port-forward to a ready pod of each
//! Deployment: the paths are the ones its own HTTP probes use (the chart's `/health`, `/ready`,
//! `/api/health`), so what is checked is what the kubelet checks.

use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, Pod, Probe};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::api::ListParams;
use kube::{Api, Client};
use serde::Serialize;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::pod_target::{PodTarget, find_pod};
use super::workloads::WorkloadRef;
use super::{Attempt, explain};

/// How long one endpoint may take to answer.
const ANSWER_WITHIN: Duration = Duration::from_secs(5);

/// One endpoint's answer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProbeAnswer {
    /// `deploy/NAME`.
    pub workload: String,
    pub pod: String,
    pub path: String,
    pub port: u16,
    /// The HTTP status, when one came.
    pub status: Option<u16>,
    /// What went wrong when no 2xx/3xx came: the status line, or why nothing did.
    pub problem: Option<String>,
    pub millis: u64,
}

impl ProbeAnswer {
    pub fn ok(&self) -> bool {
        self.problem.is_none()
    }

    /// `deploy/backend GET /ready -> 200 in 12 ms (pod backend-1)`.
    pub fn line(&self) -> String {
        let answer = match (&self.problem, self.status) {
            (None, Some(code)) => format!("{code}"),
            (Some(problem), _) => format!("FAILED: {problem}"),
            (None, None) => "no answer".into(),
        };
        format!(
            "{} GET {} (port {}) -> {answer} in {} ms (pod {})",
            self.workload, self.path, self.port, self.millis, self.pod
        )
    }
}

/// Calls every HTTP probe path of every Deployment in `namespace` (of `release` when given,
/// by its `app.kubernetes.io/instance` label), each once, through a ready pod.
pub async fn probe_all(client: &Client, namespace: &str, release: Option<&str>) -> Result<Vec<ProbeAnswer>, String> {
    let mut params = ListParams::default();
    if let Some(release) = release {
        params = params.labels(&format!("app.kubernetes.io/instance={release}"));
    }
    let deployments = Api::<Deployment>::namespaced(client.clone(), namespace)
        .list(&params)
        .await
        .map_err(|e| explain(&e, Attempt::new("list", "deployments", namespace)))?;
    let mut answers = Vec::new();
    for deploy in deployments.items {
        let name = deploy.metadata.name.clone().unwrap_or_default();
        let containers = deploy
            .spec
            .and_then(|s| s.template.spec)
            .map(|s| s.containers)
            .unwrap_or_default();
        let endpoints = endpoints_of(&containers);
        if endpoints.is_empty() {
            continue;
        }
        let target = PodTarget::Workload(WorkloadRef {
            statefulset: false,
            name: name.clone(),
        });
        let pod = find_pod(client, namespace, &target).await;
        for (path, port) in endpoints {
            answers.push(match &pod {
                Ok(pod) => call(client, namespace, pod, &target, &path, port).await,
                Err(why) => ProbeAnswer {
                    workload: target.to_string(),
                    pod: String::new(),
                    path,
                    port,
                    status: None,
                    problem: Some(why.clone()),
                    millis: 0,
                },
            });
        }
    }
    Ok(answers)
}

/// The distinct (path, port) of the containers' HTTP probes, in the order liveness, readiness,
/// startup; named ports are looked up in the container's ports.
fn endpoints_of(containers: &[Container]) -> Vec<(String, u16)> {
    let mut found: Vec<(String, u16)> = Vec::new();
    for c in containers {
        let probes = [&c.liveness_probe, &c.readiness_probe, &c.startup_probe];
        for probe in probes.into_iter().flatten() {
            if let Some(endpoint) = endpoint_of(c, probe)
                && !found.contains(&endpoint)
            {
                found.push(endpoint);
            }
        }
    }
    found
}

fn endpoint_of(container: &Container, probe: &Probe) -> Option<(String, u16)> {
    let get = probe.http_get.as_ref()?;
    let port = match &get.port {
        IntOrString::Int(n) => *n,
        IntOrString::String(name) => {
            container
                .ports
                .iter()
                .flatten()
                .find(|p| p.name.as_deref() == Some(name))?
                .container_port
        }
    };
    Some((
        get.path.clone().unwrap_or_else(|| "/".into()),
        u16::try_from(port).ok()?,
    ))
}

async fn call(client: &Client, namespace: &str, pod: &Pod, target: &PodTarget, path: &str, port: u16) -> ProbeAnswer {
    let pod_name = pod.metadata.name.clone().unwrap_or_default();
    let started = Instant::now();
    let result = tokio::time::timeout(ANSWER_WITHIN, get(client, namespace, &pod_name, path, port)).await;
    let millis = started.elapsed().as_millis() as u64;
    let (status, problem) = match result {
        Ok(Ok((code, _))) if (200..400).contains(&code) => (Some(code), None),
        Ok(Ok((code, line))) => (Some(code), Some(line)),
        Ok(Err(why)) => (None, Some(why)),
        Err(_) => (None, Some(format!("no answer within {} s", ANSWER_WITHIN.as_secs()))),
    };
    ProbeAnswer {
        workload: target.to_string(),
        pod: pod_name,
        path: path.to_owned(),
        port,
        status,
        problem,
        millis,
    }
}

/// One HTTP/1.1 GET through a port-forward; the status code and the status line.
async fn get(client: &Client, namespace: &str, pod: &str, path: &str, port: u16) -> Result<(u16, String), String> {
    let mut forwarder = Api::<Pod>::namespaced(client.clone(), namespace)
        .portforward(pod, &[port])
        .await
        .map_err(|e| explain(&e, Attempt::new("port-forward to", &format!("pod {pod}"), namespace)))?;
    let mut stream = forwarder
        .take_stream(port)
        .ok_or_else(|| format!("the port-forward to pod {pod} gave no stream for port {port}"))?;
    let request =
        format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nUser-Agent: kubedeck\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .await
        .map_err(|e| format!("cannot send the request to pod {pod} port {port}: {e}"))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(2).any(|w| w == b"\r\n") && head.len() < 8192 {
        let n = stream
            .read(&mut buf)
            .await
            .map_err(|e| format!("pod {pod} port {port} did not answer: {e}"))?;
        if n == 0 {
            break;
        }
        head.extend_from_slice(&buf[..n]);
    }
    drop(stream);
    let text = String::from_utf8_lossy(&head);
    let line = crate::text::sanitize(text.lines().next().unwrap_or_default());
    let code = line
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse::<u16>().ok())
        .ok_or_else(|| match line.is_empty() {
            true => format!("pod {pod} closed port {port} without answering (is anything listening?)"),
            false => format!("pod {pod} port {port} answered {line:?}, not HTTP"),
        })?;
    Ok((code, line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_come_from_the_containers_own_probes() {
        let c: Container = serde_json::from_value(serde_json::json!({
            "name": "backend",
            "ports": [{"name": "http", "containerPort": 8000}],
            "livenessProbe": {"httpGet": {"path": "/health", "port": "http"}},
            "readinessProbe": {"httpGet": {"path": "/ready", "port": 8000}},
            "startupProbe": {"httpGet": {"path": "/health", "port": "http"}}
        }))
        .unwrap();
        assert_eq!(
            endpoints_of(&[c]),
            vec![("/health".to_owned(), 8000), ("/ready".to_owned(), 8000)]
        );
    }
}
