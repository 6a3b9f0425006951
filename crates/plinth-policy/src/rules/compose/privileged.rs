//! PL-COMPOSE-001 `privileged`: no service runs with `privileged: true`.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-001",
        name: "privileged",
        severity: Severity::Error,
        target: Target::Compose,
        summary: "No service runs privileged",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_16 (Kubernetes analogue)",
            "kube-linter:privileged-container (Kubernetes analogue)",
            "polaris:runAsPrivileged (Kubernetes analogue)",
            "trivy:KSV-0017 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service sets `privileged: true`.

## Why
A privileged container gets every capability, every device of the host and no seccomp or
AppArmor confinement: a process that escapes the application owns the host. Almost nothing needs
it; the few things that do (Docker-in-Docker, some hardware access) need one capability or one
device, which `cap_add` and `devices` grant on their own.

## Fix
Remove `privileged` and grant only what the service needs:

```yaml
services:
  agent:
    image: example/agent:1.4.2
    cap_drop: [ALL]
    cap_add: [NET_BIND_SERVICE]
    devices:
      - /dev/fuse
```

## References
- Docker: [Runtime privilege and Linux capabilities](https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
- None of the twelve policy tools surveyed checks compose files (Checkov, Trivy, kube-linter,
  hadolint… have no compose input); the equivalents listed are the Kubernetes analogues (`privileged` in a pod's
  `securityContext`).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        if service.flag("privileged") {
            hits.push(Hit::new(service.at("privileged"), format!("service \"{}\" runs privileged", service.name)));
        }
    }
}
