//! PL-DOCKER-005 `package-cache-kept`: package installs leave no cache in the layer.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-005",
        name: "package-cache-kept",
        severity: Severity::Info,
        target: Target::Dockerfile,
        summary: "`apt-get install` removes the apt lists, `apk add` uses `--no-cache`, `pip install` `--no-cache-dir`",
        doc: DOC,
        equivalents: &["hadolint:DL3009", "hadolint:DL3019", "hadolint:DL3042", "trivy:DS-0025"],
    },
    check,
};

const DOC: &str = r#"## What
A `RUN` installs packages and leaves the package manager's cache in the layer: `apt-get install`
without `rm -rf /var/lib/apt/lists/*` in the same `RUN`, `apk add` without `--no-cache`,
`pip install` without `--no-cache-dir`. A `RUN --mount=type=cache` keeps the cache out of the
layer and passes.

## Why
The cache is tens of megabytes per layer that every node pulls and stores, and stale package lists
baked into the image make a later `apt-get install` in a child image install outdated versions.
Deleting the cache in a later `RUN` does not shrink the earlier layer.

## Fix
Clean up in the same `RUN`:

```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl=8.5.0-2 \
 && rm -rf /var/lib/apt/lists/*
RUN apk add --no-cache curl=8.9.1-r0
RUN pip install --no-cache-dir -r requirements.txt
```

## References
- Docker: [best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
- hadolint DL3009 (apt lists), DL3019 (apk), DL3042 (pip); Trivy DS-0025 (apk).
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        if run.option("mount").is_some_and(|m| m.contains("type=cache")) {
            continue;
        }
        let cleans = run.arguments.contains("/var/lib/apt/lists");
        for command in &commands {
            let has = |flag: &str| command.words.iter().any(|w| w == flag);
            if command.runs(&["apt-get", "apt"], &["install"]).is_some() && !cleans {
                hits.push(LineHit::new(run, "apt-get install keeps /var/lib/apt/lists: remove it in the same RUN"));
            }
            if command.runs(&["apk"], &["add"]).is_some() && !has("--no-cache") {
                hits.push(LineHit::new(run, "apk add keeps its cache: add --no-cache"));
            }
            if command.runs(&["pip", "pip3"], &["install"]).is_some() && !has("--no-cache-dir") {
                hits.push(LineHit::new(run, "pip install keeps its cache: add --no-cache-dir"));
            }
        }
    }
}
