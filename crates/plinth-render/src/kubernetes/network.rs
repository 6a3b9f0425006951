//! NetworkPolicies: a namespace-wide default deny with DNS egress, then one policy per service that
//! allows exactly its declared paths (`calls`, `uses`, `expose`, metrics scraping), one per
//! in-cluster datastore that admits only the services that use it (and Prometheus to its exporter),
//! and one per managed datastore's exporter.

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyEgressRule, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;
use plinth_spec::model::{Datastore, Engine, Hosting, IngressClass, NetworkPolicyMode, Platform, Service, Strategy};
use plinth_spec::telemetry;
use serde_json::Value;

use super::analysis::SMOKE_COMPONENT;
use super::{common_labels, datastores, meta, selector, service_labels, value};

/// The namespace the ingress-nginx controller runs in.
pub const INGRESS_NGINX_NAMESPACE: &str = "ingress-nginx";
/// The namespace Prometheus scrapes from.
pub const MONITORING_NAMESPACE: &str = "monitoring";

fn port(number: u16, protocol: &str) -> NetworkPolicyPort {
    NetworkPolicyPort {
        port: Some(IntOrString::Int(i32::from(number))),
        protocol: Some(protocol.to_owned()),
        ..NetworkPolicyPort::default()
    }
}

fn pods(labels: BTreeMap<String, String>) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        pod_selector: Some(LabelSelector { match_labels: Some(labels), ..LabelSelector::default() }),
        ..NetworkPolicyPeer::default()
    }
}

fn namespace(name: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        namespace_selector: Some(LabelSelector {
            match_labels: Some(BTreeMap::from([("kubernetes.io/metadata.name".to_owned(), name.to_owned())])),
            ..LabelSelector::default()
        }),
        ..NetworkPolicyPeer::default()
    }
}

fn cidr(block: &str) -> NetworkPolicyPeer {
    NetworkPolicyPeer {
        ip_block: Some(IPBlock { cidr: block.to_owned(), except: None }),
        ..NetworkPolicyPeer::default()
    }
}

fn policy(
    platform: &Platform,
    name: &str,
    pod_selector: BTreeMap<String, String>,
    ingress: Vec<NetworkPolicyIngressRule>,
    egress: Vec<NetworkPolicyEgressRule>,
    types: &[&str],
) -> NetworkPolicy {
    NetworkPolicy {
        metadata: meta(platform, name, common_labels(platform)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(pod_selector).filter(|s| !s.is_empty()),
                ..LabelSelector::default()
            }),
            policy_types: Some(types.iter().map(|t| (*t).to_owned()).collect()),
            ingress: Some(ingress).filter(|r| !r.is_empty()),
            egress: Some(egress).filter(|r| !r.is_empty()),
        }),
    }
}

/// Namespace-wide policies, or `None` when network policies are off.
pub fn baseline(platform: &Platform) -> Option<Vec<Value>> {
    let dns = NetworkPolicyEgressRule {
        to: Some(vec![NetworkPolicyPeer {
            namespace_selector: namespace("kube-system").namespace_selector,
            pod_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([("k8s-app".to_owned(), "kube-dns".to_owned())])),
                ..LabelSelector::default()
            }),
            ..NetworkPolicyPeer::default()
        }]),
        ports: Some(vec![port(53, "UDP"), port(53, "TCP")]),
    };
    let both = ["Ingress", "Egress"];
    match platform.security.network_policy {
        NetworkPolicyMode::None => None,
        NetworkPolicyMode::Strict => {
            let mut policies = vec![
                value(&policy(platform, "default-deny", BTreeMap::new(), Vec::new(), Vec::new(), &both)),
                value(&policy(platform, "allow-dns", BTreeMap::new(), Vec::new(), vec![dns], &["Egress"])),
            ];
            // The smoke-check Jobs Argo Rollouts starts reach the services they check, nothing else.
            let checked: Vec<NetworkPolicyEgressRule> = platform
                .services
                .iter()
                .filter(|svc| smoke_checked(svc))
                .map(|svc| NetworkPolicyEgressRule {
                    to: Some(vec![pods(selector(svc))]),
                    ports: Some(vec![port(svc.port(), "TCP")]),
                })
                .collect();
            if !checked.is_empty() {
                policies.push(value(&policy(platform, "allow-smoke-checks", smoke_pods(), Vec::new(), checked, &both)));
            }
            Some(policies)
        }
        NetworkPolicyMode::Namespace => {
            let same = vec![pods(BTreeMap::new())];
            Some(vec![value(&policy(
                platform,
                "allow-same-namespace",
                BTreeMap::new(),
                vec![NetworkPolicyIngressRule { from: Some(same.clone()), ports: None }],
                vec![dns, NetworkPolicyEgressRule { to: Some(same), ports: None }],
                &both,
            ))])
        }
    }
}

/// Whether Argo Rollouts runs smoke-check Jobs against the service.
fn smoke_checked(svc: &Service) -> bool {
    svc.delivery.strategy != Strategy::Rolling && !svc.delivery.smoke.is_empty()
}

/// The labels of the smoke-check Jobs' pods.
fn smoke_pods() -> BTreeMap<String, String> {
    BTreeMap::from([("app.kubernetes.io/component".to_owned(), SMOKE_COMPONENT.to_owned())])
}

