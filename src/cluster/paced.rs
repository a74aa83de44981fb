//! Watch connections read in beats: a busy watch connection is read once a beat instead of once
//! a packet.
//!
//! The API server writes each watch event as soon as it happens, so under churn (100 pods coming
//! and going, ~100 events a second) every event woke a runtime thread from epoll, ran the TLS
//! and HTTP layers and parked again: at 100 churning pods that round trip was about a third of
//! kubedeck's CPU. A `PacedStream` reads through epoll while its connection is quiet or busy
//! with a bulk transfer (a list streaming in, a page of a list), so the first event after a quiet
//! spell and every listing are read as they come. When data has kept trickling in for a whole
//! beat, the socket leaves epoll and is read without blocking once a beat, taking everything the
//! kernel has buffered in one go. Nothing is dropped (TCP holds it); a beat that finds nothing,
//! or finds a bulk transfer begun, or a request going out, puts the socket back in epoll.

use std::future::Future;
use std::io::{self, Read};
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use hyper_util::client::legacy::connect::{Connected, Connection, HttpConnector};
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Instant;

/// How long a busy watch connection's data waits to be read. At 100 churning pods a beat of
/// 50 ms and one of 100 ms cost about the same CPU (1.9-2.1% and 1.8% of a core, against 2.5-2.8%
/// reading every packet), but 100 ms took the creation-to-screen p99 from 116 to 200 ms and 50 ms
/// only to 140-146 ms.
const BEAT: Duration = Duration::from_millis(50);

/// Bytes in one beat's time past which data is a bulk transfer (a list streaming in, a page of a
/// list), read through epoll as fast as it comes: 1.3 MB a second at a beat of 50 ms. Watch events
/// under churn are far below it (~100 pod events a second are ~0.4 MB).
const BULK: usize = 64 * 1024;

/// A TCP connection that is read once a beat while data flows, and through epoll otherwise.
pub struct PacedStream {
    mode: Option<Mode>,
    beat: Duration,
    /// Bytes read since the last beat, while beating.
    got: usize,
    /// The next beat, while one is armed.
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    /// While waiting in epoll: when the current burst of data began, and its bytes so far.
    burst: Option<(Instant, usize)>,
    /// When data last came, while waiting in epoll.
    last_data: Option<Instant>,
}

enum Mode {
    /// In epoll: woken by the first byte that arrives.
    Waiting(tokio::net::TcpStream),
    /// Out of epoll: read without blocking, once a beat.
    Beating(std::net::TcpStream),
}

impl PacedStream {
    pub fn new(stream: tokio::net::TcpStream, beat: Duration) -> PacedStream {
        PacedStream {
            mode: Some(Mode::Waiting(stream)),
            beat,
            got: 0,
            sleep: None,
            burst: None,
            last_data: None,
        }
    }

    /// Counts `n` bytes read in epoll. True when the connection should go to beats: data has kept
    /// coming for a whole beat, but not at a bulk transfer's rate. The first data after a quiet
    /// spell, and a bulk transfer, are read as they come.
    fn counts_toward_beats(&mut self, n: usize) -> bool {
        let now = Instant::now();
        let quiet = self.last_data.is_none_or(|last| now.duration_since(last) > self.beat);
        self.last_data = Some(now);
        let (start, bytes) = match self.burst {
            Some((start, bytes)) if !quiet => (start, bytes + n),
            _ => (now, n),
        };
        if now.duration_since(start) < self.beat {
            self.burst = Some((start, bytes));
            return false;
        }
        if bytes >= BULK {
            self.burst = Some((now, 0));
            return false;
        }
        self.burst = None;
        self.last_data = None;
        true
    }

    fn leave_epoll(&mut self) -> io::Result<()> {
        self.mode = match self.mode.take() {
            Some(Mode::Waiting(stream)) => Some(Mode::Beating(stream.into_std()?)),
            other => other,
        };
        Ok(())
    }

