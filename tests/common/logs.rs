//! `kubedeck logs` as a child process, and the pods whose logs it reads.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use kube::api::ListParams;

/// The names of the Running pods of deployment `app`.
pub async fn running_pods(client: &kube::Client, ns: &str, app: &str, want: usize) -> Vec<String> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let pods = api
            .list(&ListParams::default().labels(&format!("app={app}")))
            .await
            .unwrap();
        let running: Vec<String> = pods
            .items
            .iter()
            .filter(|p| p.metadata.deletion_timestamp.is_none())
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .filter_map(|p| p.metadata.name.clone())
            .collect();
        if running.len() == want {
            return running;
        }
        assert!(
            Instant::now() < deadline,
            "{want} running pods of {app} never showed: {running:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `kubedeck logs ARGS` with its stdout and stderr read line by line on threads.
pub struct LogsProcess {
    child: std::process::Child,
    pub out: mpsc::Receiver<String>,
    pub err: mpsc::Receiver<String>,
}

impl LogsProcess {
    pub fn start(args: &[&str]) -> LogsProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_kubedeck"))
            .arg("logs")
            .args(args)
            .env("KUBECONFIG", super::sim_kubeconfig())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("starting kubedeck logs");
        let lines = |r: Box<dyn std::io::Read + Send>| {
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                for line in BufReader::new(r).lines().map_while(Result::ok) {
                    if tx.send(line).is_err() {
                        break;
                    }
                }
            });
            rx
        };
        let out = lines(Box::new(child.stdout.take().unwrap()));
        let err = lines(Box::new(child.stderr.take().unwrap()));
        LogsProcess { child, out, err }
    }

    /// Stdout lines until one contains `needle`; panics after `timeout`.
    pub fn read_until(&self, needle: &str, timeout: Duration) -> Vec<String> {
        wait_line(&self.out, needle, timeout, "stdout")
    }

    pub fn stderr_until(&self, needle: &str, timeout: Duration) -> Vec<String> {
        wait_line(&self.err, needle, timeout, "stderr")
    }
}

fn wait_line(rx: &mpsc::Receiver<String>, needle: &str, timeout: Duration, what: &str) -> Vec<String> {
    let deadline = Instant::now() + timeout;
    let mut seen = Vec::new();
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) => {
                let done = line.contains(needle);
                seen.push(line);
                if done {
                    return seen;
                }
            }
            Err(_) => panic!(
                "no {what} line with {needle:?} within {timeout:?}; saw:\n{}",
                seen.join("\n")
            ),
        }
    }
}

impl Drop for LogsProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The names of the pods matching `selector` now.
pub async fn running_pods_with(client: &kube::Client, ns: &str, selector: &str) -> Vec<String> {
    let api: Api<Pod> = Api::namespaced(client.clone(), ns);
    let mut names: Vec<String> = api
        .list(&ListParams::default().labels(selector))
        .await
        .unwrap()
        .items
        .into_iter()
        .filter_map(|p| p.metadata.name)
        .collect();
    names.sort();
    names
}
