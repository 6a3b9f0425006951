//! PL-DOCKER-012 `ssh-port-exposed`: the image does not expose SSH.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-012",
        name: "ssh-port-exposed",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "No EXPOSE of port 22",
        doc: DOC,
        equivalents: &["checkov:CKV_DOCKER_1", "trivy:DS-0004"],
    },
    check,
};

const DOC: &str = r#"## What
An `EXPOSE` lists port 22 (`22`, `22/tcp`).

## Why
Port 22 means an SSH server in the container: one more daemon running as root, keys or passwords
baked into the image, and a way in that bypasses the orchestrator's access control and audit log.
`docker exec` and `kubectl exec` already give a shell when one is needed.

## Fix
Remove the SSH server and the port:

```dockerfile
EXPOSE 8080
```

## References
- Docker: [EXPOSE](https://docs.docker.com/reference/dockerfile/#expose)
- Checkov CKV_DOCKER_1, Trivy DS-0004.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for expose in file.all("EXPOSE") {
        if expose.words().any(|port| port.split('/').next() == Some("22")) {
            hits.push(LineHit::new(expose, "EXPOSE 22 opens SSH"));
        }
    }
}
