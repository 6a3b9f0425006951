//! PL-COMPOSE-008 `dangerous-capabilities`: no service adds a capability that amounts to root on
//! the host.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-008",
        name: "dangerous-capabilities",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "`cap_add` grants no capability that breaks container isolation",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_39 (Kubernetes analogue: SYS_ADMIN)",
            "polaris:dangerousCapabilities (Kubernetes analogue)",
            "trivy:KSV-0005 (Kubernetes analogue: SYS_ADMIN)",
            "kubescape:C-0046 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service's `cap_add` lists `ALL` or a capability that lets a process escape or take over the
host: `SYS_ADMIN`, `SYS_MODULE`, `SYS_PTRACE`, `SYS_RAWIO`, `SYS_BOOT`, `SYS_TIME`, `NET_ADMIN`,
`DAC_READ_SEARCH`, `DAC_OVERRIDE`, `BPF`, `PERFMON`, `MAC_ADMIN`, `MAC_OVERRIDE` (with or
without the `CAP_` prefix, in any case).

## Why
`SYS_ADMIN` alone allows mounting filesystems and is the usual first step of a container breakout;
`SYS_MODULE` loads kernel code; `SYS_PTRACE` reads other processes' memory; `DAC_READ_SEARCH`
opens any file of the host by handle (the "shocker" exploit); `NET_ADMIN` rewrites the host's
routing and firewall when combined with the host network. `ALL` is `privileged` minus the
devices.

## Fix
Drop everything and add back only what the process uses, typically `NET_BIND_SERVICE` or
`CHOWN`/`SETUID`/`SETGID` for images that switch users at start:

```yaml
services:
  proxy:
    image: nginx:1.27-alpine
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE, CHOWN, SETUID, SETGID]
```

## References
- `capabilities(7)`, and Docker: [Linux capabilities](https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`securityContext.capabilities.add`).
"#;

/// Capabilities that break isolation.
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "SYS_MODULE",
    "SYS_PTRACE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "NET_ADMIN",
    "DAC_READ_SEARCH",
    "DAC_OVERRIDE",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        for (idx, capability) in service.items("cap_add") {
            let Some(name) = capability.as_str() else { continue };
            let upper = name.to_ascii_uppercase();
            if DANGEROUS.contains(&upper.trim_start_matches("CAP_")) {
                hits.push(Hit::new(
                    service.at(&format!("cap_add/{idx}")),
                    format!("service \"{}\" adds the capability {name}", service.name),
                ));
            }
        }
    }
}
