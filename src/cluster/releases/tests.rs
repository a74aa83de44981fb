use std::collections::BTreeMap;
use std::io::Write;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use flate2::Compression;
use flate2::write::GzEncoder;
use k8s_openapi::ByteString;
use serde_json::{Value, json};

use super::*;

/// `helm install todo ./todo-chatbot -n demo --set replicaCount=2 --set image.tag=v2` as
/// helm v3.20.2 wrote it (`-o json` of a client dry run; times, status and description set to
/// those of a real install, and a few templates left out for size).
const TODO_V1: &str = include_str!("testdata/todo-v1.json");

/// What Helm's storage driver does to the JSON: gzip, then base64.
fn gzip_base64(json: &[u8]) -> Vec<u8> {
    let mut gz = GzEncoder::new(Vec::new(), Compression::best());
    gz.write_all(json).unwrap();
    STANDARD.encode(gz.finish().unwrap()).into_bytes()
}

fn record_secret(name: &str, data: Option<Vec<u8>>, labels: &[(&str, &str)]) -> Secret {
    let mut secret = Secret {
        type_: Some(SECRET_TYPE.into()),
        data: data.map(|d| BTreeMap::from([(DATA_KEY.to_owned(), ByteString(d))])),
        ..Secret::default()
    };
    secret.metadata.name = Some(name.into());
    secret.metadata.namespace = Some("demo".into());
    secret.metadata.labels = Some(labels.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect());
    secret
}

const TODO_LABELS: [(&str, &str); 6] = [
    ("name", "todo"),
    ("owner", "helm"),
    ("status", "deployed"),
    ("version", "1"),
    ("createdAt", "1795168800"),
    ("team", "chatbot"),
];

fn todo_v1_secret() -> Secret {
    record_secret(
        "sh.helm.release.v1.todo.v1",
        Some(gzip_base64(TODO_V1.as_bytes())),
        &TODO_LABELS,
    )
}

fn todo_v1() -> Release {
    release_from_secret(&todo_v1_secret()).expect("the helm record decodes")
}

#[test]
fn a_record_helm_wrote_becomes_a_row() {
    let row = ReleaseRow::from(&todo_v1_secret());
    assert_eq!(
        row,
        ReleaseRow {
            key: ObjectKey::new("demo", "sh.helm.release.v1.todo.v1"),
            name: "todo".into(),
            namespace: "demo".into(),
            revision: 1,
            status: ReleaseStatus::Deployed,
            chart: "todo-chatbot-0.1.0".into(),
            app_version: "1.0.0".into(),
            updated: Some("2026-11-20T10:00:00.123456789Z".parse().unwrap()),
            description: "Install complete".into(),
            problem: None,
        }
    );
}

#[test]
fn a_record_helm_wrote_decodes_in_full() {
    let release = todo_v1();
    assert_eq!((release.name.as_str(), release.namespace.as_str()), ("todo", "demo"));
    assert_eq!(release.version, 1);
    assert_eq!(release.info.status, Some(ReleaseStatus::Deployed));
    assert_eq!(release.info.deleted, HelmTime(None));
    assert!(release.info.notes.starts_with("1. Get the application URL"));
    let metadata = release.chart.metadata.as_ref().unwrap();
    assert_eq!(
        (metadata.api_version.as_str(), metadata.app_version.as_str()),
        ("v2", "1.0.0")
    );
    assert_eq!(metadata.chart_type, "application");
    assert_eq!(release.chart.lock, None);
    let templates = release.chart.templates.as_ref().unwrap();
    let deployment = templates
        .iter()
        .find(|t| t.name == "templates/deployment.yaml")
        .unwrap();
    assert!(String::from_utf8_lossy(&deployment.data.0).contains("kind: Deployment"));
    assert_eq!(
        release.config,
        *json!({"image": {"tag": "v2"}, "replicaCount": 2}).as_object().unwrap()
    );
    assert!(release.manifest.contains("replicas: 2"));
    assert_eq!(release.hooks[0].events, ["test"]);
    assert_eq!(release.hooks[0].last_run, HookExecution::default());
    // Helm's own labels stay on the Secret; the release keeps only the custom ones.
    assert_eq!(release.labels, BTreeMap::from([("team".into(), "chatbot".into())]));
}

#[test]
fn helm_json_is_written_back_as_helm_wrote_it() {
    let original: Value = serde_json::from_str(TODO_V1).unwrap();
    let release: Release = serde_json::from_str(TODO_V1).unwrap();
    assert_eq!(serde_json::to_value(&release).unwrap(), original);
}

#[test]
fn plain_json_without_gzip_is_accepted() {
    let secret = record_secret(
        "sh.helm.release.v1.todo.v1",
        Some(STANDARD.encode(TODO_V1).into_bytes()),
        &TODO_LABELS,
    );
    let row = ReleaseRow::from(&secret);
    assert_eq!(row.problem, None);
    assert_eq!(row.chart, "todo-chatbot-0.1.0");
    assert_eq!(release_from_secret(&secret).unwrap(), todo_v1());
}

