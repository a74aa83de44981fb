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
            && app.data.pods.len() == 3
            && app
                .data
                .pods
                .iter()
                .all(|p| p.status == "Running" && p.ready == 1 && p.node.starts_with("sim-node-"))
    })
    .await;
    assert!(
        dash.app
            .server_version
            .as_deref()
            .unwrap_or_default()
            .starts_with("v1.36")
    );
    let before = dash.pods();
    let victim = before[0].0.clone();

    Api::<Pod>::namespaced(client.clone(), &ns)
        .delete(&victim, &DeleteParams::default())
        .await
        .unwrap();
    dash.wait_until("the deleted pod replaced by a new Running one", WAIT, |app| {
        let names: Vec<&str> = app.data.pods.iter().map(|p| p.key.name.as_str()).collect();
        !names.contains(&victim.as_str())
            && app.data.pods.len() == 3
            && app.data.pods.iter().all(|p| p.status == "Running")
    })
    .await;
    let after = dash.pods();
    assert_eq!(
        after
            .iter()
            .filter(|(n, _)| !before.iter().any(|(b, _)| b == n))
            .count(),
        1,
        "{after:?}"
    );

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
    dash.wait_until("the web pod", WAIT, |app| {
        app.data.pods.iter().any(|p| p.key.name.starts_with("web-"))
    })
    .await;
    assert!(
        dash.app.data.pods.iter().all(|p| p.key.namespace == mine),
        "{:?}",
        dash.pods()
    );

    let mut all = common::Dashboard::start(kubedeck::cluster::ConnectOptions {
        kubeconfig: Some(common::sim_kubeconfig()),
        all_namespaces: true,
        ..Default::default()
    });
    all.wait_until("pods of both namespaces", WAIT, |app| {
        let has = |ns: &str| app.data.pods.iter().any(|p| p.key.namespace == ns);
        has(&mine) && has(&theirs)
    })
    .await;

    common::delete_namespace(&client, &mine).await;
    common::delete_namespace(&client, &theirs).await;
}

#[tokio::test]
async fn kubeconfig_with_an_exec_credential_plugin_works() {
    let client = common::client().await;
    let ns = common::namespace(&client, "exec").await;
    common::create_deployment(&client, &ns, "mcp", 1).await;

    // A credential plugin that hands out the sim cluster's admin certificate, as cloud
    // plugins (aws, gke-gcloud-auth-plugin) hand out theirs, and leaves a mark when it runs.
    let sim = kube::config::Kubeconfig::read_from(common::sim_kubeconfig()).unwrap();
    let user = sim.auth_infos[0].auth_info.as_ref().unwrap();
    let cert = std::fs::read_to_string(user.client_certificate.as_ref().unwrap()).unwrap();
    let key = std::fs::read_to_string(user.client_key.as_ref().unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let credential = serde_json::json!({
        "apiVersion": "client.authentication.k8s.io/v1",
        "kind": "ExecCredential",
        "status": {"clientCertificateData": cert, "clientKeyData": key}
    });
    let cred_path = dir.path().join("credential.json");
    std::fs::write(&cred_path, credential.to_string()).unwrap();
    let mark = dir.path().join("plugin-ran");
    let cluster = &sim.clusters[0].cluster.as_ref().unwrap();
    let kubeconfig = serde_json::json!({
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "sim", "cluster": {
            "server": cluster.server,
            "certificate-authority": cluster.certificate_authority,
        }}],
        "users": [{"name": "via-plugin", "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1",
            "command": "/bin/sh",
            "args": ["-c", format!("touch '{}'; cat '{}'", mark.display(), cred_path.display())],
            "interactiveMode": "Never",
        }}}],
        "contexts": [{"name": "plugin", "context": {"cluster": "sim", "user": "via-plugin", "namespace": ns}}],
        "current-context": "plugin",
    });
    let kubeconfig_path = dir.path().join("kubeconfig");
    std::fs::write(&kubeconfig_path, serde_yaml::to_string(&kubeconfig).unwrap()).unwrap();

    let mut dash = common::Dashboard::start(kubedeck::cluster::ConnectOptions {
        kubeconfig: Some(kubeconfig_path),
        ..Default::default()
    });
    dash.wait_until("the mcp pod, through plugin credentials", WAIT, |app| {
        app.data.pods.iter().any(|p| p.key.name.starts_with("mcp-"))
    })
    .await;
    assert_eq!(dash.app.target.as_ref().map(|t| t.context.as_str()), Some("plugin"));
    assert!(mark.exists(), "the exec plugin was not run");

    common::delete_namespace(&client, &ns).await;
}
