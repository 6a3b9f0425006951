//! Prometheus metrics (OpenMetrics text on the admin listener's `/metrics`).

use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::stats::{Counters, LATENCY_BUCKETS, Stats};

/// Labels of the request counter.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct RequestLabels {
    pub route: Arc<str>,
    pub backend: Arc<str>,
    pub version: Arc<str>,
    /// `2xx`, `3xx`, `4xx` or `5xx`.
    pub class: &'static str,
}

/// Labels naming a backend version.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct VersionLabels {
    pub backend: Arc<str>,
    pub version: Arc<str>,
}

/// Labels naming a backend.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct BackendLabels {
    pub backend: Arc<str>,
}

/// Labels of upstream errors.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub(crate) struct UpstreamErrorLabels {
    pub backend: Arc<str>,
    pub version: Arc<str>,
    /// `connection`, `connect_timeout` or `response_timeout`.
    pub kind: &'static str,
}

/// One backend version's latency series and canary statistics, kept by its balancer entry so that
/// a request records them without a map lookup.
pub(crate) struct VersionHandles {
    pub labels: VersionLabels,
    pub duration: Histogram,
    pub stats: Arc<Counters>,
}

impl VersionHandles {
    pub(crate) fn new(backend: &Arc<str>, version: &Arc<str>, metrics: &Metrics, stats: &Stats) -> Self {
        let labels = VersionLabels { backend: backend.clone(), version: version.clone() };
        let duration = metrics.duration.get_or_create(&labels).clone();
        Self { stats: stats.counters(backend, version), labels, duration }
    }
}

/// Every series the gateway exports.
pub(crate) struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub duration: Family<VersionLabels, Histogram>,
    pub upstream_errors: Family<UpstreamErrorLabels, Counter>,
    pub retries: Family<BackendLabels, Counter>,
    pub ejections: Family<BackendLabels, Counter>,
    pub rate_limited: Counter,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let mut registry = Registry::with_prefix("plinth_gateway");
        let requests = Family::<RequestLabels, Counter>::default();
        let duration = Family::<VersionLabels, Histogram>::new_with_constructor(latency_histogram as fn() -> Histogram);
        let upstream_errors = Family::<UpstreamErrorLabels, Counter>::default();
        let retries = Family::<BackendLabels, Counter>::default();
        let ejections = Family::<BackendLabels, Counter>::default();
        let rate_limited = Counter::default();
        registry.register(
            "requests",
            "Requests answered, by route, backend, version and status class",
            requests.clone(),
        );
        registry.register(
            "upstream_response_seconds",
            "Time to the upstream's response head, by backend and version",
            duration.clone(),
        );
        registry.register("upstream_errors", "Upstream connection failures and timeouts", upstream_errors.clone());
        registry.register("retries", "Requests retried on another replica", retries.clone());
        registry.register("ejections", "Replicas ejected after consecutive failures", ejections.clone());
        registry.register("rate_limited", "Requests answered 429 by the per-client rate limit", rate_limited.clone());
        Self { registry, requests, duration, upstream_errors, retries, ejections, rate_limited }
    }

    /// The OpenMetrics text exposition.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry).expect("writing to a String cannot fail");
        text
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}
