//! PL-DOCKER-003 `add-instead-of-copy`: files are copied with COPY; ADD only unpacks local archives.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-003",
        name: "add-instead-of-copy",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "Use COPY for files and a checked download for URLs; ADD only for local archives",
        doc: DOC,
        equivalents: &["hadolint:DL3020", "checkov:CKV_DOCKER_4", "trivy:DS-0005"],
    },
    check,
};

const DOC: &str = r#"## What
An `ADD` fetches a URL without `--checksum`, or copies local files that are not a tar archive
(which `COPY` does the same way). `ADD` of a local `.tar`, `.tar.gz`, `.tgz`, `.tar.bz2` or
`.tar.xz`, which it unpacks, passes.

## Why
`ADD` does more than it says: it downloads URLs (with no verification of what came back) and
silently unpacks archives. A URL that changes or is hijacked changes the image with no diff in the
repository; a file renamed to `.tar` changes how it is copied.

## Fix
Use `COPY` for files; download with a checksum:

```dockerfile
COPY app/ /app/
ADD --checksum=sha256:<digest> https://example.com/tool.tar.gz /tmp/
```

## References
- Docker: [ADD](https://docs.docker.com/reference/dockerfile/#add),
  [best practices](https://docs.docker.com/build/building/best-practices/#add-or-copy)
- hadolint DL3020, Checkov CKV_DOCKER_4, Trivy DS-0005.
"#;

/// What `ADD` unpacks.
const ARCHIVES: &[&str] = &[".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst"];

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for add in file.all("ADD") {
        let words: Vec<&str> = add.words().collect();
        let sources = &words[..words.len().saturating_sub(1)];
        let url = sources.iter().find(|s| s.contains("://") || s.starts_with("git@"));
        match url {
            Some(url) if add.option("checksum").is_none() => {
                hits.push(LineHit::new(add, format!("ADD downloads {url} without --checksum")));
            }
            Some(_) => {}
            None if !sources.iter().all(|s| ARCHIVES.iter().any(|a| s.to_ascii_lowercase().ends_with(a))) => {
                hits.push(LineHit::new(add, "ADD copies local files: use COPY"));
            }
            None => {}
        }
    }
}
