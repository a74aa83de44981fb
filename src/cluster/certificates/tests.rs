use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, DistinguishedName, DnType, IsCa, KeyPair};

use super::*;
use crate::cluster::store::RowStore;

const NOW: &str = "2026-11-23T12:00:00Z";

fn now() -> Timestamp {
    NOW.parse().expect("test timestamp")
}

fn ts(s: &str) -> Timestamp {
    s.parse().expect("test timestamp")
}

fn certificate(yaml: &str) -> CertificateRow {
    let object: DynamicObject = serde_yaml::from_str(yaml).expect("test Certificate YAML");
    CertificateRow::from(&object)
}

const CERT_HEAD: &str = "apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: shop-tls, namespace: shop}
spec:
  secretName: shop-tls-secret
  dnsNames: [shop.example.com, www.shop.example.com]
  issuerRef: {name: letsencrypt-prod, kind: ClusterIssuer, group: cert-manager.io}
";

#[test]
fn ready_certificate() {
    let row = certificate(&format!(
        "{CERT_HEAD}status:
  conditions:
  - {{type: Issuing, status: 'False'}}
  - {{type: Ready, status: 'True', reason: Ready, message: Certificate is up to date and has not expired}}
  notBefore: '2026-09-01T00:00:00Z'
  notAfter: '2026-12-01T00:00:00Z'
  renewalTime: '2026-10-31T00:00:00Z'
"
    ));
    assert_eq!(row.key.to_string(), "shop/shop-tls");
    assert_eq!(row.ready, Readiness::Ready);
    assert_eq!(row.ready_reason, "Ready");
    assert_eq!(row.dns_names, ["shop.example.com", "www.shop.example.com"]);
    assert_eq!(
        row.issuer,
        IssuerRef {
            kind: "ClusterIssuer".into(),
            name: "letsencrypt-prod".into()
        }
    );
    assert_eq!(row.secret_name, "shop-tls-secret");
    assert_eq!(row.not_after, Some(ts("2026-12-01T00:00:00Z")));
    assert_eq!(row.renewal_time, Some(ts("2026-10-31T00:00:00Z")));
    let entry = CertificateEntry::from(&row);
    assert_eq!((entry.problem, entry.issuer.as_str()), (None, "letsencrypt-prod"));
}

#[test]
fn not_ready_certificate_keeps_reason_and_message_sanitized() {
    let row = certificate(&format!(
        "{CERT_HEAD}status:
  conditions:
  - type: Ready
    status: 'False'
    reason: DoesNotExist
    message: \"Issuing certificate as Secret does not exist\\x1b[2J\\n\"
"
    ));
    assert_eq!(row.ready, Readiness::NotReady);
    assert_eq!(row.ready_reason, "DoesNotExist");
    assert_eq!(row.ready_message, "Issuing certificate as Secret does not exist ");
    assert_eq!((row.not_after, row.renewal_time), (None, None));
    let entry = CertificateEntry::from(&row);
    assert_eq!(
        entry.problem.as_deref(),
        Some("DoesNotExist: Issuing certificate as Secret does not exist ")
    );
    assert_eq!(entry.urgency(now()), Urgency::Critical);
}

#[test]
fn certificate_without_status_or_issuer_kind() {
    let row = certificate(
        "apiVersion: cert-manager.io/v1
kind: Certificate
metadata: {name: fresh, namespace: shop}
spec: {secretName: fresh, issuerRef: {name: selfsigned}}
",
    );
    assert_eq!(row.ready, Readiness::Unknown);
    assert_eq!(row.issuer.kind, "Issuer", "cert-manager's default kind");
    assert!(row.dns_names.is_empty());
    let entry = CertificateEntry::from(&row);
    assert_eq!(entry.problem.as_deref(), Some("no Ready condition yet"));
    assert_eq!(entry.urgency(now()), Urgency::Soon);
}

#[test]
fn unparseable_times_count_as_absent() {
    let row = certificate(&format!(
        "{CERT_HEAD}status: {{notAfter: next tuesday, renewalTime: 42}}\n"
    ));
    assert_eq!((row.not_after, row.renewal_time), (None, None));
}

/// A CA and a leaf it signed, as cert-manager or `kubectl create secret tls` would store them.
struct TestChain {
    chain_pem: String,
    key_pem: String,
}

