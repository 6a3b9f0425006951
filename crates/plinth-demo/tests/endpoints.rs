//! The demo's endpoints over real sockets: info, probes and their toggles, per-request faults,
//! errors, request ids, graceful shutdown.

mod common;

use std::time::{Duration, Instant};

#[tokio::test]
async fn info_and_version_say_who_answered() {
    let mut config = common::config();
    config.service = "api".into();
    config.version = "v2".into();
    config.color = "green".into();
    let demo = common::start(config).await;
    let info = demo.get("/").await;
    assert_eq!(info.status, 200);
    assert_eq!(info.header("content-type"), Some("application/json"));
    let info = info.json();
    assert_eq!((&info["service"], &info["version"], &info["color"]), (&"api".into(), &"v2".into(), &"green".into()));
    assert_eq!(info["pid"], std::process::id());
    assert!(info["hostname"].as_str().is_some_and(|h| !h.is_empty()));
    assert!(info["uptime"].as_f64().is_some_and(|u| u >= 0.0));
    assert_eq!(demo.get("/version").await.json(), serde_json::json!({ "service": "api", "version": "v2" }));
    demo.stop().await;
}

#[tokio::test]
async fn probes_toggle_between_200_and_503() {
    let demo = common::start(common::config()).await;
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(demo.get(probe).await.status, 200);
        let off = demo.post(&format!("{probe}/disable"), "").await;
        assert_eq!(off.json(), serde_json::json!({ "probe": probe, "enabled": false }));
        let answer = demo.get(probe).await;
        assert_eq!((answer.status, answer.json()["status"].as_str()), (503, Some("disabled")));
        assert_eq!(demo.post(&format!("{probe}/enable"), "").await.status, 200);
        assert_eq!(demo.get(probe).await.status, 200);
    }
    // Toggling one leaves the other alone.
    demo.post("/readyz/disable", "").await;
    assert_eq!(demo.get("/healthz").await.status, 200);
    demo.stop().await;
}

#[tokio::test]
async fn status_and_delay_answer_as_asked() {
    let demo = common::start(common::config()).await;
    for code in [200, 404, 418, 503] {
        let answer = demo.get(&format!("/status/{code}")).await;
        assert_eq!(answer.status, code);
        assert_eq!(answer.json()["status"], code);
    }
    for bad in ["/status/99", "/status/600", "/status/abc", "/delay/31", "/delay/-1", "/delay/soon"] {
        let answer = demo.get(bad).await;
        assert_eq!(answer.status, 400, "{bad}");
        assert!(answer.json()["error"].is_string(), "{bad}");
    }
    let started = Instant::now();
    let answer = demo.get("/delay/0.3").await;
    assert!(started.elapsed() >= Duration::from_millis(300));
    assert_eq!(answer.json()["delay_seconds"], 0.3);
    demo.stop().await;
}

#[tokio::test]
async fn unknown_routes_and_methods_answer_json_errors() {
    let demo = common::start(common::config()).await;
    let missing = demo.get("/nope").await;
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].is_string());
    let wrong = demo.request("DELETE", "/version", "").await;
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("GET")));
    let wrong = demo.get("/readyz/disable").await;
    assert_eq!((wrong.status, wrong.header("allow")), (405, Some("POST")));
    for path in ["/db", "/cache"] {
        let unconfigured = demo.get(path).await;
        assert_eq!(unconfigured.status, 404, "{path}");
        assert!(unconfigured.json()["error"].as_str().unwrap().contains("_URL"), "{path}");
    }
    demo.stop().await;
}

#[tokio::test]
async fn request_ids_are_echoed_or_generated() {
    let demo = common::start(common::config()).await;
    let echoed = common::send(demo.address, "GET /version HTTP/1.1\r\nX-Request-Id: trace-42\r\n", "").await;
    assert_eq!(echoed.header("x-request-id"), Some("trace-42"));
    let (a, b) = (demo.get("/").await, demo.get("/").await);
    let (a, b) = (a.header("x-request-id").unwrap(), b.header("x-request-id").unwrap());
    assert_eq!(a.len(), 32);
    assert_ne!(a, b);
    demo.stop().await;
}

#[tokio::test]
async fn invalid_datastore_urls_are_refused_at_start() {
    let mut config = common::config();
    config.redis_url = Some("http://not-redis".into());
    let error = plinth_demo::bind(config).await.err().expect("refused");
    assert_eq!(error.kind(), std::io::ErrorKind::InvalidInput);
    assert!(error.to_string().contains("REDIS_URL"), "{error}");
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_and_stops_accepting() {
    let demo = common::start(common::config()).await;
    let address = demo.address;
    let in_flight = tokio::spawn(async move { common::send(address, "GET /delay/0.5 HTTP/1.1\r\n", "").await });
    tokio::time::sleep(Duration::from_millis(150)).await;
    demo.stop().await;
    let answer = in_flight.await.unwrap();
    assert_eq!(answer.status, 200, "the in-flight request finished");
    assert!(tokio::net::TcpStream::connect(address).await.is_err(), "no longer accepting");
}

#[tokio::test]
async fn shutdown_cuts_requests_longer_than_the_drain_time() {
    let mut config = common::config();
    config.drain = Duration::from_millis(200);
    let demo = common::start(config).await;
    let address = demo.address;
    let slow = tokio::spawn(async move {
        let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
        tokio::io::AsyncWriteExt::write_all(&mut stream, b"GET /delay/20 HTTP/1.1\r\nHost: x\r\n\r\n").await.unwrap();
        stream
    });
    tokio::time::sleep(Duration::from_millis(150)).await;
    let started = Instant::now();
    demo.stop().await;
    assert!(started.elapsed() < Duration::from_secs(5), "stopped after the drain time, not the delay");
    drop(slow.await.unwrap());
}
