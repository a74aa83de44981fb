//! The Certificates pane on the sim cluster: without cert-manager it says so and still shows
//! TLS secrets referenced by Ingresses (read from the x509 certificate itself); once the
//! Certificate CRD is installed, a Certificate shows with its days left.

mod common;

use std::time::Duration;

use k8s_openapi::api::core::v1::Secret;
use k8s_openapi::api::networking::v1::Ingress;
use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
use kube::Api;
use kube::api::{ApiResource, DeleteParams, DynamicObject, GroupVersionKind, Patch, PatchParams, PostParams};
use rcgen::{CertificateParams, DistinguishedName, DnType, KeyPair};

const CRD: &str = "certificates.cert-manager.io";
const WAIT: Duration = Duration::from_secs(90);

/// A self-signed certificate for `host` valid until `not_after`, as `kubectl create secret tls` stores it.
fn tls_secret(name: &str, host: &str, not_after: jiff::Timestamp) -> Secret {
    let mut params = CertificateParams::new(vec![host.to_owned()]).unwrap();
    params.distinguished_name = DistinguishedName::new();
    params.distinguished_name.push(DnType::CommonName, "kubedeck sim CA");
    let date = not_after.to_zoned(jiff::tz::TimeZone::UTC).date();
    params.not_after = rcgen::date_time_ymd(i32::from(date.year()), date.month() as u8, date.day() as u8);
    let key = KeyPair::generate().unwrap();
    let cert = params.self_signed(&key).unwrap();
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name},
        "type": "kubernetes.io/tls",
        "stringData": {"tls.crt": cert.pem(), "tls.key": key.serialize_pem()}
    }))
    .unwrap()
}

