//! plinth's HTTP gateway: TLS from a local CA, host/path routing with tenant wildcards, exact
//! weighted splits between versions, sticky sessions, active and passive health checks, retries,
//! per-client rate limits, security headers, compression, metrics, JSON access logs, HTTP/1.1
//! upgrades (WebSocket) and internal listeners for calls between services.
//!
//! It knows nothing of `plinth.yaml`: the runtime translates the model into a [`Config`], calls
//! [`Gateway::start`], and steers it with [`Gateway::reload`] and [`Gateway::set_weights`];
//! the rollout engine reads [`Gateway::version_stats`].

mod access_log;
mod balance;
mod compress;
mod config;
mod error;
mod gateway;
mod headers;
mod health;
mod metrics;
mod proxy;
mod ratelimit;
mod route;
mod server;
mod state;
mod stats;
mod tls;
mod upgrade;
mod upstream;

pub use config::{
    AccessLog, Backend, Compression, Config, Ejection, HealthCheck, HostPattern, Listeners, RateLimit, RatePeriod,
    Route, SecurityHeaders, ServerLimits, Sticky, TlsConfig, Version,
};
pub use error::Error;
pub use gateway::{Addrs, Gateway};
pub use stats::{LATENCY_BUCKETS, LatencyHistogram, VersionStats};
pub use tls::LocalCa;
