//! PL-K8S-007 `host-pid`: pods do not share the node's process namespace.

use super::common::forbid_pod_flag;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Pods must not set `hostPID: true`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-007",
        name: "host-pid",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Pods do not set hostPID: true",
        doc: r#"The pod spec does not set `hostPID: true`.

## Why
With the host's PID namespace, a container sees every process of the node, can read their
environment and memory through `/proc`, signal them and, as root, enter their namespaces.

## Fix
```yaml
spec:
  hostPID: false
```

## References
- Pod Security Standards, Baseline profile ("Host Namespaces")
"#,
        equivalents: &[
            "checkov:CKV_K8S_17",
            "kube-linter:host-pid",
            "polaris:hostPIDSet",
            "trivy:KSV-0010",
            "kubescape:C-0038",
        ],
    },
    check,
};

/// Flags `hostPID: true`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    forbid_pod_flag(object, hits, "hostPID", "shares the node's process namespace (hostPID)");
}
