//! PL-K8S-013 `drop-all-capabilities`: containers drop every Linux capability.

use super::common::{capabilities, describe};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must list `ALL` under `capabilities.drop`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-013",
        name: "drop-all-capabilities",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers drop ALL capabilities (adding back only what they need)",
        doc: r#"Every container, init containers included, lists `ALL` under
`securityContext.capabilities.drop`. Capabilities the workload needs are added back one by one
under `add` (PL-K8S-014 flags the dangerous ones).

## Why
Runtimes grant a default set of capabilities (`CHOWN`, `DAC_OVERRIDE`, `FOWNER`, `SETUID`,
`SETGID`, `NET_RAW`, `MKNOD`…) that a typical service never uses and that an attacker can. Dropping
all of them leaves a process with nothing beyond an ordinary user's rights.

## Fix
```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]   # only if it binds a port below 1024
```

## References
- Pod Security Standards, Restricted profile ("Capabilities")
"#,
        equivalents: &[
            "checkov:CKV_K8S_37",
            "polaris:insecureCapabilities",
            "trivy:KSV-0003",
            "trivy:KSV-0004",
            "kubescape:C-0046",
        ],
    },
    check,
};

/// Flags containers that do not drop `ALL`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        if !capabilities(&container, "drop").iter().any(|(name, _)| name == "ALL") {
            hits.push(Hit::new(
                format!("{}/securityContext/capabilities/drop", container.pointer),
                format!("{} does not drop ALL capabilities", describe(object, &container)),
            ));
        }
    }
}
