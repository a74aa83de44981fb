//! Port-forwards through the API server (kube-rs's `Api::portforward`, a WebSocket per TCP
//! connection): a local listener whose connections reach a pod's port. The pod is looked up
//! again when it goes away, among the ready pods of the same Service or workload; when there is
//! none the forward says it is broken and why, and tries again on the next connection.

use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex};

use k8s_openapi::api::apps::v1::ReplicaSet;
use k8s_openapi::api::core::v1::Pod;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use kube::{Api, Client};
use tokio::net::{TcpListener, TcpStream};

use super::pod_target::{PodTarget, find_pod, get_service};
use super::workloads::WorkloadRef;

/// `LOCAL[:REMOTE]` as typed: `8000`, `8080:8000`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PortPair {
    pub local: u16,
    /// For a Service, its port (mapped to the pod's targetPort); otherwise the pod's port.
    pub remote: u16,
}

impl PortPair {
    pub fn parse(text: &str) -> Result<PortPair, String> {
        let (local, remote) = text.split_once(':').unwrap_or((text, text));
        Ok(PortPair {
            local: port(local)?,
            remote: port(remote)?,
        })
    }
}

fn port(text: &str) -> Result<u16, String> {
    match text.trim().parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => Ok(n as u16),
        Ok(n) => Err(format!("port {n} is out of range: give a port from 1 to 65535")),
        Err(_) => Err(format!(
            "{text:?} is not a port: write LOCAL or LOCAL:REMOTE, e.g. 8000 or 8080:8000"
        )),
    }
}

/// What a forward is doing, as the Forwards view and the command line show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardState {
    /// Connections reach this pod, on this port of it.
    Active { pod: String, port: u16 },
    /// No pod to reach; the reason, and a retry on the next connection.
    Broken(String),
}

/// Where a forward's state changes are reported.
pub type StateSink = Arc<dyn Fn(ForwardState) + Send + Sync>;

/// One forward, resolved and listening.
pub struct Forward {
    pub namespace: String,
    /// What the user asked for; a bare pod follows its workload when it goes away.
    pub target: PodTarget,
    pub ports: PortPair,
    pub listening: Vec<SocketAddr>,
    listeners: Vec<TcpListener>,
    /// The ready pods to move to when the pod goes away.
    follow: Option<PodTarget>,
    current: Arc<Mutex<ForwardState>>,
}

impl Forward {
    /// Finds the pod and the port, and listens on `addresses` (127.0.0.1 unless the user said
    /// otherwise). Errors are the one sentence to show: no such pod, no such port, port in use.
    pub async fn open(
        client: &Client,
        namespace: &str,
        target: PodTarget,
        ports: PortPair,
        addresses: &[IpAddr],
    ) -> Result<Forward, String> {
        let pod = find_pod(client, namespace, &target).await?;
        let port = pod_port(client, namespace, &target, &pod, ports.remote).await?;
        let follow = match &target {
            PodTarget::Pod(_) => owner_of(client, namespace, &pod).await,
            other => Some(other.clone()),
        };
        let mut listeners = Vec::new();
        for address in addresses {
            let at = SocketAddr::new(*address, ports.local);
            listeners.push(
                TcpListener::bind(at)
                    .await
                    .map_err(|e| bind_error(at, ports.remote, &e))?,
            );
        }
        let listening = listeners.iter().filter_map(|l| l.local_addr().ok()).collect();
        let state = ForwardState::Active {
            pod: pod.metadata.name.clone().unwrap_or_default(),
            port,
        };
        Ok(Forward {
            namespace: namespace.to_owned(),
            target,
            ports,
            listening,
            listeners,
            follow,
            current: Arc::new(Mutex::new(state)),
        })
    }

    pub fn state(&self) -> ForwardState {
        self.current
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|_| ForwardState::Broken("internal error".into()))
    }

    /// Serves connections until the task is dropped (aborted); `sink` hears each change of pod
    /// or breakage.
    pub async fn serve(self, client: Client, sink: StateSink) {
        let shared = Arc::new(Shared {
            client,
            namespace: self.namespace,
            target: self.target,
            remote: self.ports.remote,
            follow: self.follow,
            current: self.current,
            sink,
        });
        let mut accepting = tokio::task::JoinSet::new();
        for listener in self.listeners {
            let shared = shared.clone();
            accepting.spawn(async move {
                let mut connections = tokio::task::JoinSet::new();
                while let Ok((socket, _)) = listener.accept().await {
                    let shared = shared.clone();
                    connections.spawn(async move { shared.carry(socket).await });
                    while connections.try_join_next().is_some() {}
                }
            });
        }
        while accepting.join_next().await.is_some() {}
    }
}

fn bind_error(at: SocketAddr, remote: u16, e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::AddrInUse => format!(
            "{at} is already in use (by another program, or a forward already running): pick another local port \
             (LOCAL:REMOTE, e.g. {}:{remote})",
            at.port().saturating_add(1),
        ),
        std::io::ErrorKind::PermissionDenied => {
            format!("cannot listen on {at}: ports below 1024 need privileges; pick a port above 1024")
        }
        _ => format!("cannot listen on {at}: {e}"),
    }
}

