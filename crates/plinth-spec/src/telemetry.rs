//! The metrics contract every backend that queries Prometheus shares: what each service exports,
//! which labels the platform's scrape configuration attaches, where Prometheus answers, and the
//! PromQL for the SLO signals (success ratio, latency quantiles).
//!
//! Services export `http_requests_total{status}` and the histogram `http_request_duration_seconds`
//! (seed 002's names, pluralised as Prometheus conventions and seed 003 have it). Scraping adds
//! `service` (the pod label `app`, i.e. the plinth service name) and `rollouts_pod_template_hash`
//! (the revision Argo Rollouts stamps on each ReplicaSet's pods), so one query can look at exactly
//! the new version of one service.
//!
//! Datastores are watched by an exporter each (postgres_exporter, redis_exporter): [`exporter`]
//! says which one plinth deploys for a datastore, if any, so the alert rules only expect series
//! that something exports. Scraping copies the exporter pod's [`DATASTORE_POD_LABEL`] (or, locally,
//! the target's own label) to [`DATASTORE_LABEL`].

use crate::model::{Datastore, Engine, Hosting, Platform, Runtime, Service};

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
/// The pod label naming the datastore an exporter reports on; scraping turns it into [`DATASTORE_LABEL`].
pub const DATASTORE_POD_LABEL: &str = "plinth.dev/datastore";
/// The path every exporter serves its metrics on.
pub const EXPORTER_PATH: &str = "/metrics";

/// A Prometheus exporter of one datastore engine, at a pinned release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exporter {
    /// Its name (`postgres_exporter`).
    pub name: &'static str,
    /// The image, tag pinned.
    pub image: &'static str,
    /// The port it serves [`EXPORTER_PATH`] on (its default).
    pub port: u16,
    /// Its liveness gauge: 1 while it reaches the datastore.
    pub up: &'static str,
}

/// prometheus-community's postgres_exporter (busybox-based image).
pub const POSTGRES_EXPORTER: Exporter = Exporter {
    name: "postgres_exporter",
    image: "quay.io/prometheuscommunity/postgres-exporter:v0.17.1",
    port: 9187,
    up: POSTGRES_UP,
};
/// oliver006's redis_exporter (a scratch image: no shell).
pub const REDIS_EXPORTER: Exporter =
    Exporter { name: "redis_exporter", image: "docker.io/oliver006/redis_exporter:v1.74.0", port: 9121, up: REDIS_UP };

/// The exporter plinth deploys for `ds`, or `None`: buckets have none, and neither has a managed
/// datastore in Kubernetes that needs a login no service provides (PostgreSQL, or Redis with
/// `auth`), since its exporter borrows the login of [`exporter_login`].
pub fn exporter(platform: &Platform, ds: &Datastore) -> Option<Exporter> {
    let exporter = match ds.engine {
        Engine::Postgres => POSTGRES_EXPORTER,
        Engine::Redis => REDIS_EXPORTER,
        Engine::Bucket => return None,
    };
    let needs_login = ds.engine == Engine::Postgres || ds.auth;
    let borrowed = platform.environment.runtime == Runtime::Kubernetes && ds.hosting == Hosting::Managed;
    (!(borrowed && needs_login) || exporter_login(platform, ds).is_some()).then_some(exporter)
}

/// The meta label Prometheus' Kubernetes discovery gives pod label `label`
/// (`plinth.dev/datastore` → `__meta_kubernetes_pod_label_plinth_dev_datastore`).
pub fn pod_label_meta(label: &str) -> String {
    let name: String = label.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    format!("__meta_kubernetes_pod_label_{name}")
}

/// The service whose credentials a managed datastore's exporter uses: the first, by name, that uses
/// the datastore (its database role and `DB_PASSWORD`, or the `REDIS_PASSWORD` every client shares).
pub fn exporter_login<'a>(platform: &'a Platform, ds: &Datastore) -> Option<&'a Service> {
    platform.services.iter().find(|svc| svc.uses.iter().any(|u| u.datastore == ds.name))
}

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
    fn pod_labels_become_meta_labels() {
        assert_eq!(pod_label_meta(DATASTORE_POD_LABEL), "__meta_kubernetes_pod_label_plinth_dev_datastore");
    }

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
