//! The Ingress: hosts and paths from `expose`, TLS, and the controller's annotations (the AWS Load
//! Balancer Controller as in seed 002, or ingress-nginx).

use std::collections::BTreeMap;

use k8s_openapi::api::networking::v1::{
    HTTPIngressPath, HTTPIngressRuleValue, Ingress, IngressBackend, IngressRule, IngressServiceBackend, IngressSpec,
    IngressTLS, ServiceBackendPort,
};
use plinth_spec::model::{IngressClass, Issuer, Platform};
use serde_json::Value;

use super::service::SERVICE_PORT;
use super::{common_labels, meta, value};

/// The name of the cert-manager ClusterIssuer for `issuer`.
pub fn cluster_issuer(issuer: Issuer) -> Option<&'static str> {
    match issuer {
        Issuer::Letsencrypt => Some("letsencrypt"),
        Issuer::SelfSigned => Some("selfsigned"),
        Issuer::Acm => None,
    }
}

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
            if platform.services.iter().any(|s| s.expose.iter().any(|r| r.sticky)) {
                annotations.insert("nginx.ingress.kubernetes.io/affinity".to_owned(), "cookie".to_owned());
            }
        }
    }
    if let Some(issuer) = cluster_issuer(platform.tls.issuer) {
        annotations.insert("cert-manager.io/cluster-issuer".to_owned(), issuer.to_owned());
    }
    annotations
}

/// The environment's Ingress, or `None` when no service is exposed.
pub fn object(platform: &Platform) -> Option<Value> {
    let mut hosts: BTreeMap<String, Vec<HTTPIngressPath>> = BTreeMap::new();
    for svc in &platform.services {
        for route in &svc.expose {
            let path = HTTPIngressPath {
                path: Some(route.path.clone()),
                path_type: "Prefix".to_owned(),
                backend: IngressBackend {
                    service: Some(IngressServiceBackend {
                        name: svc.name.clone(),
                        port: Some(ServiceBackendPort { number: Some(SERVICE_PORT), ..ServiceBackendPort::default() }),
                    }),
                    ..IngressBackend::default()
                },
            };
            hosts.entry(route.host.clone()).or_default().push(path.clone());
            if route.tenants {
                hosts.entry(format!("*.{}", route.host)).or_default().push(path);
            }
        }
    }
    if hosts.is_empty() {
        return None;
    }
    for paths in hosts.values_mut() {
        // Longest prefix first, so controllers that match in order pick the most specific route.
        paths.sort_by(|a, b| {
            b.path.as_ref().map(String::len).cmp(&a.path.as_ref().map(String::len)).then_with(|| a.path.cmp(&b.path))
        });
    }
    let tls_hosts: Vec<String> = hosts.keys().cloned().collect();
    let mut metadata = meta(platform, &platform.name, common_labels(platform));
    metadata.annotations = Some(annotations(platform));
    let ingress = Ingress {
        metadata,
        spec: Some(IngressSpec {
            ingress_class_name: Some(match platform.kubernetes.ingress {
                IngressClass::Alb => "alb".to_owned(),
                IngressClass::Nginx => "nginx".to_owned(),
            }),
            tls: Some(vec![IngressTLS {
                hosts: Some(tls_hosts),
                secret_name: cluster_issuer(platform.tls.issuer).map(|_| format!("{}-tls", platform.name)),
            }]),
            rules: Some(
                hosts
                    .into_iter()
                    .map(|(host, paths)| IngressRule { host: Some(host), http: Some(HTTPIngressRuleValue { paths }) })
                    .collect(),
            ),
            ..IngressSpec::default()
        }),
        ..Ingress::default()
    };
    Some(value(&ingress))
}
