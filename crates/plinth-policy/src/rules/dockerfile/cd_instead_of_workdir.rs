//! PL-DOCKER-011 `cd-instead-of-workdir`: directories are changed with WORKDIR, not `cd`.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-011",
        name: "cd-instead-of-workdir",
        severity: Severity::Info,
        target: Target::Dockerfile,
        summary: "Use WORKDIR to change directory, not `RUN cd`",
        doc: DOC,
        equivalents: &["hadolint:DL3003", "trivy:DS-0013"],
    },
    check,
};

const DOC: &str = r#"## What
A `RUN` changes directory with `cd`.

## Why
A `cd` lasts for one `RUN`; the next instruction starts in `WORKDIR` again, which is easy to
forget and makes relative paths in later instructions wrong. `WORKDIR` is explicit, creates the
directory and applies to every later instruction, `CMD` and `ENTRYPOINT` included.

## Fix
```dockerfile
WORKDIR /src
RUN make
```

## References
- Docker: [WORKDIR](https://docs.docker.com/reference/dockerfile/#workdir)
- hadolint DL3003, Trivy DS-0013.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        if commands.iter().any(|c| c.program().first().is_some_and(|p| p == "cd")) {
            hits.push(LineHit::new(run, "RUN uses cd: use WORKDIR"));
        }
    }
}
