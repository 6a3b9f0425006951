//! PL-K8S-019 `memory-request`: containers set a memory request.

use super::common::require_resource;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `resources.requests.memory`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-019",
        name: "memory-request",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers set resources.requests.memory",
        doc: r#"Every container, init containers included, sets a non-zero `resources.requests.memory`. A
container with a memory limit and no request passes: the API server sets the request to the limit.

## Why
The scheduler places pods by their requests. Without a memory request, pods are packed onto nodes
that cannot hold them and are the first evicted under memory pressure.

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
            "checkov:CKV_K8S_12",
            "kube-linter:unset-memory-requirements",
            "kube-score:container-resources",
            "polaris:memoryRequestsMissing",
            "trivy:KSV-0016",
            "kubescape:C-0269",
            "kubescape:C-0004",
        ],
    },
    check,
};

/// Flags containers without a memory request.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_resource(object, hits, "requests", "memory", "memory request");
}
