//! PL-K8S-014 `dangerous-capabilities`: containers add no capability that breaks isolation.

use super::common::{capabilities, describe};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Capabilities that give a container power over the node or other workloads.
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
    "SYSLOG",
];

/// Containers must not add a capability of [`DANGEROUS`].
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-014",
        name: "dangerous-capabilities",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Containers add no dangerous capability (SYS_ADMIN, NET_ADMIN, SYS_PTRACE, ALL…)",
        doc: r#"No container, init containers included, lists under `capabilities.add` any of
`ALL`, `SYS_ADMIN`, `NET_ADMIN`, `SYS_PTRACE`, `SYS_MODULE`, `SYS_RAWIO`, `SYS_BOOT`, `SYS_TIME`,
`DAC_READ_SEARCH`, `BPF`, `PERFMON`, `MAC_ADMIN`, `MAC_OVERRIDE` or `SYSLOG` (with or without the
`CAP_` prefix, any case).

## Why
Each of these reaches past the container: `SYS_ADMIN` is "the new root" (mounts, namespaces,
most container escapes), `SYS_PTRACE` reads other processes' memory, `SYS_MODULE` loads kernel
code, `NET_ADMIN` rewrites the node's networking, `DAC_READ_SEARCH` opens any file by handle
(the "shocker" escape), `BPF` and `PERFMON` observe the whole kernel.

## Fix
Drop the capability; find the narrower one the workload needs, or run that part outside the
application's pods.
```yaml
securityContext:
  capabilities:
    drop: [ALL]
    add: [NET_BIND_SERVICE]
```

## References
- capabilities(7)
- Pod Security Standards, Baseline profile ("Capabilities")
"#,
        equivalents: &[
            "checkov:CKV_K8S_25",
            "checkov:CKV_K8S_39",
            "polaris:dangerousCapabilities",
            "trivy:KSV-0022",
            "trivy:KSV-0005",
            "kubescape:C-0046",
        ],
    },
    check,
};

/// Flags every dangerous capability a container adds.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        for (name, pointer) in capabilities(&container, "add") {
            if DANGEROUS.contains(&name.as_str()) {
                hits.push(Hit::new(pointer, format!("{} adds capability {name}", describe(object, &container))));
            }
        }
    }
}
