//! PL-DOCKER-008 `secret-in-env-or-arg`: no secret passes through ENV or ARG.

use crate::dockerfile::{Dockerfile, LineHit};
use crate::secrets::is_secret_name;
use crate::{DockerfileRule, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DockerfileRule = DockerfileRule {
    doc: RuleDoc {
        id: "PL-DOCKER-008",
        name: "secret-in-env-or-arg",
        severity: Severity::Error,
        target: Target::Dockerfile,
        summary: "Secrets reach the build through `RUN --mount=type=secret`, never ENV or ARG",
        doc: DOC,
        equivalents: &["trivy:DS-0031", "docker-build-check:SecretsUsedInArgOrEnv"],
    },
    check,
};

const DOC: &str = r#"## What
An `ENV` or `ARG` whose name says it holds a secret (a word such as `PASSWORD`, `PASSWD`,
`PASS`, `SECRET`, `TOKEN`, `CREDENTIALS`, `APIKEY`, or `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`,
`AUTH_KEY`). Names ending in `_FILE`, `_PATH`, `_DIR`, `_URL`, `_NAME`, `_ID` and the like (where
a secret is, or a setting about it, not the secret) pass, and so does an `ENV` with an empty
value. An `ENV` that copies a build argument (`ENV TOKEN=$TOKEN`) is a finding too: the value is
stored in the image all the same.

## Why
`ENV` values are stored in the image's configuration: anyone who can pull the image reads them
with `docker inspect`. `ARG` values, defaults or `--build-arg`, are recorded in the image history
of every layer that uses them. Either way the secret ships with the image to every registry and
node it reaches.

## Fix
Mount the secret for the one `RUN` that needs it, and give it to the container at run time:

```dockerfile
RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci
```

## References
- Docker: [build secrets](https://docs.docker.com/build/building/secrets/),
  [SecretsUsedInArgOrEnv](https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/)
- Trivy DS-0031; hadolint and Checkov have no equivalent (Checkov's secret scanner finds some
  literal values by pattern).
"#;

fn check(file: &Dockerfile, hits: &mut Vec<LineHit>) {
    for instruction in file.instructions.iter().filter(|i| i.keyword == "ENV" || i.keyword == "ARG") {
        for (name, value) in instruction.pairs() {
            let secret = is_secret_name(name);
            let empty = instruction.keyword == "ENV" && value.as_deref().is_none_or(str::is_empty);
            if secret && !empty {
                let message = format!("{} {name} passes a secret into the image", instruction.keyword);
                hits.push(LineHit::new(instruction, message));
            }
        }
    }
}
