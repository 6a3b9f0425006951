//! What one demo instance is: where it listens, what it says it is, what it talks to.

use std::net::SocketAddr;
use std::time::Duration;

use crate::Chaos;

/// The settings of one instance; `plinth demo` fills them from the environment the supervisor
/// injects and from its flags.
#[derive(Debug, Clone)]
pub struct DemoConfig {
    /// Where to listen; port 0 picks a free one (see [`crate::Demo::local_addr`]).
    pub listen: SocketAddr,
    /// The plinth service this instance stands in for (`SERVICE_NAME`).
    pub service: String,
    /// The version it reports (`VERSION`), e.g. the revision being rolled out.
    pub version: String,
    /// A colour telling versions apart in blue-green and canary demos (`COLOR`).
    pub color: String,
    /// PostgreSQL for `/db` (`DATABASE_URL`), a `postgres://` URL or a key=value connection string.
    pub database_url: Option<String>,
    /// Redis for `/cache` (`REDIS_URL`).
    pub redis_url: Option<String>,
    /// The fault switch's setting at start (`ERROR_RATE`, `LATENCY`).
    pub chaos: Chaos,
    /// How long in-flight requests may take to finish once shutdown begins.
    pub drain: Duration,
    /// Whether to write JSON log lines on stdout: where it listens, each request, shutdown.
    pub log: bool,
}

impl DemoConfig {
    /// Listening on `listen` as service `demo`, version the crate's, colour `blue`, no datastores,
    /// no faults, 5 s to drain, logging on.
    pub fn new(listen: SocketAddr) -> Self {
        Self {
            listen,
            service: "demo".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            color: "blue".to_owned(),
            database_url: None,
            redis_url: None,
            chaos: Chaos::default(),
            drain: Duration::from_secs(5),
            log: true,
        }
    }
}
