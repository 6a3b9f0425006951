//! The gateway's lifecycle: start (bind and spawn), addresses, reload, weights, stats, shutdown.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use arc_swap::ArcSwap;
use tokio::task::JoinHandle;
use tokio_rustls::TlsAcceptor;

use crate::Error;
use crate::config::Config;
use crate::metrics::Metrics;
use crate::proxy::Internal;
use crate::server::{Role, Server, bind};
use crate::state::{Live, Replicas, validate};
use crate::stats::{Stats, VersionStats};
use crate::tls::{Certificates, LocalCa, server_config};
use crate::upgrade::Tunnels;
use crate::upstream::Upstream;

/// How often idle per-client rate-limit state is dropped.
const LIMITER_SWEEP: Duration = Duration::from_secs(10);

/// State shared by every connection.
pub(crate) struct Shared {
    pub live: ArcSwap<Live>,
    pub upstream: Upstream,
    pub metrics: Metrics,
    pub stats: Stats,
    pub replicas: Replicas,
    pub certificates: Option<Arc<Certificates>>,
    /// Port of the HTTPS listener, for redirects.
    pub https_port: Option<u16>,
    /// Upgraded connections (WebSocket) being relayed.
    pub tunnels: Tunnels,
}

/// The addresses the gateway listens on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Addrs {
    /// Plain HTTP.
    pub http: Option<SocketAddr>,
    /// HTTPS.
    pub https: Option<SocketAddr>,
    /// Admin (`/metrics`, `/healthz`).
    pub admin: Option<SocketAddr>,
}

/// A running gateway.
pub struct Gateway {
    shared: Arc<Shared>,
    server: Server,
    config: Mutex<Config>,
    addrs: Addrs,
    sweeper: JoinHandle<()>,
}

/// The hosts certificates are issued for: the extra hosts, then each route's host pattern.
fn tls_hosts(config: &Config) -> Vec<String> {
    let mut hosts: Vec<String> = config.tls.iter().flat_map(|tls| tls.extra_hosts.iter().cloned()).collect();
    for route in &config.routes {
        let san = route.host.san();
        if !hosts.contains(&san) {
            hosts.push(san);
        }
    }
    hosts
}

impl Gateway {
    /// Binds the listeners and starts serving on the current tokio runtime.
    pub async fn start(config: Config) -> Result<Self, Error> {
        validate(&config)?;
        let certificates = match (&config.tls, config.listeners.https) {
            (None, Some(_)) => return Err(Error::MissingTls),
            (Some(tls), _) => {
                let provider = Arc::new(rustls::crypto::ring::default_provider());
                let certificates = Arc::new(Certificates::new(LocalCa::load_or_create(&tls.ca_dir)?, provider));
                certificates.set_hosts(&tls_hosts(&config))?;
                Some(certificates)
            }
            (None, None) => None,
        };
        let mut listeners = Vec::new();
        let bound = |addr: Option<SocketAddr>| async move {
            match addr {
                Some(addr) => {
                    let listener = bind(addr).await?;
                    let local = listener.local_addr().map_err(|source| Error::Bind { addr, source })?;
                    Ok::<_, Error>(Some((listener, local)))
                }
                None => Ok(None),
            }
        };
        let http = bound(config.listeners.http).await?;
        let https = bound(config.listeners.https).await?;
        let admin = bound(config.listeners.admin).await?;
        let addrs = Addrs {
            http: http.as_ref().map(|(_, a)| *a),
            https: https.as_ref().map(|(_, a)| *a),
            admin: admin.as_ref().map(|(_, a)| *a),
        };
        let upstream = Upstream::new(config.server.upstream_connect_timeout, config.server.upstream_max_idle_per_host);
        let replicas = Replicas::default();
        let live = Live::build(config.clone(), None, &replicas, upstream)?;
        let shared = Arc::new(Shared {
            live: ArcSwap::from_pointee(live),
            upstream,
            metrics: Metrics::new(),
            stats: Stats::default(),
            replicas,
            certificates: certificates.clone(),
            https_port: addrs.https.map(|a| a.port()),
            tunnels: Tunnels::default(),
        });
        let server = Server::new(&config.server);
        if let Some((listener, _)) = http {
            listeners.push((listener, Role::Http));
        }
        if let (Some((listener, _)), Some(certificates)) = (https, certificates) {
            let acceptor = TlsAcceptor::from(Arc::new(server_config(certificates)?));
            listeners.push((listener, Role::Https(acceptor)));
        }
        if let Some((listener, _)) = admin {
            listeners.push((listener, Role::Admin));
        }
        for (listener, role) in listeners {
            server.spawn(listener, role, shared.clone());
        }
        let sweeper = tokio::spawn({
            let shared = Arc::downgrade(&shared);
            async move {
                let mut ticker = tokio::time::interval(LIMITER_SWEEP);
                loop {
                    ticker.tick().await;
                    let Some(shared) = shared.upgrade() else { break };
                    if let Some(limiter) = &shared.live.load().limiter {
                        limiter.forget_idle();
                    }
                }
            }
        });
        Ok(Self { shared, server, config: Mutex::new(config), addrs, sweeper })
    }

