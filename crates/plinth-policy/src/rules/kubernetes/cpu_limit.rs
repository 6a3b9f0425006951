//! PL-K8S-018 `cpu-limit`: containers set a CPU limit.

use super::common::require_resource;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `resources.limits.cpu`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-018",
        name: "cpu-limit",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers set resources.limits.cpu",
        doc: r#"Every container, init containers included, sets a non-zero `resources.limits.cpu`.

## Why
Without a limit, one busy or compromised container can take every spare CPU of its node and slow
its neighbours down; a namespace ResourceQuota on `limits.cpu` also rejects such pods.

## Fix
```yaml
resources:
  requests:
    cpu: 100m
  limits:
    cpu: 500m
```

## References
- Kubernetes: Resource Management for Pods and Containers
"#,
        equivalents: &[
            "checkov:CKV_K8S_11",
            "kube-linter:unset-cpu-requirements",
            "kube-score:container-resources",
            "polaris:cpuLimitsMissing",
            "trivy:KSV-0011",
            "kubescape:C-0270",
            "kubescape:C-0050",
        ],
    },
    check,
};

/// Flags containers without a CPU limit.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_resource(object, hits, "limits", "cpu", "CPU limit");
}