    fn enter_epoll(&mut self) -> io::Result<()> {
        self.sleep = None;
        self.got = 0;
        self.burst = None;
        self.last_data = None;
        self.mode = match self.mode.take() {
            Some(Mode::Beating(stream)) => Some(Mode::Waiting(tokio::net::TcpStream::from_std(stream)?)),
            other => other,
        };
        Ok(())
    }

    /// The socket, back in epoll with a fresh burst count.
    fn in_epoll(&mut self) -> io::Result<&mut tokio::net::TcpStream> {
        self.enter_epoll()?;
        match self.mode.as_mut() {
            Some(Mode::Waiting(stream)) => Ok(stream),
            _ => Err(gone()),
        }
    }

    /// Waits for the armed beat; None when there is none or it has passed.
    fn poll_beat(&mut self, cx: &mut Context<'_>) -> Option<Poll<()>> {
        let sleep = self.sleep.as_mut()?;
        match sleep.as_mut().poll(cx) {
            Poll::Pending => Some(Poll::Pending),
            Poll::Ready(()) => {
                self.sleep = None;
                None
            }
        }
    }
}

fn gone() -> io::Error {
    io::Error::other("the connection was lost while switching modes")
}

impl AsyncRead for PacedStream {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        loop {
            if let Some(Poll::Pending) = this.poll_beat(cx) {
                return Poll::Pending;
            }
            match this.mode.as_mut().ok_or_else(gone)? {
                Mode::Waiting(stream) => {
                    let before = buf.filled().len();
                    ready!(Pin::new(stream).poll_read(cx, buf))?;
                    let n = buf.filled().len() - before;
                    if n > 0 && this.counts_toward_beats(n) {
                        this.got = n;
                        this.leave_epoll()?;
                    }
                    return Poll::Ready(Ok(()));
                }
                Mode::Beating(stream) => {
                    match stream.read(buf.initialize_unfilled()) {
                        Ok(n) => {
                            buf.advance(n);
                            this.got += n;
                            return Poll::Ready(Ok(()));
                        }
                        Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                        Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                            if this.got == 0 || this.got >= BULK {
                                // Quiet for a whole beat, or a bulk transfer begun: to epoll.
                                this.enter_epoll()?;
                                continue;
                            }
                            this.got = 0;
                            let mut sleep = Box::pin(tokio::time::sleep(this.beat));
                            let _ = sleep.as_mut().poll(cx);
                            this.sleep = Some(sleep);
                            return Poll::Pending;
                        }
                        Err(e) => return Poll::Ready(Err(e)),
                    }
                }
            }
        }
    }
}

impl AsyncWrite for PacedStream {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, data: &[u8]) -> Poll<io::Result<usize>> {
        // A request goes out (rare on a watch connection): its answer is waited for in epoll.
        Pin::new(self.in_epoll()?).poll_write(cx, data)
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        // A TCP socket has nothing of its own to flush.
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(self.in_epoll()?).poll_shutdown(cx)
    }
}

impl Connection for PacedStream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

/// Connects as kube's own client does (hyper-util's `HttpConnector`: every address of the host,
/// the config's connect timeout, no Nagle) and hands back the socket as a `PacedStream`.
#[derive(Clone)]
struct PacedConnector {
    http: HttpConnector,
    beat: Duration,
}

impl tower::Service<http::Uri> for PacedConnector {
    type Response = TokioIo<PacedStream>;
    type Error = Box<dyn std::error::Error + Send + Sync>;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.http.poll_ready(cx).map_err(Into::into)
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        let (connect, beat) = (self.http.call(uri), self.beat);
        Box::pin(async move { Ok(TokioIo::new(PacedStream::new(connect.await?.into_inner(), beat))) })
    }
}

/// The client the session's watches use: kube's own stack (base URI, authentication, extra
/// headers, retries of server errors, TLS from the kubeconfig) over `PacedStream`s. None when
/// the kubeconfig names a proxy, which kube's own client handles and this one does not: the
/// watches then use that client.
pub fn watch_client(config: &kube::Config) -> Option<kube::Client> {
    if config.proxy_url.is_some() {
        return None;
    }
    build(config, BEAT).ok()
}

