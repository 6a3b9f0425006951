//! Replica failures under load (retries, passive ejection, active health checks), reloads under
//! load, and draining on shutdown.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{Upstream, config, connection, send};
use plinth_gateway::{Backend, Config, Ejection, Gateway, HealthCheck, HostPattern, Route, Version};
use tokio::time::{sleep, timeout};

fn app(config: &mut Config, backend: Backend) {
    config.routes =
        vec![Route { host: HostPattern::parse("app.localhost"), path_prefix: "/".into(), backend: "app".into() }];
    config.backends = vec![backend];
}

/// Runs `workers` keep-alive connections sending GETs until `stop`; returns (ok, failed).
fn load(addr: std::net::SocketAddr, workers: usize, stop: Arc<AtomicBool>) -> tokio::task::JoinHandle<(usize, usize)> {
    tokio::spawn(async move {
        let tasks: Vec<_> = (0..workers)
            .map(|_| {
                let stop = stop.clone();
                tokio::spawn(async move {
                    let mut sender = connection(addr).await;
                    let (mut ok, mut failed) = (0, 0);
                    while !stop.load(Ordering::SeqCst) {
                        match send(&mut sender, "app.localhost", "/").await {
                            Some((status, _)) if status == 200 => ok += 1,
                            _ => failed += 1,
                        }
                    }
                    (ok, failed)
                })
            })
            .collect();
        let mut total = (0, 0);
        for task in tasks {
            let (ok, failed) = task.await.unwrap();
            total = (total.0 + ok, total.1 + failed);
        }
        total
    })
}

