//! PL-K8S-020 `memory-limit`: containers set a memory limit.

use super::common::require_resource;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `resources.limits.memory`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-020",
        name: "memory-limit",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers set resources.limits.memory",
        doc: r#"Every container, init containers included, sets a non-zero `resources.limits.memory`.

## Why
A container without a memory limit can grow until the node runs out of memory; the kernel then
kills processes of other pods too. With a limit only the offender is killed and restarted.

## Fix
```yaml
resources:
  requests:
    memory: 256Mi
  limits:
    memory: 512Mi
```

## References
- Kubernetes: Resource Management for Pods and Containers
"#,
        equivalents: &[
            "checkov:CKV_K8S_13",
            "kube-linter:unset-memory-requirements",
            "kube-score:container-resources",
            "polaris:memoryLimitsMissing",
            "trivy:KSV-0018",
            "kubescape:C-0271",
            "kubescape:C-0004",
        ],
    },
    check,
};

/// Flags containers without a memory limit.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_resource(object, hits, "limits", "memory", "memory limit");
}
