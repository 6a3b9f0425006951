//! PL-COMPOSE-007 `healthcheck-missing`: every long-running service declares a healthcheck.

use serde_json::Value;

use super::service::{is_long_running, services, waited_for};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-007",
        name: "healthcheck-missing",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "Every long-running service has a healthcheck",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_DOCKER_2 (Dockerfile analogue)",
            "trivy:DS-0026 (Dockerfile analogue)",
            "checkov:CKV_K8S_8 (Kubernetes analogue: liveness probe)",
            "checkov:CKV_K8S_9 (Kubernetes analogue: readiness probe)",
            "kube-score:container-probes (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A long-running service declares no `healthcheck` (or disables it). One-shot services are exempt:
those another service waits for with `condition: service_completed_successfully` and those with
`restart: "no"`. So are fragments without `image:` or `build:` (override files). A service
others wait for with `condition: service_healthy` is reported by PL-COMPOSE-006 instead.

## Why
Without a healthcheck, `docker compose ps` shows a wedged process as "running", `restart:`
policies never fire for a hung server (only for an exited one), and nothing can wait for the
service to be ready. The check also documents how to tell that the service works.

## Fix
Declare a check that exercises the service, with a start period for slow boots:

```yaml
services:
  web:
    image: nginx:1.27-alpine
    healthcheck:
      test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1/healthz"]
      interval: 10s
      timeout: 3s
      retries: 3
      start_period: 5s
```

## References
- Compose file reference: [`healthcheck`](https://docs.docker.com/reference/compose-file/services/#healthcheck)
- Dockerfile reference: [`HEALTHCHECK`](https://docs.docker.com/reference/dockerfile/#healthcheck)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Dockerfile (`HEALTHCHECK`) and Kubernetes (probes) analogues.
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    let one_shots = waited_for(doc, "service_completed_successfully");
    let waited_healthy = waited_for(doc, "service_healthy");
    for service in services(doc) {
        if is_long_running(&service, &one_shots) && !waited_healthy.contains(service.name) && !service.has_healthcheck()
        {
            let pointer = service.at_or_self("healthcheck");
            hits.push(Hit::new(pointer, format!("service \"{}\" has no healthcheck", service.name)));
        }
    }
}
