//! Routing by host and path, tenant wildcards, request ids, 404/503, upstream pooling, exact
//! weighted splits with `version_stats`, and sticky sessions.

mod common;

use std::sync::atomic::Ordering;

use common::{Upstream, client, config, get, get_with, tally};
use plinth_gateway::{Backend, Gateway, HostPattern, RateLimit, RatePeriod, Route, Sticky, Version};
use tokio::time::timeout;

fn route(host: HostPattern, path: &str, backend: &str) -> Route {
    Route { host, path_prefix: path.to_owned(), backend: backend.to_owned() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn routes_by_host_and_path_with_tenants_request_ids_and_pooling() {
    timeout(common::LIMIT, async {
        let (api, v2, tenants, web) = (
            Upstream::start("api").await,
            Upstream::start("v2").await,
            Upstream::start("tenants").await,
            Upstream::start("web").await,
        );
        let mut config = config();
        config.routes = vec![
            route(HostPattern::parse("api.shop.localhost"), "/", "api"),
            route(HostPattern::parse("api.shop.localhost"), "/v2", "v2"),
            route(
                HostPattern::Wildcard { suffix: "shop.localhost".into(), tenant_header: Some("x-tenant".into()) },
                "/",
                "tenants",
            ),
            route(HostPattern::parse("shop.localhost"), "/", "web"),
            route(HostPattern::parse("down.localhost"), "/", "down"),
        ];
        let dead = Upstream::start("dead").await;
        let dead_addr = dead.addr;
        drop(dead);
        config.backends = vec![
            Backend::new("api", vec![api.addr]),
            Backend::new("v2", vec![v2.addr]),
            Backend::new("tenants", vec![tenants.addr]),
            Backend::new("web", vec![web.addr]),
            Backend::new("down", vec![dead_addr]),
        ];
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();

        assert_eq!(get(&client, addr, "api.shop.localhost", "/orders").await.text(), "api");
        assert_eq!(get(&client, addr, "API.shop.localhost:80", "/v2/orders").await.text(), "v2");
        assert_eq!(get(&client, addr, "api.shop.localhost", "/v2x").await.text(), "api");
        assert_eq!(get(&client, addr, "shop.localhost", "/").await.text(), "web");

        let tenant =
            get_with(&client, addr, "acme.shop.localhost", "/", &[("x-tenant", "evil"), ("x-request-id", "req-1")])
                .await;
        assert_eq!(tenant.text(), "tenants");
        assert_eq!(tenant.header("x-seen-x-tenant"), Some("acme"), "client-sent tenant header is replaced");
        assert_eq!(tenant.header("x-seen-x-request-id"), Some("req-1"));
        assert_eq!(tenant.header("x-request-id"), Some("req-1"));
        assert_eq!(tenant.header("x-seen-x-forwarded-for"), Some("127.0.0.1"));
        assert_eq!(tenant.header("x-seen-x-forwarded-proto"), Some("http"));
        assert_eq!(tenant.header("x-seen-x-forwarded-host"), Some("acme.shop.localhost"));
        assert_eq!(tenant.header("x-seen-host"), Some("acme.shop.localhost"));

        let generated = get(&client, addr, "shop.localhost", "/").await;
        let id = generated.header("x-request-id").unwrap().to_owned();
        assert_eq!(id.len(), 32);
        assert_eq!(generated.header("x-seen-x-request-id"), Some(id.as_str()));

        assert_eq!(get(&client, addr, "nowhere.localhost", "/").await.status, 404);
        assert_eq!(get(&client, addr, "a.b.shop.localhost", "/").await.status, 404);
        let unavailable = get(&client, addr, "down.localhost", "/").await;
        assert!(unavailable.status == 502 || unavailable.status == 503, "{}", unavailable.status);

        for _ in 0..50 {
            assert_eq!(get(&client, addr, "api.shop.localhost", "/").await.text(), "api");
        }
        assert_eq!(api.connections.load(Ordering::SeqCst), 1, "one pooled upstream connection serves every request");
        gateway.shutdown(std::time::Duration::from_secs(1)).await;
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn internal_listeners_send_every_call_to_their_backend_without_the_edge_limit() {
    timeout(common::LIMIT, async {
        let (one, two) = (Upstream::start("auth-1").await, Upstream::start("auth-2").await);
        let mut config = config();
        config.routes = vec![route(HostPattern::parse("api.shop.localhost"), "/", "api")];
        config.backends = vec![Backend::new("api", vec![one.addr])];
        config.rate_limit = Some(RateLimit { requests: 1, per: RatePeriod::Minute, burst: 1 });
        let gateway = Gateway::start(config).await.unwrap();
        let loopback = "127.0.0.1:0".parse().unwrap();
        let auth = gateway.listen_internal(loopback, "auth").unwrap();
        let client = client();

        // Until a reload brings the backend, calls are answered 503.
        assert_eq!(get(&client, auth, "whatever", "/").await.status, 503);
        let mut reloaded = gateway.config();
        reloaded.backends.push(Backend::new("auth", vec![one.addr, two.addr]));
        gateway.reload(reloaded).unwrap();

        // Any Host, no per-client limit (every service calls from 127.0.0.1),
        // balanced over the replicas, request ids propagated.
        let answers: Vec<_> = {
            let mut answers = Vec::new();
            for _ in 0..20 {
                let answer = get_with(&client, auth, &auth.to_string(), "/users", &[("x-request-id", "call-1")]).await;
                assert_eq!(answer.status, 200);
                assert_eq!(answer.header("x-seen-x-request-id"), Some("call-1"));
                assert_eq!(answer.header("x-seen-host"), Some(auth.to_string().as_str()));
                answers.push(answer.header("x-upstream").unwrap().to_owned());
            }
            answers
        };
        let counts = tally(answers);
        assert_eq!((counts["auth-1"], counts["auth-2"]), (10, 10));
        let metrics = gateway.metrics_text();
        assert!(
            metrics.contains(r#"route="internal/auth",backend="auth",version="stable",class="2xx"} 20"#),
            "{metrics}"
        );

        // The edge still limits.
        let edge = gateway.addrs().http.unwrap();
        assert_eq!(get(&client, edge, "api.shop.localhost", "/").await.status, 200);
        assert_eq!(get(&client, edge, "api.shop.localhost", "/").await.status, 429);
        gateway.shutdown(std::time::Duration::from_secs(1)).await;
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn splits_weights_exactly_and_reports_version_stats() {
    timeout(common::LIMIT, async {
        let (stable, canary) = (Upstream::start("stable").await, Upstream::start("canary").await);
        let mut config = config();
        config.routes = vec![route(HostPattern::parse("app.localhost"), "/", "app")];
        let mut backend = Backend::new("app", vec![stable.addr]);
        backend.versions[0].weight = 90;
        backend.versions.push(Version { name: "canary".into(), weight: 10, replicas: vec![canary.addr] });
        config.backends = vec![backend];
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();
        let mut names = Vec::new();
        for _ in 0..100 {
            let batch = (0..100).map(|_| {
                let client = client.clone();
                async move { get(&client, addr, "app.localhost", "/").await.text() }
            });
            names.extend(futures_util::future::join_all(batch).await);
        }
        let counts = tally(names);
        assert_eq!((counts["stable"], counts["canary"]), (9_000, 1_000));
        let stats = gateway.version_stats("app");
        assert_eq!((stats["stable"].requests, stats["canary"].requests), (9_000, 1_000));
        assert_eq!(stats["canary"].errors, 0);
        assert_eq!(stats["canary"].success_rate(), Some(1.0));
        assert!(stats["stable"].latency.quantile(0.99).unwrap() < 1.0);

        gateway.set_weights("app", &[("stable", 0), ("canary", 1)]).unwrap();
        assert_eq!(get(&client, addr, "app.localhost", "/").await.text(), "canary");
        assert!(gateway.set_weights("app", &[("nope", 1)]).is_err());
        assert!(gateway.set_weights("nope", &[]).is_err());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sticky_cookie_pins_a_client_to_its_version_and_replica() {
    timeout(common::LIMIT, async {
        let replicas = [Upstream::start("a").await, Upstream::start("b").await, Upstream::start("c").await];
        let mut config = config();
        config.routes = vec![route(HostPattern::parse("app.localhost"), "/", "app")];
        let mut backend = Backend::new("app", vec![replicas[0].addr, replicas[1].addr]);
        backend.versions.push(Version { name: "canary".into(), weight: 1, replicas: vec![replicas[2].addr] });
        backend.sticky = Some(Sticky { cookie: "plinth_app".into() });
        config.backends = vec![backend];
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();
        let first = get(&client, addr, "app.localhost", "/").await;
        let set_cookie = first.header("set-cookie").expect("a sticky cookie is set").to_owned();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        assert!(cookie.starts_with("plinth_app="), "{cookie}");
        for _ in 0..20 {
            let pinned = get_with(&client, addr, "app.localhost", "/", &[("cookie", &cookie)]).await;
            assert_eq!(pinned.text(), first.text());
            assert_eq!(pinned.header("set-cookie"), None);
        }
        let unpinned: Vec<String> = {
            let mut names = Vec::new();
            for _ in 0..6 {
                names.push(get(&client, addr, "app.localhost", "/").await.text());
            }
            names
        };
        assert!(tally(unpinned).len() >= 2, "clients without the cookie are balanced");
    })
    .await
    .unwrap();
}

/// A writer the test can read back.
#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_log_writes_one_json_line_per_request() {
    timeout(common::LIMIT, async {
        let app = Upstream::start("app").await;
        let lines = Lines::default();
        let mut config = config();
        config.routes = vec![route(HostPattern::parse("app.localhost"), "/", "app")];
        config.backends = vec![Backend::new("app", vec![app.addr])];
        config.access_log = plinth_gateway::AccessLog::to_writer(lines.clone());
        let gateway = Gateway::start(config).await.unwrap();
        let addr = gateway.addrs().http.unwrap();
        let client = client();
        get_with(&client, addr, "app.localhost", "/hello?x=1", &[("x-request-id", "log-1")]).await;
        get(&client, addr, "nowhere.localhost", "/").await;
        // A line is written when the response body is finished, which may be just after the client read it.
        let read = || String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        while read().lines().count() < 2 {
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        let text = read();
        let records: Vec<serde_json::Value> = text.lines().map(|line| serde_json::from_str(line).unwrap()).collect();
        assert_eq!(records.len(), 2, "{text}");
        let first = &records[0];
        assert_eq!(first["request_id"], "log-1");
        assert_eq!(first["client"], "127.0.0.1");
        assert_eq!(first["method"], "GET");
        assert_eq!(first["host"], "app.localhost");
        assert_eq!(first["path"], "/hello");
        assert_eq!(first["status"], 200);
        assert_eq!(first["bytes"], 3);
        assert_eq!(first["backend"], "app");
        assert_eq!(first["version"], "stable");
        assert_eq!(first["upstream"], app.addr.to_string());
        assert!(first["duration_ms"].as_f64().unwrap() >= 0.0);
        assert!(first["time"].as_f64().unwrap() > 1.7e9);
        assert_eq!(records[1]["status"], 404);
        assert!(records[1]["backend"].is_null());
    })
    .await
    .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn start_names_the_address_in_use_and_rejects_bad_configs() {
    timeout(common::LIMIT, async {
        let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = taken.local_addr().unwrap();
        let mut config = config();
        config.listeners.http = Some(addr);
        let error = Gateway::start(config).await.err().expect("the port is taken");
        assert!(error.to_string().contains(&addr.to_string()), "{error}");

        let mut config = common::config();
        config.routes = vec![route(HostPattern::parse("app.localhost"), "/", "missing")];
        let error = Gateway::start(config).await.err().expect("the backend is missing");
        assert!(error.to_string().contains("missing"), "{error}");

        let mut config = common::config();
        config.listeners.https = Some("127.0.0.1:0".parse().unwrap());
        assert!(matches!(Gateway::start(config).await, Err(plinth_gateway::Error::MissingTls)));
    })
    .await
    .unwrap();
}
