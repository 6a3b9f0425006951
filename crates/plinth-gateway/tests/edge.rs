//! The edge: TLS through the local CA (HTTP/1.1 and HTTP/2, SNI, redirect), rate limiting,
//! security headers, compression, hostile input, protocol upgrades and `/metrics`.

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use common::{Upstream, client, config, get, get_with};
use http::Request;
use http_body_util::{BodyExt, Empty};
use hyper_util::rt::{TokioExecutor, TokioIo};
use plinth_gateway::{Backend, Compression, Gateway, HostPattern, RateLimit, RatePeriod, Route, TlsConfig};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::time::timeout;

fn routes() -> Vec<Route> {
    vec![
        Route { host: HostPattern::parse("app.localhost"), path_prefix: "/".into(), backend: "app".into() },
        Route {
            host: HostPattern::Wildcard { suffix: "shop.localhost".into(), tenant_header: Some("x-tenant".into()) },
            path_prefix: "/".into(),
            backend: "app".into(),
        },
        Route { host: HostPattern::parse("down.localhost"), path_prefix: "/".into(), backend: "down".into() },
    ]
}

fn backends(app: &Upstream) -> Vec<Backend> {
    vec![Backend::new("app", vec![app.addr]), Backend::new("down", vec![])]
}

/// A TLS connection trusting only the gateway's CA, with this SNI and ALPN.
async fn tls(
    addr: std::net::SocketAddr,
    ca_pem: &[u8],
    sni: &str,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(CertificateDer::from_pem_slice(ca_pem).unwrap()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let stream = TcpStream::connect(addr).await.unwrap();
    connector.connect(ServerName::try_from(sni.to_owned()).unwrap(), stream).await.expect("the certificate verifies")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_from_the_local_ca_over_http1_and_http2_with_sni_and_redirect() {
    timeout(common::LIMIT, async {
        let app = Upstream::start("app").await;
        let ca = tempfile::tempdir().unwrap();
        let mut config = config();
        config.listeners.https = Some("127.0.0.1:0".parse().unwrap());
        config.tls = Some(TlsConfig { ca_dir: ca.path().to_owned(), extra_hosts: vec!["localhost".into()] });
        config.redirect_https = true;
        config.routes = routes();
        config.backends = backends(&app);
        let gateway = Gateway::start(config).await.unwrap();
        let https = gateway.addrs().https.unwrap();
        let ca_pem = std::fs::read(ca.path().join("ca.cert.pem")).unwrap();

        // HTTP/1.1, exact host certificate.
        let stream = tls(https, &ca_pem, "app.localhost", b"http/1.1").await;
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        let request = Request::get("/").header("host", "app.localhost").body(Empty::<Bytes>::new()).unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert!(response.headers().contains_key("strict-transport-security"));
        assert_eq!(response.headers()["x-seen-x-forwarded-proto"], "https");
        response.into_body().collect().await.unwrap();
        sender.ready().await.unwrap();
        let request = Request::get("/").header("host", "other.localhost").body(Empty::<Bytes>::new()).unwrap();
        assert_eq!(sender.send_request(request).await.unwrap().status(), 421);

        // HTTP/2 by ALPN, wildcard certificate chosen by SNI.
        let stream = tls(https, &ca_pem, "acme.shop.localhost", b"h2").await;
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
        let (mut sender, conn) =
            hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream)).await.unwrap();
        tokio::spawn(conn);
        let request = Request::get("https://acme.shop.localhost/x").body(Empty::<Bytes>::new()).unwrap();
        let response = sender.send_request(request).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.headers()["x-seen-x-tenant"], "acme");
        assert_eq!(response.into_body().collect().await.unwrap().to_bytes(), "app");

        // Plain HTTP is redirected.
        let redirect = get(&client(), gateway.addrs().http.unwrap(), "app.localhost", "/a?b=c").await;
        assert_eq!(redirect.status, 308);
        assert_eq!(redirect.header("location"), Some(format!("https://app.localhost:{}/a?b=c", https.port()).as_str()));

        // The CA is reused on restart.
        gateway.shutdown(Duration::from_secs(1)).await;
        let before = std::fs::read(ca.path().join("ca.cert.pem")).unwrap();
        let mut again = common::config();
        again.listeners.https = Some("127.0.0.1:0".parse().unwrap());
        again.tls = Some(TlsConfig { ca_dir: ca.path().to_owned(), extra_hosts: vec![] });
        again.routes = routes();
        again.backends = backends(&app);
        let restarted = Gateway::start(again).await.unwrap();
        assert_eq!(std::fs::read(ca.path().join("ca.cert.pem")).unwrap(), before);
        tls(restarted.addrs().https.unwrap(), &before, "app.localhost", b"h2").await;
    })
    .await
    .unwrap();
}