#[test]
fn corrupt_records_become_rows_that_say_why() {
    let gzip_garbage = STANDARD.encode([0x1f, 0x8b, 0x08, 0, 1, 2, 3, 4, 5]).into_bytes();
    let cases: [(&str, Option<Vec<u8>>, &str); 6] = [
        ("missing key", None, "the Secret has no \"release\" data key"),
        (
            "bad base64",
            Some(b"%%% not base64".to_vec()),
            "the record is not base64: ",
        ),
        ("bad gzip", Some(gzip_garbage), "the record is not gzip: "),
        (
            "not JSON",
            Some(gzip_base64(b"release: todo")),
            "the record is not a Helm release: expected value",
        ),
        (
            "JSON, not a release",
            Some(gzip_base64(br#"{"name":"todo","version":"one"}"#)),
            "the record is not a Helm release: invalid type: string \"one\", expected i32",
        ),
        ("empty", Some(Vec::new()), "the record is not a Helm release: EOF"),
    ];
    let labels = [
        ("name", "todo"),
        ("owner", "helm"),
        ("status", "failed"),
        ("version", "3"),
    ];
    for (what, data, want) in cases {
        let row = ReleaseRow::from(&record_secret("sh.helm.release.v1.todo.v3", data, &labels));
        let problem = row
            .problem
            .as_deref()
            .unwrap_or_else(|| panic!("{what}: no problem reported"));
        assert!(
            problem.starts_with(want),
            "{what}: {problem:?} should start with {want:?}"
        );
        // Still placed in its release's history, from the labels.
        assert_eq!(
            (row.name.as_str(), row.revision, &row.status),
            ("todo", 3, &ReleaseStatus::Failed),
            "{what}"
        );
    }
}

#[test]
fn an_unlabelled_corrupt_record_is_named_from_the_secret_name() {
    let mut secret = record_secret("sh.helm.release.v1.my.app.v12", Some(b"!".to_vec()), &[]);
    secret.metadata.creation_timestamp = Some(k8s_openapi::apimachinery::pkg::apis::meta::v1::Time(
        "2026-11-20T09:00:00Z".parse().unwrap(),
    ));
    let row = ReleaseRow::from(&secret);
    assert_eq!((row.name.as_str(), row.revision), ("my.app", 12));
    assert_eq!(row.status, ReleaseStatus::Unknown);
    assert_eq!(row.updated, Some("2026-11-20T09:00:00Z".parse().unwrap()));
    assert!(row.problem.is_some());

    secret.type_ = Some("Opaque".into());
    let row = ReleaseRow::from(&secret);
    assert_eq!(
        row.problem.as_deref(),
        Some("the Secret has type \"Opaque\", not helm.sh/release.v1")
    );
}

#[test]
fn cluster_text_is_sanitized() {
    let json = TODO_V1
        .replacen(r#""name":"todo""#, r#""name":"to\u001b[2Jdo""#, 1)
        .replacen("Install complete", "Install\\ncomplete\\u001b]0;pwned\\u0007", 1);
    let row = ReleaseRow::from(&record_secret("x", Some(gzip_base64(json.as_bytes())), &[]));
    assert_eq!(
        (row.name.as_str(), row.description.as_str()),
        ("todo", "Install complete")
    );
}

#[test]
fn unknown_fields_survive_an_encode_decode_round_trip() {
    let mut value: Value = serde_json::from_str(TODO_V1).unwrap();
    value["from_helm_5"] = json!({"nested": [1, 2]});
    value["info"]["resources"] = json!({"v1/Pod": [{"kind": "Pod"}]});
    value["chart"]["metadata"]["future"] = json!(true);
    value["chart"]["metadata"]["maintainers"] = json!([{"name": "dev", "mastodon": "@dev"}]);
    value["chart"]["metadata"]["dependencies"] =
        json!([{"name": "redis", "repository": "oci://r", "import-values": ["data"], "digest": "x"}]);
    value["chart"]["files"][0]["mode"] = json!(420);
    value["chart"]["lock"] = json!({"generated": "2026-01-01T00:00:00Z", "digest": "sha256:0", "dependencies": []});
    value["hooks"][0]["retries"] = json!(3);
    value["hooks"][0]["last_run"]["exit_code"] = json!(0);
    value["hooks"][0]["last_run"]["started_at"] = json!("2026-11-20T10:00:01.5+01:00");

    let release: Release = serde_json::from_value(value.clone()).unwrap();
    let encoded = encode_release(&release);
    let raw = STANDARD.decode(&encoded).unwrap();
    assert_eq!(&raw[..2], &[0x1f, 0x8b], "gzip inside the base64");
    let decoded = decode_release(&encoded).unwrap();
    assert_eq!(decoded, release);

    // The instant survives; the offset Helm wrote it with does not.
    value["hooks"][0]["last_run"]["started_at"] = json!("2026-11-20T09:00:01.5Z");
    assert_eq!(serde_json::to_value(&decoded).unwrap(), value);
}

#[test]
fn helm_times() {
    let parse = |s: &str| serde_json::from_value::<HelmTime>(json!(s)).unwrap();
    assert_eq!(parse(""), HelmTime(None));
    assert_eq!(parse("0001-01-01T00:00:00Z"), HelmTime(None), "Go's zero time");
    assert_eq!(serde_json::from_value::<HelmTime>(Value::Null).unwrap(), HelmTime(None));
    for go in [
        "2026-11-20T10:00:00Z",
        "2026-11-20T10:00:00.1Z",
        "2026-11-20T10:00:00.000000001Z",
    ] {
        assert_eq!(serde_json::to_value(parse(go)).unwrap(), json!(go));
    }
    assert_eq!(serde_json::to_value(HelmTime(None)).unwrap(), json!(""));
    assert!(serde_json::from_value::<HelmTime>(json!("yesterday")).is_err());
}

#[test]
fn the_secret_for_a_revision_is_built_like_helms() {
    let mut release = todo_v1();
    release.version = 2;
    release.info.status = Some(ReleaseStatus::PendingUpgrade);
    let at: jiff::Timestamp = "2026-11-21T08:00:00Z".parse().unwrap();
    let secret = release_secret(&release, RecordStamp::Created(at));
    assert_eq!(secret.metadata.name.as_deref(), Some("sh.helm.release.v1.todo.v2"));
    assert_eq!(secret.metadata.namespace.as_deref(), Some("demo"));
    assert_eq!(secret.type_.as_deref(), Some("helm.sh/release.v1"));
    let labels: Vec<(&str, &str)> = secret
        .metadata
        .labels
        .iter()
        .flatten()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        labels,
        [
            ("createdAt", "1795248000"),
            ("name", "todo"),
            ("owner", "helm"),
            ("status", "pending-upgrade"),
            ("team", "chatbot"),
            ("version", "2"),
        ]
    );
    assert_eq!(release_from_secret(&secret).unwrap(), release);
    let row = ReleaseRow::from(&secret);
    assert_eq!(
        (row.revision, row.status, row.problem),
        (2, ReleaseStatus::PendingUpgrade, None)
    );

    let rewritten = release_secret(&release, RecordStamp::Modified(at));
    let labels = rewritten.metadata.labels.unwrap();
    assert_eq!(labels.get("modifiedAt").map(String::as_str), Some("1795248000"));
    assert!(!labels.contains_key("createdAt"));
}

#[test]
fn secret_names() {
    assert_eq!(secret_name("todo", 3), "sh.helm.release.v1.todo.v3");
    assert_eq!(parse_secret_name("sh.helm.release.v1.todo.v3"), Some(("todo", 3)));
    assert_eq!(parse_secret_name("sh.helm.release.v1.a.v2.v10"), Some(("a.v2", 10)));
    assert_eq!(parse_secret_name("sh.helm.release.v1.todo"), None);
    assert_eq!(parse_secret_name("default-token-x"), None);
}

#[test]
fn latest_revision_of_each_release_sorted_by_name() {
    let rows = [
        ReleaseRow::example("demo", "todo", 1, "superseded", "2026-11-20T10:00:00Z"),
        ReleaseRow::example("demo", "todo", 10, "deployed", "2026-11-22T10:00:00Z"),
        ReleaseRow::example("demo", "todo", 2, "superseded", "2026-11-21T10:00:00Z"),
        ReleaseRow::example("staging", "todo", 1, "failed", "2026-11-21T10:00:00Z"),
        ReleaseRow::example("demo", "redis", 4, "deployed", "2026-11-19T10:00:00Z"),
        ReleaseRow::example("demo", "ingress", 1, "pending-install", "2026-11-23T10:00:00Z"),
    ];
    let latest: Vec<(&str, &str, i32)> = latest_per_release(&rows)
        .into_iter()
        .map(|r| (r.name.as_str(), r.namespace.as_str(), r.revision))
        .collect();
    assert_eq!(
        latest,
        [
            ("ingress", "demo", 1),
            ("redis", "demo", 4),
            ("todo", "demo", 10),
            ("todo", "staging", 1)
        ]
    );

    let revisions: Vec<i32> = history(&rows, "demo", "todo").iter().map(|r| r.revision).collect();
    assert_eq!(revisions, [1, 2, 10]);
    assert!(history(&rows, "demo", "nothing").is_empty());
}

fn todo_v2() -> Release {
    let mut release = todo_v1();
    release.version = 2;
    release.config = json!({"image": {"tag": "v3"}, "replicaCount": 3, "env": {"LOG": "debug"}})
        .as_object()
        .unwrap()
        .clone();
    release.manifest = release
        .manifest
        .replace("replicas: 2", "replicas: 3")
        .replace("nginx:v2", "nginx:v3");
    release
}

#[test]
fn diff_of_values_and_manifest() {
    use DiffLine::*;
    let lines = diff_revisions(&todo_v1(), &todo_v2());
    let values_end = lines
        .iter()
        .position(|l| l == &Header("--- manifest, revision 1".into()))
        .unwrap();
    assert_eq!(
        lines[..values_end],
        [
            Header("--- values, revision 1".into()),
            Header("+++ values, revision 2".into()),
            Header("@@ -1,3 +1,5 @@".into()),
            Added("env:".into()),
            Added("  LOG: debug".into()),
            Context("image:".into()),
            Removed("  tag: v2".into()),
            Removed("replicaCount: 2".into()),
            Added("  tag: v3".into()),
            Added("replicaCount: 3".into()),
        ]
    );
    let manifest = &lines[values_end..];
    assert_eq!(manifest[1], Header("+++ manifest, revision 2".into()));
    assert!(matches!(&manifest[2], Header(h) if h.starts_with("@@ -")));
    let changed: Vec<&DiffLine> = manifest.iter().filter(|l| matches!(l, Added(_) | Removed(_))).collect();
    assert_eq!(
        changed,
        [
            &Removed("  replicas: 2".into()),
            &Added("  replicas: 3".into()),
            &Removed("          image: \"nginx:v2\"".into()),
            &Added("          image: \"nginx:v3\"".into()),
        ]
    );
    assert!(manifest.contains(&Context("spec:".into())));
}

#[test]
fn a_diff_shows_that_a_secret_changed_but_not_its_value() {
    let mut v1 = todo_v1();
    v1.config = json!({"secrets": {"openaiApiKey": "sk-old"}, "replicaCount": 2})
        .as_object()
        .unwrap()
        .clone();
    v1.manifest.push_str("---\n# Source: todo/templates/secret.yaml\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  KEY: c2stb2xk\n  SAME: eA==\n");
    let mut v2 = v1.clone();
    v2.version = 2;
    v2.config = json!({"secrets": {"openaiApiKey": "sk-new"}, "replicaCount": 2})
        .as_object()
        .unwrap()
        .clone();
    v2.manifest = v1.manifest.replace("KEY: c2stb2xk", "KEY: c2stbmV3");
    let lines = diff_revisions(&v1, &v2);
    let text = format!("{lines:?}");
    for secret in ["sk-old", "sk-new", "c2stb2xk", "c2stbmV3", "eA=="] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
    let changed: Vec<&DiffLine> = lines
        .iter()
        .filter(|l| matches!(l, DiffLine::Added(_) | DiffLine::Removed(_)))
        .collect();
    assert_eq!(
        changed.len(),
        4,
        "the key's line in the values and in the Secret, each before and after: {changed:?}"
    );
    assert!(
        changed
            .iter()
            .all(|l| format!("{l:?}").contains("•••••••• (secret value")),
        "{changed:?}"
    );
}

#[test]
fn diff_of_identical_revisions_says_so() {
    let mut same = todo_v1();
    same.version = 2;
    assert_eq!(
        diff_revisions(&todo_v1(), &same),
        [
            DiffLine::Header("values: no changes between revision 1 and 2".into()),
            DiffLine::Header("manifest: no changes between revision 1 and 2".into()),
        ]
    );
}

#[test]
fn values_are_yaml_with_sorted_keys() {
    let config = json!({"b": 1, "a": {"d": [true, null], "c": 2.5}, "e": ""});
    assert_eq!(
        values_yaml(config.as_object().unwrap()),
        "a:\n  c: 2.5\n  d:\n  - true\n  - null\nb: 1\ne: ''\n"
    );
    assert_eq!(values_yaml(&serde_json::Map::new()), "");
}

#[test]
fn errors_read_as_sentences() {
    let error = ReleaseError {
        release: "todo".into(),
        namespace: "demo".into(),
        revision: 3,
        cause: ReleaseErrorCause::Record(RecordProblem::NotGzip("invalid gzip header".into())),
    };
    assert_eq!(
        error.to_string(),
        "release todo revision 3 in namespace demo: the record is not gzip: invalid gzip header"
    );
    let missing = ReleaseError {
        cause: ReleaseErrorCause::NotFound,
        ..error
    };
    assert_eq!(
        missing.to_string(),
        "release todo revision 3 in namespace demo: there is no such revision (no Secret \
         sh.helm.release.v1.todo.v3); it may have been pruned by --history-max"
    );
}
