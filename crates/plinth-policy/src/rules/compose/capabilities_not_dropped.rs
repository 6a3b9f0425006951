//! PL-COMPOSE-009 `capabilities-not-dropped`: every service drops all capabilities first.

use serde_json::Value;

use super::service::services;
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-009",
        name: "capabilities-not-dropped",
        severity: Severity::Info,
        target: Target::Compose,
        summary: "Every service has `cap_drop: [ALL]`",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_37 (Kubernetes analogue)",
            "polaris:insecureCapabilities (Kubernetes analogue)",
            "trivy:KSV-0003 (Kubernetes analogue)",
            "kubescape:C-0046 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service (one with `image:` or `build:`) does not list `ALL` in `cap_drop`.

## Why
Docker's default set keeps fourteen capabilities, among them `NET_RAW` (forged packets, ARP
spoofing on the bridge), `CHOWN`, `DAC_OVERRIDE`, `SETUID`/`SETGID` and `MKNOD`. Most
applications use none of them; dropping all and adding back the few needed removes whole
classes of post-exploitation steps. It is informational because official images of databases
and web servers often need `CHOWN`, `SETUID` and `SETGID` to switch to their own user at start,
so the list to add back has to be found per image.

## Fix

```yaml
services:
  api:
    image: example/api:2.3.0
    user: "10001:10001"
    cap_drop: [ALL]
  db:
    image: postgres:16.4-alpine
    cap_drop: [ALL]
    cap_add: [CHOWN, DAC_OVERRIDE, FOWNER, SETUID, SETGID]
```

## References
- Docker: [Linux capabilities](https://docs.docker.com/engine/containers/run/#runtime-privilege-and-linux-capabilities)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (`capabilities.drop: [ALL]`).
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        if !service.is_definition() {
            continue;
        }
        let drops_all = service.items("cap_drop").any(|(_, cap)| {
            cap.as_str().is_some_and(|cap| cap.eq_ignore_ascii_case("ALL") || cap.eq_ignore_ascii_case("CAP_ALL"))
        });
        if !drops_all {
            let pointer = service.at_or_self("cap_drop");
            hits.push(Hit::new(pointer, format!("service \"{}\" does not drop all capabilities", service.name)));
        }
    }
}
