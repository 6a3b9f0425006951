//! PL-DOCKER-013 `maintainer-deprecated`: no MAINTAINER instruction.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-013",
        name: "maintainer-deprecated",
        severity: Severity::Info,
        target: Target::Dockerfile,
        summary: "Use `LABEL org.opencontainers.image.authors`, not the deprecated MAINTAINER",
        doc: DOC,
        equivalents: &["hadolint:DL4000", "checkov:CKV_DOCKER_6", "trivy:DS-0022"],
    },
    check,
};

const DOC: &str = r#"## What
The Dockerfile uses `MAINTAINER`.

## Why
`MAINTAINER` has been deprecated since Docker 1.13; BuildKit warns about it and tools that read
image metadata look for the OCI label instead.

## Fix
```dockerfile
LABEL org.opencontainers.image.authors="platform@example.com"
```

## References
- Docker: [MAINTAINER (deprecated)](https://docs.docker.com/reference/dockerfile/#maintainer-deprecated)
- hadolint DL4000, Checkov CKV_DOCKER_6, Trivy DS-0022.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for maintainer in file.all("MAINTAINER") {
        hits.push(LineHit::new(maintainer, "MAINTAINER is deprecated: use LABEL org.opencontainers.image.authors"));
    }
}
