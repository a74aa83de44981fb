//! `kubedeck deploy`'s helm flags against the sim cluster, with the real helm doing the same
//! steps on a release of its own and reading kubedeck's: the values an upgrade keeps (helm's
//! default, --reuse-values, --reset-values, --reset-then-reuse-values), --set-string,
//! --set-file, --set-json, --create-namespace, --dry-run=client; `uninstall --dry-run/--wait`,
//! `rollback --dry-run`, `status -o yaml`; and bad input for each refused in one sentence with
//! nothing changed.

mod common;

use std::path::{Path, PathBuf};

use common::helm;
use k8s_openapi::api::core::v1::Namespace;
use kube::Api;

/// The chart's source folder, for the helm binary (kubedeck deploys its embedded copy).
const CHART: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/chart/todo-chatbot");

fn state() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kubedeck-values-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("state folder");
    dir
}

fn kubedeck(args: &[&str]) -> (i32, String, String) {
    common::run_kubedeck(args, &common::sim_kubeconfig(), &state())
}

/// kubedeck that must succeed; its stdout.
fn kubedeck_ok(args: &[&str]) -> String {
    let (code, out, err) = kubedeck(args);
    assert_eq!(code, 0, "kubedeck {args:?} failed:\n{out}\n{err}");
    out
}

/// `helm get values` (user values, or with `all` the computed ones) as JSON.
fn values(ns: &str, all: bool) -> serde_json::Value {
    let mut args = vec!["get", "values", "todo", "-n", ns, "-o", "json"];
    if all {
        args.push("--all");
    }
    serde_json::from_str(&helm(&args)).expect("helm get values prints JSON")
}

