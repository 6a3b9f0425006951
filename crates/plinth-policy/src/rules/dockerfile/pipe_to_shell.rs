//! PL-DOCKER-010 `pipe-to-shell`: no RUN pipes a download into a shell.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-010",
        name: "pipe-to-shell",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "No `curl … | sh`: download, verify a checksum, then run",
        doc: DOC,
        equivalents: &[],
    },
    check,
};

const DOC: &str = r#"## What
A `RUN` pipes the output of `curl` or `wget` into a shell or interpreter (`sh`, `bash`, `zsh`,
`ash`, `dash`, `python`, `python3`, `perl`, `ruby`, `node`).

## Why
The script runs as root with whatever the server sent at build time: no version, no checksum, no
review. A compromised or changed installer changes the image with no trace in the repository, and
a truncated download runs half a script.

## Fix
Download to a file, check its digest, then run it:

```dockerfile
RUN curl -fsSLo /tmp/install.sh https://example.com/install-1.4.2.sh \
 && echo "<sha256>  /tmp/install.sh" | sha256sum -c - \
 && sh /tmp/install.sh && rm /tmp/install.sh
```

## References
- Docker: [ADD --checksum](https://docs.docker.com/reference/dockerfile/#add---checksum)
- No equivalent in hadolint, Checkov or Trivy (hadolint DL4006 only asks for `pipefail`).
"#;

/// Programs that run a script read from standard input.
const SHELLS: &[&str] = &["sh", "bash", "zsh", "ash", "dash", "python", "python3", "perl", "ruby", "node"];

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        let piped = commands.windows(2).find_map(|pair| {
            let from = pair[0].program().first()?;
            let into = pair[1].program().first()?;
            let into = into.rsplit('/').next()?;
            (pair[0].piped && (from == "curl" || from == "wget") && SHELLS.contains(&into)).then_some((from, into))
        });
        if let Some((from, into)) = piped {
            hits.push(LineHit::new(run, format!("RUN pipes {from} into {into}")));
        }
    }
}
