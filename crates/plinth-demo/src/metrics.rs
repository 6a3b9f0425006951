//! `/metrics`: the series every service exports by plinth's metrics contract
//! ([`plinth_spec::telemetry`]): `http_requests_total` and the histogram
//! `http_request_duration_seconds`, both labelled with the method, the route template (never the
//! raw path, so cardinality stays bounded) and the status.

use std::time::Duration;

use hyper::Method;
use plinth_spec::telemetry::{DURATION, REQUESTS};
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

/// The content type of the exposition (OpenMetrics text, which Prometheus scrapes natively).
pub(crate) const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Prometheus client libraries' default buckets, plus 30 s for the longest delay.
const BUCKETS: [f64; 12] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Labels {
    method: &'static str,
    route: &'static str,
    status: u16,
}

type Histograms = Family<Labels, Histogram, fn() -> Histogram>;

/// The request counter and duration histogram, and the registry that exposes them.
pub(crate) struct Metrics {
    registry: Registry,
    requests: Family<Labels, Counter>,
    durations: Histograms,
}

impl Metrics {
    pub(crate) fn new() -> Self {
        let requests = Family::<Labels, Counter>::default();
        let durations: Histograms = Family::new_with_constructor(|| Histogram::new(BUCKETS));
        let mut registry = Registry::default();
        // The encoder appends `_total` to counters itself.
        let counter_name = REQUESTS.strip_suffix("_total").unwrap_or(REQUESTS);
        registry.register(counter_name, "HTTP requests by method, route template and status", requests.clone());
        registry.register(DURATION, "HTTP request duration in seconds", durations.clone());
        Self { registry, requests, durations }
    }

    /// Counts one answered request.
    pub(crate) fn observe(&self, method: &Method, route: &'static str, status: u16, elapsed: Duration) {
        let labels = Labels { method: method_label(method), route, status };
        self.requests.get_or_create(&labels).inc();
        self.durations.get_or_create(&labels).observe(elapsed.as_secs_f64());
    }

    /// The exposition text.
    pub(crate) fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// The method as a label value: the standard ones by name, anything else as `OTHER` (bounded).
fn method_label(method: &Method) -> &'static str {
    const KNOWN: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];
    KNOWN.into_iter().find(|known| *known == method.as_str()).unwrap_or("OTHER")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_carry_the_contract_names_and_labels() {
        let metrics = Metrics::new();
        metrics.observe(&Method::GET, "/status/{code}", 503, Duration::from_millis(20));
        metrics.observe(&Method::from_bytes(b"BREW").unwrap(), "/", 200, Duration::from_millis(1));
        let text = metrics.encode();
        assert!(text.contains(r#"http_requests_total{method="GET",route="/status/{code}",status="503"} 1"#), "{text}");
        assert!(text.contains(r#"http_requests_total{method="OTHER",route="/",status="200"} 1"#), "{text}");
        assert!(
            text.contains(
                r#"http_request_duration_seconds_bucket{le="0.025",method="GET",route="/status/{code}",status="503"} 1"#
            ),
            "{text}"
        );
        assert!(
            text.contains(r#"http_request_duration_seconds_count{method="GET",route="/status/{code}",status="503"} 1"#)
        );
    }
}
