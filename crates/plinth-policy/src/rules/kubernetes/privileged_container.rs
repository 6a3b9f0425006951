//! PL-K8S-004 `privileged-container`: no container runs privileged.

use serde_json::Value;

use super::common::{describe, security_pointer};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must not set `privileged: true`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-004",
        name: "privileged-container",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "No container sets securityContext.privileged: true",
        doc: r#"No container, init containers included, sets `privileged: true`.

## Why
A privileged container has every capability, sees every host device and runs without seccomp or
AppArmor confinement: it is root on the node in all but name, and escaping it is trivial.

## Fix
Remove `privileged: true`; grant the one capability the workload needs instead, or move the
host-level work to a node agent managed outside the application.
```yaml
securityContext:
  privileged: false
  allowPrivilegeEscalation: false
  capabilities:
    drop: [ALL]
```

## References
- Pod Security Standards, Baseline profile ("Privileged Containers")
"#,
        equivalents: &[
            "checkov:CKV_K8S_16",
            "kube-linter:privileged-container",
            "kube-score:container-security-context-privileged",
            "polaris:runAsPrivileged",
            "trivy:KSV-0017",
            "kubescape:C-0057",
        ],
    },
    check,
};

/// Flags containers with `privileged: true`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        if container.security("privileged").and_then(Value::as_bool) == Some(true) {
            hits.push(Hit::new(
                security_pointer(&container, "privileged"),
                format!("{} runs privileged", describe(object, &container)),
            ));
        }
    }
}
