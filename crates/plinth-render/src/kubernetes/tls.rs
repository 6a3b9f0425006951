//! cert-manager: the ClusterIssuer (Let's Encrypt over HTTP-01 or DNS-01 with Route 53, or a
//! self-signed issuer) and one Certificate for every host the ingress serves, renewed the spec's
//! lead time before expiry. With ACM on the ALB nothing is rendered here: the load balancer
//! finds the ACM certificate for each TLS host itself.

use plinth_spec::model::{Challenge, Issuer, Platform};
use serde_json::{Map, Value, json};

use super::analysis::go_duration;
use super::{common_labels, meta, value};

/// Let's Encrypt's production ACME directory.
pub const LETSENCRYPT: &str = "https://acme-v02.api.letsencrypt.org/directory";

/// The ClusterIssuer's name, or `None` when certificates come from ACM. Issuers are cluster-wide:
/// the namespace in the name keeps environments sharing a cluster apart.
pub fn cluster_issuer(platform: &Platform) -> Option<String> {
    let kind = match platform.tls.issuer {
        Issuer::Letsencrypt => "letsencrypt",
        Issuer::SelfSigned => "selfsigned",
        Issuer::Acm => return None,
    };
    Some(format!("{}-{kind}", platform.kubernetes.namespace))
}

/// The Secret the Certificate writes and the Ingress serves.
pub fn secret_name(platform: &Platform) -> String {
    format!("{}-tls", platform.name)
}

/// ClusterIssuer and Certificate for `hosts`, or nothing with ACM.
pub fn objects(platform: &Platform, hosts: &[String]) -> Vec<Value> {
    let Some(issuer_name) = cluster_issuer(platform) else { return Vec::new() };
    let spec = match platform.tls.issuer {
        Issuer::SelfSigned => json!({ "selfSigned": {} }),
        _ => {
            let solver = match platform.tls.challenge {
                Challenge::Http01 => json!({ "http01": { "ingress": { "ingressClassName": "nginx" } } }),
                // Route 53 through IRSA on cert-manager's service account: no static keys.
                Challenge::Dns01 => json!({ "dns01": { "route53": { "region": platform.cloud.region } } }),
            };
            let mut acme = json!({
                "server": LETSENCRYPT,
                "privateKeySecretRef": { "name": format!("{issuer_name}-account-key") },
                "solvers": [solver],
            });
            if let Some(email) = &platform.tls.email {
                acme["email"] = json!(email);
            }
            json!({ "acme": acme })
        }
    };
    let mut labels = Map::new();
    for (key, val) in common_labels(platform) {
        labels.insert(key, Value::String(val));
    }
    let issuer = json!({
        "apiVersion": "cert-manager.io/v1",
        "kind": "ClusterIssuer",
        "metadata": { "name": issuer_name, "labels": labels },
        "spec": spec,
    });
    let mut objects = vec![issuer];
    if !hosts.is_empty() {
        objects.push(json!({
            "apiVersion": "cert-manager.io/v1",
            "kind": "Certificate",
            "metadata": value(&meta(platform, &secret_name(platform), common_labels(platform))),
            "spec": {
                "secretName": secret_name(platform),
                "dnsNames": hosts,
                "issuerRef": { "name": issuer_name, "kind": "ClusterIssuer", "group": "cert-manager.io" },
                "duration": "2160h",
                "renewBefore": go_duration(platform.tls.renew_before),
                "privateKey": { "algorithm": "ECDSA", "size": 256, "rotationPolicy": "Always" },
            },
        }));
    }
    objects
}
