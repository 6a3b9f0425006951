//! PL-COMPOSE-004 `image-tag`: every image names a version, not `latest` or nothing.

use serde_json::Value;

use super::service::{image, services};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-004",
        name: "image-tag",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "Every `image:` has a version tag or digest other than `latest`",
        doc: DOC,
        equivalents: &[
            "hadolint:DL3006 (Dockerfile analogue: untagged base image)",
            "hadolint:DL3007 (Dockerfile analogue: `latest` base image)",
            "checkov:CKV_K8S_14 (Kubernetes analogue)",
            "kube-linter:latest-tag (Kubernetes analogue)",
            "kube-score:container-image-tag (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service's `image:` has no tag (which means `latest`) or the tag `latest`. A service with only
`build:` is fine: compose builds it from source. An image named wholly by interpolation
(`image: ${IMAGE}`) cannot be judged and is skipped.

## Why
`latest` is whatever was pushed last: two machines running the same compose file get different
software, `docker compose pull` upgrades major versions without warning (a new PostgreSQL major
refuses the old data directory), and a rollback has nothing to roll back to.

## Fix
Name the version, or pin the digest as well:

```yaml
services:
  db:
    image: postgres:16.4-alpine
  cache:
    image: redis:7.4.1-alpine@sha256:<digest of that tag>
```

## References
- Docker: [Image tags](https://docs.docker.com/reference/cli/docker/image/tag/)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Dockerfile `FROM` and Kubernetes container-image analogues.
"#;

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        let Some(image) = image(&service) else { continue };
        let problem = match image.tag {
            _ if image.digest => continue,
            None => "has no tag (it means `latest`)",
            Some("latest") => "uses the tag `latest`",
            Some(_) => continue,
        };
        hits.push(Hit::new(
            service.at("image"),
            format!("image {} of service \"{}\" {problem}", image.repository, service.name),
        ));
    }
}
