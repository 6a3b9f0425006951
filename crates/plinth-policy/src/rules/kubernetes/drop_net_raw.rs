//! PL-K8S-012 `drop-net-raw`: containers drop the NET_RAW capability.

use super::common::{capabilities, describe};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must drop `NET_RAW` (or `ALL`) and not add it back.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-012",
        name: "drop-net-raw",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers drop NET_RAW (or ALL) and do not add it back",
        doc: r#"Every container, init containers included, lists `NET_RAW` or `ALL` under
`capabilities.drop` and does not list `NET_RAW` or `ALL` under `capabilities.add` (names are
compared case-insensitively, with or without the `CAP_` prefix).

## Why
Container runtimes grant `NET_RAW` by default. It lets a process craft raw packets: ARP and DNS
spoofing of other pods on the node, and it has been the way into several kernel
vulnerabilities. Almost no application needs it (`ping` is the usual exception).

## Fix
```yaml
securityContext:
  capabilities:
    drop: [ALL]
```

## References
- Pod Security Standards, Restricted profile ("Capabilities")
"#,
        equivalents: &[
            "checkov:CKV_K8S_28",
            "kube-linter:drop-net-raw-capability",
            "polaris:insecureCapabilities",
            "trivy:KSV-0119",
            "kubescape:C-0046",
        ],
    },
    check,
};

/// Flags containers that keep or re-add `NET_RAW`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    let raw = |name: &str| name == "NET_RAW" || name == "ALL";
    for container in object.containers() {
        let who = describe(object, &container);
        if let Some((name, pointer)) = capabilities(&container, "add").into_iter().find(|(name, _)| raw(name)) {
            let what = if name == "NET_RAW" {
                "adds NET_RAW back".to_owned()
            } else {
                format!("adds {name}, which includes NET_RAW")
            };
            hits.push(Hit::new(pointer, format!("{who} {what}")));
        } else if !capabilities(&container, "drop").iter().any(|(name, _)| raw(name)) {
            hits.push(Hit::new(
                format!("{}/securityContext/capabilities/drop", container.pointer),
                format!("{who} does not drop NET_RAW"),
            ));
        }
    }
}
