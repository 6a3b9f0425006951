//! Test helpers: tiny named upstream servers, a pooled client and config builders.
// Each test binary uses a subset of these helpers.
#![allow(dead_code)]

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::{BodyExt, Empty, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use plinth_gateway::{Config, Listeners};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

/// Every test is bounded by this.
pub const LIMIT: Duration = Duration::from_secs(30);

/// A named upstream: answers with its name, echoes what it saw in `x-seen-*` headers.
pub struct Upstream {
    pub addr: SocketAddr,
    /// Connections accepted so far.
    pub connections: Arc<AtomicUsize>,
    /// Requests served so far.
    pub requests: Arc<AtomicUsize>,
    /// What `/health` answers.
    pub healthy: Arc<AtomicBool>,
    tasks: Arc<Mutex<JoinSet<()>>>,
}

impl Upstream {
    pub async fn start(name: &str) -> Self {
        Self::bind(name, "127.0.0.1:0".parse().unwrap()).await
    }

    /// Starts on `addr` (to bring a killed replica back on its port).
    pub async fn bind(name: &str, addr: SocketAddr) -> Self {
        let listener = TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let connections = Arc::new(AtomicUsize::new(0));
        let requests = Arc::new(AtomicUsize::new(0));
        let healthy = Arc::new(AtomicBool::new(true));
        let tasks = Arc::new(Mutex::new(JoinSet::new()));
        let (inner, n, r, h) = (tasks.clone(), connections.clone(), requests.clone(), healthy.clone());
        let name_owned = name.to_owned();
        tasks.lock().unwrap().spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else { continue };
                n.fetch_add(1, Ordering::SeqCst);
                let (name, r, h) = (name_owned.clone(), r.clone(), h.clone());
                let service = service_fn(move |request: Request<Incoming>| {
                    let (name, r, h) = (name.clone(), r.clone(), h.clone());
                    async move { Ok::<_, Infallible>(respond(&name, &r, &h, request).await) }
                });
                inner.lock().unwrap().spawn(async move {
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Self { addr, connections, requests, healthy, tasks }
    }

    /// Simulates the process dying: the listener and every open connection close.
    pub fn kill(&self) {
        self.tasks.lock().unwrap().abort_all();
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.kill();
    }
}

async fn respond(
    name: &str,
    requests: &AtomicUsize,
    healthy: &AtomicBool,
    request: Request<Incoming>,
) -> Response<Full<Bytes>> {
    let path = request.uri().path().to_owned();
    if path == "/health" {
        let status = if healthy.load(Ordering::SeqCst) { StatusCode::OK } else { StatusCode::SERVICE_UNAVAILABLE };
        return Response::builder().status(status).body(Full::new(Bytes::new())).unwrap();
    }
    requests.fetch_add(1, Ordering::SeqCst);
    let mut builder = Response::builder().header("x-upstream", name);
    for (header, value) in request.headers() {
        builder = builder.header(format!("x-seen-{header}"), value);
    }
    let (content_type, body): (&str, Bytes) = match path.as_str() {
        "/slow" => {
            tokio::time::sleep(Duration::from_millis(800)).await;
            ("text/plain", Bytes::from(name.to_owned()))
        }
        "/big.json" => ("application/json", Bytes::from(format!("[{}]", vec!["{\"name\":\"value\"}"; 2000].join(",")))),
        "/small.json" => ("application/json", Bytes::from_static(b"{\"ok\":true}")),
        "/image.png" => ("image/png", Bytes::from(vec![7u8; 50_000])),
        "/fail" => return builder.status(500).body(Full::new(Bytes::from_static(b"boom"))).unwrap(),
        _ => ("text/plain", Bytes::from(name.to_owned())),
    };
    builder.header("content-type", content_type).body(Full::new(body)).unwrap()
}

pub type TestClient = Client<HttpConnector, Empty<Bytes>>;

pub fn client() -> TestClient {
    Client::builder(TokioExecutor::new()).build_http()
}

/// A response as the tests see it.
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

pub async fn get(client: &TestClient, gateway: SocketAddr, host: &str, path: &str) -> Answer {
    get_with(client, gateway, host, path, &[]).await
}

pub async fn get_with(
    client: &TestClient,
    gateway: SocketAddr,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::get(format!("http://{gateway}{path}")).header("host", host);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = client.request(request.body(Empty::new()).unwrap()).await.expect("gateway answers");
    let (parts, body) = response.into_parts();
    Answer { status: parts.status, headers: parts.headers, body: body.collect().await.unwrap().to_bytes() }
}

/// A config listening on loopback port 0 for HTTP and admin.
pub fn config() -> Config {
    Config {
        listeners: Listeners {
            http: Some("127.0.0.1:0".parse().unwrap()),
            https: None,
            admin: Some("127.0.0.1:0".parse().unwrap()),
        },
        ..Config::default()
    }
}

/// Counts answers by `x-upstream`.
pub fn tally(names: impl IntoIterator<Item = String>) -> HashMap<String, usize> {
    let mut counts = HashMap::new();
    for name in names {
        *counts.entry(name).or_default() += 1;
    }
    counts
}

/// One HTTP/1.1 keep-alive connection to `addr`, driven in the background.
pub async fn connection(addr: SocketAddr) -> hyper::client::conn::http1::SendRequest<Empty<Bytes>> {
    let stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let (sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
    tokio::spawn(connection);
    sender
}

/// Sends a GET for `host` and `path` on `sender`; `None` if the connection failed.
pub async fn send(
    sender: &mut hyper::client::conn::http1::SendRequest<Empty<Bytes>>,
    host: &str,
    path: &str,
) -> Option<(StatusCode, String)> {
    sender.ready().await.ok()?;
    let request = Request::get(path).header("host", host).body(Empty::new()).unwrap();
    let response = sender.send_request(request).await.ok()?;
    let status = response.status();
    let body = response.into_body().collect().await.ok()?.to_bytes();
    Some((status, String::from_utf8_lossy(&body).into_owned()))
}