/// The exact allows of one service (strict mode only).
pub fn for_service(platform: &Platform, svc: &Service) -> Vec<Value> {
    if platform.security.network_policy != NetworkPolicyMode::Strict {
        return Vec::new();
    }
    let main = port(svc.port(), "TCP");
    let mut ingress = Vec::new();
    let callers: Vec<&Service> = platform.services.iter().filter(|s| s.calls.contains(&svc.name)).collect();
    if !callers.is_empty() {
        ingress.push(NetworkPolicyIngressRule {
            from: Some(callers.iter().map(|caller| pods(selector(caller))).collect()),
            ports: Some(vec![main.clone()]),
        });
    }
    if !svc.expose.is_empty() {
        let from = match platform.kubernetes.ingress {
            // The ALB sends traffic straight to pod IPs (target-type ip) from inside the VPC.
            IngressClass::Alb => cidr(&platform.cloud.cidr),
            IngressClass::Nginx => namespace(INGRESS_NGINX_NAMESPACE),
        };
        ingress.push(NetworkPolicyIngressRule { from: Some(vec![from]), ports: Some(vec![main.clone()]) });
    }
    if smoke_checked(svc) {
        ingress
            .push(NetworkPolicyIngressRule { from: Some(vec![pods(smoke_pods())]), ports: Some(vec![main.clone()]) });
    }
    ingress.push(NetworkPolicyIngressRule {
        from: Some(vec![namespace(MONITORING_NAMESPACE)]),
        ports: Some(vec![port(svc.metrics.port, "TCP")]),
    });

    let mut egress = Vec::new();
    for callee in svc.calls.iter().filter_map(|name| platform.service(name)) {
        egress.push(NetworkPolicyEgressRule {
            to: Some(vec![pods(selector(callee))]),
            ports: Some(vec![port(callee.port(), "TCP")]),
        });
    }
    for ds in svc.uses.iter().filter_map(|u| platform.datastore(&u.datastore)) {
        let rule = match (ds.engine, ds.hosting, ds.port()) {
            (Engine::Bucket, _, _) | (_, _, None) => {
                NetworkPolicyEgressRule { to: Some(vec![cidr("0.0.0.0/0")]), ports: Some(vec![port(443, "TCP")]) }
            }
            (_, Hosting::Managed, Some(number)) => NetworkPolicyEgressRule {
                to: Some(vec![cidr(&platform.cloud.cidr)]),
                ports: Some(vec![port(number, "TCP")]),
            },
            (_, Hosting::Cluster, Some(number)) => NetworkPolicyEgressRule {
                to: Some(vec![pods(datastores::selector(ds))]),
                ports: Some(vec![port(number, "TCP")]),
            },
        };
        egress.push(rule);
    }
    let mut allow =
        policy(platform, &format!("allow-{}", svc.name), selector(svc), ingress, egress, &["Ingress", "Egress"]);
    allow.metadata.labels = Some(service_labels(platform, svc));
    vec![value(&allow)]
}

/// The allows of an in-cluster datastore (strict mode only): its port from the pods of the services
/// that use it and its exporter's port from Prometheus, nothing else in; nothing out beyond the
/// namespace-wide DNS (the exporter sidecar reaches the datastore inside the pod).
pub fn for_datastore(platform: &Platform, ds: &Datastore) -> Vec<Value> {
    let (NetworkPolicyMode::Strict, Hosting::Cluster, Some(number)) =
        (platform.security.network_policy, ds.hosting, ds.port())
    else {
        return Vec::new();
    };
    let clients: Vec<NetworkPolicyPeer> = platform
        .services
        .iter()
        .filter(|svc| svc.uses.iter().any(|u| u.datastore == ds.name))
        .map(|svc| pods(selector(svc)))
        .collect();
    let mut ingress = Vec::new();
    if !clients.is_empty() {
        ingress.push(NetworkPolicyIngressRule { from: Some(clients), ports: Some(vec![port(number, "TCP")]) });
    }
    ingress.extend(scraping(platform, ds));
    let name = format!("allow-{}", ds.name);
    let mut allow = policy(platform, &name, datastores::selector(ds), ingress, Vec::new(), &["Ingress", "Egress"]);
    allow.metadata.labels = Some(datastores::labels(platform, ds));
    vec![value(&allow)]
}

/// Prometheus (namespace `monitoring`) to the port of the datastore's exporter, if it has one.
fn scraping(platform: &Platform, ds: &Datastore) -> Option<NetworkPolicyIngressRule> {
    let exporter = telemetry::exporter(platform, ds)?;
    Some(NetworkPolicyIngressRule {
        from: Some(vec![namespace(MONITORING_NAMESPACE)]),
        ports: Some(vec![port(exporter.port, "TCP")]),
    })
}

/// The allows of a managed datastore's exporter, whose pods `pod_selector` selects (strict mode
/// only): scraping in from Prometheus; out, the datastore's port in the VPC.
pub fn for_exporter(
    platform: &Platform,
    ds: &Datastore,
    pod_selector: BTreeMap<String, String>,
    labels: BTreeMap<String, String>,
) -> Option<NetworkPolicy> {
    let (NetworkPolicyMode::Strict, Some(number)) = (platform.security.network_policy, ds.port()) else {
        return None;
    };
    let egress =
        NetworkPolicyEgressRule { to: Some(vec![cidr(&platform.cloud.cidr)]), ports: Some(vec![port(number, "TCP")]) };
    let name = format!("allow-{}-exporter", ds.name);
    let ingress = scraping(platform, ds).into_iter().collect();
    let mut allow = policy(platform, &name, pod_selector, ingress, vec![egress], &["Ingress", "Egress"]);
    allow.metadata.labels = Some(labels);
    Some(allow)
}
