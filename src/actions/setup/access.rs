//! The wizard's last check: does the app answer through the ingress the way it does when it
//! works? The frontend's page at `/` and the backend's `/health` (the chart routes `/health` to
//! the backend), each asked with the app's host name; and does that name resolve to the
//! cluster? Each failure says why: no controller listening, a default backend's 404, a backend
//! that is not ready, a missing hosts line.

use std::net::IpAddr;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// What one request through the ingress answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub code: u16,
    pub line: String,
}

/// One thing the check looked at, and whether it was as it should be.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    pub ok: bool,
    pub said: String,
}

/// Asks the ingress at `ip:port` for the app's page and the backend's health with `host`, and
/// whether `host` resolves to `ip`.
pub async fn check(ip: IpAddr, port: u16, host: &str, timeout: Duration) -> Vec<Finding> {
    let (page, health, resolved) = tokio::join!(
        get(ip, port, host, "/", timeout),
        get(ip, port, host, "/health", timeout),
        resolve(host)
    );
    judge(ip, port, host, &page, &health, &resolved)
}

/// What the answers mean, in the user's words.
pub fn judge(
    ip: IpAddr,
    port: u16,
    host: &str,
    page: &Result<Answer, String>,
    health: &Result<Answer, String>,
    resolved: &Result<Vec<IpAddr>, String>,
) -> Vec<Finding> {
    let mut findings = Vec::new();
    if let (Err(e), Err(_)) = (page, health) {
        findings.push(Finding {
            ok: false,
            said: format!(
                "nothing answers HTTP at {ip}:{port} ({e}): no ingress controller is listening there. Enable it \
                 (minikube addons enable ingress) and wait until its pod is Ready"
            ),
        });
    } else {
        findings.push(said_about("the frontend page /", "frontend", host, page));
        findings.push(said_about("the backend's /health", "backend", host, health));
    }
    findings.push(match resolved {
        Ok(ips) if ips.contains(&ip) => Finding {
            ok: true,
            said: format!("{host} resolves to {ip}"),
        },
        Ok(ips) => Finding {
            ok: false,
            said: format!(
                "{host} resolves to {} instead of {ip}: fix its line in the hosts file",
                ips.iter().map(IpAddr::to_string).collect::<Vec<_>>().join(", ")
            ),
        },
        Err(e) => Finding {
            ok: false,
            said: format!("{host} does not resolve ({e}): add the hosts line above so the browser finds the app"),
        },
    });
    findings
}

fn said_about(what: &str, component: &str, host: &str, answer: &Result<Answer, String>) -> Finding {
    let (ok, why) = match answer {
        Ok(a) if (200..400).contains(&a.code) => (true, format!("answered {}", a.line)),
        Ok(a) if a.code == 404 => (
            false,
            format!(
                "answered {}: the ingress has no route for {host} (the controller's default backend answered). Is \
                 the chart deployed with ingress.enabled and host {host}?",
                a.line
            ),
        ),
        Ok(a) if a.code == 503 => (
            false,
            format!(
                "answered {}: the {component} has no Ready pod behind its Service yet; wait, then check again",
                a.line
            ),
        ),
        Ok(a) if a.code == 502 || a.code == 504 => (
            false,
            format!(
                "answered {}: the {component} pods do not answer; look at their logs (l)",
                a.line
            ),
        ),
        Ok(a) => (false, format!("answered {}", a.line)),
        Err(e) => (false, format!("did not answer ({e})")),
    };
    Finding {
        ok,
        said: format!("{what} {why}"),
    }
}

