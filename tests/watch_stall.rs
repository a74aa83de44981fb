//! One watch that stops delivering while the others work. The test starts a sim cluster of its
//! own whose Events live in a second etcd (kube-apiserver's --etcd-servers-overrides, as big
//! clusters do) and freezes that etcd: only the Events watch stalls, the API server and every
//! other watch answer. The Events pane must say so (no answer for N s, rows dimmed) while the
//! header stays live, and come back by itself when the etcd does; a quiet but healthy
//! namespace must never be flagged.

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::core::v1::Event;
use kube::api::PostParams;
use kube::{Api, Client};
use kubedeck::app::{Connection, Msg, PaneId};
use kubedeck::cluster::ConnectOptions;

/// A sim cluster with Events in a second etcd, deleted when dropped.
struct SplitCluster {
    name: String,
}

impl SplitCluster {
    fn up() -> (SplitCluster, PathBuf) {
        let base = std::env::var("KUBEDECK_SIM_NAME").unwrap_or_else(|_| "kubedeck".into());
        let cluster = SplitCluster {
            name: format!("{base}-stall"),
        };
        let _ = cluster.sim(&["down"]);
        let kubeconfig = cluster.sim(&["up", "--second-etcd", "/events"]);
        (cluster, PathBuf::from(kubeconfig))
    }

    fn sim(&self, args: &[&str]) -> String {
        let out = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/sim"))
            .args(args)
            .args(["--name", &self.name])
            .output()
            .expect("running scripts/sim");
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

impl Drop for SplitCluster {
    fn drop(&mut self) {
        // A frozen etcd would hold the cluster's deletion up.
        let _ = Command::new(concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/sim"))
            .args(["thaw-second-etcd", "--name", &self.name])
            .output();
        self.sim(&["down"]);
    }
}

async fn client_for(kubeconfig: &PathBuf) -> Client {
    let kubeconfig = kube::config::Kubeconfig::read_from(kubeconfig).expect("reading the kubeconfig");
    let config = kube::Config::from_custom_kubeconfig(kubeconfig, &Default::default())
        .await
        .expect("kubeconfig usable");
    Client::try_from(config).expect("client")
}

async fn note(client: &Client, ns: &str, name: &str) {
    let event: Event = serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "involvedObject": {"kind": "Pod", "name": "p-0", "namespace": ns},
        "reason": "Checked", "message": format!("{name} noted"), "type": "Normal"
    }))
    .unwrap();
    Api::<Event>::namespaced(client.clone(), ns)
        .create(&PostParams::default(), &event)
        .await
        .expect("creating an event");
}

fn events_stalled(app: &kubedeck::app::App) -> bool {
    app.panes.get(PaneId::Events).no_answer_since.is_some()
}

#[tokio::test]
async fn one_stalled_watch_is_noticed_by_its_pane_and_comes_back() {
    let (cluster, kubeconfig) = SplitCluster::up();
    let client = client_for(&kubeconfig).await;
    let ns = "stall";
    let namespace = serde_json::from_value(serde_json::json!({"metadata": {"name": ns}})).unwrap();
    Api::<k8s_openapi::api::core::v1::Namespace>::all(client.clone())
        .create(&PostParams::default(), &namespace)
        .await
        .expect("creating the namespace");
    common::create_bare_pods(&client, ns, "p", 0..2).await;
    note(&client, ns, "first").await;

    let mut dash = common::Dashboard::start(ConnectOptions {
        kubeconfig: Some(kubeconfig.clone()),
        namespace: Some(ns.into()),
        ..Default::default()
    });
    // The Events pane shown, as a user would: its watch starts when it is first shown.
    dash.apply(Msg::Key(KeyEvent::new(KeyCode::Char('6'), KeyModifiers::NONE)));
    dash.wait_until("pods and the event listed", Duration::from_secs(120), |app| {
        app.data.pods.len() == 2 && app.data.events.len() == 1 && app.connection == Connection::Live
    })
    .await;

    // Quiet but healthy: well past the time a quiet watch is asked, nothing is flagged.
    dash.run_for(Duration::from_secs(40)).await;
    for pane in PaneId::ALL {
        assert_eq!(
            dash.app.panes.get(pane).no_answer_since,
            None,
            "{pane:?} flagged while healthy"
        );
    }
    assert_eq!(dash.app.connection, Connection::Live);

    cluster.sim(&["freeze-second-etcd"]);
    let frozen = Instant::now();
    dash.wait_until(
        "the Events pane to notice its stalled watch",
        Duration::from_secs(90),
        events_stalled,
    )
    .await;
    let noticed = frozen.elapsed();
    // Only that pane: the API server answers, and the other watches deliver.
    assert_eq!(dash.app.connection, Connection::Live, "the header stays live");
    assert_eq!(dash.app.panes.get(PaneId::Pods).no_answer_since, None);
    assert_eq!(dash.app.data.events.len(), 1, "what was last seen stays on screen");
    common::create_bare_pods(&client, ns, "during", 0..1).await;
    dash.wait_until("a pod created during the stall", Duration::from_secs(60), |app| {
        app.data.pods.len() == 3
    })
    .await;
    assert!(events_stalled(&dash.app));

    cluster.sim(&["thaw-second-etcd"]);
    let thawed = Instant::now();
    dash.wait_until("the Events pane live again", Duration::from_secs(90), |app| {
        !events_stalled(app)
    })
    .await;
    let back = thawed.elapsed();
    note(&client, ns, "after").await;
    dash.wait_until("an event recorded after the thaw", Duration::from_secs(60), |app| {
        app.data.events.len() == 2
    })
    .await;
    assert_eq!(dash.app.connection, Connection::Live);
    eprintln!(
        "FIGURE stall: noticed {:.1} s after the events etcd froze; live {:.1} s after it thawed",
        noticed.as_secs_f64(),
        back.as_secs_f64()
    );
}
