//! The API server goes away and comes back: the dashboard says so, keeps the last known pods,
//! and resyncs by itself. Alone in its own test binary because it stops the shared API server.

mod common;

use std::time::Duration;

use kubedeck::app::Connection;

#[tokio::test]
async fn store_resyncs_after_the_apiserver_restarts() {
    let client = common::client().await;
    let ns = common::namespace(&client, "restart").await;
    common::create_deployment(&client, &ns, "before", 2).await;

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("2 Running pods", Duration::from_secs(60), |app| {
        app.data.pods.len() == 2 && app.data.pods.iter().all(|p| p.status == "Running")
    })
    .await;

    // A log tail through the outage: it says it reconnects, and carries on after.
    let pod = common::logs::running_pods(&client, &ns, "before", 2).await.remove(0);
    let log_file = common::pod_log_file(&ns, &pod);
    common::append_log(&log_file, &["before the outage"]);
    let tail = common::logs::LogsProcess::start(&[&pod, "-n", &ns, "-f"]);
    tail.read_until("before the outage", Duration::from_secs(20));

    common::sim(&["stop-apiserver"]);
    dash.wait_until("the dashboard to notice the outage", Duration::from_secs(60), |app| {
        matches!(app.connection, Connection::Reconnecting { .. })
    })
    .await;
    assert_eq!(
        dash.app.data.pods.len(),
        2,
        "last known pods stay on screen during the outage"
    );

    tail.stderr_until("reconnecting", Duration::from_secs(30));
    common::sim(&["start-apiserver"]);
    dash.wait_until("live again", Duration::from_secs(90), |app| {
        app.connection == Connection::Live
    })
    .await;
    common::append_log(&log_file, &["after the outage"]);
    let lines = tail.read_until("after the outage", Duration::from_secs(60));
    assert!(
        !lines.iter().any(|l| l.contains("before the outage")),
        "a reconnected tail does not repeat what it showed: {lines:?}"
    );

    // Changes made after the restart reach the same dashboard, without restarting it.
    let client = common::client().await;
    common::create_deployment(&client, &ns, "after", 1).await;
    dash.wait_until("the pod created after the restart", Duration::from_secs(150), |app| {
        app.data.pods.len() == 3 && app.data.pods.iter().any(|p| p.key.name.starts_with("after-"))
    })
    .await;

    // Started while the API server is down: the error screen's state, retries, then live.
    common::sim(&["stop-apiserver"]);
    let mut late = common::Dashboard::in_namespace(&ns);
    late.wait_until("kubedeck to say it cannot reach the server", Duration::from_secs(60), |app| {
        matches!(&app.connection, Connection::Unreachable { message, .. } if message.contains("connection refused"))
    })
    .await;
    common::sim(&["start-apiserver"]);
    late.wait_until(
        "the retry to connect and list the pods",
        Duration::from_secs(120),
        |app| app.connection == Connection::Live && app.data.pods.len() == 3,
    )
    .await;

    common::delete_namespace(&common::client().await, &ns).await;
}
