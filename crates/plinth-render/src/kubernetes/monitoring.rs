//! Prometheus Operator objects: the environment's rules as one PrometheusRule (the same groups as
//! the monitoring backend's rule files, from [`plinth_spec::alerting::rule_groups`]), a
//! ServiceMonitor per service scraping its metrics port, and a PodMonitor per datastore exporter.
//!
//! All carry `release: prometheus`, the label kube-prometheus-stack's Prometheus selects rules and
//! monitors by (its `ruleSelector`/`serviceMonitorSelector` default to the Helm release's name, and
//! `prometheus` is the release name its documentation installs). The ServiceMonitor relabels like
//! `prometheus.yml` does, so both produce the metrics contract of [`plinth_spec::telemetry`].

use std::collections::BTreeMap;

use plinth_spec::alerting::rule_groups;
use plinth_spec::model::{Datastore, Platform, Service};
use plinth_spec::telemetry::{
    self, DATASTORE_LABEL, DATASTORE_POD_LABEL, EXPORTER_PATH, REVISION_LABEL, SERVICE_LABEL, pod_label_meta,
};
use serde_json::{Value, json};

use super::{APP_LABEL, common_labels, exporters, meta, selector, service_labels, value};

/// The label and value kube-prometheus-stack's Prometheus selects PrometheusRules and
/// ServiceMonitors by.
const OPERATOR_SELECTOR: (&str, &str) = ("release", "prometheus");

fn with_selector(mut labels: BTreeMap<String, String>) -> BTreeMap<String, String> {
    labels.insert(OPERATOR_SELECTOR.0.to_owned(), OPERATOR_SELECTOR.1.to_owned());
    labels
}

/// The PrometheusRule holding every rule group of the environment.
pub fn prometheus_rule(platform: &Platform) -> Value {
    let groups: Vec<Value> = rule_groups(platform).iter().map(|group| group.to_json()).collect();
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": value(&meta(platform, &format!("{}-rules", platform.name), with_selector(common_labels(platform)))),
        "spec": { "groups": groups },
    })
}

/// The ServiceMonitor of one service: its metrics port on the service's own Service (not the
/// preview or canary Service, which select the same pods).
pub fn service_monitor(platform: &Platform, svc: &Service) -> Value {
    let port = svc.ports.iter().find(|p| p.number == svc.metrics.port).map_or("http", |p| p.name.as_str());
    let copy =
        |source: &str, target: &str| json!({ "sourceLabels": [source], "action": "replace", "targetLabel": target });
    json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": value(&meta(platform, &svc.name, with_selector(service_labels(platform, svc)))),
        "spec": {
            "selector": { "matchLabels": selector(svc) },
            "namespaceSelector": { "matchNames": [platform.kubernetes.namespace] },
            "endpoints": [{
                "port": port,
                "path": svc.metrics.path,
                "interval": platform.observability.scrape_interval.to_string(),
                "relabelings": [
                    {
                        "sourceLabels": ["__meta_kubernetes_service_name"],
                        "action": "keep",
                        "regex": svc.name,
                    },
                    copy(&format!("__meta_kubernetes_pod_label_{APP_LABEL}"), SERVICE_LABEL),
                    copy("__meta_kubernetes_pod_label_rollouts_pod_template_hash", REVISION_LABEL),
                ],
            }],
        },
    })
}

/// The PodMonitor of a datastore's exporter (sidecar or Deployment, either way the pod labelled
/// [`DATASTORE_POD_LABEL`]), relabelled to [`DATASTORE_LABEL`] like the pod-annotation scrape;
/// `None` when the datastore has no exporter.
pub fn pod_monitor(platform: &Platform, ds: &Datastore) -> Option<Value> {
    telemetry::exporter(platform, ds)?;
    let mut labels = with_selector(common_labels(platform));
    labels.extend(exporters::pod_labels(ds));
    Some(json!({
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PodMonitor",
        "metadata": value(&meta(platform, &exporters::name(ds), labels)),
        "spec": {
            "selector": { "matchLabels": exporters::pod_labels(ds) },
            "namespaceSelector": { "matchNames": [platform.kubernetes.namespace] },
            "podMetricsEndpoints": [{
                "port": exporters::PORT_NAME,
                "path": EXPORTER_PATH,
                "interval": platform.observability.scrape_interval.to_string(),
                "relabelings": [{
                    "sourceLabels": [pod_label_meta(DATASTORE_POD_LABEL)],
                    "action": "replace",
                    "targetLabel": DATASTORE_LABEL,
                }],
            }],
        },
    }))
}