fn assert_security_headers(answer: &common::Answer) {
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{}", answer.status);
    assert_eq!(answer.header("x-frame-options"), Some("DENY"), "{}", answer.status);
    assert!(answer.header("referrer-policy").is_some(), "{}", answer.status);
    assert!(answer.header("content-security-policy").is_some(), "{}", answer.status);
    assert_eq!(answer.header("strict-transport-security"), None, "no HSTS over plain HTTP");
    assert!(answer.header("x-request-id").is_some(), "{}", answer.status);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_admits_the_configured_rate_and_answers_429() {
    timeout(common::LIMIT, async {
        let app = Upstream::start("app").await;
        let mut config = config();
        config.routes = routes();
        config.backends = backends(&app);
        config.rate_limit = Some(RateLimit { requests: 100, per: RatePeriod::Second, burst: 10 });
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();
        let window = Duration::from_secs(2);
        let started = Instant::now();
        let (mut admitted, mut limited) = (0u32, 0u32);
        while started.elapsed() < window {
            let answer = get(&client, addr, "app.localhost", "/").await;
            match answer.status.as_u16() {
                200 => admitted += 1,
                429 => {
                    if limited == 0 {
                        assert_eq!(answer.header("retry-after"), Some("1"));
                        assert_security_headers(&answer);
                    }
                    limited += 1;
                }
                other => panic!("unexpected {other}"),
            }
        }
        let expected = 10.0 + 100.0 * started.elapsed().as_secs_f64();
        let ratio = f64::from(admitted) / expected;
        assert!((0.95..=1.05).contains(&ratio), "admitted {admitted}, expected {expected:.0}");
        assert!(limited > 0);
        assert!(gateway.metrics_text().contains(&format!("plinth_gateway_rate_limited_total {limited}")));
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn security_headers_and_compression() {
    timeout(common::LIMIT, async {
        let app = Upstream::start("app").await;
        let mut config = config();
        config.routes = routes();
        config.backends = backends(&app);
        config.compression = Compression { enabled: true, min_size: 1024 };
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();
        assert_security_headers(&get(&client, addr, "app.localhost", "/").await);
        let not_found = get(&client, addr, "nowhere.localhost", "/").await;
        assert_eq!(not_found.status, 404);
        assert_security_headers(&not_found);
        let unavailable = get(&client, addr, "down.localhost", "/").await;
        assert_eq!(unavailable.status, 503);
        assert_security_headers(&unavailable);

        let plain = get(&client, addr, "app.localhost", "/big.json").await;
        assert_eq!(plain.header("content-encoding"), None);
        for (coding, accept) in [("gzip", "gzip"), ("br", "gzip, br"), ("gzip", "br;q=0.1, gzip")] {
            let compressed =
                get_with(&client, addr, "app.localhost", "/big.json", &[("accept-encoding", accept)]).await;
            assert_eq!(compressed.header("content-encoding"), Some(coding), "{accept}");
            assert!(compressed.body.len() < plain.body.len() / 10);
            let mut decoded = Vec::new();
            let reader = &compressed.body[..];
            match coding {
                "gzip" => async_compression::tokio::bufread::GzipDecoder::new(reader).read_to_end(&mut decoded).await,
                _ => async_compression::tokio::bufread::BrotliDecoder::new(reader).read_to_end(&mut decoded).await,
            }
            .unwrap();
            assert_eq!(decoded, plain.body);
        }
        for path in ["/small.json", "/image.png"] {
            let answer = get_with(&client, addr, "app.localhost", path, &[("accept-encoding", "gzip, br")]).await;
            assert_eq!(answer.header("content-encoding"), None, "{path}");
        }
    })
    .await
    .unwrap();
}

/// Writes `bytes` on a fresh connection and returns what the gateway sends before closing
/// (`Err` on reset), within `limit`.
async fn raw(addr: std::net::SocketAddr, bytes: &[u8], limit: Duration) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect(addr).await?;
    stream.write_all(bytes).await?;
    let mut answer = Vec::new();
    timeout(limit, stream.read_to_end(&mut answer)).await.expect("the gateway closes the connection")?;
    Ok(String::from_utf8_lossy(&answer).into_owned())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostile_input_is_refused_and_the_gateway_keeps_serving() {
    timeout(common::LIMIT, async {
        let app = Upstream::start("app").await;
        let mut config = config();
        config.routes = routes();
        config.backends = backends(&app);
        config.server.header_read_timeout = Duration::from_millis(500);
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();

        let big = format!("GET / HTTP/1.1\r\nHost: app.localhost\r\nX-Big: {}\r\n\r\n", "a".repeat(64 * 1024));
        // hyper answers 431 and closes; the client may see a reset if it is still writing.
        match raw(addr, big.as_bytes(), Duration::from_secs(5)).await {
            Ok(answer) => assert!(answer.starts_with("HTTP/1.1 431"), "{answer}"),
            Err(error) => assert_eq!(error.kind(), std::io::ErrorKind::ConnectionReset),
        }
        let started = Instant::now();
        let slow = raw(addr, b"GET / HTTP/1.1\r\nHost: app", Duration::from_secs(5)).await.unwrap_or_default();
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(400) && waited < Duration::from_secs(2),
            "closed after the header timeout: {waited:?}"
        );
        assert!(slow.is_empty(), "{slow}");
        let invalid = raw(addr, b"NOT HTTP AT ALL\r\n\r\n", Duration::from_secs(5)).await.unwrap_or_default();
        assert!(invalid.starts_with("HTTP/1.1 400"), "{invalid}");
        for request in ["GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"] {
            let answer = raw(addr, request.as_bytes(), Duration::from_secs(5)).await.unwrap();
            assert!(answer.starts_with("HTTP/1.1 400") || answer.starts_with("HTTP/1.0 400"), "{answer}");
        }
        let bad_host = raw(addr, b"GET / HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n", Duration::from_secs(5))
            .await
            .unwrap();
        assert!(bad_host.starts_with("HTTP/1.1 400"), "{bad_host}");

        assert_eq!(get(&client(), addr, "app.localhost", "/").await.text(), "app");

        let metrics = get(&client(), gateway.addrs().admin.unwrap(), "localhost", "/metrics").await;
        assert_eq!(metrics.status, 200);
        assert!(metrics.header("content-type").unwrap().starts_with("application/openmetrics-text"));
        let text = metrics.text();
        assert!(text.ends_with("# EOF\n"), "{text}");
        for line in text.lines().filter(|line| !line.starts_with('#')) {
            let value = line.rsplit(' ').next().unwrap();
            assert!(value.parse::<f64>().is_ok(), "unparsable sample {line:?}");
            assert!(line.starts_with("plinth_gateway_"), "{line}");
        }
        assert!(
            text.contains(
                r#"plinth_gateway_requests_total{route="app.localhost/",backend="app",version="stable",class="2xx"} 1"#
            ),
            "{text}"
        );
        assert!(text.contains(r#"class="4xx"}"#), "{text}");
        assert!(
            text.contains(
                r#"plinth_gateway_upstream_response_seconds_bucket{le="0.001",backend="app",version="stable"}"#
            ) || text.contains(
                r#"plinth_gateway_upstream_response_seconds_bucket{backend="app",version="stable",le="0.001"}"#
            ),
            "{text}"
        );
    })
    .await
    .unwrap();
}

/// An upstream that switches any `Upgrade` request to an echo of what the client sends.
async fn echo_upstream() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else { continue };
            let service = hyper::service::service_fn(|mut request: Request<hyper::body::Incoming>| async move {
                let protocol = request.headers().get("upgrade").cloned();
                let on_upgrade = hyper::upgrade::on(&mut request);
                tokio::spawn(async move {
                    let Ok(upgraded) = on_upgrade.await else { return };
                    let (mut reader, mut writer) = tokio::io::split(TokioIo::new(upgraded));
                    let _ = tokio::io::copy(&mut reader, &mut writer).await;
                });
                let mut response = http::Response::new(Empty::<Bytes>::new());
                *response.status_mut() = http::StatusCode::SWITCHING_PROTOCOLS;
                response.headers_mut().insert("connection", http::HeaderValue::from_static("upgrade"));
                response.headers_mut().insert("upgrade", protocol.unwrap_or(http::HeaderValue::from_static("none")));
                Ok::<_, std::convert::Infallible>(response)
            });
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .with_upgrades(),
            );
        }
    });
    addr
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upgrades_tunnel_both_ways_and_ordinary_requests_still_pool() {
    timeout(common::LIMIT, async {
        let echo = echo_upstream().await;
        let app = Upstream::start("app").await;
        let mut config = config();
        config.routes = vec![
            Route { host: HostPattern::parse("ws.localhost"), path_prefix: "/".into(), backend: "ws".into() },
            Route { host: HostPattern::parse("app.localhost"), path_prefix: "/".into(), backend: "app".into() },
        ];
        config.backends = vec![Backend::new("ws", vec![echo]), Backend::new("app", vec![app.addr])];
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();

        let mut stream = upgraded(addr).await;
        for message in ["hello", "through the tunnel, both ways"] {
            stream.write_all(message.as_bytes()).await.unwrap();
            let mut echoed = vec![0u8; message.len()];
            stream.read_exact(&mut echoed).await.unwrap();
            assert_eq!(echoed, message.as_bytes());
        }
        drop(stream);

        // Ordinary requests are unaffected and share one pooled upstream connection.
        let client = client();
        for _ in 0..5 {
            assert_eq!(get(&client, addr, "app.localhost", "/").await.text(), "app");
        }
        assert_eq!(app.connections.load(std::sync::atomic::Ordering::SeqCst), 1);

        // A tunnel still open when the gateway stops is closed after the drain.
        let mut open = upgraded(addr).await;
        gateway.shutdown(Duration::from_millis(200)).await;
        let mut rest = Vec::new();
        let closed = timeout(Duration::from_secs(5), open.read_to_end(&mut rest)).await;
        assert!(matches!(closed, Ok(Ok(0)) | Ok(Err(_))), "{closed:?}");
    })
    .await
    .unwrap();
}

/// A connection to `addr` upgraded to `websocket` on `ws.localhost`, the 101's headers checked.
async fn upgraded(addr: std::net::SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let head = "GET /chat HTTP/1.1\r\nHost: ws.localhost\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n";
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    while !response.ends_with(b"\r\n\r\n") {
        let mut byte = [0u8; 1];
        assert_eq!(stream.read(&mut byte).await.unwrap(), 1, "the gateway answers the upgrade");
        response.push(byte[0]);
    }
    let response = String::from_utf8(response).unwrap().to_ascii_lowercase();
    assert!(response.starts_with("http/1.1 101"), "{response}");
    assert!(response.contains("upgrade: websocket"), "{response}");
    assert!(response.contains("connection: upgrade"), "{response}");
    stream
}
