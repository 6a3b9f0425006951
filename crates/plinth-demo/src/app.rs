//! One request, start to end: route, fault switch, endpoint, request id, metrics, log line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Limited};
use hyper::body::Incoming;
use hyper::header::{ALLOW, HeaderValue};
use hyper::{Request, StatusCode};
use serde_json::json;

use crate::DemoConfig;
use crate::cache::Redis;
use crate::chaos::{Chaos, MAX_DELAY, Switch};
use crate::db::Postgres;
use crate::log::{self, REQUEST_ID, RequestIds};
use crate::metrics::{self, Metrics};
use crate::probes::Probes;
use crate::response::{self, Reply};
use crate::routes::{self, Endpoint};

/// The largest `POST /chaos` body read.
const MAX_BODY: usize = 64 * 1024;

/// The state every request shares.
pub(crate) struct App {
    config: DemoConfig,
    started: Instant,
    hostname: String,
    probes: Probes,
    chaos: Switch,
    metrics: Metrics,
    postgres: Option<Postgres>,
    redis: Option<Redis>,
    ids: RequestIds,
}

impl App {
    /// Checks the datastore URLs; connects to nothing yet.
    pub(crate) fn new(config: DemoConfig) -> Result<Self, String> {
        let postgres = config.database_url.as_deref().map(|url| Postgres::new(url, &config.service)).transpose()?;
        let redis = config.redis_url.as_deref().map(|url| Redis::new(url, &config.service)).transpose()?;
        Ok(Self {
            started: Instant::now(),
            hostname: hostname(),
            probes: Probes::new(),
            chaos: Switch::new(config.chaos),
            metrics: Metrics::new(),
            postgres,
            redis,
            ids: RequestIds::default(),
            config,
        })
    }

    /// Whether to write log lines.
    pub(crate) fn logs(&self) -> bool {
        self.config.log
    }

    /// Answers one request.
    pub(crate) async fn handle(self: Arc<Self>, request: Request<Incoming>) -> Reply {
        let started = Instant::now();
        let id = self.ids.for_request(request.headers());
        let method = request.method().clone();
        let path = request.uri().path().to_owned();
        let route = routes::resolve(&method, &path);
        let polled = route.polled();
        let mut reply = if route.spared() {
            self.endpoint(route.endpoint, request).await
        } else {
            let (latency, fails) = self.chaos.draw();
            tokio::time::sleep(latency).await;
            if fails {
                response::error(StatusCode::INTERNAL_SERVER_ERROR, "injected by the fault switch (/chaos)")
            } else {
                self.endpoint(route.endpoint, request).await
            }
        };
        let elapsed = started.elapsed();
        let status = reply.status().as_u16();
        self.metrics.observe(&method, route.template, status, elapsed);
        if self.config.log && !(polled && reply.status().is_success()) {
            log::line(
                "info",
                json!({
                    "msg": "request",
                    "method": method.as_str(),
                    "path": path,
                    "route": route.template,
                    "status": status,
                    "duration_ms": elapsed.as_secs_f64() * 1000.0,
                    "request_id": id.to_str().unwrap_or_default(),
                }),
            );
        }
        reply.headers_mut().insert(REQUEST_ID, id);
        reply
    }

    async fn endpoint(&self, endpoint: Endpoint, request: Request<Incoming>) -> Reply {
        let config = &self.config;
        match endpoint {
            Endpoint::Info => response::json(
                StatusCode::OK,
                &json!({
                    "service": config.service,
                    "version": config.version,
                    "color": config.color,
                    "hostname": self.hostname,
                    "pid": std::process::id(),
                    "uptime": self.started.elapsed().as_secs_f64(),
                }),
            ),
            Endpoint::Version => {
                response::json(StatusCode::OK, &json!({ "service": config.service, "version": config.version }))
            }
            Endpoint::Probe(probe) => self.probes.answer(probe),
            Endpoint::Toggle(probe, enabled) => self.probes.toggle(probe, enabled),
            Endpoint::Status(code) => status(&code),
            Endpoint::Delay(seconds) => delay(&seconds).await,
            Endpoint::ChaosGet => response::json(StatusCode::OK, &self.chaos.status()),
            Endpoint::ChaosSet => match read_chaos(request).await {
                Ok(chaos) => self.set_chaos(chaos),
                Err(message) => response::error(StatusCode::BAD_REQUEST, message),
            },
            Endpoint::ChaosClear => self.set_chaos(Chaos::default()),
            Endpoint::Metrics => response::with_type(StatusCode::OK, metrics::CONTENT_TYPE, self.metrics.encode()),
            Endpoint::Db => match &self.postgres {
                Some(postgres) => postgres.round_trip().await,
                None => response::error(StatusCode::NOT_FOUND, "no database configured: set DATABASE_URL"),
            },
            Endpoint::Cache => match &self.redis {
                Some(redis) => redis.round_trip().await,
                None => response::error(StatusCode::NOT_FOUND, "no cache configured: set REDIS_URL"),
            },
            Endpoint::NotFound => response::error(StatusCode::NOT_FOUND, "no such route"),
            Endpoint::MethodNotAllowed(allow) => {
                let mut reply = response::error(StatusCode::METHOD_NOT_ALLOWED, format!("allowed: {allow}"));
                reply.headers_mut().insert(ALLOW, HeaderValue::from_static(allow));
                reply
            }
        }
    }

    fn set_chaos(&self, chaos: Chaos) -> Reply {
        self.chaos.set(chaos);
        response::json(StatusCode::OK, &self.chaos.status())
    }
}

/// `/status/{code}`: answers with that code (200–599).
fn status(code: &str) -> Reply {
    match code.parse::<u16>().ok().filter(|c| (200..=599).contains(c)).and_then(|c| StatusCode::from_u16(c).ok()) {
        Some(code) => response::json(code, &json!({ "status": code.as_u16() })),
        None => {
            response::error(StatusCode::BAD_REQUEST, format!("status must be a number from 200 to 599, not `{code}`"))
        }
    }
}

/// `/delay/{seconds}`: waits that long (fractions allowed, at most [`MAX_DELAY`]), then answers.
async fn delay(seconds: &str) -> Reply {
    let wait =
        seconds.parse::<f64>().ok().and_then(|s| Duration::try_from_secs_f64(s).ok()).filter(|d| *d <= MAX_DELAY);
    match wait {
        Some(wait) => {
            tokio::time::sleep(wait).await;
            response::json(StatusCode::OK, &json!({ "delay_seconds": wait.as_secs_f64() }))
        }
        None => response::error(
            StatusCode::BAD_REQUEST,
            format!("delay must be a number of seconds from 0 to {}, not `{seconds}`", MAX_DELAY.as_secs()),
        ),
    }
}

async fn read_chaos(request: Request<Incoming>) -> Result<Chaos, String> {
    let body = Limited::new(request.into_body(), MAX_BODY)
        .collect()
        .await
        .map_err(|e| format!("unreadable body (at most {MAX_BODY} bytes): {e}"))?
        .to_bytes();
    Chaos::from_json(&body)
}

/// The machine's name: `HOSTNAME`, else the kernel's, else `localhost`.
fn hostname() -> String {
    let kernel = || std::fs::read_to_string("/proc/sys/kernel/hostname").ok();
    std::env::var("HOSTNAME")
        .ok()
        .or_else(kernel)
        .map(|name| name.trim().to_owned())
        .filter(|name| !name.is_empty())
        .unwrap_or_else(|| "localhost".to_owned())
}