/// `GET path` with a Host header over plain TCP; the status line.
pub async fn get(ip: IpAddr, port: u16, host: &str, path: &str, timeout: Duration) -> Result<Answer, String> {
    let ask = async {
        let mut stream = tokio::net::TcpStream::connect((ip, port))
            .await
            .map_err(|e| e.to_string())?;
        let request =
            format!("GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nUser-Agent: kubedeck-setup\r\n\r\n");
        stream.write_all(request.as_bytes()).await.map_err(|e| e.to_string())?;
        let mut head = vec![0u8; 512];
        let n = stream.read(&mut head).await.map_err(|e| e.to_string())?;
        let text = String::from_utf8_lossy(&head[..n]);
        let line = crate::text::sanitize(text.lines().next().unwrap_or_default());
        let code = line
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .filter(|_| line.starts_with("HTTP/"))
            .ok_or_else(|| format!("not an HTTP answer: {line:?}"))?;
        Ok(Answer { code, line })
    };
    tokio::time::timeout(timeout, ask)
        .await
        .map_err(|_| format!("no answer within {}s", timeout.as_secs()))?
}

async fn resolve(host: &str) -> Result<Vec<IpAddr>, String> {
    tokio::net::lookup_host((host, 80))
        .await
        .map(|addrs| addrs.map(|a| a.ip()).collect())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An HTTP server on 127.0.0.1 answering each path with its status line.
    async fn server(answers: &'static [(&'static str, &'static str)]) -> u16 {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move {
            while let Ok((mut conn, _)) = listener.accept().await {
                let mut buf = vec![0u8; 1024];
                let n = conn.read(&mut buf).await.unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]).to_string();
                let path = request.split_whitespace().nth(1).unwrap_or("/").to_owned();
                let status = answers
                    .iter()
                    .find(|(p, _)| *p == path)
                    .map_or("404 Not Found", |(_, s)| *s);
                let _ = conn
                    .write_all(format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n").as_bytes())
                    .await;
            }
        });
        port
    }

    const LOCAL: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
    const WAIT: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn a_working_app_passes_every_check() {
        let port = server(&[("/", "200 OK"), ("/health", "200 OK")]).await;
        let findings = check(LOCAL, port, "localhost", WAIT).await;
        assert!(findings.iter().all(|f| f.ok), "{findings:?}");
        assert_eq!(findings[0].said, "the frontend page / answered HTTP/1.1 200 OK");
    }

    #[tokio::test]
    async fn a_default_backends_404_is_a_failure_that_names_the_missing_route() {
        let port = server(&[]).await;
        let findings = check(LOCAL, port, "localhost", WAIT).await;
        assert!(!findings[0].ok && !findings[1].ok, "{findings:?}");
        assert!(findings[0].said.contains("no route for localhost"), "{findings:?}");
    }

    #[tokio::test]
    async fn a_backend_without_ready_pods_is_named_as_such() {
        let port = server(&[("/", "200 OK"), ("/health", "503 Service Temporarily Unavailable")]).await;
        let findings = check(LOCAL, port, "localhost", WAIT).await;
        assert!(findings[0].ok, "{findings:?}");
        assert!(
            !findings[1].ok && findings[1].said.contains("the backend has no Ready pod"),
            "{findings:?}"
        );
    }

    #[tokio::test]
    async fn no_listener_means_no_ingress_controller() {
        let port = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let findings = check(LOCAL, port, "localhost", WAIT).await;
        assert_eq!(findings.len(), 2, "{findings:?}");
        assert!(
            findings[0].said.contains("no ingress controller is listening"),
            "{findings:?}"
        );
    }

    #[test]
    fn a_host_that_resolves_elsewhere_asks_for_the_hosts_line() {
        let ip: IpAddr = "192.168.49.2".parse().unwrap();
        let ok = Ok(Answer {
            code: 200,
            line: "HTTP/1.1 200 OK".into(),
        });
        let elsewhere = Ok(vec!["10.0.0.1".parse().unwrap()]);
        let findings = judge(ip, 80, "todo.local", &ok, &ok, &elsewhere);
        assert!(
            findings[2]
                .said
                .contains("resolves to 10.0.0.1 instead of 192.168.49.2"),
            "{findings:?}"
        );
        let missing = Err("failed to lookup address information".to_owned());
        let findings = judge(ip, 80, "todo.local", &ok, &ok, &missing);
        assert!(findings[2].said.contains("add the hosts line"), "{findings:?}");
    }
}
