//! The dashboard's panes on the sim cluster: HPAs scaling on real metrics, Helm releases
//! installed by the real helm, a corrupt release record, and RBAC that forbids Secrets.

mod common;

use std::path::Path;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::core::v1::{Secret, ServiceAccount};
use k8s_openapi::api::rbac::v1::{Role, RoleBinding};
use kube::Api;
use kube::api::PostParams;
use kubedeck::app::{Msg, PaneId};
use kubedeck::cluster::ConnectOptions;

fn from_json<T: serde::de::DeserializeOwned>(v: serde_json::Value) -> T {
    serde_json::from_value(v).expect("test object")
}

#[tokio::test]
async fn hpa_shows_cpu_utilisation_from_metrics_and_then_more_replicas() {
    let client = common::client().await;
    let ns = common::namespace(&client, "hpa").await;
    // 100m requested, 400m used (through kwok's usage annotation): 400% of the request.
    let deploy = from_json(serde_json::json!({
        "metadata": {"name": "backend"},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "backend"}},
            "template": {
                "metadata": {"labels": {"app": "backend"}, "annotations": {"kwok.x-k8s.io/usage-cpu": "400m"}},
                "spec": {"containers": [{"name": "api", "image": "todo/backend:1",
                    "resources": {"requests": {"cpu": "100m", "memory": "64Mi"}}}]}
            }
        }
    }));
    Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &deploy)
        .await
        .unwrap();
    let hpa: HorizontalPodAutoscaler = from_json(serde_json::json!({
        "metadata": {"name": "backend"},
        "spec": {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "backend"},
            "minReplicas": 1, "maxReplicas": 3,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 70}}}]
        }
    }));
    Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &hpa)
        .await
        .unwrap();

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("the HPA reporting CPU utilisation", Duration::from_secs(150), |app| {
        app.data
            .hpas
            .iter()
            .any(|h| h.cpu_utilization.is_some_and(|c| c >= 300))
    })
    .await;
    let hpa = dash.app.data.hpas.iter().next().unwrap().clone();
    assert_eq!(hpa.target, "Deployment/backend");
    assert_eq!(hpa.metrics[0].target, "70%");
    assert!(
        hpa.metrics[0].current.as_deref().is_some_and(|c| c.ends_with('%')),
        "{:?}",
        hpa.metrics
    );

    dash.wait_until(
        "the HPA scaling the Deployment to its max",
        Duration::from_secs(150),
        |app| {
            app.data.hpas.iter().any(|h| h.current == 3 && h.at_max())
                && app
                    .data
                    .pods
                    .iter()
                    .filter(|p| p.key.name.starts_with("backend-"))
                    .count()
                    == 3
        },
    )
    .await;
    let history = &dash.app.data.hpa_history[&hpa.key];
    assert!(
        history.replicas.first() < history.replicas.last(),
        "sparkline rises: {history:?}"
    );
    assert!(dash.app.data.hpas.iter().next().unwrap().last_scale.is_some());
    common::delete_namespace(&client, &ns).await;
}

/// A one-template chart, enough for helm to record real releases.
fn tiny_chart(dir: &Path) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(
        dir.join("Chart.yaml"),
        "apiVersion: v2\nname: tiny\nversion: 0.1.0\nappVersion: \"1.2.3\"\n",
    )
    .unwrap();
    std::fs::write(dir.join("values.yaml"), "greeting: hello\n").unwrap();
    std::fs::write(
        dir.join("templates/cm.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-cm\ndata:\n  greeting: {{ .Values.greeting | quote }}\n",
    )
    .unwrap();
}

