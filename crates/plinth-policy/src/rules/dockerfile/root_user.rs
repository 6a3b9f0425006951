//! PL-DOCKER-001 `root-user`: the image does not run as root.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-001",
        name: "root-user",
        severity: Severity::Error,
        target: Target::Dockerfile,
        summary: "The final stage switches to a non-root USER",
        doc: DOC,
        equivalents: &["hadolint:DL3002", "checkov:CKV_DOCKER_3", "checkov:CKV_DOCKER_8", "trivy:DS-0002"],
    },
    check,
};

const DOC: &str = r#"## What
The final stage (the one that becomes the image) has no `USER` instruction, or its last `USER` is
`root` or `0`. Earlier build stages may run as root: they are not shipped.

## Why
A container runs as the image's user unless its orchestrator says otherwise. Root inside the
container is root on the host's kernel: one escape or one writable host mount away from the
node. Kubernetes `runAsNonRoot` refuses such images, so the fix is needed anyway.

## Fix
Create an unprivileged user and switch to it last:

```dockerfile
FROM debian:12.6-slim
RUN useradd --system --uid 10001 app
USER 10001
```

## References
- Docker: [USER](https://docs.docker.com/reference/dockerfile/#user)
- hadolint DL3002, Checkov CKV_DOCKER_3 (no USER) and CKV_DOCKER_8 (last USER root), Trivy DS-0002.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    let stage = file.final_stage();
    let Some(from) = stage.first() else { return };
    match stage.iter().rfind(|i| i.keyword == "USER") {
        None => hits.push(LineHit::new(from, "the final stage has no USER: the image runs as root")),
        Some(user) => {
            let name = user.arguments.split(':').next().unwrap_or_default().trim();
            if name == "root" || name == "0" {
                hits.push(LineHit::new(user, format!("the last USER is {name}: the image runs as root")));
            }
        }
    }
}
