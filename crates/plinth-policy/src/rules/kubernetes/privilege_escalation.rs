//! PL-K8S-005 `privilege-escalation`: containers set `allowPrivilegeEscalation: false`.

use super::common::require_container_flag;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must set `allowPrivilegeEscalation: false`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-005",
        name: "privilege-escalation",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Containers set securityContext.allowPrivilegeEscalation: false",
        doc: r#"Every container, init containers included, sets `allowPrivilegeEscalation: false`.
Unset counts as allowed: the kernel default lets a process gain privileges.

## Why
Without `no_new_privs`, a process can gain privileges through setuid binaries or file
capabilities in the image, undoing `runAsNonRoot` and dropped capabilities.

## Fix
```yaml
securityContext:
  allowPrivilegeEscalation: false
```

## References
- Pod Security Standards, Restricted profile ("Privilege Escalation")
- Linux `PR_SET_NO_NEW_PRIVS`
"#,
        equivalents: &[
            "checkov:CKV_K8S_20",
            "kube-linter:privilege-escalation-container",
            "polaris:privilegeEscalationAllowed",
            "trivy:KSV-0001",
            "kubescape:C-0016",
        ],
    },
    check,
};

/// Flags containers where `allowPrivilegeEscalation` is not `false`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_container_flag(object, hits, "allowPrivilegeEscalation", false, "allows privilege escalation");
}
