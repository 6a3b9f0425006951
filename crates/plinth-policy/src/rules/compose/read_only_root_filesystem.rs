//! PL-COMPOSE-013 `read-only-root-filesystem`: services run with a read-only root filesystem.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-013",
        name: "read-only-root-filesystem",
        severity: Severity::Info,
        target: Target::Compose,
        summary: "Every service sets `read_only: true`",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_22 (Kubernetes analogue)",
            "kube-linter:no-read-only-root-fs (Kubernetes analogue)",
            "polaris:notReadOnlyRootFilesystem (Kubernetes analogue)",
            "trivy:KSV-0014 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service (one with `image:` or `build:`) does not set `read_only: true`.

## Why
With a writable root filesystem an attacker who gets code execution can drop tools, rewrite the
application's own files and persist across process restarts. A read-only root also catches
applications that write state where it will be lost with the container. It is informational
because many images (databases especially) write outside their declared volumes and need `tmpfs`
mounts found by trial.

## Fix
Make the root read-only and give the paths the process writes a `tmpfs` or a volume:

```yaml
services:
  api:
    image: example/api:2.3.0
    read_only: true
    tmpfs:
      - /tmp
```

## References
- Compose file reference: [`read_only`](https://docs.docker.com/reference/compose-file/services/#read_only)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`readOnlyRootFilesystem`).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        if service.is_definition() && !service.flag("read_only") {
            hits.push(Hit::new(
                service.at_or_self("read_only"),
                format!("service \"{}\" has a writable root filesystem", service.name),
            ));
        }
    }
}
