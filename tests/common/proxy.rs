//! A TCP proxy in front of the sim API server, for the watch tests: it counts the bytes the
//! server sends (what a re-list costs) and can cut every connection, refuse new ones for a
//! while (a load balancer or network blip) or hold them until it opens again (a partition),
//! while the API server itself keeps running.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::AbortHandle;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Open,
    /// New connections are closed at once.
    Refuse,
    /// New connections wait until the proxy opens again.
    Hold,
}

pub struct Proxy {
    pub port: u16,
    from_server: Arc<AtomicU64>,
    mode: watch::Sender<Mode>,
    conns: Arc<Mutex<Vec<AbortHandle>>>,
    accept: AbortHandle,
}

/// A dashboard on namespace `ns` whose every request goes through a new proxy to the sim's API
/// server; the folder holds the proxy's kubeconfig and must live as long as the dashboard.
pub async fn dashboard_through_proxy(ns: &str) -> (Proxy, super::Dashboard, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (kubeconfig, upstream, text) = Proxy::kubeconfig_through(&super::sim_kubeconfig(), dir.path());
    let proxy = Proxy::start(upstream.clone()).await;
    proxy.write_kubeconfig(&kubeconfig, &upstream, &text);
    let dash = super::Dashboard::start(kubedeck::cluster::ConnectOptions {
        kubeconfig: Some(kubeconfig),
        namespace: Some(ns.to_owned()),
        ..Default::default()
    });
    (proxy, dash, dir)
}

impl Proxy {
    /// Listens on 127.0.0.1 and forwards to `upstream` ("127.0.0.1:PORT").
    pub async fn start(upstream: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("binding the proxy");
        let port = listener.local_addr().expect("proxy address").port();
        let from_server = Arc::new(AtomicU64::new(0));
        let (mode, _) = watch::channel(Mode::Open);
        let conns: Arc<Mutex<Vec<AbortHandle>>> = Arc::default();
        let (counter, modes, handles) = (from_server.clone(), mode.clone(), conns.clone());
        let accept = tokio::spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let (counter, upstream, mut modes) = (counter.clone(), upstream.clone(), modes.subscribe());
                let task = tokio::spawn(async move {
                    if *modes.borrow() == Mode::Refuse {
                        return;
                    }
                    let _ = modes.wait_for(|m| *m == Mode::Open).await;
                    let Ok(server) = TcpStream::connect(&upstream).await else {
                        return;
                    };
                    forward(client, server, counter).await;
                });
                handles.lock().unwrap().push(task.abort_handle());
            }
        })
        .abort_handle();
        Proxy {
            port,
            from_server,
            mode,
            conns,
            accept,
        }
    }

    /// A copy of `kubeconfig` in `dir` whose server is this proxy, and the upstream address.
    pub fn kubeconfig_through(kubeconfig: &Path, dir: &Path) -> (PathBuf, String, String) {
        let text = std::fs::read_to_string(kubeconfig).expect("reading the kubeconfig");
        let server = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("server: "))
            .expect("a server in the kubeconfig")
            .trim()
            .to_owned();
        let upstream = server.trim_start_matches("https://").to_owned();
        let path = dir.join("through-proxy.kubeconfig");
        (path, upstream, text)
    }

    /// Writes the proxied kubeconfig made by `kubeconfig_through`.
    pub fn write_kubeconfig(&self, path: &Path, upstream: &str, text: &str) {
        let proxied = text.replace(upstream, &format!("127.0.0.1:{}", self.port));
        std::fs::write(path, proxied).expect("writing the proxied kubeconfig");
    }

    /// Bytes the API server has sent through the proxy so far.
    pub fn bytes_from_server(&self) -> u64 {
        self.from_server.load(Ordering::Relaxed)
    }

    /// Sets what happens to new connections and cuts every open one unless `mode` is Open.
    pub fn set(&self, mode: Mode) {
        self.mode.send_replace(mode);
        if mode != Mode::Open {
            for conn in self.conns.lock().unwrap().drain(..) {
                conn.abort();
            }
        }
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        for conn in self.conns.lock().unwrap().drain(..) {
            conn.abort();
        }
    }
}

async fn forward(client: TcpStream, server: TcpStream, counter: Arc<AtomicU64>) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let up = async {
        let _ = tokio::io::copy(&mut client_read, &mut server_write).await;
        let _ = server_write.shutdown().await;
    };
    let down = async {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            use tokio::io::AsyncReadExt;
            match server_read.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    counter.fetch_add(n as u64, Ordering::Relaxed);
                    if client_write.write_all(&buf[..n]).await.is_err() {
                        break;
                    }
                }
            }
        }
        let _ = client_write.shutdown().await;
    };
    tokio::join!(up, down);
}
