//! Shell, exec, port-forward and the health probe through real containers on the sim cluster's
//! real node (`scripts/sim up --real-node`): what an on-call engineer does instead of reaching
//! for kubectl. These fail, never skip, when the real node is missing.

mod common;

use std::io::{Read, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::pty::Tui;
use common::real_node::{self, kubedeck};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::{DeleteParams, PostParams};

const WAIT: Duration = Duration::from_secs(120);

/// A busybox pod on the real node that sleeps, for exec and the shell.
async fn sleeper(prefix: &str) -> (kube::Client, String) {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, prefix).await;
    real_node::create_pod(
        &client,
        &ns,
        "box",
        serde_json::json!({"containers": [
            {"name": "main", "image": "busybox:1.36", "imagePullPolicy": "Never", "command": ["sleep", "3600"]},
            {"name": "side", "image": "busybox:1.36", "imagePullPolicy": "Never", "command": ["sleep", "3600"]}
        ]}),
    )
    .await;
    real_node::wait_running(&client, &ns, "box", WAIT).await;
    (client, ns)
}

/// `kubedeck ARGS` with `--kubeconfig` first: after `--` it would be part of the command.
fn kubedeck_exec(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .arg("--kubeconfig")
        .arg(common::sim_kubeconfig())
        .args(args)
        .env(
            "KUBEDECK_STATE_DIR",
            std::env::temp_dir().join("kubedeck-test-real-node-state"),
        )
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .output()
        .expect("running kubedeck");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exec_passes_on_the_remote_exit_status_and_bad_input_is_one_sentence() {
    let (client, ns) = sleeper("real-exec-status").await;
    let (code, out, err) = kubedeck_exec(&[
        "exec",
        "-n",
        &ns,
        "box",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!((code, out.as_str(), err.as_str()), (3, "out\n", "err\n"));
    let (code, out, _) = kubedeck_exec(&["exec", "-n", &ns, "box", "-c", "side", "--", "hostname"]);
    assert_eq!((code, out.as_str()), (0, "box\n"));
    // Piped input reaches the command, and its end ends it.
    let mut child = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
        .arg("--kubeconfig")
        .arg(common::sim_kubeconfig())
        .args(["exec", "-i", "-n", &ns, "box", "--", "sh", "-c", "tr a-z A-Z"])
        .env("KUBEDECK_CONFIG", "/nonexistent")
        .env(
            "KUBEDECK_STATE_DIR",
            std::env::temp_dir().join("kubedeck-test-real-node-state"),
        )
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("starting kubedeck exec -i");
    child.stdin.take().unwrap().write_all(b"piped in\n").unwrap();
    let done = child.wait_with_output().expect("kubedeck exec -i ended");
    assert_eq!(String::from_utf8_lossy(&done.stdout), "PIPED IN\n");
    assert_eq!(done.status.code(), Some(0));

    let (code, _, err) = kubedeck_exec(&["exec", "-n", &ns, "nope", "--", "true"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        format!("kubedeck: there is no pod nope in {ns}: check the name (kubedeck status lists the pods)")
    );
    let (code, _, err) = kubedeck_exec(&["exec", "-n", &ns, "box", "-c", "db", "--", "true"]);
    assert_eq!(code, 1);
    assert_eq!(
        err.trim(),
        "kubedeck: pod box has no container \"db\": its containers are main, side"
    );
    let (code, _, err) = kubedeck_exec(&["exec", "-n", &ns, "box", "--", "no-such-command"]);
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("kubedeck: the command could not run:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let (code, _, err) = kubedeck_exec(&["exec", "--readonly", "-n", &ns, "box", "--", "true"]);
    assert_eq!(code, 1);
    assert!(err.contains("refused: context") && err.contains("read-only"), "{err}");
    common::delete_namespace(&client, &ns).await;
}

#[test]
fn the_shell_key_hands_the_terminal_over_and_the_dashboard_comes_back_with_the_exit_status() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (client, ns) = rt.block_on(sleeper("real-shell"));
    let mut tui = Tui::spawn(&["-n", &ns], &common::sim_kubeconfig());
    tui.wait_for(&["box", "Running"], Duration::from_secs(60));
    tui.type_str("x");
    tui.wait_for(
        &["shell in pod/box container main, Tab: next container"],
        Duration::from_secs(10),
    );
    // Tab picks the second container; Enter opens the shell (busybox has no bash: sh).
    tui.type_str("\t");
    tui.wait_for(&["container side"], Duration::from_secs(10));
    tui.type_str("\r");
    tui.wait_for(&["exit the shell to return to the dashboard"], Duration::from_secs(30));
    assert!(!tui.alternate_screen(), "the shell runs on the normal screen");
    assert!(!tui.is_cooked(), "raw mode stays on for the remote tty");
    std::thread::sleep(Duration::from_millis(500));
    tui.type_str("echo marker-$((40+2)) $(hostname)\r");
    tui.wait_for(&["marker-42 box"], Duration::from_secs(20));
    tui.type_str("exit 3\r");
    let screen = tui.wait_for(&["shell in pod/box (container side) exited 3"], Duration::from_secs(20));
    assert!(tui.alternate_screen(), "back on the dashboard's screen");
    assert!(screen.contains("Pods"), "{screen}");
    // The dashboard reads keys again: q quits.
    tui.type_str("q");
    assert_eq!(tui.wait_exit(Duration::from_secs(10)), 0);
    assert!(tui.is_cooked());
    rt.block_on(common::delete_namespace(&client, &ns));
}

/// `kubedeck port-forward ARGS` running in the background, and its output so far.
struct PortForward {
    child: Child,
    output: std::sync::Arc<std::sync::Mutex<String>>,
}

impl PortForward {
    fn start(args: &[&str]) -> PortForward {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
            .arg("port-forward")
            .args(args)
            .arg("--kubeconfig")
            .arg(common::sim_kubeconfig())
            .env("KUBEDECK_CONFIG", "/nonexistent")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting kubedeck port-forward");
        let output = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        for mut stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let output = output.clone();
            std::thread::spawn(move || {
                let mut buf = [0u8; 1024];
                while let Ok(n) = stream.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    output.lock().unwrap().push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            });
        }
        PortForward { child, output }
    }

    fn wait_for(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let text = self.output.lock().unwrap().clone();
            if text.contains(needle) {
                return text;
            }
            assert!(Instant::now() < deadline, "no {needle:?} from port-forward:\n{text}");
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for PortForward {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// GET / on 127.0.0.1:port; the body.
fn http_get(port: u16) -> Result<String, String> {
    let mut socket = std::net::TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    socket.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    socket
        .write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .map_err(|e| e.to_string())?;
    let mut answer = String::new();
    socket.read_to_string(&mut answer).map_err(|e| e.to_string())?;
    Ok(answer)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_port_forward_reaches_the_container_and_moves_to_the_new_pod_when_its_pod_is_deleted() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-forward").await;
    let mut spec = real_node::placement();
    spec["containers"] = serde_json::json!([{
        "name": "web", "image": "busybox:1.36", "imagePullPolicy": "Never",
        "ports": [{"name": "http", "containerPort": 8080}],
        "command": ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"],
        "readinessProbe": {"tcpSocket": {"port": 8080}, "periodSeconds": 1}
    }]);
    let deploy: Deployment = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec}}
    }))
    .unwrap();
    Api::<Deployment>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &deploy)
        .await
        .expect("creating the web deployment");
    let service: k8s_openapi::api::core::v1::Service = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "web"},
        "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}
    }))
    .unwrap();
    Api::<k8s_openapi::api::core::v1::Service>::namespaced(client.clone(), &ns)
        .create(&PostParams::default(), &service)
        .await
        .expect("creating the web service");
    let first = wait_ready(&client, &ns, None).await;

    // Through the Service: its port 80 is the pod's named port http (8080).
    let port = free_port();
    let forward = PortForward::start(&["-n", &ns, "svc/web", &format!("{port}:80")]);
    let said = forward.wait_for("Forwarding from");
    assert!(
        said.contains(&format!(
            "Forwarding from 127.0.0.1:{port} -> svc/web port 80 (pod {first} port 8080)"
        )),
        "{said}"
    );
    let answer = http_get(port).expect("GET through the forward");
    assert!(answer.ends_with(&format!("{first}\n")), "{answer}");

    // The pod goes away; the next connection reaches its replacement.
    Api::<Pod>::namespaced(client.clone(), &ns)
        .delete(&first, &DeleteParams::default())
        .await
        .expect("deleting the pod");
    let second = wait_ready(&client, &ns, Some(&first)).await;
    let answer = http_get(port).expect("GET after the pod was replaced");
    assert!(answer.ends_with(&format!("{second}\n")), "{answer}");
    assert!(
        forward
            .wait_for("now pod")
            .contains(&format!("now pod {second} port 8080"))
    );

    // Bad input, one sentence each.
    let (code, _, err) = kubedeck(&["port-forward", "-n", &ns, "svc/web", "70000:80"]);
    assert_eq!(
        (code, err.trim()),
        (1, "kubedeck: port 70000 is out of range: give a port from 1 to 65535")
    );
    let (code, _, err) = kubedeck(&["port-forward", "-n", &ns, "svc/web", &format!("{port}:80")]);
    assert_eq!(code, 1);
    assert!(
        err.trim().starts_with(&format!(
            "kubedeck: 127.0.0.1:{port} is already in use (by another program"
        )) && err.trim().ends_with(&format!("e.g. {}:80)", port + 1)),
        "the example keeps the remote port: {err}"
    );
    let (code, _, err) = kubedeck(&["port-forward", "-n", &ns, "svc/web", "8081:81"]);
    assert_eq!(
        (code, err.trim()),
        (1, "kubedeck: service web has no port 81: its ports are 80")
    );
    let (code, _, err) = kubedeck(&["port-forward", "-n", &ns, "pod/gone", "8081"]);
    assert_eq!(code, 1);
    assert!(err.contains("there is no pod gone"), "{err}");
    drop(forward);
    common::delete_namespace(&client, &ns).await;
}

