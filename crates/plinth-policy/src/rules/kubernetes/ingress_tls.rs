//! PL-K8S-041 `ingress-tls`: Ingresses terminate TLS for every host they serve.

use serde_json::Value;

use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Ingresses must declare `tls` covering each of their hosts.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-041",
        name: "ingress-tls",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Ingresses declare TLS, covering every host of their rules",
        doc: r#"Every Ingress has a non-empty `spec.tls`, and every `host` of its `rules` is listed in
the `hosts` of some `tls` entry (a `*.example.com` entry covers one level of subdomain).

## Why
Without TLS, credentials, session cookies and data cross the network in clear text and can be
read or changed on the way. A host left out of `tls` is served over plain HTTP, or with the
controller's default certificate, which clients reject.

## Fix
```yaml
spec:
  tls:
    - hosts: [api.example.com]
      secretName: api-tls
  rules:
    - host: api.example.com
```

## References
- Kubernetes: Ingress, "TLS"
"#,
        equivalents: &["polaris:tlsSettingsMissing", "kubescape:C-0263"],
    },
    check,
};

/// Flags an Ingress without TLS, and each host its TLS does not cover.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    if object.kind() != "Ingress" {
        return;
    }
    let tls = object.value.pointer("/spec/tls").and_then(Value::as_array).filter(|t| !t.is_empty());
    let Some(tls) = tls else {
        hits.push(Hit::new("/spec/tls", format!("{} serves without TLS", object.display())));
        return;
    };
    let covered: Vec<&str> = tls
        .iter()
        .filter_map(|t| t.get("hosts").and_then(Value::as_array))
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let rules = object.value.pointer("/spec/rules").and_then(Value::as_array);
    for (idx, rule) in rules.into_iter().flatten().enumerate() {
        let Some(host) = rule.get("host").and_then(Value::as_str) else {
            continue;
        };
        if !covered.iter().any(|pattern| matches_host(pattern, host)) {
            hits.push(Hit::new(
                format!("/spec/rules/{idx}/host"),
                format!("{} serves {host} without TLS: no tls entry lists it", object.display()),
            ));
        }
    }
}

/// Whether a TLS host (`api.example.com`, `*.example.com`) covers `host`.
fn matches_host(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix("*.") {
        Some(domain) => host.split_once('.').is_some_and(|(label, rest)| !label.is_empty() && rest == domain),
        None => pattern.eq_ignore_ascii_case(host),
    }
}
