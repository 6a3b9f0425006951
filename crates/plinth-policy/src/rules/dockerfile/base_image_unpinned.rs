//! PL-DOCKER-002 `base-image-unpinned`: every base image has a version tag or a digest.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-002",
        name: "base-image-unpinned",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "Every FROM names a version tag other than `latest`, or a digest",
        doc: DOC,
        equivalents: &["hadolint:DL3006", "hadolint:DL3007", "checkov:CKV_DOCKER_7", "trivy:DS-0001"],
    },
    check,
};

const DOC: &str = r#"## What
A `FROM` names an image without a tag, or with the tag `latest`. `scratch`, earlier stages
(`FROM build`) and images given through a build argument (`FROM $BASE`) pass.

## Why
An untagged image is `latest`, which moves: the same Dockerfile builds a different image next
week, with a new major version of the runtime or a new distribution release, and a rebuild to fix
one thing breaks another. A digest (`@sha256:…`) also guards against a re-pushed tag.

## Fix
Pin a version, and better, its digest:

```dockerfile
FROM node:20.15-bookworm-slim@sha256:<digest>
```

## References
- Docker: [FROM](https://docs.docker.com/reference/dockerfile/#from)
- hadolint DL3006 (untagged) and DL3007 (`latest`), Checkov CKV_DOCKER_7, Trivy DS-0001.
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    let mut stages: Vec<String> = Vec::new();
    for from in file.all("FROM") {
        let mut words = from.words();
        let image = words.next().unwrap_or_default();
        if let (Some(as_), Some(alias)) = (words.next(), words.next())
            && as_.eq_ignore_ascii_case("as")
        {
            stages.push(alias.to_ascii_lowercase());
        }
        let earlier = stages.iter().any(|s| s.eq_ignore_ascii_case(image));
        if image.is_empty() || image == "scratch" || image.contains('$') || image.contains('@') || earlier {
            continue;
        }
        let name = image.rsplit('/').next().unwrap_or(image);
        match name.split_once(':') {
            None => hits.push(LineHit::new(from, format!("base image {image} has no tag: it is `latest`"))),
            Some((_, "latest")) => hits.push(LineHit::new(from, format!("base image {image} is `latest`"))),
            Some(_) => {}
        }
    }
}
