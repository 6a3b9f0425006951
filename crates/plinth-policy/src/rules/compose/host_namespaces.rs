//! PL-COMPOSE-010 `host-namespaces`: no service shares the host's PID, IPC, UTS or user namespace.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-010",
        name: "host-namespaces",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "No service sets `pid`, `ipc`, `uts` or `userns_mode` to `host`",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_17 (Kubernetes analogue: hostPID)",
            "checkov:CKV_K8S_18 (Kubernetes analogue: hostIPC)",
            "kube-linter:host-pid (Kubernetes analogue)",
            "kube-linter:host-ipc (Kubernetes analogue)",
            "trivy:KSV-0010 (Kubernetes analogue)",
            "trivy:KSV-0008 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service sets `pid: host`, `ipc: host`, `uts: host` or `userns_mode: host`.

## Why
With the host's PID namespace the container sees and can signal every process of the machine,
and reads their environment (secrets included) through `/proc`; with its IPC namespace it can
attach to other programs' shared memory; with its UTS namespace it can rename the host; with
`userns_mode: host` it leaves the daemon's user-namespace remapping, so its root is the host's
root.

## Fix
Remove the setting. To debug another container, share that container's namespace instead of
the host's:

```yaml
services:
  debug:
    image: nicolaka/netshoot:v0.13
    pid: "service:api"
```

## References
- Compose file reference: [`pid`](https://docs.docker.com/reference/compose-file/services/#pid), [`ipc`](https://docs.docker.com/reference/compose-file/services/#ipc)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`hostPID`, `hostIPC`).
"#;

/// The keys that can share a host namespace.
const NAMESPACES: &[&str] = &["pid", "ipc", "uts", "userns_mode"];

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        for key in NAMESPACES {
            if service.text(key) == Some("host") {
                hits.push(Hit::new(
                    service.at(key),
                    format!("service \"{}\" shares the host's namespace ({key}: host)", service.name),
                ));
            }
        }
    }
}
