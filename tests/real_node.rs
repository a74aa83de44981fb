//! On the sim cluster's real node (a kubelet on containerd, `scripts/sim up --real-node`): the
//! Todo Chatbot chart running for real (values-sim.yaml), the demos that need real processes,
//! exec, logs across a container restart, failing probes and a missing image. These fail, never
//! skip, when the real node is missing.

mod common;

use std::time::{Duration, Instant};

use common::logs::LogsProcess;
use common::real_node::{self, kubedeck};
use kubedeck::actions::release_store::ReleaseStore;

const WAIT: Duration = Duration::from_secs(120);

/// The chart deployed with `kubedeck deploy -f sim` (and extra args) into a fresh namespace.
async fn deployed(prefix: &str, extra: &[&str]) -> (kube::Client, String) {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, prefix).await;
    let started = Instant::now();
    let mut args = vec!["deploy", "-n", ns.as_str(), "-f", "sim", "--yes", "--timeout", "180"];
    args.extend_from_slice(extra);
    let (code, out, err) = kubedeck(&args);
    assert_eq!(code, 0, "kubedeck deploy -f sim failed:\n{out}{err}");
    eprintln!(
        "[{prefix}] chart deployed and Ready on the real node in {:.1}s",
        started.elapsed().as_secs_f32()
    );
    (client, ns)
}

