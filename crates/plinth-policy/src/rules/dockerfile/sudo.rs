//! PL-DOCKER-009 `sudo`: no RUN uses sudo.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-009",
        name: "sudo",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "No RUN uses sudo; switch USER instead",
        doc: DOC,
        equivalents: &["hadolint:DL3004", "checkov:CKV2_DOCKER_1", "trivy:DS-0010"],
    },
    check,
};

const DOC: &str = r#"## What
A `RUN` calls `sudo`.

## Why
Build steps already run as root until a `USER` switches away; `sudo` in a Dockerfile means the
image ships `sudo` and a user allowed to use it, so whoever gets a shell in the container gets
root too. Its TTY and signal handling also behave unpredictably in containers.

## Fix
Run the privileged steps before switching user:

```dockerfile
RUN apt-get update && apt-get install -y --no-install-recommends curl=8.5.0-2
USER 10001
```

## References
- Docker: [best practices: USER](https://docs.docker.com/build/building/best-practices/#user)
- hadolint DL3004, Checkov CKV2_DOCKER_1, Trivy DS-0010.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        if commands.iter().any(|c| c.words.iter().find(|w| !w.contains('=')).is_some_and(|w| w == "sudo")) {
            hits.push(LineHit::new(run, "RUN uses sudo"));
        }
    }
}
