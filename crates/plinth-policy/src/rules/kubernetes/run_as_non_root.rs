//! PL-K8S-001 `run-as-non-root`: every container runs as a user other than root.

use serde_json::Value;

use super::common::{describe, effective_security, security_pointer};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must be kept off UID 0 by `runAsNonRoot: true` or a non-zero `runAsUser`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-001",
        name: "run-as-non-root",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers run as a non-root user (runAsNonRoot: true or a non-zero runAsUser)",
        doc: r#"Every container, init containers included, must be kept from running as root: its
effective `securityContext` sets `runAsNonRoot: true` or a `runAsUser` other than 0. The
container's own setting wins; a pod-level `securityContext` applies to every container that does
not override it. An explicit `runAsUser: 0` is a finding even with `runAsNonRoot: true` (the pod
would not start).

## Why
Root in a container is root on the host's kernel: a container escape, a writable host mount or a
kernel bug turns into full node compromise. Most images run as root unless told otherwise.

## Fix
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    runAsUser: 10001
    runAsGroup: 10001
```

## References
- Kubernetes: Configure a Security Context for a Pod or Container
- Pod Security Standards, Restricted profile ("Running as Non-root")
"#,
        equivalents: &[
            "checkov:CKV_K8S_23",
            "kube-linter:run-as-non-root",
            "kube-score:container-security-context-user-group-id",
            "polaris:runAsRootAllowed",
            "trivy:KSV-0012",
            "trivy:KSV-0105",
            "kubescape:C-0013",
        ],
    },
    check,
};

/// Flags containers whose effective user is 0, or that neither run as a non-zero UID nor require
/// a non-root one.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let who = describe(object, &container);
        let user = effective_security(object, &container, "runAsUser");
        match user.as_ref().map(|(value, pointer)| (value.as_i64(), pointer)) {
            Some((Some(0), pointer)) => {
                hits.push(Hit::new(pointer.clone(), format!("{who} runs as root (runAsUser: 0)")))
            }
            Some((Some(_), _)) => {}
            _ => match effective_security(object, &container, "runAsNonRoot") {
                Some((value, _)) if value.as_bool() == Some(true) => {}
                Some((value, pointer)) if value != &Value::Null => hits.push(Hit::new(
                    pointer,
                    format!("{who} may run as root: runAsNonRoot is not true and no non-zero runAsUser is set"),
                )),
                _ => hits.push(Hit::new(
                    security_pointer(&container, "runAsNonRoot"),
                    format!("{who} may run as root: set runAsNonRoot: true or a non-zero runAsUser"),
                )),
            },
        }
    }
}
