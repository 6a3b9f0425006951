//! The gateway's configuration: listeners, TLS, routes, backends and the per-request policies.
//!
//! Plain data, `Clone`, with defaults that match what a local platform wants. The runtime
//! translates plinth's model into it; the gateway knows nothing of `plinth.yaml`.

use std::fmt;
use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Everything the gateway needs. `listeners`, `tls` and `server` are fixed at
/// [`Gateway::start`](crate::Gateway::start); the rest can change with
/// [`Gateway::reload`](crate::Gateway::reload).
#[derive(Clone, Debug, Default)]
pub struct Config {
    /// Where to listen.
    pub listeners: Listeners,
    /// TLS for the HTTPS listener; required when `listeners.https` is set.
    pub tls: Option<TlsConfig>,
    /// Limits and timeouts applied to client connections.
    pub server: ServerLimits,
    /// Host/path routes, matched by host then longest path prefix.
    pub routes: Vec<Route>,
    /// Backends the routes point at, by name.
    pub backends: Vec<Backend>,
    /// Per-client-IP rate limit; `None` disables it.
    pub rate_limit: Option<RateLimit>,
    /// Headers added to every response.
    pub security_headers: SecurityHeaders,
    /// Response compression.
    pub compression: Compression,
    /// Answer plain-HTTP requests with a 308 to the HTTPS listener.
    pub redirect_https: bool,
    /// Where access-log lines go.
    pub access_log: AccessLog,
}

/// The three listeners. Port 0 picks a free port; [`Gateway::addrs`](crate::Gateway::addrs)
/// reports what was bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Listeners {
    /// Plain HTTP.
    pub http: Option<SocketAddr>,
    /// HTTPS (needs [`Config::tls`]).
    pub https: Option<SocketAddr>,
    /// Admin endpoint serving `/metrics`; keep it on loopback.
    pub admin: Option<SocketAddr>,
}

/// TLS through a local certificate authority.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TlsConfig {
    /// Directory holding (or receiving) `ca.key.pem` and `ca.cert.pem`.
    pub ca_dir: PathBuf,
    /// Host names to issue certificates for besides the routes' hosts
    /// (e.g. `localhost`); the first one is served to clients that send no or an unknown SNI.
    pub extra_hosts: Vec<String>,
}

/// Limits on client connections.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ServerLimits {
    /// Time a client has to send a complete request head (and finish a TLS handshake).
    pub header_read_timeout: Duration,
    /// Largest request head accepted; larger heads are answered 431 (HTTP/1) or refused (HTTP/2).
    pub max_header_bytes: usize,
    /// Time to connect to an upstream replica.
    pub upstream_connect_timeout: Duration,
    /// Idle upstream connections kept per replica.
    pub upstream_max_idle_per_host: usize,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            header_read_timeout: Duration::from_secs(10),
            max_header_bytes: 16 * 1024,
            upstream_connect_timeout: Duration::from_secs(2),
            upstream_max_idle_per_host: 32,
        }
    }
}

/// Which hosts a route answers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HostPattern {
    /// Exactly this host (case-insensitive, port ignored), e.g. `api.shop.localhost`.
    Exact(String),
    /// Any single label under this suffix, e.g. suffix `shop.localhost` matches
    /// `acme.shop.localhost`; the label (`acme`) is the tenant.
    Wildcard {
        /// The part after `*.`.
        suffix: String,
        /// Header carrying the tenant label upstream (any client-sent value is replaced).
        tenant_header: Option<String>,
    },
}

impl HostPattern {
    /// Parses `*.x.localhost` as a wildcard (without tenant header) and anything else as exact.
    pub fn parse(pattern: &str) -> Self {
        match pattern.strip_prefix("*.") {
            Some(suffix) => Self::Wildcard { suffix: suffix.to_ascii_lowercase(), tenant_header: None },
            None => Self::Exact(pattern.to_ascii_lowercase()),
        }
    }

    /// The name a certificate needs in its SANs (`*.x.localhost` for a wildcard).
    pub fn san(&self) -> String {
        match self {
            Self::Exact(host) => host.clone(),
            Self::Wildcard { suffix, .. } => format!("*.{suffix}"),
        }
    }
}

impl fmt::Display for HostPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.san())
    }
}

/// A host pattern and path prefix sending requests to a backend.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Route {
    /// Hosts matched.
    pub host: HostPattern,
    /// Path prefix (`/` for everything); the longest matching prefix wins, on segment boundaries.
    pub path_prefix: String,
    /// Name of the [`Backend`].
    pub backend: String,
}