/// `helm history` as (revision, status, description).
fn history(ns: &str) -> Vec<(i64, String, String)> {
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&helm(&["history", "todo", "-n", ns, "-o", "json"])).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_owned(),
                r["description"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// The same values flags for kubedeck (`deploy`) and helm (`upgrade --install`), without waiting.
fn both(kd_ns: &str, helm_ns: &str, flags: &[&str]) {
    let mut kd = vec!["deploy", "todo", "-n", kd_ns, "--wait=false", "--yes"];
    kd.extend(flags);
    kubedeck_ok(&kd);
    let mut h = vec!["upgrade", "--install", "todo", CHART, "-n", helm_ns];
    h.extend(flags);
    helm(&h);
}

async fn namespace_exists(client: &kube::Client, name: &str) -> Option<Namespace> {
    Api::<Namespace>::all(client.clone()).get_opt(name).await.unwrap()
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path.to_string_lossy().into_owned()
}

#[tokio::test]
async fn upgrades_keep_the_values_helm_keeps() {
    let client = common::client().await;
    let suffix = std::process::id();
    // Neither namespace exists: --create-namespace makes them, as helm's does.
    let (ours, theirs) = (format!("values-kd-{suffix}"), format!("values-helm-{suffix}"));
    let dir = tempfile::tempdir().unwrap();
    let key_file = write(dir.path(), "key.txt", "sk-from-a-file\nsecond line\n");
    let ci = format!("{CHART}/ci-values.yaml");
    let local = format!("{CHART}/values-local.yaml");

    let install = [
        "--create-namespace",
        "-f",
        &ci,
        "-f",
        &local,
        "--set",
        "backend.image.tag=1.1,commonLabels.team=7",
        "--set-string",
        "commonLabels.team=007",
        "--set-json",
        r#"frontend.extraEnv=[{"name":"FROM_JSON","value":"1"}],backend.image.tag="0.9""#,
        "--set-file",
        &format!("secrets.openaiApiKey={key_file}"),
    ];
    both(&ours, &theirs, &install);
    let ns = namespace_exists(&client, &ours)
        .await
        .expect("--create-namespace created it");
    let label = ns.metadata.labels.unwrap_or_default().get("name").cloned();
    assert_eq!(label.as_deref(), Some(ours.as_str()), "labelled as helm labels it");
    let first = values(&ours, false);
    assert_eq!(
        first["commonLabels"]["team"], "007",
        "--set-string wins over --set: {first}"
    );
    assert_eq!(
        first["backend"]["image"]["tag"], "1.1",
        "--set wins over --set-json: {first}"
    );
    assert_eq!(first["frontend"]["extraEnv"][0]["name"], "FROM_JSON", "{first}");
    assert_eq!(
        first["secrets"]["openaiApiKey"], "sk-from-a-file\nsecond line\n",
        "{first}"
    );

    let steps: [&[&str]; 5] = [
        // helm upgrade's default with no values: the last release's again.
        &[],
        // --reuse-values: the last ones with these on top.
        &["--reuse-values", "--set", "frontend.image.tag=2.0"],
        // --reset-then-reuse-values: chart defaults, the last ones, these on top.
        &["--reset-then-reuse-values", "--set-json", "backend.replicas=3"],
        // The default with values given: only these (and the chart's defaults). The local
        // values stay: they size the StatefulSets' volumes, which cannot change.
        &["-f", &ci, "-f", &local, "--set", "backend.image.tag=1.2"],
        // --reset-values: the chart's defaults and these only.
        &["--reset-values", "-f", &ci, "-f", &local],
    ];
    for (i, step) in steps.iter().enumerate() {
        both(&ours, &theirs, step);
        assert_eq!(
            values(&ours, false),
            values(&theirs, false),
            "user values after step {i}: {step:?}"
        );
        assert_eq!(
            values(&ours, true),
            values(&theirs, true),
            "computed values after step {i}: {step:?}"
        );
    }
    assert_eq!(history(&ours), history(&theirs));
    assert_eq!(history(&ours).len(), 6);
    // Spot checks of what the steps mean, beyond agreeing with helm.
    let last = values(&ours, false);
    assert!(
        last.get("commonLabels").is_none() && last["frontend"].get("extraEnv").is_none(),
        "{last}"
    );
    assert_ne!(last["backend"]["image"]["tag"], "1.2", "{last}");

    // --reuse-values after --reset-values: helm's rebuilt defaults, read back the same way.
    both(&ours, &theirs, &["--reuse-values", "--set", "backend.replicas=4"]);
    assert_eq!(values(&ours, true), values(&theirs, true));
    assert_eq!(values(&ours, true)["backend"]["replicas"], 4);

    for ns in [&ours, &theirs] {
        helm(&["uninstall", "todo", "-n", ns]);
        common::delete_namespace(&client, ns).await;
    }
}

#[tokio::test]
async fn dry_runs_print_and_change_nothing() {
    let client = common::client().await;
    let ns = common::namespace(&client, "dryrun").await;
    let ci = format!("{CHART}/ci-values.yaml");
    let flags = ["-f", ci.as_str(), "--set", "backend.image.tag=1.1"];

    // --dry-run=client prints the release as helm's client dry run: same manifest and hooks.
    let mut kd = vec!["deploy", "todo", "-n", &ns, "--dry-run=client"];
    kd.extend(flags);
    let ours = kubedeck_ok(&kd);
    let mut h = vec!["install", "todo", CHART, "-n", &ns, "--dry-run=client"];
    h.extend(flags);
    let theirs = helm(&h);
    let without_time = |text: &str| -> String {
        text.lines()
            .filter(|l| !l.starts_with("LAST DEPLOYED:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    assert_eq!(without_time(&ours), without_time(&theirs));
    assert!(ours.contains("STATUS: pending-install\n"), "{ours}");
    // The bare flag is the plan of what would change.
    let mut kd = vec!["deploy", "todo", "-n", &ns, "--dry-run"];
    kd.extend(flags);
    let plan = kubedeck_ok(&kd);
    assert!(
        plan.contains("revision 1 would") && plan.contains("  + add Deployment/todo-todo-chatbot-backend"),
        "{plan}"
    );
    let (_, listed) = common::helm_output(&[
        "history",
        "todo",
        "-n",
        &ns,
        "--kubeconfig",
        common::sim_kubeconfig().to_str().unwrap(),
    ]);
    assert!(listed.contains("not found"), "no dry run recorded a release: {listed}");

    // rollback and uninstall dry runs on a real release leave it as it is.
    let mut kd = vec!["deploy", "todo", "-n", &ns, "--wait=false", "--yes"];
    kd.extend(flags);
    kubedeck_ok(&kd);
    kubedeck_ok(&[
        "deploy",
        "todo",
        "-n",
        &ns,
        "--wait=false",
        "--yes",
        "--reuse-values",
        "--set",
        "backend.image.tag=1.2",
    ]);
    let before = history(&ns);
    let out = kubedeck_ok(&["rollback", "todo", "1", "-n", &ns, "--dry-run"]);
    assert!(out.contains("revision 3 would roll back to revision 1"), "{out}");
    assert!(
        out.contains("~ change Deployment/todo-todo-chatbot-backend") && out.contains("backend:1.1"),
        "{out}"
    );
    let out = kubedeck_ok(&["uninstall", "todo", "-n", &ns, "--dry-run"]);
    assert!(
        out.contains("  - delete Deployment/todo-todo-chatbot-backend") && out.contains("(2 revisions)"),
        "{out}"
    );
    assert_eq!(history(&ns), before, "dry runs recorded nothing");
    let status: serde_yaml::Value =
        serde_yaml::from_str(&kubedeck(&["status", "-n", &ns, "-o", "yaml"]).1).expect("status -o yaml is YAML");
    assert!(status.get("releases").is_some(), "{status:?}");

    // uninstall --wait returns once every object is gone.
    kubedeck_ok(&["uninstall", "todo", "-n", &ns, "--wait", "--timeout", "90s", "--yes"]);
    let deployments = Api::<k8s_openapi::api::apps::v1::Deployment>::namespaced(client.clone(), &ns);
    let left = deployments.list(&Default::default()).await.unwrap();
    assert!(left.items.is_empty(), "left behind: {:?}", left.items.len());
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test]
async fn bad_input_is_one_sentence_and_changes_nothing() {
    let client = common::client().await;
    let ns = common::namespace(&client, "badflags").await;
    let ci = format!("{CHART}/ci-values.yaml");
    kubedeck_ok(&["deploy", "todo", "-n", &ns, "-f", &ci, "--wait=false", "--yes"]);
    let before = (history(&ns), values(&ns, false));
    let missing_ns = format!("{ns}-missing");
    let cases: [(&[&str], &str); 8] = [
        (
            &["deploy", "todo", "-f", &ci, "--timeout", "5x", "--yes"],
            "--timeout \"5x\" is not a duration",
        ),
        (
            &[
                "deploy",
                "todo",
                "--set-file",
                "secrets.openaiApiKey=/no/such/file",
                "--yes",
            ],
            "--set-file secrets.openaiApiKey=/no/such/file is not valid: cannot read /no/such/file",
        ),
        (
            &["deploy", "todo", "--set-json", "backend.replicas={nope", "--yes"],
            "--set-json backend.replicas={nope is not valid",
        ),
        (
            &["deploy", "todo", "--set-json", "{not json", "--yes"],
            "is not valid: it is not a JSON object",
        ),
        (
            &["deploy", "todo", "--dry-run=maybe"],
            "--dry-run=\"maybe\" is not a dry-run mode",
        ),
        (
            &["deploy", "todo", "--wait=perhaps", "--yes"],
            "\"perhaps\" is not true or false",
        ),
        (
            &["uninstall", "todo", "--wait", "--timeout", "soon", "--yes"],
            "--timeout \"soon\" is not a duration",
        ),
        (
            &["rollback", "todo", "1", "--dry-run", "--timeout", "1d"],
            "--timeout \"1d\" is not a duration",
        ),
    ];
    for (args, expected) in cases {
        let all = [args, &["-n", &ns]].concat();
        let (code, out, err) = kubedeck(&all);
        assert_eq!(code, 1, "{all:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{all:?}: one sentence: {err}");
        assert!(err.contains(expected), "{all:?}: {err}");
        assert_eq!(
            (history(&ns), values(&ns, false)),
            before,
            "{all:?} changed the release"
        );
    }
    // A namespace that does not exist is named, with the flag that creates it; none is made.
    let (code, _, err) = kubedeck(&["deploy", "todo", "-n", &missing_ns, "-f", &ci, "--yes"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("does not exist: pass --create-namespace"), "{err}");
    assert!(namespace_exists(&client, &missing_ns).await.is_none());
    helm(&["uninstall", "todo", "-n", &ns]);
    common::delete_namespace(&client, &ns).await;
}

/// `--set key=null` keeps the null in the release's values and drops the chart's default from
/// the computed ones; `--set-literal` takes its text as it is (commas, `=`, backslashes), after
/// the other flags: helm reads kubedeck's release as its own.
#[tokio::test]
async fn set_null_and_set_literal_are_kept_as_helm_keeps_them() {
    let client = common::client().await;
    let (ours, theirs) = (
        common::namespace(&client, "null-kd").await,
        common::namespace(&client, "null-helm").await,
    );
    let ci = format!("{CHART}/ci-values.yaml");
    let flags = [
        "-f",
        &ci,
        "--set",
        "backend.podAnnotations.note=x,frontend.podAnnotations=null,secrets.openaiApiKey=plain",
        "--set-literal",
        r"secrets.openaiApiKey=sk,a=b\c,null",
    ];
    both(&ours, &theirs, &flags);
    assert_eq!(values(&ours, false), values(&theirs, false));
    assert_eq!(values(&ours, true), values(&theirs, true));
    let given = values(&ours, false);
    assert!(given["frontend"]["podAnnotations"].is_null(), "{given}");
    assert!(
        given["frontend"].as_object().unwrap().contains_key("podAnnotations"),
        "kept: {given}"
    );
    assert_eq!(given["secrets"]["openaiApiKey"], r"sk,a=b\c,null", "{given}");
    let computed = values(&ours, true);
    assert!(
        computed["frontend"].get("podAnnotations").is_none(),
        "default dropped: {computed}"
    );
    assert_eq!(computed["backend"]["podAnnotations"]["note"], "x", "{computed}");
    for ns in [&ours, &theirs] {
        helm(&["uninstall", "todo", "-n", ns]);
        common::delete_namespace(&client, ns).await;
    }
}

/// A chart of one Job on the real node that sleeps `seconds`, then exits `exitCode`; each
/// revision runs a Job of its own (a Job's pod template cannot change).
fn job_chart(dir: &Path) -> String {
    let chart = dir.join("jobs");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    write(&chart, "Chart.yaml", "apiVersion: v2\nname: jobs\nversion: 0.1.0\n");
    write(&chart, "values.yaml", "seconds: 3\nexitCode: 0\n");
    write(
        &chart.join("templates"),
        "job.yaml",
        r#"apiVersion: batch/v1
kind: Job
metadata:
  name: {{ .Release.Name }}-once-{{ .Release.Revision }}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      nodeSelector: {kubedeck.dev/sim-real: "true"}
      tolerations: [{key: kubedeck.dev/real-node, operator: Exists, effect: NoSchedule}]
      terminationGracePeriodSeconds: 1
      containers:
        - name: main
          image: busybox:1.36
          imagePullPolicy: Never
          command: ["sh", "-c", "sleep {{ .Values.seconds }}; exit {{ .Values.exitCode }}"]
"#,
    );
    chart.to_string_lossy().into_owned()
}

async fn job_succeeded(client: &kube::Client, ns: &str, name: &str) -> i32 {
    let job = Api::<k8s_openapi::api::batch::v1::Job>::namespaced(client.clone(), ns)
        .get(name)
        .await
        .unwrap_or_else(|e| panic!("reading Job {name}: {e}"));
    job.status.and_then(|s| s.succeeded).unwrap_or(0)
}

fn jobs_history(ns: &str) -> Vec<(i64, String)> {
    let rows: Vec<serde_json::Value> =
        serde_json::from_str(&helm(&["history", "jobs", "-n", ns, "-o", "json"])).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["revision"].as_i64().unwrap(),
                r["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// `deploy --wait-for-jobs` and `rollback --wait-for-jobs` return once the release's Jobs have
/// completed and fail when one fails, as helm's do; `rollback --wait=false` does not wait.
#[tokio::test]
async fn wait_for_jobs_on_deploy_and_rollback_as_helm() {
    let client = common::client().await;
    common::real_node::require(&client).await;
    let (ours, theirs) = (
        common::namespace(&client, "jobs-kd").await,
        common::namespace(&client, "jobs-helm").await,
    );
    let dir = tempfile::tempdir().unwrap();
    let chart = job_chart(dir.path());
    let deploy = |extra: &[&str]| {
        let mut args = vec![
            "deploy",
            "jobs",
            "--chart",
            &chart,
            "-n",
            &ours,
            "--wait-for-jobs",
            "--timeout",
            "2m",
        ];
        args.extend(extra);
        args.push("--yes");
        kubedeck(&args)
    };
    let kubeconfig = common::sim_kubeconfig();
    let helm_deploy = |extra: &[&str]| {
        let mut args = vec![
            "upgrade",
            "--install",
            "jobs",
            &chart,
            "-n",
            &theirs,
            "--wait",
            "--wait-for-jobs",
        ];
        args.extend(extra);
        args.extend(["--timeout", "2m", "--kubeconfig", kubeconfig.to_str().unwrap()]);
        common::helm_output(&args).0
    };

    let (code, out, err) = deploy(&[]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        job_succeeded(&client, &ours, "jobs-once-1").await,
        1,
        "returned before the Job completed"
    );
    assert!(helm_deploy(&[]));

    let (code, _, err) = deploy(&["--set", "exitCode=3"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.lines().count(), 1, "one sentence: {err}");
    assert!(err.contains("Job/jobs-once-2 failed"), "{err}");
    assert!(!helm_deploy(&["--set", "exitCode=3"]));

    let rollback = |extra: &[&str]| {
        let mut args = vec!["rollback", "jobs"];
        args.extend(extra);
        args.extend(["-n", &ours, "--timeout", "2m", "--yes"]);
        kubedeck(&args)
    };
    let (code, out, err) = rollback(&["1", "--wait-for-jobs"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        job_succeeded(&client, &ours, "jobs-once-1").await,
        1,
        "returned before the Job completed"
    );
    let helm_rollback = |to: &str| {
        common::helm_output(&[
            "rollback",
            "jobs",
            to,
            "-n",
            &theirs,
            "--wait",
            "--wait-for-jobs",
            "--timeout",
            "2m",
            "--kubeconfig",
            kubeconfig.to_str().unwrap(),
        ])
        .0
    };
    assert!(helm_rollback("1"));
    let (code, _, err) = rollback(&["2", "--wait-for-jobs"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("Job/jobs-once-2 failed"), "{err}");
    assert!(!helm_rollback("2"));
    assert_eq!(jobs_history(&ours), jobs_history(&theirs));

    // --wait=false: back to the failing revision, returning before its Job can fail.
    let (code, out, err) = rollback(&["2", "--wait=false", "--wait-for-jobs"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(jobs_history(&ours).last(), Some(&(5, "deployed".to_owned())));

    // Bad values for the new flags: one sentence, nothing recorded.
    let before = jobs_history(&ours);
    for (args, expected) in [
        (
            vec!["rollback", "jobs", "1", "--wait=later", "--yes"],
            "\"later\" is not true or false",
        ),
        (
            vec!["rollback", "jobs", "1", "--wait", "--timeout", "5 minutes", "--yes"],
            "is not a duration",
        ),
        (
            vec!["deploy", "jobs", "--chart", &chart, "--set-literal", "seconds", "--yes"],
            "--set-literal seconds is not valid",
        ),
        (
            vec![
                "deploy",
                "jobs",
                "--chart",
                &chart,
                "--wait-for-jobs",
                "--timeout",
                "1h1x",
                "--yes",
            ],
            "is not a duration",
        ),
    ] {
        let all = [args.as_slice(), &["-n", &ours]].concat();
        let (code, out, err) = kubedeck(&all);
        assert_eq!(code, 1, "{all:?}: {out}{err}");
        assert_eq!(err.lines().count(), 1, "{all:?}: one sentence: {err}");
        assert!(err.contains(expected), "{all:?}: {err}");
    }
    assert_eq!(jobs_history(&ours), before, "bad input recorded nothing");
    for ns in [&ours, &theirs] {
        common::delete_namespace(&client, ns).await;
    }
}
