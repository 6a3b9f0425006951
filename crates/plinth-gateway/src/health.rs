//! Replica health: passive ejection after consecutive failures and the active health checker.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use http::uri::Authority;
use http::{Request, Uri, header};
use http_body_util::BodyExt;
use tokio::task::JoinHandle;

use crate::config::{Ejection, HealthCheck};
use crate::upstream::{Idle, Upstream, empty};

/// One upstream replica and what is known of its health; kept across reloads.
#[derive(Debug)]
pub(crate) struct Replica {
    /// Where it listens.
    pub addr: SocketAddr,
    /// `addr` as a URI authority, formatted once (the access log and health checks use it).
    pub authority: Authority,
    /// Kept-alive connections to it.
    pub idle: Arc<Idle>,
    /// The active health check's verdict.
    down: AtomicBool,
    /// Passive ejection deadline.
    ejected_until: Mutex<Option<Instant>>,
    /// Consecutive failed requests (connection failures and 5xx).
    failures: AtomicU32,
}

impl Replica {
    pub(crate) fn new(addr: SocketAddr) -> Self {
        let authority = Authority::try_from(addr.to_string()).expect("a socket address is a valid authority");
        Self {
            addr,
            authority,
            idle: Arc::default(),
            down: AtomicBool::new(false),
            ejected_until: Mutex::new(None),
            failures: AtomicU32::new(0),
        }
    }

    /// Whether it may receive traffic: not marked down and not ejected.
    pub(crate) fn available(&self) -> bool {
        if self.down.load(Ordering::Relaxed) {
            return false;
        }
        let mut until = self.ejected_until.lock().unwrap_or_else(|e| e.into_inner());
        match *until {
            Some(deadline) if deadline > Instant::now() => false,
            Some(_) => {
                *until = None;
                true
            }
            None => true,
        }
    }

    /// A request succeeded: the failure streak ends.
    pub(crate) fn record_success(&self) {
        self.failures.store(0, Ordering::Relaxed);
    }

    /// A request failed; returns whether this failure ejected the replica.
    pub(crate) fn record_failure(&self, ejection: &Ejection) -> bool {
        let streak = self.failures.fetch_add(1, Ordering::Relaxed) + 1;
        if ejection.consecutive_failures == 0 || streak < ejection.consecutive_failures {
            return false;
        }
        self.failures.store(0, Ordering::Relaxed);
        *self.ejected_until.lock().unwrap_or_else(|e| e.into_inner()) = Some(Instant::now() + ejection.duration);
        true
    }
}

/// Probes `replica` every `check.interval` until aborted, flipping it down after
/// `unhealthy_threshold` consecutive failures and up after `healthy_threshold` successes.
pub(crate) fn spawn_checker(upstream: Upstream, replica: Arc<Replica>, check: HealthCheck) -> JoinHandle<()> {
    tokio::spawn(async move {
        let uri: Uri = match check.path.parse() {
            Ok(uri) => uri,
            Err(_) => return,
        };
        let (mut successes, mut failures) = (0u32, 0u32);
        let mut ticker = tokio::time::interval(check.interval);
        loop {
            ticker.tick().await;
            let request = Request::get(uri.clone())
                .header(header::HOST, replica.authority.as_str())
                .body(empty())
                .expect("a GET with a parsed URI is valid");
            // The body is read so that the connection is kept for the next check.
            let probe = async {
                let response = upstream.send(replica.addr, &replica.idle, request).await.ok()?;
                let status = response.status();
                response.into_body().collect().await.ok()?;
                Some(status.is_success() || status.is_redirection())
            };
            let healthy = tokio::time::timeout(check.timeout, probe).await.ok().flatten().unwrap_or(false);
            if healthy {
                (successes, failures) = (successes + 1, 0);
                if successes >= check.healthy_threshold.max(1) {
                    replica.down.store(false, Ordering::Relaxed);
                }
            } else {
                (successes, failures) = (0, failures + 1);
                if failures >= check.unhealthy_threshold.max(1) {
                    replica.down.store(true, Ordering::Relaxed);
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn ejects_after_consecutive_failures_only() {
        let replica = Replica::new("127.0.0.1:1".parse().unwrap());
        let ejection = Ejection { consecutive_failures: 2, duration: Duration::from_secs(60) };
        assert!(!replica.record_failure(&ejection));
        replica.record_success();
        assert!(!replica.record_failure(&ejection));
        assert!(replica.available());
        assert!(replica.record_failure(&ejection));
        assert!(!replica.available());
    }
}
