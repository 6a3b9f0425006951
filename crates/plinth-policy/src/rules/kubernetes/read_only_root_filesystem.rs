//! PL-K8S-003 `read-only-root-filesystem`: containers mount their root filesystem read-only.

use super::common::require_container_flag;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `readOnlyRootFilesystem: true`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-003",
        name: "read-only-root-filesystem",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers set securityContext.readOnlyRootFilesystem: true",
        doc: r#"Every container, init containers included, sets `readOnlyRootFilesystem: true` in its
own `securityContext` (there is no pod-level equivalent).

## Why
A writable root filesystem lets an attacker who gets code execution drop binaries, change
configuration or plant persistence in the container. Writes the application needs go to
explicit volumes, which also makes them visible and bounded.

## Fix
```yaml
containers:
  - name: api
    securityContext:
      readOnlyRootFilesystem: true
    volumeMounts:
      - name: tmp
        mountPath: /tmp
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
```

## References
- Kubernetes: SecurityContext v1 core (`readOnlyRootFilesystem`)
- NSA/CISA Kubernetes Hardening Guide, "Use immutable container file systems"
"#,
        equivalents: &[
            "checkov:CKV_K8S_22",
            "kube-linter:no-read-only-root-fs",
            "kube-score:container-security-context-readonlyrootfilesystem",
            "polaris:notReadOnlyRootFilesystem",
            "trivy:KSV-0014",
            "kubescape:C-0017",
        ],
    },
    check,
};

/// Flags containers without `readOnlyRootFilesystem: true`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_container_flag(object, hits, "readOnlyRootFilesystem", true, "has a writable root filesystem");
}
