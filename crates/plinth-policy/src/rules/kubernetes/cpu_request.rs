//! PL-K8S-017 `cpu-request`: containers set a CPU request.

use super::common::require_resource;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `resources.requests.cpu`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-017",
        name: "cpu-request",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers set resources.requests.cpu",
        doc: r#"Every container, init containers included, sets a non-zero `resources.requests.cpu`. A
container with a CPU limit and no request passes: the API server sets the request to the limit.

## Why
The scheduler places pods by their requests. Without one, a pod is placed as if it needed no CPU,
lands on crowded nodes and is the first to starve (BestEffort QoS); the autoscaler cannot compute
utilisation either.

## Fix
```yaml
resources:
  requests:
    cpu: 100m
    memory: 256Mi
  limits:
    cpu: 500m
    memory: 512Mi
```

## References
- Kubernetes: Resource Management for Pods and Containers
"#,
        equivalents: &[
            "checkov:CKV_K8S_10",
            "kube-linter:unset-cpu-requirements",
            "kube-score:container-resources",
            "polaris:cpuRequestsMissing",
            "trivy:KSV-0015",
            "kubescape:C-0268",
            "kubescape:C-0050",
        ],
    },
    check,
};

/// Flags containers without a CPU request.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_resource(object, hits, "requests", "cpu", "CPU request");
}
