//! PL-K8S-002 `high-uid-gid`: containers run with a UID and GID of 10000 or more.

use serde_json::Value;

use super::common::{describe, effective_security, security_pointer};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// The lowest UID and GID accepted: above the ranges distributions give to host users.
const MINIMUM: i64 = 10_000;

/// Containers must run with `runAsUser` and `runAsGroup` of at least 10000.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-002",
        name: "high-uid-gid",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Containers run with a runAsUser and runAsGroup of 10000 or more",
        doc: r#"Every container's effective `runAsUser` and `runAsGroup` (the container's, else the
pod's) are set and at least 10000.

## Why
Without user namespaces, a UID in a container is the same UID on the node. Low UIDs collide with
real host users and system accounts, so a container escape or a shared host mount acts with
their rights. IDs of 10000 and above are not used by distributions. Unset, the group is the
image's, often root's group 0.

## Fix
```yaml
spec:
  securityContext:
    runAsUser: 10001
    runAsGroup: 10001
```

## References
- Checkov CKV_K8S_40; Trivy KSV-0020 and KSV-0021
- kube-score container-security-context-user-group-id
"#,
        equivalents: &[
            "checkov:CKV_K8S_40",
            "kube-score:container-security-context-user-group-id",
            "trivy:KSV-0020",
            "trivy:KSV-0021",
        ],
    },
    check,
};

/// Flags each container whose effective UID or GID is unset or below [`MINIMUM`].
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        for (field, what) in [("runAsUser", "UID"), ("runAsGroup", "GID")] {
            match effective_security(object, &container, field) {
                Some((value, _)) if value.as_i64().is_some_and(|id| id >= MINIMUM) => {}
                Some((value, pointer)) => hits.push(Hit::new(
                    pointer,
                    format!("{} runs with {what} {} (below {MINIMUM})", describe(object, &container), show(value)),
                )),
                None => hits.push(Hit::new(
                    security_pointer(&container, field),
                    format!("{} sets no {field}; use a {what} of {MINIMUM} or more", describe(object, &container)),
                )),
            }
        }
    }
}

/// A scalar as written.
fn show(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_owned)
}