/// A named set of versions serving one service.
#[derive(Clone, Debug, PartialEq)]
pub struct Backend {
    /// Name routes refer to.
    pub name: String,
    /// Versions and their weights; traffic is split exactly by smooth weighted round-robin.
    pub versions: Vec<Version>,
    /// Pin clients to a version and replica with a cookie.
    pub sticky: Option<Sticky>,
    /// Active health checks; `None` relies on passive ejection only.
    pub health_check: Option<HealthCheck>,
    /// Passive ejection after consecutive failures.
    pub ejection: Ejection,
    /// Retries of idempotent requests on connection failures.
    pub retries: u32,
    /// Time an upstream has to answer with a response head before the client gets 504.
    pub response_timeout: Duration,
}

impl Backend {
    /// A backend with one version `stable` of weight 1 and default policies.
    pub fn new(name: &str, replicas: Vec<SocketAddr>) -> Self {
        Self {
            name: name.to_owned(),
            versions: vec![Version { name: "stable".to_owned(), weight: 1, replicas }],
            sticky: None,
            health_check: None,
            ejection: Ejection::default(),
            retries: 2,
            response_timeout: Duration::from_secs(30),
        }
    }
}

/// One version of a backend (e.g. `stable`, `canary`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Version {
    /// Version name, used in metrics, stats, sticky cookies and [`Gateway::set_weights`](crate::Gateway::set_weights).
    pub name: String,
    /// Relative weight; 0 receives no new traffic.
    pub weight: u32,
    /// Replica addresses.
    pub replicas: Vec<SocketAddr>,
}

/// Sticky sessions by cookie.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sticky {
    /// Cookie name.
    pub cookie: String,
}

/// Active health check of every replica.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HealthCheck {
    /// Path requested with GET; a 2xx or 3xx answer is healthy.
    pub path: String,
    /// Time between checks.
    pub interval: Duration,
    /// Time a check may take.
    pub timeout: Duration,
    /// Consecutive successes that bring a replica back.
    pub healthy_threshold: u32,
    /// Consecutive failures that take a replica out.
    pub unhealthy_threshold: u32,
}

/// Passive ejection: consecutive connection failures or 5xx answers take a replica out for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ejection {
    /// Consecutive failures before ejection; 0 disables.
    pub consecutive_failures: u32,
    /// How long an ejected replica receives no traffic.
    pub duration: Duration,
}

impl Default for Ejection {
    fn default() -> Self {
        Self { consecutive_failures: 3, duration: Duration::from_secs(10) }
    }
}

/// Per-client-IP rate limit (GCRA): `requests` per `per`, with `burst` requests allowed at once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateLimit {
    /// Requests admitted per period.
    pub requests: u32,
    /// The period.
    pub per: RatePeriod,
    /// Requests admitted back to back.
    pub burst: u32,
}

/// The period of a [`RateLimit`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RatePeriod {
    /// Per second.
    Second,
    /// Per minute.
    Minute,
}

/// Security headers added to every response, errors included.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SecurityHeaders {
    /// `Strict-Transport-Security` value sent on HTTPS responses; `None` omits it.
    pub hsts: Option<String>,
    /// `Content-Security-Policy` value; `None` omits it.
    pub content_security_policy: Option<String>,
    /// `Referrer-Policy` value.
    pub referrer_policy: String,
}

impl Default for SecurityHeaders {
    fn default() -> Self {
        Self {
            hsts: Some("max-age=31536000; includeSubDomains".to_owned()),
            content_security_policy: Some("default-src 'self'".to_owned()),
            referrer_policy: "strict-origin-when-cross-origin".to_owned(),
        }
    }
}

/// Response compression (gzip and brotli, chosen by `Accept-Encoding`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Compression {
    /// Compress at all.
    pub enabled: bool,
    /// Smallest body (by `Content-Length`) compressed; bodies of unknown length are compressed.
    pub min_size: u64,
}

impl Default for Compression {
    fn default() -> Self {
        Self { enabled: true, min_size: 1024 }
    }
}

/// Where the access log goes: one JSON object per request with `time`, `request_id`, `client`,
/// `method`, `host`, `path`, `status`, `bytes`, `duration_ms`, `backend`, `version`, `upstream`.
#[derive(Clone, Default)]
pub enum AccessLog {
    /// No access log.
    #[default]
    Off,
    /// A `tracing` INFO event on target `plinth_gateway::access` whose message is the JSON line.
    Tracing,
    /// Lines written to this writer (behind a mutex; a line per `write_all`).
    Writer(Arc<Mutex<Box<dyn Write + Send>>>),
}

impl AccessLog {
    /// Logs to `writer`.
    pub fn to_writer(writer: impl Write + Send + 'static) -> Self {
        Self::Writer(Arc::new(Mutex::new(Box::new(writer))))
    }
}

impl fmt::Debug for AccessLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Off => "Off",
            Self::Tracing => "Tracing",
            Self::Writer(_) => "Writer(..)",
        })
    }
}
