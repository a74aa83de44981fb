//! 410 Gone at 10,000 pods. The dashboard watches 10,000 pods through a proxy; the proxy holds
//! it off (a partition) while the API server restarts and pods are deleted and created, so the
//! resourceVersion its watch resumes from is older than the restarted server keeps: the server
//! answers "too old resource version" (410), checked here with a watch of our own. The
//! dashboard must then list again and show exactly the API's pods: none stale, none missing,
//! none twice. Alone in its own test binary because it restarts the shared API server.

mod common;

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use common::proxy::{Mode, dashboard_through_proxy};
use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, ListParams, WatchEvent, WatchParams};
use kubedeck::app::{Connection, PaneId};

const PODS: usize = 10_000;
const CHURN: usize = 500;

async fn api_pods(api: &Api<Pod>) -> (BTreeSet<String>, String) {
    let list = api.list(&ListParams::default()).await.expect("listing pods");
    let rv = list.metadata.resource_version.unwrap_or_default();
    (list.items.into_iter().filter_map(|p| p.metadata.name).collect(), rv)
}

/// True when a watch from `rv` is refused with 410 Gone.
async fn gone(api: &Api<Pod>, rv: &str) -> bool {
    match api.watch(&WatchParams::default().timeout(5), rv).await {
        Err(kube::Error::Api(status)) => status.code == 410,
        Err(e) => panic!("watching from {rv}: {e}"),
        Ok(stream) => {
            let first = stream.boxed().try_next().await;
            matches!(first, Ok(Some(WatchEvent::Error(status))) if status.code == 410)
        }
    }
}

#[tokio::test]
async fn a_410_at_10000_pods_resyncs_to_exactly_the_apis_pods() {
    let client = common::client().await;
    let ns = common::namespace(&client, "gone").await;
    let created = Instant::now();
    common::create_bare_pods(&client, &ns, "p", 0..PODS).await;
    let creation = created.elapsed();
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);

    let (proxy, mut dash, _dir) = dashboard_through_proxy(&ns).await;
    dash.wait_until("10,000 pods listed", Duration::from_secs(120), |app| {
        app.data.pods.len() == PODS && app.connection == Connection::Live
    })
    .await;
    let (_, seen_at) = api_pods(&api).await;

    // Partitioned: the dashboard's connections are cut and new ones wait.
    proxy.set(Mode::Hold);
    common::sim(&["stop-apiserver"]);
    common::sim(&["start-apiserver"]);
    let client = common::client().await;
    let api: Api<Pod> = Api::namespaced(client.clone(), &ns);
    futures::stream::iter(0..CHURN)
        .for_each_concurrent(64, |i| {
            let api = api.clone();
            async move {
                api.delete(&format!("p-{i}"), &DeleteParams::default().grace_period(0))
                    .await
                    .unwrap_or_else(|e| panic!("deleting p-{i}: {e}"));
            }
        })
        .await;
    common::create_bare_pods(&client, &ns, "new", 0..CHURN).await;
    assert!(
        gone(&api, &seen_at).await,
        "the restarted API server refuses to resume from {seen_at} (410)"
    );
    let (expected, _) = api_pods(&api).await;
    assert_eq!(expected.len(), PODS);

    let before = proxy.bytes_from_server();
    let back = Instant::now();
    proxy.set(Mode::Open);
    dash.wait_until("exactly the API's pods again", Duration::from_secs(120), |app| {
        let shown: BTreeSet<String> = app.data.pods.iter().map(|p| p.key.name.to_string()).collect();
        shown == expected && app.connection == Connection::Live
    })
    .await;
    let resync = back.elapsed();
    let bytes = proxy.bytes_from_server() - before;

    // The rows a user scrolls through: 10,000, each once, none of the deleted ones.
    let view = &dash.app.panes.get(PaneId::Pods).view;
    let names: BTreeSet<&str> = view.iter().map(|k| k.name.as_str()).collect();
    assert_eq!(view.len(), PODS, "one row per pod");
    assert_eq!(names.len(), PODS, "no pod twice");
    assert!(
        !names.contains("p-0") && !names.contains("p-499"),
        "deleted pods are gone"
    );
    assert!(names.contains("new-0") && names.contains("new-499") && names.contains("p-9999"));
    eprintln!(
        "FIGURE gone: {PODS} pods created in {:.1} s; resync after 410 {:.2} s from the network \
         coming back to exactly the API's pods, {bytes} bytes, listings {}",
        creation.as_secs_f64(),
        resync.as_secs_f64(),
        dash.pod_listings
    );
    assert_eq!(dash.pod_listings, 2, "one listing at the start, one after the 410");
    common::delete_namespace(&client, &ns).await;
}
