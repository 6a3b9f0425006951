//! PL-DOCKER-004 `package-versions-unpinned`: packages installed with apt-get, apk, pip or npm
//! name their versions.

use super::runs;
use crate::dockerfile::{Dockerfile, LineHit};
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-004",
        name: "package-versions-unpinned",
        severity: Severity::Warning,
        target: Target::Dockerfile,
        summary: "`apt-get install`, `apk add`, `pip install` and `npm install` pin each package's version",
        doc: DOC,
        equivalents: &["hadolint:DL3008", "hadolint:DL3018", "hadolint:DL3013", "hadolint:DL3016"],
    },
    check,
};

const DOC: &str = r#"## What
A `RUN` installs packages without a version: `apt-get install curl` (pin with `curl=8.5.0-2`),
`apk add curl` (`curl=8.9.1-r0`), `pip install flask` (`flask==3.0.3`, or a requirements or
constraints file) or `npm install express` (`express@4.19.2`). Local files, paths and URLs pass.

## Why
Without versions the image is whatever the mirrors serve on the day of the build: two builds of
the same commit differ, a rebuild for a security fix brings an unrelated major upgrade, and a bad
release reaches production with no change in the repository to point at.

## Fix
Name the versions (Renovate and Dependabot update pinned versions for you):

```dockerfile
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl=8.5.0-2 \
 && rm -rf /var/lib/apt/lists/*
RUN pip install --no-cache-dir -r requirements.txt
```

## References
- Docker: [best practices: apt-get](https://docs.docker.com/build/building/best-practices/#apt-get)
- hadolint DL3008 (apt-get), DL3018 (apk), DL3013 (pip), DL3016 (npm). Checkov and Trivy have
  no equivalent.
"#;

/// How each package manager installs, which of its options take a value, and whether a word
/// names a pinned version.
struct Manager {
    programs: &'static [&'static str],
    install: &'static [&'static str],
    valued: &'static [&'static str],
    pinned: fn(&str) -> bool,
}

const MANAGERS: &[Manager] = &[
    Manager {
        programs: &["apt-get", "apt"],
        install: &["install"],
        valued: &["-o", "-t", "--target-release"],
        pinned: |p| p.contains('=') || p.contains('/') || p.ends_with(".deb"),
    },
    Manager {
        programs: &["apk"],
        install: &["add"],
        valued: &["-t", "--virtual", "-X", "--repository"],
        pinned: |p| p.contains('='),
    },
    Manager {
        programs: &["pip", "pip3"],
        install: &["install"],
        valued: &[
            "-r",
            "--requirement",
            "-c",
            "--constraint",
            "-e",
            "--editable",
            "-i",
            "--index-url",
            "--extra-index-url",
            "-f",
            "--find-links",
            "-t",
            "--target",
        ],
        pinned: |p| p.contains("==") || p.contains('@') || p.contains('/') || p.starts_with('.') || p.ends_with(".whl"),
    },
    Manager {
        programs: &["npm"],
        install: &["install", "i", "add"],
        valued: &["--prefix", "--registry"],
        pinned: |p| {
            p.rfind('@').is_some_and(|at| at > 0) || p.contains('/') && !p.starts_with('@') || p.starts_with('.')
        },
    },
];

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for (run, commands) in runs(file) {
        for command in &commands {
            for manager in MANAGERS {
                let Some(args) = command.runs(manager.programs, manager.install) else { continue };
                let mut unpinned = Vec::new();
                let mut skip = false;
                for arg in args {
                    if std::mem::take(&mut skip) {
                        continue;
                    }
                    if arg.starts_with('-') {
                        skip = manager.valued.contains(&arg.as_str());
                    } else if !(manager.pinned)(arg) && !arg.starts_with('$') {
                        unpinned.push(arg.as_str());
                    }
                }
                if !unpinned.is_empty() {
                    let program = &command.program()[0];
                    hits.push(LineHit::new(
                        run,
                        format!("{program} installs {} without a version", unpinned.join(", ")),
                    ));
                }
            }
        }
    }
}
