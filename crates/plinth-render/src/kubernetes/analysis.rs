//! Argo Rollouts AnalysisTemplates derived from the SLOs: `success-rate` and `latency` as PromQL
//! against the platform's Prometheus, and `smoke` (a Job running the spec's smoke checks).
//!
//! The templates are shared by every Rollout of the environment; each Rollout passes its service,
//! the revision to look at (`podTemplateHashValue: Latest`, so only the new pods are measured) and
//! its own interval, count and failure limit.
//!
//! **No data.** A measurement without data (no requests yet, so an empty vector or `NaN`) is
//! neither a success nor a failure: both conditions require a value, so Argo records it as
//! *Inconclusive*. `inconclusiveLimit` equals `failureLimit`; beyond it the run is Inconclusive
//! and Argo pauses the rollout for a human to promote or abort. A version is never promoted on
//! silence, and a quiet hour never rolls one back.

use std::collections::BTreeSet;

use plinth_spec::model::{Platform, Service, Step, Strategy};
use plinth_spec::telemetry;
use plinth_spec::units::Duration;
use serde_json::{Value, json};

use super::{common_labels, meta, value};

/// The analysis that runs the smoke checks.
pub const SMOKE: &str = "smoke";
/// The image the smoke Job runs (curl, non-root).
pub const SMOKE_IMAGE: &str = "docker.io/curlimages/curl:8.11.1";
/// The label smoke-check pods carry (network policies let them reach the services).
pub const SMOKE_COMPONENT: &str = "smoke-check";

/// A duration as Go's `time.ParseDuration` reads it (no days).
pub fn go_duration(duration: Duration) -> String {
    let seconds = duration.seconds();
    match seconds {
        s if s % 3600 == 0 && s > 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 && s > 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// The analyses a service's Rollout refers to, smoke checks included.
pub fn used_by(svc: &Service) -> BTreeSet<String> {
    let delivery = &svc.delivery;
    let mut names: BTreeSet<String> = delivery
        .analysis
        .pre_promotion
        .iter()
        .chain(&delivery.analysis.post_promotion)
        .chain(&delivery.analysis.background)
        .cloned()
        .collect();
    for step in &delivery.steps {
        if let Step::Analysis(list) = step {
            names.extend(list.iter().cloned());
        }
    }
    if !delivery.smoke.is_empty() {
        names.insert(SMOKE.to_owned());
    }
    names
}

/// The templates the environment's Rollouts use, sorted by name.
pub fn templates(platform: &Platform) -> Vec<Value> {
    let names: BTreeSet<String> =
        platform.services.iter().filter(|svc| svc.delivery.strategy != Strategy::Rolling).flat_map(used_by).collect();
    names.iter().filter_map(|name| template(platform, name)).collect()
}

fn arg(name: &str, default: Option<&str>) -> Value {
    match default {
        Some(default) => json!({ "name": name, "value": default }),
        None => json!({ "name": name }),
    }
}

/// Conditions that need a value: no data is neither, hence Inconclusive.
fn conditions(comparison: &str, threshold: f64) -> (String, String) {
    let has_value = "len(result) > 0 && !isNaN(result[0])";
    let opposite = if comparison == ">=" { "<" } else { ">" };
    (
        format!("{has_value} && result[0] {comparison} {threshold}"),
        format!("{has_value} && result[0] {opposite} {threshold}"),
    )
}

fn prometheus_metric(name: &str, query: String, comparison: &str, threshold: f64) -> Value {
    let (success, failure) = conditions(comparison, threshold);
    json!({
        "name": name,
        "interval": "{{args.interval}}",
        "count": "{{args.count}}",
        "failureLimit": "{{args.failure-limit}}",
        "inconclusiveLimit": "{{args.failure-limit}}",
        "successCondition": success,
        "failureCondition": failure,
        "provider": { "prometheus": { "address": telemetry::PROMETHEUS_URL, "query": query } },
    })
}

fn template(platform: &Platform, name: &str) -> Option<Value> {
    let obs = &platform.observability;
    // Four scrapes per rate window, and never less than a minute.
    let window = go_duration(Duration(obs.scrape_interval.0.saturating_mul(4).max(60_000)));
    let selector = telemetry::selector("{{args.service-name}}", "{{args.revision}}");
    let mut args = vec![
        arg("service-name", None),
        arg("revision", Some(".+")),
        arg("interval", Some("1m")),
        arg("count", Some("5")),
        arg("failure-limit", Some("1")),
    ];
    let metrics = match name {
        "success-rate" => {
            let objective = obs.availability.map_or(0.99, |a| a.ratio());
            vec![prometheus_metric(name, telemetry::success_ratio(&selector, &window), ">=", objective)]
        }
        "latency" => {
            let mut metrics = Vec::new();
            let p95 = obs.latency_p95.or(obs.latency_p99.is_none().then_some(Duration(500)));
            for (label, quantile, objective) in [("p95", 0.95, p95), ("p99", 0.99, obs.latency_p99)] {
                if let Some(objective) = objective {
                    let query = telemetry::latency_quantile(quantile, &selector, &window);
                    metrics.push(prometheus_metric(
                        &format!("latency-{label}"),
                        query,
                        "<=",
                        objective.0 as f64 / 1000.0,
                    ));
                }
            }
            metrics
        }
        SMOKE => {
            args = vec![arg("base-url", None), arg("checks", None)];
            vec![smoke_metric()]
        }
        _ => return None,
    };
    let mut labels = common_labels(platform);
    labels.insert("app.kubernetes.io/component".to_owned(), "analysis".to_owned());
    Some(json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "AnalysisTemplate",
        "metadata": value(&meta(platform, name, labels)),
        "spec": { "args": args, "metrics": metrics },
    }))
}