async fn wait_until(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_replica_costs_no_client_request() {
    timeout(common::LIMIT, async {
        let replicas = [Upstream::start("a").await, Upstream::start("b").await, Upstream::start("c").await];
        let mut config = config();
        let mut backend = Backend::new("app", replicas.iter().map(|r| r.addr).collect());
        backend.ejection = Ejection { consecutive_failures: 2, duration: Duration::from_secs(30) };
        app(&mut config, backend);
        let gateway = Gateway::start(config).await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let running = load(gateway.addrs().http.unwrap(), 4, stop.clone());
        wait_until("b serves", || replicas[1].requests.load(Ordering::SeqCst) > 50).await;
        replicas[1].kill();
        sleep(Duration::from_millis(300)).await;
        let served_after_kill =
            replicas[0].requests.load(Ordering::SeqCst) + replicas[2].requests.load(Ordering::SeqCst);
        sleep(Duration::from_millis(500)).await;
        stop.store(true, Ordering::SeqCst);
        let (ok, failed) = running.await.unwrap();
        assert_eq!(failed, 0, "{ok} succeeded");
        assert!(
            replicas[0].requests.load(Ordering::SeqCst) + replicas[2].requests.load(Ordering::SeqCst)
                > served_after_kill
        );
        let metrics = gateway.metrics_text();
        assert!(metrics.contains("plinth_gateway_ejections_total{backend=\"app\"} 1"), "{metrics}");
        assert!(metrics.contains("plinth_gateway_retries_total{backend=\"app\"}"), "{metrics}");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn active_health_checks_take_a_replica_out_and_back() {
    timeout(common::LIMIT, async {
        let (a, b) = (Upstream::start("a").await, Upstream::start("b").await);
        let mut config = config();
        let mut backend = Backend::new("app", vec![a.addr, b.addr]);
        backend.health_check = Some(HealthCheck {
            path: "/health".into(),
            interval: Duration::from_millis(50),
            timeout: Duration::from_millis(200),
            healthy_threshold: 2,
            unhealthy_threshold: 2,
        });
        app(&mut config, backend);
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let mut sender = connection(addr).await;

        b.healthy.store(false, Ordering::SeqCst);
        sleep(Duration::from_millis(300)).await;
        let before = b.requests.load(Ordering::SeqCst);
        for _ in 0..20 {
            assert_eq!(send(&mut sender, "app.localhost", "/").await.unwrap().1, "a");
        }
        assert_eq!(b.requests.load(Ordering::SeqCst), before, "a replica failing its check gets no traffic");

        b.healthy.store(true, Ordering::SeqCst);
        sleep(Duration::from_millis(300)).await;
        let mut names = Vec::new();
        for _ in 0..20 {
            names.push(send(&mut sender, "app.localhost", "/").await.unwrap().1);
        }
        assert!(names.iter().any(|n| n == "b"), "a recovered replica gets traffic again");

        // A replica that dies is taken out by the check and comes back on the same port.
        let b_addr = b.addr;
        drop(b);
        sleep(Duration::from_millis(300)).await;
        for _ in 0..10 {
            assert_eq!(send(&mut sender, "app.localhost", "/").await.unwrap().1, "a");
        }
        let b = Upstream::bind("b", b_addr).await;
        wait_until("b is back", || b.connections.load(Ordering::SeqCst) > 0).await;
        sleep(Duration::from_millis(300)).await;
        for _ in 0..10 {
            send(&mut sender, "app.localhost", "/").await.unwrap();
        }
        assert!(b.requests.load(Ordering::SeqCst) > 0);
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_load_drop_no_request_or_connection() {
    timeout(common::LIMIT, async {
        let (stable, canary) = (Upstream::start("stable").await, Upstream::start("canary").await);
        let mut config = config();
        let mut backend = Backend::new("app", vec![stable.addr]);
        backend.versions.push(Version { name: "canary".into(), weight: 0, replicas: vec![canary.addr] });
        app(&mut config, backend);
        let gateway = Gateway::start(config.clone()).await.unwrap();
        let stop = Arc::new(AtomicBool::new(false));
        let running = load(gateway.addrs().http.unwrap(), 4, stop.clone());
        for step in 0..20u32 {
            sleep(Duration::from_millis(25)).await;
            gateway.set_weights("app", &[("stable", 20 - step), ("canary", step)]).unwrap();
        }
        let mut moved = config.clone();
        moved.routes[0].path_prefix = "/".into();
        moved.backends[0].retries = 1;
        gateway.reload(moved).unwrap();
        sleep(Duration::from_millis(100)).await;
        stop.store(true, Ordering::SeqCst);
        let (ok, failed) = running.await.unwrap();
        assert_eq!(failed, 0, "{ok} succeeded; a failure means a dropped request or connection");
        assert!(canary.requests.load(Ordering::SeqCst) > 0);

        let mut listeners = config.clone();
        listeners.listeners.http = Some("127.0.0.1:1".parse().unwrap());
        assert!(matches!(gateway.reload(listeners), Err(plinth_gateway::Error::FixedAtStart("listeners"))));
        let mut broken = config;
        broken.routes[0].backend = "missing".into();
        assert!(gateway.reload(broken).is_err());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_drains_an_in_flight_request_and_stops_accepting() {
    timeout(common::LIMIT, async {
        let upstream = Upstream::start("slow").await;
        let mut config = config();
        app(&mut config, Backend::new("app", vec![upstream.addr]));
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let mut sender = connection(addr).await;
        let slow = tokio::spawn(async move { send(&mut sender, "app.localhost", "/slow").await });
        wait_until("the slow request is upstream", || upstream.requests.load(Ordering::SeqCst) == 1).await;
        let shutdown = Instant::now();
        gateway.shutdown(Duration::from_secs(5)).await;
        assert!(shutdown.elapsed() < Duration::from_secs(3), "shutdown returns once drained");
        assert_eq!(slow.await.unwrap(), Some((http::StatusCode::OK, "slow".to_owned())));
        assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer accepting");
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_upstream_is_answered_504_and_counted_as_an_error() {
    timeout(common::LIMIT, async {
        let upstream = Upstream::start("slow").await;
        let mut config = config();
        let mut backend = Backend::new("app", vec![upstream.addr]);
        backend.response_timeout = Duration::from_millis(200);
        app(&mut config, backend);
        let gateway = Gateway::start(config).await.unwrap();
        let mut sender = connection(gateway.addrs().http.unwrap()).await;
        assert_eq!(send(&mut sender, "app.localhost", "/slow").await.unwrap().0, http::StatusCode::GATEWAY_TIMEOUT);
        assert_eq!(
            send(&mut sender, "app.localhost", "/fail").await.unwrap().0,
            http::StatusCode::INTERNAL_SERVER_ERROR
        );
        let stats = &gateway.version_stats("app")["stable"];
        assert_eq!((stats.requests, stats.errors), (2, 2));
        assert!(gateway.metrics_text().contains(r#"kind="response_timeout"} 1"#));
    })
    .await
    .unwrap();
}
