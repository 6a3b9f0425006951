//! The fault switch over real sockets: exact error counts, injected latency, and the paths it
//! spares.

mod common;

use std::time::{Duration, Instant};

use serde_json::json;

/// Sends `count` `GET path` requests, `parallel` at a time, and returns how many answered 500.
async fn errors(demo: &common::Running, path: &str, count: usize, parallel: usize) -> usize {
    let address = demo.address;
    let mut tasks = Vec::new();
    for worker in 0..parallel {
        let path = path.to_owned();
        let share = count / parallel + usize::from(worker < count % parallel);
        tasks.push(tokio::spawn(async move {
            let mut failed = 0;
            for _ in 0..share {
                let answer = common::send(address, &format!("GET {path} HTTP/1.1\r\n"), "").await;
                assert!(matches!(answer.status, 200 | 500), "{answer:?}");
                failed += usize::from(answer.status == 500);
            }
            failed
        }));
    }
    let mut failed = 0;
    for task in tasks {
        failed += task.await.unwrap();
    }
    failed
}

#[tokio::test]
async fn an_error_rate_fails_exactly_that_share_of_requests() {
    let demo = common::start(common::config()).await;
    let set = demo.post("/chaos", r#"{"error_rate": 0.2}"#).await;
    assert_eq!(set.status, 200);
    assert_eq!(set.json(), json!({ "error_rate": 0.2, "latency_ms": 0, "requests": 0, "errors": 0 }));
    assert_eq!(errors(&demo, "/version", 1000, 8).await, 200);
    assert_eq!(
        demo.get("/chaos").await.json(),
        json!({ "error_rate": 0.2, "latency_ms": 0, "requests": 1000, "errors": 200 })
    );
    // Setting again restarts the count: the first four of every five succeed.
    demo.post("/chaos", r#"{"error_rate": 0.2}"#).await;
    let mut statuses = Vec::new();
    for _ in 0..10 {
        statuses.push(demo.get("/").await.status);
    }
    assert_eq!(statuses, [200, 200, 200, 200, 500, 200, 200, 200, 200, 500]);
    demo.stop().await;
}

#[tokio::test]
async fn probes_metrics_and_the_switch_are_spared() {
    let demo = common::start(common::config()).await;
    demo.post("/chaos", r#"{"error_rate": 1.0, "latency_ms": 400}"#).await;
    let failed = demo.get("/").await;
    assert_eq!(failed.status, 500);
    assert!(failed.json()["error"].as_str().unwrap().contains("/chaos"));
    for path in ["/healthz", "/readyz", "/metrics", "/chaos"] {
        let started = Instant::now();
        assert_eq!(demo.get(path).await.status, 200, "{path}");
        assert!(started.elapsed() < Duration::from_millis(400), "{path} was delayed");
    }
    assert_eq!(demo.post("/readyz/disable", "").await.status, 200);
    assert_eq!(demo.get("/chaos").await.json()["requests"], 1, "spared requests are not counted");
    let cleared = demo.request("DELETE", "/chaos", "").await;
    assert_eq!(cleared.json(), json!({ "error_rate": 0.0, "latency_ms": 0, "requests": 0, "errors": 0 }));
    assert_eq!(demo.get("/").await.status, 200);
    demo.stop().await;
}

#[tokio::test]
async fn latency_delays_every_ordinary_request() {
    let demo = common::start(common::config()).await;
    demo.post("/chaos", r#"{"latency_ms": 300}"#).await;
    for path in ["/", "/status/404", "/nope"] {
        let started = Instant::now();
        demo.get(path).await;
        assert!(started.elapsed() >= Duration::from_millis(300), "{path} was not delayed");
    }
    demo.stop().await;
}

#[tokio::test]
async fn startup_defaults_apply_until_changed() {
    let mut config = common::config();
    config.chaos = plinth_demo::Chaos::new(0.5, Duration::ZERO).unwrap();
    let demo = common::start(config).await;
    assert_eq!(errors(&demo, "/", 10, 1).await, 5);
    demo.request("DELETE", "/chaos", "").await;
    assert_eq!(errors(&demo, "/", 10, 1).await, 0);
    demo.stop().await;
}

#[tokio::test]
async fn bad_settings_are_refused_and_change_nothing() {
    let demo = common::start(common::config()).await;
    demo.post("/chaos", r#"{"error_rate": 0.1}"#).await;
    for body in [r#"{"error_rate": 2}"#, r#"{"latency_ms": 30001}"#, r#"{"errors": 1}"#, "nope", ""] {
        let refused = demo.post("/chaos", body).await;
        assert_eq!(refused.status, 400, "{body}");
        assert!(refused.json()["error"].is_string(), "{body}");
    }
    assert_eq!(demo.get("/chaos").await.json()["error_rate"], 0.1);
    demo.stop().await;
}
