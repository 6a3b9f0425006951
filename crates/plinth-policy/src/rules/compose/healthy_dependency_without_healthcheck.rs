//! PL-COMPOSE-006 `healthy-dependency-without-healthcheck`: a service others wait on with
//! `condition: service_healthy` declares a healthcheck.

use serde_json::Value;

use super::service::{dependencies, services};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-006",
        name: "healthy-dependency-without-healthcheck",
        severity: Severity::Error,
        target: Target::Compose,
        summary: "A service waited on with `condition: service_healthy` has a healthcheck",
        doc: DOC,
        equivalents: &[],
    },
    check,
};

const DOC: &str = r#"## What
A service's `depends_on` waits for another service with `condition: service_healthy`, and that
service declares no `healthcheck` (or disables it). The finding points at the `condition`.

## Why
Compose refuses to start the dependent: `docker compose up` fails with "container … has no
healthcheck configured" (unless the image happens to bake in a `HEALTHCHECK`, which this file
cannot show and which a later image may drop). Declaring the check in the compose file makes the
dependency explicit and keeps it working across image upgrades.

## Fix
Give the dependency a healthcheck that proves it serves requests:

```yaml
services:
  db:
    image: postgres:16.4-alpine
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "app"]
      interval: 10s
      timeout: 5s
      retries: 5
  api:
    image: example/api:2.3.0
    depends_on:
      db:
        condition: service_healthy
```

## References
- Compose: [Control startup order](https://docs.docker.com/compose/how-tos/startup-order/)
- Compose file reference: [`healthcheck`](https://docs.docker.com/reference/compose-file/services/#healthcheck)
- None of the twelve policy tools surveyed checks compose files, and this check has no
  Kubernetes or Dockerfile analogue (`CKV_DOCKER_2`, a Dockerfile without `HEALTHCHECK`, is the
  closest; see PL-COMPOSE-007).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for dependency in dependencies(doc) {
        if dependency.condition != "service_healthy" {
            continue;
        }
        let checked = services(doc).find(|s| s.name == dependency.dependency).is_none_or(|s| s.has_healthcheck());
        if !checked {
            hits.push(Hit::new(
                dependency.pointer,
                format!(
                    "service \"{}\" waits for \"{}\" to be healthy, but \"{}\" has no healthcheck",
                    dependency.dependent, dependency.dependency, dependency.dependency
                ),
            ));
        }
    }
}
