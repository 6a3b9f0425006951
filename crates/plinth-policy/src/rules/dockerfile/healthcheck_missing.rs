//! PL-DOCKER-007 `healthcheck-missing`: the image declares a HEALTHCHECK.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-007",
        name: "healthcheck-missing",
        severity: Severity::Info,
        target: Target::Dockerfile,
        summary: "The final stage declares a HEALTHCHECK",
        doc: DOC,
        equivalents: &["checkov:CKV_DOCKER_2", "trivy:DS-0026"],
    },
    check,
};

const DOC: &str = r#"## What
The final stage has no `HEALTHCHECK`, or turns it off with `HEALTHCHECK NONE`.

## Why
Without a health check Docker and compose only know whether the process is alive, not whether it
serves: a hung server stays "up", `depends_on: condition: service_healthy` cannot work, and
rolling updates move on to an instance that never became ready. (Kubernetes ignores
`HEALTHCHECK` and uses probes; the rule is informational for images that only run there.)

## Fix
```dockerfile
HEALTHCHECK --interval=30s --timeout=3s --retries=3 CMD ["/app/healthcheck"]
```

## References
- Docker: [HEALTHCHECK](https://docs.docker.com/reference/dockerfile/#healthcheck)
- Checkov CKV_DOCKER_2, Trivy DS-0026.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    let stage = file.final_stage();
    let Some(from) = stage.first() else { return };
    match stage.iter().rfind(|i| i.keyword == "HEALTHCHECK") {
        None => hits.push(LineHit::new(from, "the final stage has no HEALTHCHECK")),
        Some(check) if check.arguments.eq_ignore_ascii_case("none") => {
            hits.push(LineHit::new(check, "HEALTHCHECK NONE turns the health check off"));
        }
        Some(_) => {}
    }
}