async fn remove_crd(client: &kube::Client) {
    let crds: Api<CustomResourceDefinition> = Api::all(client.clone());
    if crds.delete(CRD, &DeleteParams::default()).await.is_ok() {
        for _ in 0..120 {
            if crds.get_opt(CRD).await.unwrap().is_none() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        panic!("the Certificate CRD was not removed");
    }
}

#[tokio::test]
async fn tls_secrets_without_cert_manager_then_certificates_once_the_crd_exists() {
    let client = common::client().await;
    remove_crd(&client).await;
    let ns = common::namespace(&client, "certs").await;
    let now = jiff::Timestamp::now();
    let in_40_days = now + jiff::SignedDuration::from_hours(40 * 24);
    let secrets: Api<Secret> = Api::namespaced(client.clone(), &ns);
    secrets
        .create(
            &PostParams::default(),
            &tls_secret("todo-tls", "todo.local", in_40_days),
        )
        .await
        .unwrap();
    let ingress: Ingress = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "todo"},
        "spec": {"ingressClassName": "nginx",
            "tls": [{"hosts": ["todo.local"], "secretName": "todo-tls"}],
            "rules": [{"host": "todo.local", "http": {"paths": [{"path": "/", "pathType": "Prefix",
                "backend": {"service": {"name": "frontend", "port": {"number": 3000}}}}]}}]}
    }))
    .unwrap();
    Api::<Ingress>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &ingress)
        .await
        .unwrap();

    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("the TLS secret, and cert-manager reported missing", WAIT, |app| {
        app.data.cert_manager_missing
            && app
                .data
                .cert_entries
                .values()
                .any(|e| e.key.name == "todo-tls" && e.not_after.is_some())
    })
    .await;
    let entry = dash
        .app
        .data
        .cert_entries
        .values()
        .find(|e| e.key.name == "todo-tls")
        .unwrap()
        .clone();
    assert_eq!(entry.names, ["todo.local"]);
    assert_eq!(entry.issuer, "kubedeck sim CA");
    assert_eq!(entry.source.ingresses, ["todo"]);
    let days = entry.days_left(now).unwrap();
    assert!((38..=40).contains(&days), "days left read from the certificate: {days}");

    // Install the CRD (the project's own manifest) and a Certificate with a status, as
    // cert-manager would write it.
    let crd: CustomResourceDefinition =
        serde_yaml::from_str(include_str!("../assets/crds/cert-manager-certificates.yaml")).unwrap();
    Api::<CustomResourceDefinition>::all(client.clone())
        .create(&PostParams::default(), &crd)
        .await
        .unwrap();
    let resource = ApiResource::from_gvk(&GroupVersionKind::gvk("cert-manager.io", "v1", "Certificate"));
    let certs: Api<DynamicObject> = Api::namespaced_with(client.clone(), &ns, &resource);
    let certificate: DynamicObject = serde_json::from_value(serde_json::json!({
        "apiVersion": "cert-manager.io/v1", "kind": "Certificate",
        "metadata": {"name": "api", "namespace": ns},
        "spec": {"secretName": "api-tls", "dnsNames": ["api.todo.local"],
            "issuerRef": {"name": "letsencrypt-prod", "kind": "ClusterIssuer"}}
    }))
    .unwrap();
    let mut created = None;
    for _ in 0..40 {
        // The CRD takes a moment to be served.
        match certs.create(&PostParams::default(), &certificate).await {
            Ok(c) => {
                created = Some(c);
                break;
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(250)).await,
        }
    }
    assert!(created.is_some(), "creating a Certificate once the CRD exists");
    let not_after = (now + jiff::SignedDuration::from_hours(5 * 24)).to_string();
    let status = serde_json::json!({"status": {
        "notAfter": not_after,
        "renewalTime": (now + jiff::SignedDuration::from_hours(24)).to_string(),
        "conditions": [{"type": "Ready", "status": "True", "reason": "Ready", "message": "Certificate is up to date"}]
    }});
    certs
        .patch_status("api", &PatchParams::default(), &Patch::Merge(&status))
        .await
        .unwrap();

    dash.wait_until("the Certificate with its days left", WAIT, |app| {
        !app.data.cert_manager_missing
            && app
                .data
                .cert_entries
                .values()
                .any(|e| e.key.name == "api" && e.not_after.is_some())
    })
    .await;
    let api = dash
        .app
        .data
        .cert_entries
        .values()
        .find(|e| e.key.name == "api")
        .unwrap();
    assert_eq!(api.days_left(now), Some(5));
    assert_eq!(
        api.urgency(now),
        kubedeck::cluster::certificates::Urgency::Critical,
        "under 7 days is red"
    );
    assert_eq!(api.issuer, "letsencrypt-prod");

    // `i` on it: the describe view a user reads, the fields cert-manager users look for and the
    // Ready condition in good colours.
    let object = kubedeck::cluster::objects::ObjectRef {
        kind: kubedeck::cluster::objects::ObjectKind::Certificate,
        namespace: ns.clone(),
        name: "api".into(),
    };
    let lines = kubedeck::cluster::describe::describe(client.clone(), &object)
        .await
        .expect("describing the Certificate");
    let field = |label: &str| {
        let line = lines.iter().find(|l| l.text.starts_with(&format!("{label}:")));
        let line = line.unwrap_or_else(|| panic!("no {label} in {lines:#?}"));
        line.text[label.len() + 1..].trim().to_owned()
    };
    assert_eq!(field("Name"), "api");
    assert_eq!(field("DNS Names"), "api.todo.local");
    assert_eq!(field("Secret Name"), "api-tls");
    assert_eq!(field("Issuer"), "ClusterIssuer letsencrypt-prod");
    assert_eq!(field("Not After"), not_after);
    let ready = lines
        .iter()
        .find(|l| l.text.trim_start().starts_with("Ready ") && l.text.contains("Certificate is up to date"));
    let ready = ready.unwrap_or_else(|| panic!("no Ready condition in {lines:#?}"));
    assert_eq!(ready.tone, kubedeck::cluster::describe::Tone::Good);
    // A Certificate that is not there is one sentence.
    let gone = kubedeck::cluster::objects::ObjectRef {
        name: "nope".into(),
        ..object
    };
    let err = kubedeck::cluster::describe::describe(client.clone(), &gone)
        .await
        .expect_err("no such Certificate");
    assert!(err.contains("nope") && !err.contains('\n'), "{err}");

    remove_crd(&client).await;
    common::delete_namespace(&client, &ns).await;
}
