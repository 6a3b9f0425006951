//! PL-K8S-021 `ephemeral-storage`: containers request and limit their scratch disk.

use super::common::require_resource;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers should set `resources.requests` and `resources.limits` of `ephemeral-storage`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-021",
        name: "ephemeral-storage",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Containers set an ephemeral-storage request and limit",
        doc: r#"Every container, init containers included, sets `resources.limits.ephemeral-storage`
and a request (given explicitly, or defaulted from the limit by the API server).

## Why
Logs, the writable layer and `emptyDir` volumes without a `sizeLimit` all use the node's disk.
Without a request the scheduler ignores that use; without a limit one container can fill the
disk and get every pod of the node evicted.

## Fix
```yaml
resources:
  requests:
    ephemeral-storage: 100Mi
  limits:
    ephemeral-storage: 1Gi
```

## References
- Kubernetes: Resource Management for Pods and Containers, "Local ephemeral storage"
"#,
        equivalents: &["kube-score:container-ephemeral-storage-request-and-limit"],
    },
    check,
};

/// Flags containers without an ephemeral-storage request or limit.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_resource(object, hits, "requests", "ephemeral-storage", "ephemeral-storage request");
    require_resource(object, hits, "limits", "ephemeral-storage", "ephemeral-storage limit");
}
