//! PL-COMPOSE-003 `docker-socket`: no service mounts the container runtime's socket.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-003",
        name: "docker-socket",
        severity: Severity::Error,
        target: Target::Compose,
        summary: "No service mounts the Docker (or another container runtime's) socket",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_27 (Kubernetes analogue)",
            "kube-linter:docker-sock (Kubernetes analogue)",
            "trivy:KSV-0006 (Kubernetes analogue)",
            "kubescape:C-0074 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service bind-mounts `/var/run/docker.sock` (or `containerd.sock`, `crio.sock`, `podman.sock`,
or the whole `/run` directory that holds them).

## Why
Whoever can talk to the runtime's socket can start a privileged container with the host's root
filesystem mounted: the socket is root on the host, even when mounted read-only (`:ro` protects
the file, not the API behind it). A compromised dashboard, CI agent or reverse proxy with the
socket is a compromised machine.

## Fix
Give the service a narrower API instead, such as a socket proxy that allows only the calls it
needs, or drop the mount:

```yaml
services:
  socket-proxy:
    image: tecnativa/docker-socket-proxy:0.3.0
    environment:
      CONTAINERS: 1
  traefik:
    image: traefik:v3.3.4
    command: --providers.docker.endpoint=tcp://socket-proxy:2375
```

## References
- Docker: [Protect the Docker daemon socket](https://docs.docker.com/engine/security/protect-access/)
- OWASP Docker Security Cheat Sheet, rule 1: do not expose the Docker daemon socket
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (a `hostPath` volume of the runtime socket).
"#;

/// The runtime sockets; a mount of the directory that holds them exposes them too.
const SOCKETS: &[&str] = &["docker.sock", "containerd.sock", "crio.sock", "podman.sock"];

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        for (idx, volume) in service.items("volumes") {
            let (source, pointer) = match volume {
                Value::String(short) => {
                    (short.split(':').next().unwrap_or_default(), service.at(&format!("volumes/{idx}")))
                }
                Value::Object(long) => (
                    long.get("source").and_then(Value::as_str).unwrap_or_default(),
                    service.at(&format!("volumes/{idx}/source")),
                ),
                _ => continue,
            };
            let source = source.trim_end_matches('/');
            let file = source.rsplit('/').next().unwrap_or_default();
            if SOCKETS.contains(&file) || matches!(source, "/run" | "/var/run") {
                hits.push(Hit::new(
                    pointer,
                    format!("service \"{}\" mounts the container runtime's socket ({source})", service.name),
                ));
            }
        }
    }
}
