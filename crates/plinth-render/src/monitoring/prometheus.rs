//! `prometheus.yml` (seed 002's configuration: scrape and evaluation interval, pod discovery by the
//! `prometheus.io/*` annotations, rule files, Alertmanager) and the command-line flags that carry
//! what a configuration file cannot: retention and storage size.
//!
//! Relabelling produces the metrics contract of [`plinth_spec::telemetry`]: `service` from the pod
//! label `app`, `rollouts_pod_template_hash` from the pod label Argo Rollouts stamps, and
//! `datastore` on the exporters' series from their pod label `plinth.dev/datastore`. Local
//! environments scrape what the local runtime lists in [`LOCAL_TARGETS`], labels included.

use plinth_spec::model::{Platform, Runtime};
use plinth_spec::telemetry::{
    DATASTORE_LABEL, DATASTORE_POD_LABEL, LOCAL_TARGETS, REVISION_LABEL, SERVICE_LABEL, pod_label_meta,
};
use serde_json::{Value, json};

use super::RULES_DIR;

/// Alertmanager in a Kubernetes environment: the Prometheus Operator's governing Service.
const ALERTMANAGER_KUBERNETES: &str = "alertmanager-operated.monitoring.svc:9093";
/// Alertmanager next to a local environment.
const ALERTMANAGER_LOCAL: &str = "localhost:9093";
/// kube-state-metrics as its Helm chart installs it (for `kube_pod_status_ready`).
const KUBE_STATE_METRICS: &str = "kube-state-metrics.kube-system.svc:8080";
/// The service-account credentials Prometheus reaches the kubelets with.
const SERVICE_ACCOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// The configuration and Prometheus' command-line flags.
pub fn config(platform: &Platform) -> (Value, Vec<String>) {
    let obs = &platform.observability;
    let alertmanager = match platform.environment.runtime {
        Runtime::Kubernetes => ALERTMANAGER_KUBERNETES,
        Runtime::Local => ALERTMANAGER_LOCAL,
    };
    let mut scrape_configs = vec![json!({
        "job_name": "prometheus",
        "static_configs": [{ "targets": ["localhost:9090"] }],
    })];
    match platform.environment.runtime {
        Runtime::Kubernetes => {
            scrape_configs.push(kubernetes_pods());
            scrape_configs.push(kubelet("kubernetes-cadvisor", "/metrics/cadvisor"));
            scrape_configs.push(kubelet("kubernetes-kubelet", "/metrics"));
            scrape_configs.push(json!({
                "job_name": "kube-state-metrics",
                "static_configs": [{ "targets": [KUBE_STATE_METRICS] }],
            }));
        }
        Runtime::Local => scrape_configs.push(json!({
            "job_name": "plinth-services",
            "file_sd_configs": [{ "files": [LOCAL_TARGETS] }],
        })),
    }
    let config = json!({
        "global": {
            "scrape_interval": obs.scrape_interval.to_string(),
            "evaluation_interval": obs.scrape_interval.to_string(),
            "external_labels": { "environment": platform.environment.name },
        },
        "rule_files": [format!("{RULES_DIR}/*.yml")],
        "alerting": { "alertmanagers": [{ "static_configs": [{ "targets": [alertmanager] }] }] },
        "scrape_configs": scrape_configs,
    });
    let flags = vec![
        "--config.file=prometheus.yml".to_owned(),
        format!("--storage.tsdb.retention.time={}", obs.retention),
        format!("--storage.tsdb.retention.size={}", retention_size(obs.storage.0)),
    ];
    (config, flags)
}

/// The header lines explaining `prometheus.args`.
pub fn flags_note(flags: &[String]) -> String {
    format!(
        "Retention and storage are command-line flags, not configuration: run Prometheus with the flags in\nprometheus.args (with the Prometheus Operator, `retention` and `retentionSize` of the Prometheus\nobject):\n  {}\nThe size limit keeps 10 % of the volume free for the WAL and compaction.",
        flags.join("\n  ")
    )
}

/// 90 % of the volume in Prometheus' units (powers of two: `90GB` is 90 GiB).
fn retention_size(storage: u64) -> String {
    let limit = storage / 10 * 9;
    for (unit, size) in [("TB", 1u64 << 40), ("GB", 1 << 30), ("MB", 1 << 20)] {
        if limit % size == 0 {
            return format!("{}{unit}", limit / size);
        }
    }
    format!("{}MB", limit >> 20)
}

/// Seed 002's `kubernetes-pods` job, plus the labels of the metrics contract.
fn kubernetes_pods() -> Value {
    let copy =
        |source: &str, target: &str| json!({ "source_labels": [source], "action": "replace", "target_label": target });
    json!({
        "job_name": "kubernetes-pods",
        "kubernetes_sd_configs": [{ "role": "pod" }],
        "relabel_configs": [
            {
                "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
                "action": "keep",
                "regex": "true",
            },
            {
                "source_labels": ["__meta_kubernetes_pod_annotation_prometheus_io_path"],
                "action": "replace",
                "target_label": "__metrics_path__",
                "regex": "(.+)",
            },
            {
                "source_labels": ["__address__", "__meta_kubernetes_pod_annotation_prometheus_io_port"],
                "action": "replace",
                "regex": "([^:]+)(?::\\d+)?;(\\d+)",
                "replacement": "$1:$2",
                "target_label": "__address__",
            },
            copy("__meta_kubernetes_pod_label_app", SERVICE_LABEL),
            copy("__meta_kubernetes_pod_label_rollouts_pod_template_hash", REVISION_LABEL),
            copy(&pod_label_meta(DATASTORE_POD_LABEL), DATASTORE_LABEL),
            copy("__meta_kubernetes_namespace", "namespace"),
            copy("__meta_kubernetes_pod_name", "pod"),
        ],
    })
}

/// A job scraping every node's kubelet (cAdvisor's container metrics, volume statistics).
fn kubelet(job: &str, path: &str) -> Value {
    json!({
        "job_name": job,
        "scheme": "https",
        "metrics_path": path,
        "tls_config": { "ca_file": format!("{SERVICE_ACCOUNT}/ca.crt") },
        "authorization": { "credentials_file": format!("{SERVICE_ACCOUNT}/token") },
        "kubernetes_sd_configs": [{ "role": "node" }],
        "relabel_configs": [{ "action": "labelmap", "regex": "__meta_kubernetes_node_label_(.+)" }],
    })
}

#[cfg(test)]
mod tests {
    use super::retention_size;

    #[test]
    fn retention_size_keeps_a_tenth_free() {
        assert_eq!(retention_size(100 << 30), "90GB");
        assert_eq!(retention_size(50 << 30), "45GB");
        assert_eq!(retention_size(10 << 40), "9TB");
        assert_eq!(retention_size(1 << 30), "921MB");
    }
}