/// The name of the ready web pod (other than `not`).
async fn wait_ready(client: &kube::Client, ns: &str, not: Option<&str>) -> String {
    let deadline = Instant::now() + WAIT;
    loop {
        let ready = real_node::ready_pods(client, ns, "app=web").await;
        if let Some(p) = ready.iter().find(|p| p.metadata.name.as_deref() != not) {
            return p.metadata.name.clone().unwrap();
        }
        assert!(Instant::now() < deadline, "no ready web pod after {WAIT:?}");
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn status_probe_calls_the_charts_health_endpoints_through_a_port_forward() {
    let client = common::client().await;
    real_node::require(&client).await;
    let ns = common::namespace(&client, "real-probe").await;
    let (code, out, err) = kubedeck(&["deploy", "-n", &ns, "-f", "sim", "--yes", "--timeout", "180"]);
    assert_eq!(code, 0, "deploy -f sim:\n{out}{err}");
    let (code, out, err) = kubedeck(&["status", "--probe", "-n", &ns]);
    assert_eq!(code, 0, "{out}{err}");
    for line in [
        "deploy/todo-todo-chatbot-backend GET /health (port 8000) -> 200",
        "deploy/todo-todo-chatbot-backend GET /ready (port 8000) -> 200",
        "deploy/todo-todo-chatbot-mcp-server GET /health (port 8001) -> 200",
        "deploy/todo-todo-chatbot-frontend GET /api/health (port 3000) -> 200",
    ] {
        assert!(out.contains(line), "no {line:?} in:\n{out}");
    }
    // A backend whose endpoints do not answer: the probe fails, and says which.
    let (code, out, err) = kubedeck(&["scale", "-n", &ns, "deploy/todo-todo-chatbot-mcp-server", "0", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let (code, out, err) = kubedeck(&["status", "--probe", "-n", &ns]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("deploy/todo-todo-chatbot-mcp-server GET /health (port 8001) -> FAILED: deploy/todo-todo-chatbot-mcp-server has no ready pod"),
        "{out}"
    );
    common::delete_namespace(&client, &ns).await;
}
