//! A watch that fails for a moment (its connection cut and new ones refused for a while, as a
//! load balancer or network blip does) resumes from the last resourceVersion it saw: no
//! re-list of every pod, and the changes made meanwhile still arrive. The API server keeps
//! running; a proxy in front of it cuts the connections and counts what the server sends.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::proxy::{Mode, dashboard_through_proxy};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams};
use kubedeck::app::Connection;

/// 300 by default; KUBEDECK_RESUME_PODS=10000 measures the cost at scale.
fn pod_count() -> usize {
    std::env::var("KUBEDECK_RESUME_PODS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

async fn api_pods(api: &Api<Pod>) -> BTreeSet<String> {
    let list = api.list(&ListParams::default()).await.expect("listing pods");
    list.items.into_iter().filter_map(|p| p.metadata.name).collect()
}

#[tokio::test]
async fn a_watch_cut_for_a_moment_resumes_without_listing_again() {
    let client = common::client().await;
    let ns = common::namespace(&client, "resume").await;
    let pods = pod_count();
    common::create_bare_pods(&client, &ns, "p", 0..pods).await;
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);

    let (proxy, mut dash, _dir) = dashboard_through_proxy(&ns).await;
    dash.wait_until("every pod listed", Duration::from_secs(120), |app| {
        app.data.pods.len() == pods && app.connection == Connection::Live
    })
    .await;
    assert_eq!(dash.pod_listings, 1);
    let first_listing = proxy.bytes_from_server();

    // Every connection cut, new ones refused: the pods watch fails and says so.
    proxy.set(Mode::Refuse);
    dash.wait_until("the watch to report the failure", Duration::from_secs(60), |app| {
        matches!(app.connection, Connection::Reconnecting { .. })
    })
    .await;
    // Long enough for every watch to fail at least once (the first retry comes after 0.5 s).
    tokio::time::sleep(Duration::from_secs(3)).await;
    // Changes while it cannot see them.
    api.delete("p-0", &DeleteParams::default().grace_period(0))
        .await
        .expect("deleting p-0");
    common::create_bare_pods(&client, &ns, "during", 0..1).await;
    let before = proxy.bytes_from_server();
    let back = Instant::now();
    proxy.set(Mode::Open);
    let expected = api_pods(&api).await;
    dash.wait_until("the changes made during the cut", Duration::from_secs(120), |app| {
        let shown: BTreeSet<String> = app.data.pods.iter().map(|p| p.key.name.to_string()).collect();
        shown == expected && app.connection == Connection::Live
    })
    .await;
    let resumed_in = back.elapsed();
    assert!(
        dash.watch_failures.iter().any(|f| f.starts_with("pods")),
        "the pods watch failed: {:?}",
        dash.watch_failures
    );
    let cost = proxy.bytes_from_server() - before;
    eprintln!(
        "FIGURE resume: {pods} pods; first listing {first_listing} bytes; after the cut {cost} bytes, \
         live with the changes {:.2} s after the network came back; listings {}",
        resumed_in.as_secs_f64(),
        dash.pod_listings
    );
    assert_eq!(
        dash.pod_listings, 1,
        "the watch resumed from its resourceVersion instead of listing every pod again"
    );

    // And it keeps delivering afterwards.
    common::create_bare_pods(&client, &ns, "after", 0..1).await;
    dash.wait_until("a pod created after the cut", Duration::from_secs(60), |app| {
        app.data.pods.iter().any(|p| p.key.name == "after-0")
    })
    .await;
    assert_eq!(dash.pod_listings, 1);
    common::delete_namespace(&client, &ns).await;
}
