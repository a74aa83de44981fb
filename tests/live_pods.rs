//! The Pods pane on the sim cluster: fed by a real watch, it follows pods as they come and go.

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::DeleteParams;
use kubedeck::app::Connection;

const WAIT: Duration = Duration::from_secs(60);

#[tokio::test]
async fn deployment_pods_show_running_and_a_deleted_pod_is_replaced() {
    let client = common::client().await;
    let ns = common::namespace(&client, "live").await;
    common::create_deployment(&client, &ns, "backend", 3).await;

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("3 Running backend pods", WAIT, |app| {
        app.connection == Connection::Live
            && app.pods.store.len() == 3
            && app.pods.store.iter().all(|p| p.status == "Running" && p.ready == 1 && p.node.starts_with("sim-node-"))
    })
    .await;
    assert!(dash.app.server_version.as_deref().unwrap_or_default().starts_with("v1.36"));
    let before = dash.pods();
    let victim = before[0].0.clone();

    Api::<Pod>::namespaced(client.clone(), &ns).delete(&victim, &DeleteParams::default()).await.unwrap();
    dash.wait_until("the deleted pod replaced by a new Running one", WAIT, |app| {
        let names: Vec<&str> = app.pods.store.iter().map(|p| p.key.name.as_str()).collect();
        !names.contains(&victim.as_str())
            && app.pods.store.len() == 3
            && app.pods.store.iter().all(|p| p.status == "Running")
    })
    .await;
    let after = dash.pods();
    assert_eq!(after.iter().filter(|(n, _)| !before.iter().any(|(b, _)| b == n)).count(), 1, "{after:?}");

    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn pods_of_other_namespaces_stay_out_unless_all_namespaces() {
    let client = common::client().await;
    let mine = common::namespace(&client, "mine").await;
    let theirs = common::namespace(&client, "theirs").await;
    common::create_deployment(&client, &mine, "web", 1).await;
    common::create_deployment(&client, &theirs, "api", 1).await;

    let mut dash = common::Dashboard::in_namespace(&mine);
    dash.wait_until("the web pod", WAIT, |app| app.pods.store.iter().any(|p| p.key.name.starts_with("web-"))).await;
    assert!(dash.app.pods.store.iter().all(|p| p.key.namespace == mine), "{:?}", dash.pods());

    let mut all = common::Dashboard::start(kubedeck::cluster::ConnectOptions {
        kubeconfig: Some(common::sim_kubeconfig()),
        all_namespaces: true,
        ..Default::default()
    });
    all.wait_until("pods of both namespaces", WAIT, |app| {
        let has = |ns: &str| app.pods.store.iter().any(|p| p.key.namespace == ns);
        has(&mine) && has(&theirs)
    })
    .await;

    common::delete_namespace(&client, &mine).await;
    common::delete_namespace(&client, &theirs).await;
}
