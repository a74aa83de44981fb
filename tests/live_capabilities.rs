//! Charts rendered against the cluster they deploy to: `.Capabilities` from the server's version
//! and discovery, `lookup` reading live objects, as helm does on an install, while `template`
//! (no cluster) keeps its defaults and an empty `lookup`.

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::api::{Api, DeleteParams, PostParams};

const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/charts/capabilities");

/// A CRD of kind Widget in `group`, served once discovery lists it.
async fn widget_crd(client: &kube::Client, group: &str) {
    let crd: CustomResourceDefinition = serde_json::from_value(serde_json::json!({
        "metadata": {"name": format!("widgets.{group}")},
        "spec": {"group": group, "scope": "Namespaced",
            "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
            "versions": [{"name": "v1", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}]}
    }))
    .unwrap();
    Api::<CustomResourceDefinition>::all(client.clone())
        .create(&PostParams::default(), &crd)
        .await
        .expect("creating the Widget CRD");
    let gv = format!("{group}/v1");
    for _ in 0..100 {
        if client.list_api_group_resources(&gv).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("{gv} never appeared in discovery");
}

/// The data of the probe ConfigMap in a rendered manifest.
fn probe_data(manifest: &str) -> serde_json::Value {
    let doc = manifest
        .split("\n---")
        .find(|d| d.contains("-probe"))
        .unwrap_or_else(|| panic!("no probe ConfigMap in:\n{manifest}"));
    let yaml: serde_json::Value = serde_yaml::from_str(doc).unwrap();
    yaml["data"].clone()
}

/// The manifest part of `helm install --dry-run` output.
fn helm_manifest(out: &str) -> String {
    let start = out.find("MANIFEST:\n").expect("helm printed a manifest") + "MANIFEST:\n".len();
    let rest = &out[start..];
    rest[..rest.find("\nNOTES:").unwrap_or(rest.len())]
        .trim_end()
        .to_owned()
}

#[tokio::test]
async fn a_deploy_sees_the_live_cluster_and_template_does_not_as_helm() {
    let client = common::client().await;
    let ns = common::namespace(&client, "live-caps").await;
    let group = format!("{ns}.kubedeck.test");
    widget_crd(&client, &group).await;
    let seed: ConfigMap = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "probe-seed"}, "data": {"token": "s3cr3t-from-the-cluster"}
    }))
    .unwrap();
    Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &seed)
        .await
        .unwrap();
    let kubeconfig = common::sim_kubeconfig();
    let state = tempfile::tempdir().unwrap();
    let set_group = format!("group={group}");
    let server = client.apiserver_version().await.unwrap().git_version;

    // Without a cluster: the default version and API list, and lookup finds nothing.
    let (code, out, err) = common::run_kubedeck(
        &["template", "capa", "--chart", CHART, "--set", &set_group, "-n", &ns],
        &kubeconfig,
        state.path(),
    );
    assert_eq!(code, 0, "{err}");
    let offline = probe_data(&out);
    assert_eq!(offline["groupServed"], "false", "{out}");
    assert_eq!(offline["widgetServed"], "false", "{out}");
    assert_eq!(offline["pdbServed"], "true", "{out}");
    assert_eq!(offline["seed"], "none", "{out}");
    assert_eq!(offline["listed"], "", "{out}");
    // --kube-version and --api-versions still set them for template.
    let (code, out, err) = common::run_kubedeck(
        &[
            "template",
            "capa",
            "--chart",
            CHART,
            "--set",
            &set_group,
            "--kube-version",
            "1.31",
            "--api-versions",
            &format!("{group}/v1"),
        ],
        &kubeconfig,
        state.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(probe_data(&out)["kubeVersion"], "v1.31.0", "{out}");
    assert_eq!(probe_data(&out)["groupServed"], "true", "{out}");

    // The real helm against the same cluster, a server-side dry run: live capabilities and lookup.
    let chart_and_flags = ["--set", &set_group, "-n", &ns];
    let mut args = vec!["install", "capa", CHART, "--dry-run=server"];
    args.extend(chart_and_flags);
    let helm_dry = helm_manifest(&common::helm(&args));
    let helm_data = probe_data(&helm_dry);
    assert_eq!(helm_data["widgetServed"], "true", "{helm_dry}");

    // kubedeck's plan and deploy render against the cluster the same way.
    let (code, out, err) = common::run_kubedeck(
        &[
            "deploy", "capa", "--chart", CHART, "--set", &set_group, "-n", &ns, "--yes",
        ],
        &kubeconfig,
        state.path(),
    );
    assert_eq!(code, 0, "deploy failed:\n{out}\n{err}");
    let deployed = Api::<ConfigMap>::namespaced(client.clone(), &ns)
        .get("capa-probe")
        .await
        .expect("the probe ConfigMap was deployed");
    let live = serde_json::to_value(deployed.data.unwrap_or_default()).unwrap();
    assert_eq!(live["kubeVersion"], server.as_str(), "{live}");
    assert_eq!(live["groupServed"], "true", "{live}");
    assert_eq!(live["widgetServed"], "true", "{live}");
    assert_eq!(live["gadgetServed"], "false", "a kind the group does not serve: {live}");
    assert_eq!(live["seed"], "s3cr3t-from-the-cluster", "{live}");
    assert_eq!(live["listed"], "s3cr3t-from-the-cluster", "{live}");
    assert_eq!(live["missing"], "0", "{live}");
    assert_ne!(live, offline, "the live render must differ from template's");
    let stored = common::helm(&["get", "manifest", "capa", "-n", &ns]);
    assert_eq!(
        stored.trim_end(),
        helm_dry,
        "kubedeck's manifest differs from helm's dry run"
    );

    Api::<CustomResourceDefinition>::all(client.clone())
        .delete(&format!("widgets.{group}"), &DeleteParams::default())
        .await
        .unwrap();
    common::delete_namespace(&client, &ns).await;
}