/// `checks` is `METHOD PATH` pairs separated by spaces; every one must answer 2xx/3xx.
const SMOKE_SCRIPT: &str = r#"set -eu
set -- $CHECKS
while [ "$#" -ge 2 ]; do
  echo "smoke: $1 $BASE_URL$2"
  curl --fail --silent --show-error --output /dev/null --max-time 10 \
    --retry 5 --retry-connrefused --retry-delay 2 --request "$1" "$BASE_URL$2"
  shift 2
done
"#;

fn smoke_metric() -> Value {
    json!({
        "name": SMOKE,
        "provider": { "job": { "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 300,
            "ttlSecondsAfterFinished": 3600,
            "template": {
                "metadata": { "labels": { "app.kubernetes.io/component": SMOKE_COMPONENT } },
                "spec": {
                    "restartPolicy": "Never",
                    "automountServiceAccountToken": false,
                    "securityContext": {
                        "runAsNonRoot": true,
                        "runAsUser": 100,
                        "runAsGroup": 101,
                        "seccompProfile": { "type": "RuntimeDefault" },
                    },
                    "containers": [{
                        "name": SMOKE,
                        "image": SMOKE_IMAGE,
                        "command": ["sh", "-c", SMOKE_SCRIPT],
                        "env": [
                            { "name": "BASE_URL", "value": "{{args.base-url}}" },
                            { "name": "CHECKS", "value": "{{args.checks}}" },
                        ],
                        "resources": {
                            "requests": { "cpu": "10m", "memory": "16Mi" },
                            "limits": { "cpu": "100m", "memory": "64Mi" },
                        },
                        "securityContext": {
                            "allowPrivilegeEscalation": false,
                            "readOnlyRootFilesystem": true,
                            "capabilities": { "drop": ["ALL"] },
                        },
                    }],
                },
            },
        }}},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations_have_no_days() {
        assert_eq!(go_duration(Duration::from_secs(86_400)), "24h");
        assert_eq!(go_duration(Duration::from_secs(600)), "10m");
        assert_eq!(go_duration(Duration::from_secs(90)), "90s");
        assert_eq!(go_duration(Duration(0)), "0s");
    }

    #[test]
    fn no_data_is_neither_success_nor_failure() {
        let (success, failure) = conditions(">=", 0.999);
        assert_eq!(success, "len(result) > 0 && !isNaN(result[0]) && result[0] >= 0.999");
        assert_eq!(failure, "len(result) > 0 && !isNaN(result[0]) && result[0] < 0.999");
    }
}
