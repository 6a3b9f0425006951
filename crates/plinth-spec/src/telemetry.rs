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
/// The label naming the plinth datastore a series is about (`pg_up{datastore="postgres"}`).
pub const DATASTORE_LABEL: &str = "datastore";
/// When a datastore's last backup succeeded (Unix seconds), labelled [`DATASTORE_LABEL`]: exported
/// by the backup agent for the datastores plinth backs up itself (in-cluster and local ones).
pub const BACKUP_LAST_SUCCESS: &str = "plinth_backup_last_success_timestamp_seconds";
/// postgres_exporter's liveness gauge (1 when it reaches the database), labelled [`DATASTORE_LABEL`].
pub const POSTGRES_UP: &str = "pg_up";
/// redis_exporter's liveness gauge, labelled [`DATASTORE_LABEL`].
pub const REDIS_UP: &str = "redis_up";
/// Where the local runtime writes its scrape targets, as a glob relative to the directory holding
/// `prometheus.yml` (Prometheus resolves `file_sd_configs` paths against it): JSON files of
/// `[{"targets": ["127.0.0.1:3000"], "labels": {"service": "api", "rollouts_pod_template_hash": "<revision>",
/// "__metrics_path__": "/metrics"}}]`.
pub const LOCAL_TARGETS: &str = ".plinth/targets/*.json";

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
