//! The local admin API of a running environment, on loopback only, every request with
//! `Authorization: Bearer <token>` (401 otherwise; compared in constant time):
//!
//! - `GET /v1/status`: services (replicas with pid, port, state, restarts, last exit; URLs),
//!   datastores, the gateway's addresses and the CA;
//! - `POST /v1/scale` `{"service": "api", "replicas": 3}`: the gateway follows readiness;
//! - `POST /v1/reload`: re-reads the spec; changed services are rolled without downtime, new ones
//!   started, removed ones stopped, replica counts, routes and the rate limit applied; the answer
//!   lists what was `applied`, what `failed` and what `needs_restart` (datastores);
//! - `POST /v1/down`: stops the environment (202; the server goes away once stopped);
//! - `GET /v1/logs?service=X&follow=1`: recent lines, then (with `follow`) new ones as they come,
//!   one JSON object per line ([`crate::LogLine::to_json`]).
//!
//! Errors are `{"error": "…"}` with 400, 401, 404 or 500. [`files`] keeps the address and token in
//! the state directory (`admin.json`, `admin.token` mode 0600); [`AdminClient`] is what the CLI uses.

mod client;
pub mod files;
mod server;

pub use client::AdminClient;
pub use server::serve;