fn build(config: &kube::Config, beat: Duration) -> kube::Result<kube::Client> {
    use kube::client::ConfigExt;
    use tower::ServiceBuilder;
    let mut http = HttpConnector::new();
    http.enforce_http(false);
    http.set_nodelay(true);
    http.set_connect_timeout(config.connect_timeout);
    let connector = PacedConnector { http, beat };
    let https = config.rustls_https_connector_with_connector(connector)?;
    let http = hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(https);
    let service = ServiceBuilder::new()
        .layer(config.base_uri_layer())
        .option_layer(
            config
                .default_retry
                .then(|| tower::retry::RetryLayer::new(kube::client::retry::RetryPolicy::server_retry())),
        )
        .option_layer(config.auth_layer()?)
        .layer(config.extra_headers_layer()?)
        .map_err(tower::BoxError::from)
        .service(http);
    Ok(kube::Client::new(service, config.default_namespace.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::time::Instant;

    #[tokio::test]
    async fn the_watches_get_a_paced_client_unless_the_kubeconfig_names_a_proxy() {
        let config = kube::Config::new("https://127.0.0.1:6443".parse().unwrap());
        assert!(watch_client(&config).is_some());
        let mut proxied = config;
        proxied.proxy_url = Some("http://127.0.0.1:3128".parse().unwrap());
        assert!(watch_client(&proxied).is_none());
    }

    #[tokio::test]
    async fn the_paced_client_connects_and_its_requests_reach_the_server() {
        // A plain-HTTP server on loopback that answers one request; the client must find it
        // through the connector, send the request and read the answer.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let server = tokio::spawn(async move {
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 1024];
            while !request.windows(4).any(|w| w == b"\r\n\r\n") {
                let n = socket.read(&mut buf).await.unwrap();
                request.extend_from_slice(&buf[..n]);
            }
            let body = r#"{"major":"1","minor":"36","gitVersion":"v1.36.3","gitCommit":"","gitTreeState":"","buildDate":"","goVersion":"","compiler":"","platform":""}"#;
            let answer = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(answer.as_bytes()).await.unwrap();
            String::from_utf8_lossy(&request).into_owned()
        });
        let client = watch_client(&kube::Config::new(url.parse().unwrap())).unwrap();
        let version = client.apiserver_version().await.unwrap();
        assert_eq!(version.git_version, "v1.36.3");
        assert!(server.await.unwrap().starts_with("GET /version"));
    }

    /// A connected pair over loopback: the server's end, and the client's end as a `PacedStream`.
    async fn pair(beat: Duration) -> (tokio::net::TcpStream, PacedStream) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (client, server) = tokio::join!(tokio::net::TcpStream::connect(addr), listener.accept());
        (server.unwrap().0, PacedStream::new(client.unwrap(), beat))
    }

    fn beating(stream: &PacedStream) -> bool {
        matches!(stream.mode, Some(Mode::Beating(_)))
    }

    #[tokio::test]
    async fn every_byte_arrives_in_order_through_trickles_pauses_and_a_bulk_transfer() {
        let (mut server, mut client) = pair(Duration::from_millis(20)).await;
        let writer = tokio::spawn(async move {
            let mut sent = Vec::new();
            for i in 0..200u32 {
                // Events a few milliseconds apart, a quiet spell now and then, and a list's worth
                // of bytes at once in the middle.
                let chunk: Vec<u8> = if i == 100 {
                    (0..3 * BULK).map(|b| (b % 251) as u8).collect()
                } else {
                    format!("{{\"event\":{i}}}\n").into_bytes()
                };
                server.write_all(&chunk).await.unwrap();
                sent.extend(chunk);
                let pause = if i % 50 == 49 { 80 } else { u64::from(i % 3) };
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
            sent
        });
        let mut received = Vec::new();
        client.read_to_end(&mut received).await.unwrap();
        let sent = writer.await.unwrap();
        assert_eq!(received.len(), sent.len());
        assert!(received == sent, "the bytes arrived changed or out of order");
    }

    /// Writes `piece` every `every` for `lasting`, then ends the stream; hands back what it sent.
    fn trickle(
        mut server: tokio::net::TcpStream,
        piece: Vec<u8>,
        every: Duration,
        lasting: Duration,
    ) -> tokio::task::JoinHandle<usize> {
        tokio::spawn(async move {
            let start = Instant::now();
            let mut sent = 0;
            while start.elapsed() < lasting {
                server.write_all(&piece).await.unwrap();
                sent += piece.len();
                tokio::time::sleep(every).await;
            }
            sent
        })
    }

    /// Reads until the stream ends, calling `each` after every read; hands back the bytes read.
    async fn read_to_end(client: &mut PacedStream, mut each: impl FnMut(&PacedStream, &[u8])) -> usize {
        let mut buf = vec![0u8; 1 << 16];
        let mut received = 0;
        loop {
            let n = client.read(&mut buf).await.unwrap();
            if n == 0 {
                return received;
            }
            received += n;
            each(client, &buf[..n]);
        }
    }

    #[tokio::test]
    async fn a_trickle_is_read_in_beats() {
        let beat = Duration::from_millis(100);
        let (server, mut client) = pair(beat).await;
        // Watch events under churn: a small piece every 10 ms.
        let writer = trickle(
            server,
            vec![b'e'; 300],
            Duration::from_millis(10),
            Duration::from_millis(800),
        );
        let mut beats = 0;
        let received = read_to_end(&mut client, |client, _| beats += usize::from(beating(client))).await;
        assert_eq!(received, writer.await.unwrap());
        assert!(
            beats > 0,
            "a connection that kept trickling for a beat was still read per packet"
        );
    }

    #[tokio::test]
    async fn bytes_that_come_while_beating_wait_for_the_beat_and_a_quiet_beat_returns_to_epoll() {
        let beat = Duration::from_millis(300);
        let (mut server, mut client) = pair(beat).await;
        let mut buf = [0u8; 64];
        server.write_all(b"first").await.unwrap();
        let n = client.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"first");
        assert!(
            !beating(&client),
            "the first bytes after a quiet spell are read in epoll"
        );
        // As if the trickle had gone on for a beat.
        client.leave_epoll().unwrap();
        client.got = n;

        let asked = Instant::now();
        let read = client.read(&mut buf);
        tokio::pin!(read);
        assert!(
            tokio::time::timeout(Duration::from_millis(30), &mut read)
                .await
                .is_err(),
            "nothing was sent yet"
        );
        server.write_all(b"second").await.unwrap();
        let n = read.await.unwrap();
        assert_eq!(&buf[..n], b"second");
        assert!(
            asked.elapsed() >= beat,
            "read {:?} after it was asked for",
            asked.elapsed()
        );
        assert!(beating(&client));

        // A beat with nothing to read puts it back in epoll, where the next bytes wake it.
        let quiet = tokio::time::timeout(3 * beat, client.read(&mut buf)).await;
        assert!(quiet.is_err(), "nothing was sent");
        assert!(!beating(&client), "a quiet connection waits in epoll");
        server.write_all(b"third").await.unwrap();
        let n = client.read(&mut buf).await.unwrap();
        assert_eq!(&buf[..n], b"third");
    }

    #[tokio::test]
    async fn a_bulk_transfer_is_read_in_epoll_to_its_end() {
        let beat = Duration::from_millis(100);
        let (server, mut client) = pair(beat).await;
        // A list streaming in: 16 KiB every 2 ms for half a second, far past BULK a beat.
        let writer = trickle(
            server,
            vec![7u8; 16 * 1024],
            Duration::from_millis(2),
            Duration::from_millis(500),
        );
        let received = read_to_end(&mut client, |client, bytes| {
            assert!(bytes.iter().all(|&b| b == 7));
            assert!(!beating(client), "a bulk transfer went to beats");
        })
        .await;
        assert_eq!(received, writer.await.unwrap());
    }
}