fn last_line(out: &str) -> &str {
    out.lines().last().unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_chart_runs_for_real_and_the_demos_measure_it() {
    let (client, ns) = deployed("real-chart", &[]).await;
    let instance = "app.kubernetes.io/instance=todo";
    let pods = real_node::ready_pods(&client, &ns, instance).await;
    // The deploy's wait covers the HPAs' floors: the chart leaves the Deployments' `replicas` to
    // them, so frontend and backend start at one pod each until the HPA's first sync.
    let names: Vec<_> = pods.iter().filter_map(|p| p.metadata.name.as_deref()).collect();
    assert_eq!(
        pods.len(),
        6,
        "frontend 2, backend 2, mcp-server 1, redis 1 Ready; Ready: {names:?}"
    );
    for pod in &pods {
        let node = pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
        assert_eq!(node, Some(real_node::NODE), "{:?}", pod.metadata.name);
    }
    // Redis keeps its AOF on the claim the local-path provisioner bound.
    let redis = "todo-todo-chatbot-redis-0";
    let listing = real_node::exec(&client, &ns, redis, &["ls", "/data/appendonlydir"]).await;
    assert!(listing.contains(".aof"), "no AOF in /data: {listing}");

    let (code, out, err) = kubedeck(&["demo", "persistence", "-n", &ns, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        last_line(&out).starts_with("Persistence: the key written before the Redis pod was deleted reads back"),
        "{out}"
    );
    eprintln!("[persistence] {}", last_line(&out));

    let (code, out, err) = kubedeck(&["demo", "self-healing", "-n", &ns, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(last_line(&out).contains("Ready after"), "{out}");
    eprintln!("[self-healing] {}", last_line(&out));

    let (code, out, err) = kubedeck(&["demo", "rollback", "-n", &ns, "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(last_line(&out).contains("\"Rollback to 1\" is revision 3"), "{out}");
    eprintln!("[rollback] {}", last_line(&out));
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_runs_a_command_in_a_real_container() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-exec").await;
    real_node::create_pod(
        &client,
        &ns,
        "shell",
        serde_json::json!({"containers": [{"name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never",
            "command": ["sh", "-c", "echo started > /tmp/marker; exec sleep 3600"]}]}),
    )
    .await;
    real_node::wait_running(&client, &ns, "shell", WAIT).await;
    let out = real_node::exec(
        &client,
        &ns,
        "shell",
        &[
            "sh",
            "-c",
            "echo hello from $(hostname); cat /tmp/marker; id -u; ip -o -4 addr show eth0 | grep -c 10.244.",
        ],
    )
    .await;
    assert_eq!(out, "hello from shell\nstarted\n0\n1\n", "exec output");
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_follow_a_real_container_across_its_restart_and_show_the_previous_one() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-logs").await;
    // Each run of the container counts itself in an emptyDir (which outlives restarts) and exits 3.
    let script = "n=$(cat /state/n 2>/dev/null || echo 0); n=$((n+1)); echo $n > /state/n; \
                  echo \"run $n started\"; sleep 2; echo \"run $n exiting\"; exit 3";
    real_node::create_pod(
        &client,
        &ns,
        "crasher",
        serde_json::json!({
            "containers": [{"name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never",
                "command": ["sh", "-c", script], "volumeMounts": [{"name": "state", "mountPath": "/state"}]}],
            "volumes": [{"name": "state", "emptyDir": {}}]
        }),
    )
    .await;
    real_node::wait_running(&client, &ns, "crasher", WAIT).await;
    let follow = LogsProcess::start(&["crasher", "-n", &ns, "-f"]);
    follow.read_until("run 1 exiting", WAIT);
    // The kubelet restarts the container at once the first time (often within the second of the
    // last line, which a reopened stream must not skip), and the stream follows it.
    let seen = follow.read_until("run 2 exiting", WAIT);
    assert!(seen.iter().any(|l| l.contains("run 2 started")), "{seen:?}");
    drop(follow);

    let (code, out, err) = kubedeck(&["logs", "crasher", "-n", &ns, "--previous"]);
    assert_eq!(code, 0, "{out}{err}");
    let previous: Vec<&str> = out.lines().collect();
    assert!(
        previous.len() == 2 && previous[0].starts_with("run ") && previous[1].ends_with(" exiting"),
        "the previous container's log, one run: {out}"
    );
    common::delete_namespace(&client, &ns).await;
}

/// Values that make the backend's readiness probe quick to notice (2 s period, one failure).
const QUICK_PROBES: &str = "backend:\n  probes:\n    readiness: {path: /ready, initialDelaySeconds: 1, periodSeconds: 2, \
                            timeoutSeconds: 1, failureThreshold: 1}\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_readiness_probe_shows_not_ready_and_an_atomic_deploy_rolls_back() {
    let dir = tempfile::tempdir().unwrap();
    let quick = dir.path().join("quick-probes.yaml");
    std::fs::write(&quick, QUICK_PROBES).unwrap();
    let quick = quick.to_str().unwrap().to_owned();
    let (client, ns) = deployed("real-probe", &["-f", &quick]).await;

    // One backend pod told to fail its readiness probe: the dashboard shows it not ready.
    let backend = "app.kubernetes.io/instance=todo,app.kubernetes.io/component=backend";
    let pods = real_node::ready_pods(&client, &ns, backend).await;
    let victim = pods[0].metadata.name.clone().unwrap();
    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("both backend pods ready", WAIT, |app| {
        app.data
            .pods
            .iter()
            .filter(|p| p.key.name.contains("backend") && p.ready == 1)
            .count()
            == 2
    })
    .await;
    real_node::exec(&client, &ns, &victim, &["touch", "/tmp/unready"]).await;
    dash.wait_until("the told pod shows not ready", WAIT, |app| {
        app.data
            .pods
            .iter()
            .any(|p| p.key.name == victim && p.ready == 0 && p.status == "Running")
    })
    .await;
    real_node::exec(&client, &ns, &victim, &["rm", "/tmp/unready"]).await;
    dash.wait_until("it is ready again", WAIT, |app| {
        app.data.pods.iter().any(|p| p.key.name == victim && p.ready == 1)
    })
    .await;

    // A revision whose backend never gets ready: the rollout wait fails, --atomic undoes it.
    let unready = dir.path().join("unready.yaml");
    std::fs::write(
        &unready,
        "backend:\n  extraEnv: [{name: STANDIN_UNREADY, value: \"1\"}]\n",
    )
    .unwrap();
    let started = Instant::now();
    let (code, out, err) = kubedeck(&[
        "deploy",
        "-n",
        &ns,
        "-f",
        "sim",
        "-f",
        &quick,
        "-f",
        unready.to_str().unwrap(),
        "--atomic",
        "--yes",
        "--timeout",
        "25",
    ]);
    eprintln!(
        "[atomic] failed and rolled back after {:.1}s: {}",
        started.elapsed().as_secs_f32(),
        err.trim()
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("rolled back: revision 3 deployed"), "{out}{err}");
    let history = ReleaseStore::new(client.clone(), &ns, "todo").history().await.unwrap();
    let described: Vec<&str> = history.iter().map(|r| r.info.description.as_str()).collect();
    assert_eq!(described.last(), Some(&"Rollback to 1"), "{described:?}");
    assert_eq!(
        real_node::ready_pods(&client, &ns, backend).await.len(),
        2,
        "the old backend pods serve on"
    );
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_image_that_does_not_exist_shows_err_image_never_pull() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-image").await;
    real_node::create_pod(
        &client,
        &ns,
        "missing",
        serde_json::json!({"containers": [{"name": "main", "image": "kubedeck.local/sim/does-not-exist:1",
            "imagePullPolicy": "Never"}]}),
    )
    .await;
    let mut dash = common::Dashboard::in_namespace(&ns);
    dash.wait_until("the pod shows ErrImageNeverPull", WAIT, |app| {
        app.data
            .pods
            .iter()
            .any(|p| p.key.name == "missing" && p.status == "ErrImageNeverPull")
    })
    .await;
    common::delete_namespace(&client, &ns).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pod_that_burns_real_cpu_makes_its_hpa_scale_up() {
    use k8s_openapi::api::apps::v1::Deployment;
    use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
    use kube::api::{Api, PostParams};
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-hpa").await;
    let mut spec = real_node::placement();
    spec["containers"] = serde_json::json!([{"name": "burn", "image": "busybox:1.36", "imagePullPolicy": "Never",
        "command": ["sh", "-c", "while :; do :; done"],
        "resources": {"requests": {"cpu": "20m"}, "limits": {"cpu": "100m"}}}]);
    let deploy: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "burner"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "burner"}},
            "template": {"metadata": {"labels": {"app": "burner"}}, "spec": spec}}
    }))
    .unwrap();
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &deploy)
        .await
        .expect("creating the burner");
    let hpa: HorizontalPodAutoscaler = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "burner"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "burner"},
            "minReplicas": 1, "maxReplicas": 3,
            "metrics": [{"type": "Resource", "resource": {"name": "cpu",
                "target": {"type": "Utilization", "averageUtilization": 50}}}]}
    }))
    .unwrap();
    let hpas = Api::<HorizontalPodAutoscaler>::namespaced(client.clone(), &ns);
    hpas.create(&PostParams::default(), &hpa)
        .await
        .expect("creating the HPA");
    // metrics-server reads the real kubelet's cgroup figures (~100m against a 20m request).
    let started = Instant::now();
    let deadline = started + Duration::from_secs(180);
    loop {
        let status = hpas.get("burner").await.unwrap().status.unwrap_or_default();
        if status.desired_replicas > 1 {
            eprintln!(
                "[hpa] desired {} replicas after {:.1}s of real CPU",
                status.desired_replicas,
                started.elapsed().as_secs_f32()
            );
            break;
        }
        assert!(Instant::now() < deadline, "the HPA never scaled up: {status:?}");
        tokio::time::sleep(Duration::from_secs(2)).await;
    }
    common::delete_namespace(&client, &ns).await;
}