    /// The bound addresses (port 0 resolved).
    pub fn addrs(&self) -> Addrs {
        self.addrs
    }

    /// Opens a plain-HTTP listener on `addr` (port 0 picks one) that sends every request to
    /// `backend`, for calls between services (a Kubernetes Service's cluster address): no host
    /// routing, rate limit or HTTPS redirect. The backend may arrive with a later reload; until
    /// then requests are answered 503. Returns the bound address.
    pub fn listen_internal(&self, addr: SocketAddr, backend: &str) -> Result<SocketAddr, Error> {
        let bind_error = |source| Error::Bind { addr, source };
        let listener = std::net::TcpListener::bind(addr).map_err(bind_error)?;
        listener.set_nonblocking(true).map_err(bind_error)?;
        let local = listener.local_addr().map_err(bind_error)?;
        let listener = tokio::net::TcpListener::from_std(listener).map_err(bind_error)?;
        self.server.spawn(listener, Role::Internal(Arc::new(Internal::new(backend))), self.shared.clone());
        Ok(local)
    }

    /// The configuration in force.
    pub fn config(&self) -> Config {
        self.config.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Swaps routes, backends, weights and policies atomically; in-flight requests and open
    /// connections are untouched. Listeners, TLS and server limits cannot change.
    pub fn reload(&self, config: Config) -> Result<(), Error> {
        let mut current = self.config.lock().unwrap_or_else(|e| e.into_inner());
        if config.listeners != current.listeners {
            return Err(Error::FixedAtStart("listeners"));
        }
        if config.tls != current.tls {
            return Err(Error::FixedAtStart("tls"));
        }
        if config.server != current.server {
            return Err(Error::FixedAtStart("server limits"));
        }
        // Everything that can fail comes before anything changes.
        validate(&config)?;
        if let Some(certificates) = &self.shared.certificates {
            certificates.set_hosts(&tls_hosts(&config))?;
        }
        let live =
            Live::build(config.clone(), Some(&self.shared.live.load()), &self.shared.replicas, self.shared.upstream)?;
        self.shared.live.store(Arc::new(live));
        *current = config;
        Ok(())
    }

    /// Sets the weights of some versions of `backend` (the others keep theirs), as a reload.
    pub fn set_weights(&self, backend: &str, weights: &[(&str, u32)]) -> Result<(), Error> {
        let mut config = self.config();
        let target = config
            .backends
            .iter_mut()
            .find(|b| b.name == backend)
            .ok_or_else(|| Error::UnknownBackend(backend.to_owned()))?;
        for (name, weight) in weights {
            let version = target
                .versions
                .iter_mut()
                .find(|v| v.name == *name)
                .ok_or_else(|| Error::UnknownVersion { backend: backend.to_owned(), version: (*name).to_owned() })?;
            version.weight = *weight;
        }
        self.reload(config)
    }

    /// Requests, errors and latency per version of `backend` since start, for canary analysis.
    pub fn version_stats(&self, backend: &str) -> BTreeMap<String, VersionStats> {
        self.shared.stats.snapshot(backend)
    }

    /// The OpenMetrics text `/metrics` serves.
    pub fn metrics_text(&self) -> String {
        self.shared.metrics.encode()
    }

    /// Stops accepting, lets in-flight requests finish for up to `drain`, then closes every
    /// connection and stops the health checks.
    pub async fn shutdown(self, drain: Duration) {
        self.server.shutdown(drain).await;
    }
}

impl Drop for Gateway {
    fn drop(&mut self) {
        self.sweeper.abort();
        self.shared.replicas.stop_checkers();
        self.server.close_now();
        self.shared.tunnels.close_all();
    }
}
