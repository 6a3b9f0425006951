//! Per-service objects around the workload: ServiceAccount, ConfigMap, Service, HPA and PDB.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec, MetricTarget,
    ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{ConfigMap, Service as KubeService, ServiceAccount, ServicePort, ServiceSpec};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use plinth_spec::model::{IngressClass, Platform, Service, Strategy};
use plinth_spec::units::Percent;
use serde_json::Value;

use super::rollout::test_service;
use super::single_replica::{self, AUTOSCALER_RULE};
use super::workload::config_env;
use super::{annotate, meta, selector, service_labels, value};

/// ServiceAccount, ConfigMap, Service, and the HPA and PDB when they apply.
pub fn objects(platform: &Platform, svc: &Service) -> Vec<Value> {
    let labels = service_labels(platform, svc);
    let account = service_account(platform, &svc.name, labels.clone(), svc.security.service_account_token);
    let config = ConfigMap {
        metadata: meta(platform, &format!("{}-config", svc.name), labels.clone()),
        data: Some(config_env(platform, svc)),
        ..ConfigMap::default()
    };
    let mut objects = vec![value(&account), value(&config), value(&kube_service(platform, svc))];
    if let Some(name) = test_service(svc) {
        // Argo Rollouts points this one at the version under test.
        let mut under_test = kube_service(platform, svc);
        under_test.metadata.name = Some(name);
        objects.push(value(&under_test));
    }
    if let Some(hpa) = autoscaler(platform, svc) {
        objects.push(value(&hpa));
    }
    objects.push(value(&disruption_budget(platform, svc)));
    objects
}

/// The ServiceAccount `name` a workload's pods run as, so none runs as the namespace's shared
/// `default` account; `automount` says whether its token is mounted into the pods.
pub(crate) fn service_account(
    platform: &Platform,
    name: &str,
    labels: BTreeMap<String, String>,
    automount: bool,
) -> ServiceAccount {
    ServiceAccount {
        metadata: meta(platform, name, labels),
        automount_service_account_token: Some(automount),
        ..ServiceAccount::default()
    }
}

/// The port other pods and the ingress use for the main port (seed 002: 80 → 3000).
pub const SERVICE_PORT: i32 = 80;

fn kube_service(platform: &Platform, svc: &Service) -> KubeService {
    let mut metadata = meta(platform, &svc.name, service_labels(platform, svc));
    if !svc.expose.is_empty() && platform.kubernetes.ingress == IngressClass::Alb {
        let mut annotations = BTreeMap::from([
            ("alb.ingress.kubernetes.io/healthcheck-path".to_owned(), svc.health.readiness.path.clone()),
            ("alb.ingress.kubernetes.io/healthcheck-port".to_owned(), "traffic-port".to_owned()),
        ]);
        if svc.expose.iter().any(|r| r.sticky) {
            annotations.insert(
                "alb.ingress.kubernetes.io/target-group-attributes".to_owned(),
                "stickiness.enabled=true,stickiness.lb_cookie.duration_seconds=3600".to_owned(),
            );
        }
        metadata.annotations = Some(annotations);
    }
    let ports = svc
        .ports
        .iter()
        .enumerate()
        .map(|(idx, port)| ServicePort {
            name: Some(port.name.clone()),
            port: if idx == 0 { SERVICE_PORT } else { i32::from(port.number) },
            target_port: Some(IntOrString::String(port.name.clone())),
            protocol: Some("TCP".to_owned()),
            ..ServicePort::default()
        })
        .collect();
    KubeService {
        metadata,
        spec: Some(ServiceSpec {
            type_: Some("ClusterIP".to_owned()),
            selector: Some(selector(svc)),
            ports: Some(ports),
            ..ServiceSpec::default()
        }),
        ..KubeService::default()
    }
}

fn autoscaler(platform: &Platform, svc: &Service) -> Option<HorizontalPodAutoscaler> {
    let autoscale = svc.autoscale.as_ref()?;
    let metric = |name: &str, target: Percent| MetricSpec {
        type_: "Resource".to_owned(),
        resource: Some(ResourceMetricSource {
            name: name.to_owned(),
            target: MetricTarget {
                type_: "Utilization".to_owned(),
                average_utilization: Some(i32::try_from(target.whole()).unwrap_or(100)),
                ..MetricTarget::default()
            },
        }),
        ..MetricSpec::default()
    };
    let mut metrics = Vec::new();
    if let Some(cpu) = autoscale.cpu {
        metrics.push(metric("cpu", cpu));
    }
    if let Some(memory) = autoscale.memory {
        metrics.push(metric("memory", memory));
    }
    let mut metadata = meta(platform, &svc.name, service_labels(platform, svc));
    // Only a floor of one is deliberate: an autoscaler that cannot scale (max = min) stays a finding.
    if autoscale.max > autoscale.min {
        let what = format!("autoscaler `{}` may scale down to", svc.name);
        annotate(&mut metadata, single_replica::service(platform, AUTOSCALER_RULE, &what, autoscale.min));
    }
    Some(HorizontalPodAutoscaler {
        metadata,
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: if svc.delivery.strategy == Strategy::Rolling {
                CrossVersionObjectReference {
                    api_version: Some("apps/v1".to_owned()),
                    kind: "Deployment".to_owned(),
                    name: svc.name.clone(),
                }
            } else {
                CrossVersionObjectReference {
                    api_version: Some("argoproj.io/v1alpha1".to_owned()),
                    kind: "Rollout".to_owned(),
                    name: svc.name.clone(),
                }
            },
            min_replicas: Some(i32::try_from(autoscale.min).unwrap_or(i32::MAX)),
            max_replicas: i32::try_from(autoscale.max).unwrap_or(i32::MAX),
            metrics: Some(metrics),
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    })
}

/// Keeps all but one pod through voluntary disruptions; `minAvailable` stays below the replica
/// floor so node drains can always proceed, and pods that are not ready (a crash loop, a bad
/// rollout) may always be evicted (`AlwaysAllow`, GA since Kubernetes 1.31) instead of counting
/// against the budget and blocking the drain.
fn disruption_budget(platform: &Platform, svc: &Service) -> PodDisruptionBudget {
    let floor = svc.min_replicas();
    let (min_available, max_unavailable) = if floor >= 2 {
        (Some(IntOrString::Int(i32::try_from(floor - 1).unwrap_or(i32::MAX))), None)
    } else {
        (None, Some(IntOrString::Int(1)))
    };
    PodDisruptionBudget {
        metadata: meta(platform, &svc.name, service_labels(platform, svc)),
        spec: Some(PodDisruptionBudgetSpec {
            min_available,
            max_unavailable,
            selector: Some(LabelSelector { match_labels: Some(selector(svc)), ..LabelSelector::default() }),
            unhealthy_pod_eviction_policy: Some("AlwaysAllow".to_owned()),
        }),
        ..PodDisruptionBudget::default()
    }
}
