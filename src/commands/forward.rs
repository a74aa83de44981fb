//! `kubedeck port-forward`: local ports to a pod, a workload's or a Service's, until Ctrl-C;
//! a pod that goes away is replaced by a new ready one of the same workload or Service.

use std::net::IpAddr;
use std::sync::Arc;

use kube::Client;

use crate::cli::PortForwardArgs;
use crate::cluster::forward::{Forward, ForwardState, PortPair};
use crate::cluster::pod_target::PodTarget;

pub async fn run(client: &Client, namespace: &str, args: PortForwardArgs) -> Result<String, String> {
    let target = PodTarget::parse(&args.target)?;
    let addresses = args
        .address
        .iter()
        .map(|a| match a.as_str() {
            "localhost" => Ok(IpAddr::from([127, 0, 0, 1])),
            other => other
                .parse::<IpAddr>()
                .map_err(|_| format!("--address {other:?} is not an IP address: write e.g. 127.0.0.1 or 0.0.0.0")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let pairs = args
        .ports
        .iter()
        .map(|p| PortPair::parse(p))
        .collect::<Result<Vec<_>, _>>()?;
    let mut running = tokio::task::JoinSet::new();
    for pair in pairs {
        let forward = Forward::open(client, namespace, target.clone(), pair, &addresses).await?;
        let label = format!("{} port {}", target, pair.remote);
        for at in &forward.listening {
            match forward.state() {
                ForwardState::Active { pod, port } => {
                    outln!("Forwarding from {at} -> {label} (pod {pod} port {port})")
                }
                ForwardState::Broken(why) => outln!("Forwarding from {at} -> {label}: broken: {why}"),
            }
        }
        let sink = Arc::new(move |state: ForwardState| match state {
            ForwardState::Active { pod, port } => outln!("{label}: now pod {pod} port {port}"),
            ForwardState::Broken(why) => outln!("{label}: broken: {why}"),
        });
        running.spawn(forward.serve(client.clone(), sink));
    }
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| format!("cannot wait for Ctrl-C: {e}"))?;
    running.abort_all();
    Ok("stopped forwarding".into())
}
