//! What `/db` and `/cache` share: one connection kept between requests and made again after a
//! failure, a bound on every round trip, and the answer (200 with the latency, or 503 naming the
//! error).

use std::time::{Duration, Instant};

use hyper::StatusCode;
use serde_json::Value;
use tokio::sync::Mutex;

use crate::response::{self, Reply};

/// The longest a round trip (connecting included) may take before it counts as unreachable.
const TIMEOUT: Duration = Duration::from_secs(3);

/// A connection (cheap to clone) to one datastore, made on first use.
pub(crate) struct Reconnecting<C> {
    name: &'static str,
    slot: Mutex<Option<C>>,
}

impl<C: Clone> Reconnecting<C> {
    /// A datastore called `name` in answers (`postgres`).
    pub(crate) fn new(name: &'static str) -> Self {
        Self { name, slot: Mutex::new(None) }
    }

    /// Runs `op` on the kept connection (made with `connect` when there is none) and answers with
    /// its JSON object plus `datastore` and `latency_ms`; any failure or timeout drops the
    /// connection and answers 503.
    pub(crate) async fn round_trip<Op, Fut>(&self, connect: impl Future<Output = Result<C, String>>, op: Op) -> Reply
    where
        Op: FnOnce(C) -> Fut,
        Fut: Future<Output = Result<Value, String>>,
    {
        let started = Instant::now();
        let attempt = async {
            let connection = self.connection(connect).await?;
            op(connection).await
        };
        let outcome = tokio::time::timeout(TIMEOUT, attempt)
            .await
            .unwrap_or_else(|_| Err(format!("no answer within {} ms", TIMEOUT.as_millis())));
        match outcome {
            Ok(mut body) => {
                body["datastore"] = self.name.into();
                body["latency_ms"] = (started.elapsed().as_secs_f64() * 1000.0).into();
                response::json(StatusCode::OK, &body)
            }
            Err(message) => {
                *self.slot.lock().await = None;
                response::error(StatusCode::SERVICE_UNAVAILABLE, format!("{} unreachable: {message}", self.name))
            }
        }
    }

    async fn connection(&self, connect: impl Future<Output = Result<C, String>>) -> Result<C, String> {
        let mut slot = self.slot.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Ok(connection.clone());
        }
        let connection = connect.await?;
        *slot = Some(connection.clone());
        Ok(connection)
    }
}