fn test_chain(not_after: (i32, u8, u8)) -> TestChain {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(DnType::OrganizationName, "kubedeck tests");
    ca.distinguished_name.push(DnType::CommonName, "kubedeck test CA");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca, KeyPair::generate().expect("CA key")).expect("CA certificate");

    let names = ["shop.example.com", "www.shop.example.com", "10.0.0.7", "fd00::7"];
    let mut leaf = CertificateParams::new(names.map(str::to_owned).to_vec()).expect("leaf params");
    leaf.distinguished_name = DistinguishedName::new();
    leaf.distinguished_name.push(DnType::CommonName, "shop.example.com");
    leaf.not_before = rcgen::date_time_ymd(2026, 9, 1);
    leaf.not_after = rcgen::date_time_ymd(not_after.0, not_after.1, not_after.2);
    let leaf_key = KeyPair::generate().expect("leaf key");
    let leaf = leaf.signed_by(&leaf_key, &ca).expect("leaf certificate");
    TestChain {
        chain_pem: leaf.pem() + &ca.pem(),
        key_pem: leaf_key.serialize_pem(),
    }
}

fn tls_secret(name: &str, kind: &str, data: &[(&str, &[u8])]) -> Secret {
    Secret {
        metadata: ObjectMeta {
            name: Some(name.into()),
            namespace: Some("shop".into()),
            ..Default::default()
        },
        type_: Some(kind.into()),
        data: Some(
            data.iter()
                .map(|(k, v)| (k.to_string(), ByteString(v.to_vec())))
                .collect::<BTreeMap<_, _>>(),
        ),
        ..Default::default()
    }
}

#[test]
fn tls_secret_reads_the_leaf_of_the_chain() {
    let chain = test_chain((2026, 12, 1));
    let secret = tls_secret(
        "shop-tls",
        "kubernetes.io/tls",
        &[
            ("tls.crt", chain.chain_pem.as_bytes()),
            ("tls.key", chain.key_pem.as_bytes()),
        ],
    );
    let row = TlsSecretRow::from(&secret);
    assert_eq!(row.problem, None);
    assert_eq!(row.key.to_string(), "shop/shop-tls");
    assert_eq!(row.not_before, Some(ts("2026-09-01T00:00:00Z")));
    assert_eq!(row.not_after, Some(ts("2026-12-01T00:00:00Z")));
    assert_eq!(
        row.issuer, "kubedeck test CA",
        "the leaf's issuer, not the CA's own issuer"
    );
    assert_eq!(row.subject, "shop.example.com");
    assert_eq!(row.dns_names, ["shop.example.com", "www.shop.example.com"]);
    let ips: Vec<String> = row.ip_addresses.iter().map(ToString::to_string).collect();
    assert_eq!(ips, ["10.0.0.7", "fd00::7"]);
    assert_eq!(days_left(row.not_after.expect("not after"), now()), 7);
    assert!(!format!("{row:?}").contains("PRIVATE KEY"));
}

#[test]
fn issuer_without_common_name_shows_the_whole_dn() {
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("params");
    ca.distinguished_name = DistinguishedName::new();
    ca.distinguished_name.push(DnType::OrganizationName, "Acme Corp");
    ca.distinguished_name.push(DnType::CountryName, "NL");
    let cert = ca.self_signed(&KeyPair::generate().expect("key")).expect("cert");
    let row = TlsSecretRow::from(&tls_secret(
        "acme",
        "kubernetes.io/tls",
        &[("tls.crt", cert.pem().as_bytes())],
    ));
    assert_eq!(row.problem, None);
    assert_eq!(row.issuer, "O=Acme Corp, C=NL");
    assert_eq!(row.subject, "O=Acme Corp, C=NL");
}

#[test]
fn unreadable_tls_secrets_become_problem_rows() {
    let problem = |kind: &str, data: &[(&str, &[u8])]| TlsSecretRow::from(&tls_secret("bad", kind, data)).problem;
    assert_eq!(
        problem("kubernetes.io/tls", &[("tls.crt", b"garbage \x1b]0;pwned\x07")]).as_deref(),
        Some("tls.crt holds no PEM certificate")
    );
    let bad_der = b"-----BEGIN CERTIFICATE-----\nAAAAAAAA\n-----END CERTIFICATE-----\n";
    let reason = problem("kubernetes.io/tls", &[("tls.crt", bad_der)]).expect("a problem");
    assert!(
        reason.starts_with("tls.crt is not a valid X.509 certificate"),
        "{reason}"
    );
    assert_eq!(
        problem("kubernetes.io/tls", &[("tls.key", b"k")]).as_deref(),
        Some("tls.crt is missing or empty")
    );
    assert_eq!(
        problem("Opaque", &[]).as_deref(),
        Some("type is Opaque, not kubernetes.io/tls")
    );
    let row = TlsSecretRow::from(&tls_secret("bad", "kubernetes.io/tls", &[("tls.crt", b"")]));
    assert_eq!((row.not_after, row.issuer.as_str()), (None, ""));
}

