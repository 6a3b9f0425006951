//! PL-COMPOSE-012 `restart-policy-missing`: every long-running service says how to restart.

use serde_json::Value;

use super::service::{is_long_running, services, waited_for};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-012",
        name: "restart-policy-missing",
        severity: Severity::Info,
        target: Target::Compose,
        summary: "Every long-running service sets `restart` (or `deploy.restart_policy`)",
        doc: DOC,
        equivalents: &[],
    },
    check,
};

const DOC: &str = r#"## What
A long-running service (see PL-COMPOSE-007: not a one-shot task, not a fragment of an override
file) sets neither `restart` nor `deploy.restart_policy`.

## Why
The default is `no`: a service that crashes, or every service after the Docker daemon or the
machine restarts, stays down until someone runs `docker compose up` again. Saying
`unless-stopped` (or `on-failure` for batch-like workers) makes the intent explicit.

## Fix

```yaml
services:
  api:
    image: example/api:2.3.0
    restart: unless-stopped
```

## References
- Compose file reference: [`restart`](https://docs.docker.com/reference/compose-file/services/#restart)
- Docker: [Start containers automatically](https://docs.docker.com/engine/containers/start-containers-automatically/)
- None of the twelve policy tools surveyed checks compose files, and Kubernetes (whose
  controllers always restart) has no analogue.
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    let one_shots = waited_for(doc, "service_completed_successfully");
    for service in services(doc) {
        let has_policy = service.get("restart").is_some()
            || service.get("deploy").and_then(|deploy| deploy.get("restart_policy")).is_some();
        if is_long_running(&service, &one_shots) && !has_policy {
            hits.push(Hit::new(service.pointer(), format!("service \"{}\" has no restart policy", service.name)));
        }
    }
}
