//! The live routing state built from a [`Config`]: validated routes, backends with their
//! balancers, and the rate limiter. Swapped whole on reload; replica health survives it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, OnceLock};

use http::HeaderName;
use prometheus_client::metrics::counter::Counter;
use tokio::task::JoinHandle;

use crate::Error;
use crate::balance::Balancer;
use crate::config::{Backend, Config, HostPattern};
use crate::headers::Security;
use crate::health::{Replica, spawn_checker};
use crate::metrics::{Metrics, RequestLabels};
use crate::ratelimit::Limiter;
use crate::upstream::Upstream;

/// What requests are served with.
pub(crate) struct Live {
    pub config: Config,
    /// The routes' labels and request counters, in the order of `config.routes`.
    pub routes: Vec<RouteState>,
    /// Backends by name.
    pub backends: HashMap<String, BackendState>,
    pub limiter: Option<Arc<Limiter>>,
    pub security: Security,
}

/// What the request path keeps per route.
pub(crate) struct RouteState {
    /// `host` + `path_prefix`: the `route` label and access-log field.
    pub label: Arc<str>,
    /// The header a wildcard host's tenant label goes upstream in.
    pub tenant_header: Option<HeaderName>,
    /// Request counters by version of the route's backend and status class (1xx to 5xx),
    /// looked up in the metric family on first use.
    requests: Vec<[OnceLock<Counter>; 5]>,
}

impl RouteState {
    /// The request counter of `version` and status `class` (1 to 5), made from `labels` once.
    pub(crate) fn requests(
        &self,
        version: usize,
        class: usize,
        metrics: &Metrics,
        labels: impl FnOnce() -> RequestLabels,
    ) -> &Counter {
        self.requests[version][class - 1].get_or_init(|| metrics.requests.get_or_create(&labels()).clone())
    }
}

/// A backend's policies and balancer.
pub(crate) struct BackendState {
    pub config: Backend,
    pub balancer: Balancer,
}

/// Replica health and health-check tasks, carried from one [`Live`] to the next.
#[derive(Default)]
pub(crate) struct Replicas {
    by_backend: Mutex<HashMap<(String, SocketAddr), Arc<Replica>>>,
    checkers: Mutex<Vec<JoinHandle<()>>>,
}

impl Replicas {
    /// Aborts every health-check task.
    pub(crate) fn stop_checkers(&self) {
        for task in self.checkers.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
            task.abort();
        }
    }
}

/// Checks `config`'s routing part for consistency.
pub(crate) fn validate(config: &Config) -> Result<(), Error> {
    let invalid = |message: String| Err(Error::Invalid(message));
    let mut names = std::collections::HashSet::new();
    for backend in &config.backends {
        if !names.insert(backend.name.as_str()) {
            return invalid(format!("backend {:?} is defined twice", backend.name));
        }
        if backend.versions.is_empty() {
            return invalid(format!("backend {:?} has no version", backend.name));
        }
        let mut versions = std::collections::HashSet::new();
        for version in &backend.versions {
            if !versions.insert(version.name.as_str()) {
                return invalid(format!("backend {:?} has version {:?} twice", backend.name, version.name));
            }
            if version.name.contains(['~', ';', ',', ' ']) {
                return invalid(format!("version name {:?} may not contain '~', ';', ',' or spaces", version.name));
            }
        }
        if let Some(sticky) = &backend.sticky
            && (sticky.cookie.is_empty()
                || !sticky.cookie.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
        {
            return invalid(format!("sticky cookie name {:?} must be letters, digits, '_' or '-'", sticky.cookie));
        }
    }
    for route in &config.routes {
        if !names.contains(route.backend.as_str()) {
            return invalid(format!(
                "route {}{} names unknown backend {:?}",
                route.host, route.path_prefix, route.backend
            ));
        }
        if !route.path_prefix.starts_with('/') {
            return invalid(format!("path prefix {:?} must start with '/'", route.path_prefix));
        }
        if let HostPattern::Wildcard { tenant_header: Some(header), .. } = &route.host
            && HeaderName::from_bytes(header.as_bytes()).is_err()
        {
            return invalid(format!("tenant header {header:?} is not a valid header name"));
        }
    }
    Ok(())
}

impl Live {
    /// Builds the state for `config`, reusing replica health from `replicas` and the limiter of
    /// `previous` when the rate limit is unchanged, and restarts the health checkers.
    pub(crate) fn build(
        config: Config,
        previous: Option<&Live>,
        replicas: &Replicas,
        upstream: Upstream,
    ) -> Result<Self, Error> {
        validate(&config)?;
        let limiter = match previous {
            Some(previous) if previous.config.rate_limit == config.rate_limit => previous.limiter.clone(),
            _ => config.rate_limit.as_ref().and_then(Limiter::new).map(Arc::new),
        };
        let mut known = replicas.by_backend.lock().unwrap_or_else(|e| e.into_inner());
        let mut kept = HashMap::new();
        let backends = config
            .backends
            .iter()
            .map(|backend| {
                let balancer = Balancer::new(backend, |addr| {
                    let key = (backend.name.clone(), addr);
                    let replica = known.get(&key).cloned().unwrap_or_else(|| Arc::new(Replica::new(addr)));
                    kept.insert(key, replica.clone());
                    replica
                });
                (backend.name.clone(), BackendState { config: backend.clone(), balancer })
            })
            .collect::<HashMap<_, _>>();
        *known = kept;
        replicas.stop_checkers();
        let mut checkers = replicas.checkers.lock().unwrap_or_else(|e| e.into_inner());
        for backend in backends.values() {
            let Some(check) = &backend.config.health_check else { continue };
            for version in &backend.balancer.versions {
                for replica in &version.replicas {
                    checkers.push(spawn_checker(upstream, replica.clone(), check.clone()));
                }
            }
        }
        let routes = config
            .routes
            .iter()
            .map(|route| RouteState {
                label: format!("{}{}", route.host, route.path_prefix).into(),
                tenant_header: match &route.host {
                    HostPattern::Wildcard { tenant_header: Some(name), .. } => {
                        HeaderName::from_bytes(name.as_bytes()).ok()
                    }
                    _ => None,
                },
                requests: (0..backends[&route.backend].balancer.versions.len()).map(|_| Default::default()).collect(),
            })
            .collect();
        let security = Security::new(&config.security_headers);
        Ok(Self { config, routes, backends, limiter, security })
    }
}
