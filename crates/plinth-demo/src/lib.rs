//! The demo workload `plinth up` runs for services that have no local command, in the spirit of
//! podinfo: it tells which service, version and colour answered (`GET /`, `/version`), has
//! toggleable probes (`/healthz`, `/readyz`, `POST …/enable|disable`), per-request faults
//! (`/status/{code}`, `/delay/{seconds}`), an instance-wide fault switch that spares the probes
//! (`GET|POST|DELETE /chaos`, deterministic error selection), the metrics of plinth's contract
//! (`/metrics`), and round trips to its datastores (`/db` PostgreSQL, `/cache` Redis).
//!
//! Every answer but `/metrics` is JSON, every response carries `X-Request-Id`, and every request
//! is logged as one JSON line on stdout.

mod app;
mod cache;
mod chaos;
mod config;
mod datastore;
mod db;
mod log;
mod metrics;
mod probes;
mod response;
mod routes;
mod server;

pub use chaos::{Chaos, MAX_DELAY, parse_latency};
pub use config::DemoConfig;
pub use server::{Demo, bind, serve, shutdown_signal};