#[tokio::test]
async fn releases_installed_by_helm_show_with_history_and_a_corrupt_record_as_an_error_row() {
    let client = common::client().await;
    let ns = common::namespace(&client, "rel").await;
    let chart = tempfile::tempdir().unwrap();
    tiny_chart(chart.path());
    let chart_path = chart.path().to_str().unwrap();
    common::helm(&["install", "tiny", chart_path, "-n", &ns]);
    common::helm(&["upgrade", "tiny", chart_path, "-n", &ns, "--set", "greeting=hi"]);

    // A record whose data is not what Helm writes.
    let corrupt: Secret = from_json(serde_json::json!({
        "metadata": {"name": "sh.helm.release.v1.broken.v1",
            "labels": {"owner": "helm", "name": "broken", "version": "1", "status": "deployed"}},
        "type": "helm.sh/release.v1",
        "stringData": {"release": "this is not base64 gzip json"}
    }));
    Api::<Secret>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &corrupt)
        .await
        .unwrap();

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until(
        "both releases, the good one at revision 2",
        Duration::from_secs(60),
        |app| {
            let rows = kubedeck::cluster::releases::latest_per_release(app.data.releases.iter());
            rows.len() == 2 && rows.iter().any(|r| r.name == "tiny" && r.revision == 2)
        },
    )
    .await;
    // The Releases pane, as a user gets there: its key (a pane off screen is not kept sorted).
    dash.app
        .update(Msg::Key(KeyEvent::new(KeyCode::Char('4'), KeyModifiers::NONE)));
    dash.app.refresh();
    let app = &dash.app;
    assert_eq!(app.focus, PaneId::Releases);
    let history = kubedeck::cluster::releases::history(app.data.releases.iter(), &ns, "tiny");
    let summary: Vec<(i32, &str, &str)> = history
        .iter()
        .map(|r| (r.revision, r.status.as_str(), r.description.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "superseded", "Install complete"),
            (2, "deployed", "Upgrade complete")
        ]
    );
    assert_eq!(
        (history[1].chart.as_str(), history[1].app_version.as_str()),
        ("tiny-0.1.0", "1.2.3")
    );
    let broken = app.data.releases.iter().find(|r| r.name == "broken").unwrap();
    assert!(broken.problem.is_some(), "corrupt record shows its problem: {broken:?}");
    assert_eq!(app.panes.get(PaneId::Releases).view.len(), 2);

    // The diff the history view shows, read from the cluster like the dashboard does.
    let request = kubedeck::cluster::releases::DiffRequest {
        namespace: ns.clone(),
        name: "tiny".into(),
        from: 1,
        to: 2,
    };
    let lines = kubedeck::cluster::releases::load_diff(client.clone(), &request)
        .await
        .unwrap();
    let text: Vec<String> = lines.iter().map(|l| format!("{l:?}")).collect();
    assert!(
        text.iter().any(|l| l.contains("Added") && l.contains("greeting: hi")),
        "{text:#?}"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn a_user_who_may_not_list_secrets_sees_forbidden_in_releases_and_working_pods() {
    let client = common::client().await;
    let ns = common::namespace(&client, "rbac").await;
    common::create_deployment(&client, &ns, "web", 1).await;
    let pp = PostParams::default();
    Api::<ServiceAccount>::namespaced(client.clone(), &ns)
        .create(&pp, &from_json(serde_json::json!({"metadata": {"name": "viewer"}})))
        .await
        .unwrap();
    let role: Role = from_json(serde_json::json!({
        "metadata": {"name": "pods-only"},
        "rules": [{"apiGroups": [""], "resources": ["pods", "events"], "verbs": ["get", "list", "watch"]}]
    }));
    Api::<Role>::namespaced(client.clone(), &ns)
        .create(&pp, &role)
        .await
        .unwrap();
    let binding: RoleBinding = from_json(serde_json::json!({
        "metadata": {"name": "viewer-pods-only"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "pods-only"},
        "subjects": [{"kind": "ServiceAccount", "name": "viewer", "namespace": ns}]
    }));
    Api::<RoleBinding>::namespaced(client.clone(), &ns)
        .create(&pp, &binding)
        .await
        .unwrap();

    // A token for the service account, through the TokenRequest API, in a kubeconfig of its own.
    let token_request = serde_json::json!({"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest",
        "spec": {"expirationSeconds": 3600}});
    let sa: Api<ServiceAccount> = Api::namespaced(client.clone(), &ns);
    let response: serde_json::Value = sa
        .create_subresource("token", "viewer", &pp, &token_request)
        .await
        .expect("TokenRequest for the viewer service account");
    let token = response["status"]["token"].as_str().expect("a token").to_owned();
    let dir = tempfile::tempdir().unwrap();
    let kubeconfig = common::token_kubeconfig(dir.path(), &token, &ns);

    let mut dash = common::Dashboard::start(ConnectOptions {
        kubeconfig: Some(kubeconfig),
        ..Default::default()
    });
    dash.wait_until("pods listed and releases forbidden", Duration::from_secs(60), |app| {
        app.data.pods.iter().any(|p| p.key.name.starts_with("web-"))
            && app
                .panes
                .get(PaneId::Releases)
                .problem
                .as_deref()
                .is_some_and(|p| p.starts_with("you cannot list releases in"))
    })
    .await;
    let problem = dash.app.panes.get(PaneId::Releases).problem.clone().unwrap();
    assert!(problem.contains("secrets") && problem.contains(&ns), "{problem}");
    // The same sentence as the command line's: what to ask for, and no Status dump.
    assert!(
        problem.ends_with(&format!("ask for get/list on secrets in {ns}")),
        "{problem}"
    );
    assert!(!problem.contains("Status {"), "{problem}");
    // Every pane says what it may show: pods and events work; HPAs, workloads and certificates
    // are forbidden in a sentence naming what to ask for, never an empty "healthy" pane.
    dash.wait_until("every forbidden pane says so", Duration::from_secs(60), |app| {
        [PaneId::Hpas, PaneId::Workloads, PaneId::Certificates]
            .iter()
            .all(|&p| app.panes.get(p).problem.is_some())
    })
    .await;
    // (Workloads and Certificates each name whichever of their kinds was refused last: the
    // Certificates pane joins certificates, ingresses and TLS secrets.)
    for (pane, resources) in [
        (PaneId::Hpas, &["horizontalpodautoscalers"][..]),
        (PaneId::Workloads, &["deployments", "statefulsets"][..]),
        (PaneId::Certificates, &["certificates", "ingresses", "secrets"][..]),
    ] {
        let problem = dash.app.panes.get(pane).problem.clone().unwrap_or_default();
        assert!(
            problem.starts_with("you cannot list")
                && resources.iter().any(|r| problem.contains(r))
                && problem.contains("ask for"),
            "{pane:?}: {problem}"
        );
    }
    assert!(dash.app.panes.get(PaneId::Pods).problem.is_none());
    assert!(dash.app.panes.get(PaneId::Events).problem.is_none());
    // Forbidden is not an outage: the connection stays live.
    assert_eq!(dash.app.connection, kubedeck::app::Connection::Live);
    common::delete_namespace(&client, &ns).await;
}
