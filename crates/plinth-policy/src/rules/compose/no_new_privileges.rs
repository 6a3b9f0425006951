//! PL-COMPOSE-014 `no-new-privileges`: services forbid gaining privileges through setuid binaries.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-014",
        name: "no-new-privileges",
        severity: Severity::Info,
        target: Target::Compose,
        summary: "Every service has `security_opt: [no-new-privileges:true]`",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_20 (Kubernetes analogue)",
            "kube-linter:privilege-escalation-container (Kubernetes analogue)",
            "polaris:privilegeEscalationAllowed (Kubernetes analogue)",
            "trivy:KSV-0001 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service (one with `image:` or `build:`) does not list `no-new-privileges:true` (or
`no-new-privileges`) in `security_opt`.

## Why
Without it, a process can gain privileges by executing a setuid or setcap binary in the image
(`su`, `sudo`, `ping` in older images): a non-root foothold becomes root inside the container,
one step from the host. The flag makes the kernel ignore setuid bits for the container's
processes. It is informational because images that switch users with `su`/`sudo` at start
(rather than `gosu`/`su-exec` or `user:`) stop working with it.

## Fix

```yaml
services:
  api:
    image: example/api:2.3.0
    security_opt:
      - no-new-privileges:true
```

## References
- Docker: [`--security-opt no-new-privileges`](https://docs.docker.com/reference/cli/docker/container/run/#security-opt)
- Linux: `PR_SET_NO_NEW_PRIVS` in `prctl(2)`
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`allowPrivilegeEscalation: false`).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        let set = service.items("security_opt").any(|(_, option)| {
            option.as_str().is_some_and(|option| {
                let option = option.replace('=', ":");
                option == "no-new-privileges" || option == "no-new-privileges:true"
            })
        });
        if service.is_definition() && !set {
            hits.push(Hit::new(
                service.at_or_self("security_opt"),
                format!("service \"{}\" does not set no-new-privileges", service.name),
            ));
        }
    }
}