fn ingress(name: &str, tls: &[(&str, &[&str])]) -> IngressTlsRef {
    IngressTlsRef {
        key: ObjectKey::new("shop", name),
        tls: tls
            .iter()
            .map(|(secret, hosts)| IngressTls {
                secret_name: secret.to_string(),
                hosts: hosts.iter().map(|h| h.to_string()).collect(),
            })
            .collect(),
    }
}

#[test]
fn ingress_rows_list_named_tls_secrets_only() {
    let object: Ingress = serde_yaml::from_str(
        "metadata: {name: web, namespace: shop}
spec:
  tls:
  - {secretName: shop-tls, hosts: [shop.example.com, www.shop.example.com]}
  - {hosts: [default.example.com]}
  - {secretName: api-tls}
",
    )
    .expect("test Ingress YAML");
    assert_eq!(
        IngressTlsRef::from(&object),
        ingress(
            "web",
            &[
                ("shop-tls", &["shop.example.com", "www.shop.example.com"]),
                ("api-tls", &[])
            ]
        )
    );
    let plain: Ingress = serde_yaml::from_str("metadata: {name: plain, namespace: shop}\nspec: {}").expect("YAML");
    assert!(IngressTlsRef::from(&plain).tls.is_empty());
}

#[test]
fn days_left_rounds_down_and_goes_negative_once_expired() {
    assert_eq!(days_left(ts("2026-12-23T12:00:00Z"), now()), 30);
    assert_eq!(days_left(ts("2026-12-23T11:59:59Z"), now()), 29);
    assert_eq!(days_left(ts("2026-11-23T13:00:00Z"), now()), 0);
    assert_eq!(days_left(ts("2026-11-23T11:00:00Z"), now()), -1);
    assert_eq!(days_left(ts("2026-11-13T12:00:00Z"), now()), -10);
}

#[test]
fn urgency_thresholds() {
    use Readiness::*;
    assert_eq!(urgency(Some(30), Ready), Urgency::Ok);
    assert_eq!(urgency(Some(29), Ready), Urgency::Soon);
    assert_eq!(urgency(Some(7), Ready), Urgency::Soon);
    assert_eq!(urgency(Some(6), Ready), Urgency::Critical);
    assert_eq!(urgency(Some(-1), Ready), Urgency::Critical);
    assert_eq!(urgency(None, Ready), Urgency::Ok);
    assert_eq!(urgency(Some(300), NotReady), Urgency::Critical);
    assert_eq!(urgency(None, NotReady), Urgency::Critical);
    assert_eq!(urgency(Some(300), Unknown), Urgency::Soon);
    assert_eq!(urgency(Some(3), Unknown), Urgency::Critical);
}

fn store<R: Row>(rows: impl IntoIterator<Item = R>) -> RowStore<R> {
    let mut store = RowStore::default();
    store.apply(WatchUpdate::Listed(rows.into_iter().collect()));
    store
}

fn parsed_secret(name: &str, not_after: &str) -> TlsSecretRow {
    TlsSecretRow {
        key: ObjectKey::new("shop", name),
        not_after: Some(ts(not_after)),
        issuer: "R11".into(),
        subject: format!("{name}.example.com"),
        dns_names: vec![format!("{name}.example.com")],
        ..Default::default()
    }
}

#[test]
fn join_lists_referenced_secrets_once_with_their_ingresses() {
    let secrets = store([
        parsed_secret("shop-tls", "2027-01-01T00:00:00Z"),
        parsed_secret("unused-tls", "2027-01-01T00:00:00Z"),
    ]);
    let ingresses = [
        ingress("web", &[("shop-tls", &["shop.example.com"])]),
        ingress(
            "admin",
            &[("shop-tls", &["admin.example.com"]), ("gone-tls", &["old.example.com"])],
        ),
        ingress("legacy", &[("gone-tls", &["legacy.example.com"])]),
    ];
    let entries = ingress_secret_entries(&ingresses, &secrets);
    let keys: Vec<String> = entries.iter().map(|e| e.key.to_string()).collect();
    assert_eq!(
        keys,
        ["shop/gone-tls", "shop/shop-tls"],
        "unreferenced secrets are left out"
    );

    let [gone, shop] = &entries[..] else { unreachable!() };
    assert_eq!(shop.source.label(), "ingress admin, web");
    assert_eq!((shop.ready, shop.problem.as_deref()), (Readiness::Ready, None));
    assert_eq!(shop.names, ["shop-tls.example.com"]);
    assert_eq!(shop.urgency(now()), Urgency::Ok);

    assert_eq!(
        gone.problem.as_deref(),
        Some("secret gone-tls referenced by ingresses admin, legacy not found")
    );
    assert_eq!(
        gone.names,
        ["legacy.example.com", "old.example.com"],
        "the hosts it should serve"
    );
    assert_eq!(gone.urgency(now()), Urgency::Critical);

    let one = ingress_secret_entries(&[ingress("web", &[("nope", &[])])], &secrets);
    assert_eq!(
        one[0].problem.as_deref(),
        Some("secret nope referenced by ingress web not found")
    );
}