/// The pod's port: for a Service, the targetPort its port maps to (a name is looked up in the
/// pod's containers); otherwise the port as given.
async fn pod_port(client: &Client, namespace: &str, target: &PodTarget, pod: &Pod, remote: u16) -> Result<u16, String> {
    let PodTarget::Service(name) = target else {
        return Ok(remote);
    };
    let service = get_service(client, namespace, name).await?;
    let ports = service.spec.and_then(|s| s.ports).unwrap_or_default();
    let Some(port) = ports.iter().find(|p| p.port == i32::from(remote)) else {
        let known: Vec<String> = ports.iter().map(|p| p.port.to_string()).collect();
        return Err(format!(
            "service {name} has no port {remote}: its ports are {}",
            known.join(", ")
        ));
    };
    let named = |wanted: &str| {
        pod.spec
            .iter()
            .flat_map(|s| &s.containers)
            .flat_map(|c| c.ports.iter().flatten())
            .find(|p| p.name.as_deref() == Some(wanted))
            .map(|p| p.container_port)
    };
    let number = match &port.target_port {
        None => Some(port.port),
        Some(IntOrString::Int(n)) => Some(*n),
        Some(IntOrString::String(s)) => named(s),
    };
    number.and_then(|n| u16::try_from(n).ok()).ok_or_else(|| {
        format!(
            "service {name}'s port {remote} targets a port the pod {} does not name",
            pod.metadata.name.as_deref().unwrap_or_default()
        )
    })
}

/// The workload that replaces a pod when it goes away: its StatefulSet, or the Deployment of
/// its ReplicaSet. None for a bare pod, which nothing replaces.
async fn owner_of(client: &Client, namespace: &str, pod: &Pod) -> Option<PodTarget> {
    let owner = pod
        .metadata
        .owner_references
        .as_ref()?
        .iter()
        .find(|o| o.controller == Some(true))?;
    match owner.kind.as_str() {
        "StatefulSet" => Some(PodTarget::Workload(WorkloadRef {
            statefulset: true,
            name: owner.name.clone(),
        })),
        "ReplicaSet" => {
            let rs = Api::<ReplicaSet>::namespaced(client.clone(), namespace)
                .get(&owner.name)
                .await
                .ok()?;
            let deploy = rs
                .metadata
                .owner_references?
                .into_iter()
                .find(|o| o.kind == "Deployment")?;
            Some(PodTarget::Workload(WorkloadRef {
                statefulset: false,
                name: deploy.name,
            }))
        }
        _ => None,
    }
}

/// What every connection of one forward shares.
struct Shared {
    client: Client,
    namespace: String,
    target: PodTarget,
    remote: u16,
    follow: Option<PodTarget>,
    current: Arc<Mutex<ForwardState>>,
    sink: StateSink,
}

impl Shared {
    /// Carries one local connection to the pod, moving to another pod first when the current
    /// one cannot be reached.
    async fn carry(&self, mut socket: TcpStream) {
        let pods = Api::<Pod>::namespaced(self.client.clone(), &self.namespace);
        let mut moved = false;
        loop {
            let (pod, port) = match self.state() {
                ForwardState::Active { pod, port } => (pod, port),
                ForwardState::Broken(_) => match self.move_on().await {
                    Some(found) => found,
                    None => return,
                },
            };
            // A pod nothing replaces is tried as long as it exists; otherwise only a ready one.
            let alive = pods
                .get_opt(&pod)
                .await
                .ok()
                .flatten()
                .is_some_and(|p| self.follow.is_none() || super::pod_target::is_ready(&p));
            let opened = match alive {
                true => pods.portforward(&pod, &[port]).await.ok(),
                false => None,
            };
            match opened {
                Some(mut forwarder) => {
                    if let Some(mut stream) = forwarder.take_stream(port) {
                        let _ = tokio::io::copy_bidirectional(&mut socket, &mut stream).await;
                    }
                    drop(forwarder);
                    return;
                }
                None if moved => return,
                None => {
                    moved = true;
                    self.set(ForwardState::Broken(format!("pod {pod} cannot be reached")));
                }
            }
        }
    }

    fn state(&self) -> ForwardState {
        self.current
            .lock()
            .map(|s| s.clone())
            .unwrap_or_else(|_| ForwardState::Broken("internal error".into()))
    }

    fn set(&self, state: ForwardState) {
        if let Ok(mut current) = self.current.lock() {
            if *current == state {
                return;
            }
            *current = state.clone();
        }
        (self.sink)(state);
    }

    /// A new ready pod of the same Service or workload, or the reason there is none.
    async fn move_on(&self) -> Option<(String, u16)> {
        let Some(follow) = &self.follow else {
            self.set(ForwardState::Broken(format!(
                "{} is gone and no workload replaces it",
                self.target
            )));
            return None;
        };
        let found = async {
            let pod = find_pod(&self.client, &self.namespace, follow).await?;
            let port = pod_port(&self.client, &self.namespace, &self.target, &pod, self.remote).await?;
            Ok::<_, String>((pod.metadata.name.clone().unwrap_or_default(), port))
        };
        match found.await {
            Ok((pod, port)) => {
                self.set(ForwardState::Active { pod: pod.clone(), port });
                Some((pod, port))
            }
            Err(reason) => {
                self.set(ForwardState::Broken(reason));
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_parse_and_bad_ones_say_what_to_write() {
        assert_eq!(
            PortPair::parse("8000"),
            Ok(PortPair {
                local: 8000,
                remote: 8000
            })
        );
        assert_eq!(
            PortPair::parse("8080:80"),
            Ok(PortPair {
                local: 8080,
                remote: 80
            })
        );
        assert_eq!(
            PortPair::parse("70000").unwrap_err(),
            "port 70000 is out of range: give a port from 1 to 65535"
        );
        assert_eq!(
            PortPair::parse("0:80").unwrap_err(),
            "port 0 is out of range: give a port from 1 to 65535"
        );
        assert!(PortPair::parse("http").unwrap_err().contains("is not a port"));
    }
}
