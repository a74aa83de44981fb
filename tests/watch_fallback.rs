//! Streaming lists, and the way back to paged lists. kubedeck's watches but the pods' ask for
//! their first listing as a stream (`sendInitialEvents`); an API server with the `WatchList`
//! feature off refuses that, and the panes must then list the old way, without the user seeing a
//! failure. The pods watch lists in pages from the start (`watch::pods_config`).
//! This test starts a second sim cluster of its own with `--feature-gates=WatchList=false`.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

use futures::StreamExt;
use k8s_openapi::api::core::v1::Pod;
use kube::api::PostParams;
use kube::runtime::watcher;
use kube::{Api, Client};
use kubedeck::app::Connection;
use kubedeck::cluster::ConnectOptions;
use kubedeck::cluster::watch;

const WAIT: Duration = Duration::from_secs(60);

/// A sim cluster with some API server feature gates set, deleted when dropped.
struct GatedCluster {
    name: String,
}

impl GatedCluster {
    fn up(suffix: &str, gates: &str) -> (GatedCluster, PathBuf) {
        let base = std::env::var("KUBEDECK_SIM_NAME").unwrap_or_else(|_| "kubedeck".into());
        let cluster = GatedCluster {
            name: format!("{base}-{suffix}"),
        };
        let _ = cluster.sim(&["down"], None);
        let kubeconfig = cluster.sim(&["up"], Some(gates));
        (cluster, PathBuf::from(kubeconfig))
    }

    fn sim(&self, args: &[&str], gates: Option<&str>) -> String {
        let mut cmd = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/sim"));
        cmd.args(args).args(["--name", &self.name]);
        if let Some(gates) = gates {
            cmd.env("KUBEDECK_SIM_FEATURE_GATES", gates);
        }
        let out = cmd.output().expect("running scripts/sim");
        assert!(
            out.status.success() || args == ["down"],
            "scripts/sim {args:?} --name {} failed:\n{}\n{}",
            self.name,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }
}

impl Drop for GatedCluster {
    fn drop(&mut self) {
        self.sim(&["down"], None);
    }
}

async fn client_for(kubeconfig: &PathBuf) -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig).expect("reading the kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kubeconfig usable");
    Client::try_from(config).expect("client")
}

fn bare_pod(name: &str) -> Pod {
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "spec": {"containers": [{"name": "main", "image": "registry.local/todo/backend:1.0"}]}
    }))
    .unwrap()
}

#[tokio::test]
async fn the_sim_cluster_serves_streaming_lists() {
    // Every other integration test lists this way; this one says so out loud.
    let pods: Api<Pod> = Api::all(common::client().await);
    let mut streaming = watcher(pods, watch::config()).boxed();
    let first = streaming.next().await.expect("the watcher yields");
    assert!(matches!(first, Ok(watcher::Event::Init)), "{first:?}");
    let second = streaming.next().await.expect("the watcher yields");
    assert!(
        matches!(second, Ok(watcher::Event::InitApply(_) | watcher::Event::InitDone)),
        "{second:?}"
    );
}

#[tokio::test]
async fn panes_fill_through_paged_lists_when_the_server_refuses_streaming_lists() {
    let (_cluster, kubeconfig) = GatedCluster::up("nowatchlist", "WatchList=false");
    // A namespace with the sim's default stages is enough; kwok runs the pods.
    let client = client_for(&kubeconfig).await;
    let ns = common::namespace(&client, "fallback").await;
    let pods: Api<Pod> = Api::namespaced(client.clone(), &ns);
    for name in ["api-0", "api-1"] {
        pods.create(&PostParams::default(), &bare_pod(name)).await.unwrap();
    }
    common::create_deployment(&client, &ns, "web", 0).await;

    // The case is real: this server refuses the streaming list kubedeck asks for first.
    let mut streaming = watcher(pods.clone(), watch::config()).boxed();
    let refused = streaming
        .next()
        .await
        .expect("the watcher yields")
        .expect_err("a refusal");
    assert!(watch::streaming_refused(&refused), "{refused:?}");

    let mut dash = common::Dashboard::start(ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        namespace: Some(ns.clone()),
        ..Default::default()
    });
    dash.wait_until("both pods and the deployment listed", WAIT, |app| {
        app.connection == Connection::Live
            && app.data.pods.is_synced()
            && app.data.pods.len() == 2
            && app.data.deployments.is_synced()
            && app.data.deployments.len() == 1
    })
    .await;
    // The paged listings are followed by working watches: the deployments' after the refusal
    // of its stream, the pods' as it always lists.
    pods.create(&PostParams::default(), &bare_pod("api-2")).await.unwrap();
    common::create_deployment(&client, &ns, "worker", 0).await;
    dash.wait_until(
        "the pod and deployment created after the listing show up",
        WAIT,
        |app| {
            app.data.pods.iter().any(|p| p.key.name == "api-2")
                && app.data.deployments.iter().any(|d| d.key.name == "deploy/worker")
        },
    )
    .await;
    let failures: Vec<&String> = dash
        .watch_failures
        .iter()
        .filter(|f| f.starts_with("pods:") || f.starts_with("deployments:"))
        .collect();
    assert!(failures.is_empty(), "the refusal must not reach the user: {failures:?}");
    assert_eq!(dash.app.panes.get(kubedeck::app::PaneId::Pods).problem, None);
}
