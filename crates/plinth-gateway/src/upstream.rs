//! The pooled upstream client and the body type shared by requests and responses.

use std::time::Duration;

use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Empty, Full};
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};

/// Errors of bodies flowing through the gateway.
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Every body the gateway handles, boxed.
pub(crate) type Body = UnsyncBoxBody<Bytes, BoxError>;

/// The keep-alive pooled HTTP/1.1 client to replicas.
pub(crate) type Client = hyper_util::client::legacy::Client<HttpConnector, Body>;

/// An empty body.
pub(crate) fn empty() -> Body {
    Empty::new().map_err(|never| match never {}).boxed_unsync()
}

/// A body of these bytes.
pub(crate) fn full(bytes: impl Into<Bytes>) -> Body {
    Full::new(bytes.into()).map_err(|never| match never {}).boxed_unsync()
}

/// Builds the client: connect timeout, `max_idle` idle connections kept per replica for 90 s.
pub(crate) fn client(connect_timeout: Duration, max_idle: usize) -> Client {
    let mut connector = HttpConnector::new();
    connector.set_connect_timeout(Some(connect_timeout));
    connector.set_nodelay(true);
    hyper_util::client::legacy::Client::builder(TokioExecutor::new())
        .pool_timer(TokioTimer::new())
        .pool_idle_timeout(Duration::from_secs(90))
        .pool_max_idle_per_host(max_idle)
        .build(connector)
}
