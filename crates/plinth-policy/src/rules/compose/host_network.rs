//! PL-COMPOSE-002 `host-network`: no service shares the host's network stack.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-002",
        name: "host-network",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "No service uses `network_mode: host`",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_19 (Kubernetes analogue)",
            "kube-linter:host-network (Kubernetes analogue)",
            "polaris:hostNetworkSet (Kubernetes analogue)",
            "trivy:KSV-0009 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service sets `network_mode: host`.

## Why
On the host network every port the container listens on is open on every interface of the
machine, `ports:` and the project's networks no longer apply, and the container can reach every
service bound to the host's loopback (databases, the Docker API over TCP, cloud metadata
proxies). Service names stop resolving too, so the other containers cannot reach it by name.

## Fix
Use the project's default network and publish only the ports that must be reachable, on
loopback when only this machine needs them:

```yaml
services:
  api:
    image: example/api:2.3.0
    ports:
      - "127.0.0.1:8080:8080"
```

## References
- Docker: [Host network driver](https://docs.docker.com/engine/network/drivers/host/)
- Compose file reference: [`network_mode`](https://docs.docker.com/reference/compose-file/services/#network_mode)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`hostNetwork: true`).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        if service.text("network_mode") == Some("host") {
            hits.push(Hit::new(
                service.at("network_mode"),
                format!("service \"{}\" shares the host's network stack", service.name),
            ));
        }
    }
}