#[test]
fn join_does_not_call_secrets_missing_before_they_are_listed() {
    let loading = RowStore::default();
    let entries = ingress_secret_entries(&[ingress("web", &[("shop-tls", &["shop.example.com"])])], &loading);
    assert_eq!(
        (entries[0].ready, entries[0].problem.as_deref()),
        (Readiness::Unknown, None)
    );
}

#[test]
fn join_keeps_secret_problems_and_namespaces_apart() {
    let broken = TlsSecretRow {
        key: ObjectKey::new("shop", "shop-tls"),
        problem: Some("tls.crt holds no PEM certificate".into()),
        ..Default::default()
    };
    let secrets = store([broken]);
    let mut other_ns = ingress("web", &[("shop-tls", &[])]);
    other_ns.key = ObjectKey::new("blog", "web");
    let entries = ingress_secret_entries(&[ingress("web", &[("shop-tls", &[])]), other_ns], &secrets);
    assert_eq!(entries.len(), 2);
    assert_eq!(
        entries[0].problem.as_deref(),
        Some("secret shop-tls referenced by ingress web not found"),
        "blog/shop-tls is a different secret"
    );
    assert_eq!(entries[1].problem.as_deref(), Some("tls.crt holds no PEM certificate"));
    assert_eq!(entries[1].ready, Readiness::NotReady);
}

#[test]
fn pane_shows_a_certificate_and_its_secret_once() {
    let cert = certificate(&format!(
        "{CERT_HEAD}status: {{conditions: [{{type: Ready, status: 'True'}}], notAfter: '2026-12-01T00:00:00Z'}}\n"
    ));
    let certificates = store([cert]);
    let secrets = store([
        parsed_secret("shop-tls-secret", "2026-12-01T00:00:00Z"),
        parsed_secret("blog-tls", "2026-11-25T00:00:00Z"),
    ]);
    let ingresses = store([
        ingress("web", &[("shop-tls-secret", &[]), ("blog-tls", &[])]),
        ingress("api", &[("shop-tls-secret", &[])]),
    ]);
    let entries = pane_entries(&certificates, &ingresses, &secrets);
    let shown: Vec<(String, String, Urgency)> = entries
        .iter()
        .map(|e| (e.key.to_string(), e.source.label(), e.urgency(now())))
        .collect();
    assert_eq!(
        shown,
        [
            ("shop/blog-tls".to_owned(), "ingress web".to_owned(), Urgency::Critical),
            (
                "shop/shop-tls".to_owned(),
                "cert-manager, ingress api, web".to_owned(),
                Urgency::Soon
            ),
        ]
    );
}

#[test]
fn shipped_crd_matches_the_resource_we_watch() {
    use k8s_openapi::apiextensions_apiserver::pkg::apis::apiextensions::v1::CustomResourceDefinition;
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/crds/cert-manager-certificates.yaml"
    );
    let text = std::fs::read_to_string(path).expect("the CRD manifest ships with the repo");
    let crd: CustomResourceDefinition = serde_yaml::from_str(&text).expect("a valid CustomResourceDefinition");
    let resource = certificate_resource();
    assert_eq!(crd.metadata.name.as_deref(), Some("certificates.cert-manager.io"));
    assert_eq!(
        (
            crd.spec.group.as_str(),
            crd.spec.names.plural.as_str(),
            crd.spec.names.kind.as_str()
        ),
        (
            resource.group.as_str(),
            resource.plural.as_str(),
            resource.kind.as_str()
        )
    );
    assert_eq!(crd.spec.scope, "Namespaced");
    let version = &crd.spec.versions[0];
    assert_eq!(
        (version.name.as_str(), version.served, version.storage),
        ("v1", true, true)
    );
    assert!(version.subresources.as_ref().is_some_and(|s| s.status.is_some()));
}
