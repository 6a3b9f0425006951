//! PL-K8S-006 `host-network`: pods do not share the node's network namespace.

use super::common::forbid_pod_flag;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Pods must not set `hostNetwork: true`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-006",
        name: "host-network",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Pods do not set hostNetwork: true",
        doc: r#"The pod spec does not set `hostNetwork: true`.

## Why
A pod on the host network sees every interface of the node, can sniff its traffic, reach
services bound to localhost (the kubelet's, cloud metadata endpoints) and bypasses
NetworkPolicies.

## Fix
Remove `hostNetwork: true` and expose the port through a Service:
```yaml
spec:
  hostNetwork: false
```

## References
- Pod Security Standards, Baseline profile ("Host Namespaces")
"#,
        equivalents: &[
            "checkov:CKV_K8S_19",
            "kube-linter:host-network",
            "polaris:hostNetworkSet",
            "trivy:KSV-0009",
            "kubescape:C-0041",
        ],
    },
    check,
};

/// Flags `hostNetwork: true`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    forbid_pod_flag(object, hits, "hostNetwork", "shares the node's network namespace (hostNetwork)");
}
