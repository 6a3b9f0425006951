//! The namespace with its Pod Security Standard, and the quota and default limits inside it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    LimitRange, LimitRangeItem, LimitRangeSpec, Namespace, ResourceQuota, ResourceQuotaSpec,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use plinth_spec::model::{Platform, PodSecurity, Strategy};
use plinth_spec::units::{Bytes, Cpu};
use serde_json::Value;

use super::{common_labels, meta, value};

/// Namespace, ResourceQuota and LimitRange.
pub fn objects(platform: &Platform) -> Vec<Value> {
    let level = match platform.security.pod_security {
        PodSecurity::Restricted => "restricted",
        PodSecurity::Baseline => "baseline",
        PodSecurity::Privileged => "privileged",
    };
    let mut labels = common_labels(platform);
    labels.insert("name".to_owned(), platform.kubernetes.namespace.clone());
    for mode in ["enforce", "audit", "warn"] {
        labels.insert(format!("pod-security.kubernetes.io/{mode}"), level.to_owned());
    }
    let namespace = Namespace {
        metadata: ObjectMeta {
            name: Some(platform.kubernetes.namespace.clone()),
            labels: Some(labels),
            ..ObjectMeta::default()
        },
        ..Namespace::default()
    };
    vec![value(&namespace), value(&quota(platform)), value(&limit_range(platform))]
}

/// Room for every service at its autoscaling maximum, doubled for services whose rollout runs two
/// versions side by side (blue-green), plus the datastores' pods are not counted (they are managed).
fn quota(platform: &Platform) -> ResourceQuota {
    let (mut cpu_req, mut cpu_lim, mut mem_req, mut mem_lim, mut pods) = (0u64, 0u64, 0u64, 0u64, 0u64);
    for svc in &platform.services {
        let max = u64::from(svc.autoscale.as_ref().map_or(svc.replicas, |a| a.max));
        let surge = if svc.delivery.strategy == Strategy::BlueGreen { max } else { max.div_ceil(4).max(1) };
        let count = max + surge;
        cpu_req += svc.cpu.low.0 * count;
        cpu_lim += svc.cpu.high.0 * count;
        mem_req += svc.memory.low.0 * count;
        mem_lim += svc.memory.high.0 * count;
        pods += count;
    }
    let round_cpu = |m: u64| Cpu(m.div_ceil(1000) * 1000).to_string();
    let round_mem = |b: u64| Bytes(b.div_ceil(1 << 30) * (1 << 30)).to_string();
    let hard = BTreeMap::from([
        ("requests.cpu".to_owned(), Quantity(round_cpu(cpu_req))),
        ("limits.cpu".to_owned(), Quantity(round_cpu(cpu_lim))),
        ("requests.memory".to_owned(), Quantity(round_mem(mem_req))),
        ("limits.memory".to_owned(), Quantity(round_mem(mem_lim))),
        ("pods".to_owned(), Quantity(pods.to_string())),
    ]);
    ResourceQuota {
        metadata: meta(platform, &format!("{}-quota", platform.name), common_labels(platform)),
        spec: Some(ResourceQuotaSpec { hard: Some(hard), ..ResourceQuotaSpec::default() }),
        ..ResourceQuota::default()
    }
}

/// Defaults for containers that declare nothing, and a ceiling at the largest service's limits.
fn limit_range(platform: &Platform) -> LimitRange {
    let max_cpu = platform.services.iter().map(|s| s.cpu.high).max().unwrap_or(Cpu(1000));
    let max_mem = platform.services.iter().map(|s| s.memory.high).max().unwrap_or(Bytes(1 << 30));
    let pair = |cpu: String, memory: String| {
        BTreeMap::from([("cpu".to_owned(), Quantity(cpu)), ("memory".to_owned(), Quantity(memory))])
    };
    LimitRange {
        metadata: meta(platform, &format!("{}-limits", platform.name), common_labels(platform)),
        spec: Some(LimitRangeSpec {
            limits: vec![LimitRangeItem {
                type_: "Container".to_owned(),
                default_request: Some(pair("100m".to_owned(), "128Mi".to_owned())),
                default: Some(pair("500m".to_owned(), "256Mi".to_owned())),
                max: Some(pair(max_cpu.max(Cpu(500)).to_string(), max_mem.max(Bytes(256 << 20)).to_string())),
                ..LimitRangeItem::default()
            }],
        }),
    }
}
