//! PL-DOCKER-006 `apt-install-recommends`: `apt-get install` uses `--no-install-recommends`.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-006",
        name: "apt-install-recommends",
        severity: Severity::Info,
        target: Target::Dockerfile,
        summary: "`apt-get install` passes `--no-install-recommends`",
        doc: DOC,
        equivalents: &["hadolint:DL3015", "trivy:DS-0029"],
    },
    check,
};

const DOC: &str = r#"## What
An `apt-get install` without `--no-install-recommends` (or `-o APT::Install-Recommends=false`).

## Why
apt installs every "recommended" package too: documentation, extra tools, sometimes whole
interpreters. They make the image larger and give an attacker more to work with, and every one of
them is a package whose CVEs the image now carries.

## Fix
```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl=8.5.0-2 \
 && rm -rf /var/lib/apt/lists/*
```

## References
- Docker: [best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
- hadolint DL3015, Trivy DS-0029.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        for command in &commands {
            if command.runs(&["apt-get", "apt"], &["install"]).is_none() {
                continue;
            }
            let skips = |w: &String| w == "--no-install-recommends" || w.contains("Install-Recommends=false");
            if !command.words.iter().any(skips) {
                hits.push(LineHit::new(run, "apt-get install without --no-install-recommends"));
            }
        }
    }
}
