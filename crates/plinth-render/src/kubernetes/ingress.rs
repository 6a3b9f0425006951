//! The Ingresses, one per exposed service: hosts and paths from `expose`, TLS, and the controller's
//! annotations (the AWS Load Balancer Controller as in seed 002, or ingress-nginx).

use std::collections::{BTreeMap, BTreeSet};

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use plinth_spec::model::{IngressClass, Platform, Service};
use serde_json::Value;

use super::rollout::traffic_routed;
use super::service::SERVICE_PORT;
use super::tls::{cluster_issuer, secret_name};
use super::{meta, service_labels, value};

fn annotations(platform: &Platform) -> BTreeMap<String, String> {
    let mut annotations = BTreeMap::new();
    match platform.kubernetes.ingress {
        IngressClass::Alb => {
            for (key, value) in [
                ("scheme", "internet-facing"),
                ("target-type", "ip"),
                ("listen-ports", r#"[{"HTTP":80},{"HTTPS":443}]"#),
                ("ssl-redirect", "443"),
                ("ssl-policy", "ELBSecurityPolicy-TLS13-1-2-2021-06"),
                ("group.name", &platform.name),
            ] {
                annotations.insert(format!("alb.ingress.kubernetes.io/{key}"), value.to_owned());
            }
            annotations.insert(
                "alb.ingress.kubernetes.io/tags".to_owned(),
                format!("app={},environment={}", platform.name, platform.environment.name),
            );
        }
        IngressClass::Nginx => {
            annotations.insert("nginx.ingress.kubernetes.io/ssl-redirect".to_owned(), "true".to_owned());
            annotations.insert("nginx.ingress.kubernetes.io/force-ssl-redirect".to_owned(), "true".to_owned());
            if let Some(rate) = platform.security.rate_limit {
                let per_minute = u64::from(rate.requests) * 60 / u64::from(rate.per_seconds.max(1));
                annotations.insert("nginx.ingress.kubernetes.io/limit-rpm".to_owned(), per_minute.max(1).to_string());
            }
        }
    }
    annotations
}

/// The backend of a service's routes. A canary split by the ALB points at the action Argo Rollouts
/// writes into the annotations (`use-annotation`).
fn backend(platform: &Platform, svc: &Service) -> IngressBackend {
    let port = if traffic_routed(svc) && platform.kubernetes.ingress == IngressClass::Alb {
        ServiceBackendPort { name: Some("use-annotation".to_owned()), ..ServiceBackendPort::default() }
    } else {
        ServiceBackendPort { number: Some(SERVICE_PORT), ..ServiceBackendPort::default() }
    };
    IngressBackend {
        service: Some(IngressServiceBackend { name: svc.name.clone(), port: Some(port) }),
        ..IngressBackend::default()
    }
}

/// Every host the ingresses serve (tenant wildcards included), sorted.
pub fn hosts(platform: &Platform) -> Vec<String> {
    let hosts: BTreeSet<String> = platform.services.iter().flat_map(|svc| routes(platform, svc).into_keys()).collect();
    hosts.into_iter().collect()
}

fn routes(platform: &Platform, svc: &Service) -> BTreeMap<String, Vec<HTTPIngressPath>> {
    let mut hosts: BTreeMap<String, Vec<HTTPIngressPath>> = BTreeMap::new();
    for route in &svc.expose {
        let path = HTTPIngressPath {
            path: Some(route.path.clone()),
            path_type: "Prefix".to_owned(),
            backend: backend(platform, svc),
        };
        hosts.entry(route.host.clone()).or_default().push(path.clone());
        if route.tenants {
            hosts.entry(format!("*.{}", route.host)).or_default().push(path);
        }
    }
    for paths in hosts.values_mut() {
        // Longest prefix first, so controllers that match in order pick the most specific route.
        paths.sort_by(|a, b| {
            b.path.as_ref().map(String::len).cmp(&a.path.as_ref().map(String::len)).then_with(|| a.path.cmp(&b.path))
        });
    }
    hosts
}

fn longest_path(svc: &Service) -> usize {
    svc.expose.iter().map(|r| r.path.len()).max().unwrap_or(0)
}

/// One Ingress per exposed service, named after it (Argo Rollouts splits traffic per Ingress); on
/// AWS they share one ALB through `group.name`, the most specific paths evaluated first.
pub fn objects(platform: &Platform) -> Vec<Value> {
    let mut exposed: Vec<&Service> = platform.services.iter().filter(|svc| !svc.expose.is_empty()).collect();
    exposed.sort_by(|a, b| longest_path(b).cmp(&longest_path(a)).then_with(|| a.name.cmp(&b.name)));
    exposed
        .iter()
        .enumerate()
        .map(|(order, svc)| {
            let hosts = routes(platform, svc);
            let mut annotations = annotations(platform);
            match platform.kubernetes.ingress {
                IngressClass::Alb => {
                    annotations.insert("alb.ingress.kubernetes.io/group.order".to_owned(), (order + 1).to_string());
                }
                IngressClass::Nginx if svc.expose.iter().any(|r| r.sticky) => {
                    annotations.insert("nginx.ingress.kubernetes.io/affinity".to_owned(), "cookie".to_owned());
                }
                IngressClass::Nginx => {}
            }
            let mut metadata = meta(platform, &svc.name, service_labels(platform, svc));
            metadata.annotations = Some(annotations);
            value(&Ingress {
                metadata,
                spec: Some(IngressSpec {
                    ingress_class_name: Some(match platform.kubernetes.ingress {
                        IngressClass::Alb => "alb".to_owned(),
                        IngressClass::Nginx => "nginx".to_owned(),
                    }),
                    tls: Some(vec![IngressTLS {
                        hosts: Some(hosts.keys().cloned().collect()),
                        secret_name: cluster_issuer(platform).map(|_| secret_name(platform)),
                    }]),
                    rules: Some(
                        hosts
                            .into_iter()
                            .map(|(host, paths)| IngressRule {
                                host: Some(host),
                                http: Some(HTTPIngressRuleValue { paths }),
                            })
                            .collect(),
                    ),
                    ..IngressSpec::default()
                }),
                ..Ingress::default()
            })
        })
        .collect()
}
