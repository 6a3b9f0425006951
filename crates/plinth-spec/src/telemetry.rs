//! The metrics contract every backend that queries Prometheus shares: what each service exports,
//! which labels the platform's scrape configuration attaches, where Prometheus answers, and the
//! PromQL for the SLO signals (success ratio, latency quantiles).
//!
//! Services export `http_requests_total{status}` and the histogram `http_request_duration_seconds`
//! (seed 002's names, pluralised as Prometheus conventions and seed 003 have it). Scraping adds
//! `service` (the pod label `app`, i.e. the plinth service name) and `rollouts_pod_template_hash`
//! (the revision Argo Rollouts stamps on each ReplicaSet's pods), so one query can look at exactly
//! the new version of one service.

/// Request counter.
pub const REQUESTS: &str = "http_requests_total";
/// Request duration histogram (seconds).
pub const DURATION: &str = "http_request_duration_seconds";
/// The label naming the plinth service.
pub const SERVICE_LABEL: &str = "service";
/// The label naming the pod-template revision.
pub const REVISION_LABEL: &str = "rollouts_pod_template_hash";
/// The Prometheus the platform deploys (Prometheus Operator's governing Service in `monitoring`).
pub const PROMETHEUS_URL: &str = "http://prometheus-operated.monitoring.svc:9090";

/// A label matcher list: `service="api",rollouts_pod_template_hash=~"abc"`.
pub fn selector(service: &str, revision_regex: &str) -> String {
    format!(r#"{SERVICE_LABEL}="{service}",{REVISION_LABEL}=~"{revision_regex}""#)
}

/// The share of requests that did not fail with a 5xx over `window`, as a ratio (0..1).
pub fn success_ratio(selector: &str, window: &str) -> String {
    format!(
        r#"sum(rate({REQUESTS}{{{selector},status!~"5.."}}[{window}])) / sum(rate({REQUESTS}{{{selector}}}[{window}]))"#
    )
}

/// The `quantile` (0.95) of request durations over `window`, in seconds.
pub fn latency_quantile(quantile: f64, selector: &str, window: &str) -> String {
    format!("histogram_quantile({quantile}, sum by (le) (rate({DURATION}_bucket{{{selector}}}[{window}])))")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_select_one_revision_of_one_service() {
        let sel = selector("api", "abc");
        assert_eq!(sel, r#"service="api",rollouts_pod_template_hash=~"abc""#);
        assert_eq!(
            success_ratio(&sel, "2m"),
            r#"sum(rate(http_requests_total{service="api",rollouts_pod_template_hash=~"abc",status!~"5.."}[2m])) / sum(rate(http_requests_total{service="api",rollouts_pod_template_hash=~"abc"}[2m]))"#
        );
        assert_eq!(
            latency_quantile(0.95, &sel, "2m"),
            r#"histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{service="api",rollouts_pod_template_hash=~"abc"}[2m])))"#
        );
    }
}
