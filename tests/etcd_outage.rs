//! etcd stopped while the dashboard is open (the API server still answers, but can read or
//! change nothing): the dashboard says so within seconds instead of `● live`, keeps the last
//! rows dimmed, and once etcd is back it resyncs exactly to what the cluster holds. Alone in
//! its own test binary because it stops the shared cluster's etcd.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, Patch, PatchParams};
use kubedeck::app::Connection;

/// Starts etcd again however the test ends, so a failure here cannot break the tests after.
struct Restart;

impl Drop for Restart {
    fn drop(&mut self) {
        common::sim(&["start-etcd"]);
    }
}

/// The pods the cluster holds (not being deleted), by name.
async fn live_pods(pods: &Api<Pod>) -> BTreeSet<String> {
    pods.list(&ListParams::default())
        .await
        .expect("listing pods")
        .items
        .into_iter()
        .filter(|p| p.metadata.deletion_timestamp.is_none())
        .filter_map(|p| p.metadata.name)
        .collect()
}

fn shown(app: &kubedeck::app::App) -> BTreeSet<String> {
    app.data.pods.iter().map(|p| p.key.name.to_string()).collect()
}

#[tokio::test]
async fn etcd_down_is_said_and_the_dashboard_resyncs_exactly_once_it_is_back() {
    let client = common::client().await;
    let ns = common::namespace(&client, "etcd").await;
    common::create_deployment(&client, &ns, "web", 3).await;
    let pods = Api::<Pod>::namespaced(client.clone(), &ns);

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("three pods, live", Duration::from_secs(60), |a| {
        a.connection == Connection::Live && a.data.pods.iter().filter(|p| p.status == "Running").count() == 3
    })
    .await;
    let mut tui = common::pty::Tui::spawn(&["-n", &ns], &common::sim_kubeconfig());
    tui.wait_for(&["● live", "web-"], Duration::from_secs(60));
    let before = shown(&dash.app);

    let asked = Instant::now();
    common::sim(&["stop-etcd"]);
    let restart = Restart;
    let stopped = Instant::now();
    dash.wait_until("etcd reported down", Duration::from_secs(30), |a| {
        matches!(a.connection, Connection::StorageDown { .. })
    })
    .await;
    eprintln!(
        "etcd down noticed {:?} after stop-etcd returned ({:?} after it was asked to stop)",
        stopped.elapsed(),
        asked.elapsed()
    );
    assert!(dash.app.connection.shows_last_known());
    assert_eq!(shown(&dash.app), before, "the last known pods stay");
    let screen = tui.wait_for(&["● etcd down for"], Duration::from_secs(30));
    assert!(!screen.contains("● live"), "{screen}");
    assert!(
        screen.contains("storage (etcd) does not answer") && screen.contains("showing what was last seen at"),
        "{screen}"
    );
    assert!(screen.contains("web-"), "the last rows stay on screen:\n{screen}");

    let back = Instant::now();
    drop(restart);
    eprintln!("start-etcd took {:?}", back.elapsed());
    dash.wait_until("live again", Duration::from_secs(90), |a| {
        a.connection == Connection::Live
    })
    .await;
    tui.wait_for(&["● live"], Duration::from_secs(60));
    eprintln!("live again {:?} after etcd was asked to start", back.elapsed());

    // Change the cluster after the outage: the dashboard follows exactly, no row stale or lost.
    let deployments = Api::<Deployment>::namespaced(client.clone(), &ns);
    let scale = serde_json::json!({"spec": {"replicas": 5}});
    deployments
        .patch("web", &PatchParams::default(), &Patch::Merge(&scale))
        .await
        .expect("scaling web");
    let victim = before.iter().next().cloned().expect("a pod");
    pods.delete(&victim, &DeleteParams::default())
        .await
        .expect("deleting a pod");
    let changed = Instant::now();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let truth = live_pods(&pods).await;
        if truth.len() == 5 && !truth.contains(&victim) {
            let t = truth.clone();
            dash.wait_until(
                "the dashboard shows exactly the cluster's pods",
                Duration::from_secs(30),
                move |a| shown(a) == t,
            )
            .await;
            break;
        }
        assert!(Instant::now() < deadline, "the cluster never settled: {truth:?}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    eprintln!(
        "resynced to the changed cluster {:?} after the change",
        changed.elapsed()
    );
    assert_eq!(shown(&dash.app), live_pods(&pods).await);
    tui.type_str("q");
    tui.wait_exit(Duration::from_secs(10));
    common::delete_namespace(&client, &ns).await;
}
