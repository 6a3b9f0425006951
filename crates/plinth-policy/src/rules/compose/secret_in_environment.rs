//! PL-COMPOSE-005 `secret-in-environment`: no literal secret in a service's `environment`.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::service::services;
use crate::secrets::{is_reference, is_secret_name};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-005",
        name: "secret-in-environment",
        severity: Severity::Error,
        target: Target::Compose,
        summary: "Variables that hold secrets take their value from `${VAR}` or a `secrets:` file, not a literal",
        doc: DOC,
        equivalents: &[
            "kube-linter:env-var-secret (Kubernetes analogue)",
            "polaris:sensitiveContainerEnvVar (Kubernetes analogue)",
            "trivy:KSV-0109 (Kubernetes analogue)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A variable of a service's `environment` whose name says it holds a secret (a word such as
`PASSWORD`, `PASSWD`, `PASS`, `SECRET`, `TOKEN`, `CREDENTIALS`, `APIKEY`, or `API_KEY`,
`ACCESS_KEY`, `PRIVATE_KEY`, `SIGNING_KEY`, `ENCRYPTION_KEY`, `MASTER_KEY`, `AUTH_KEY`) is given a
literal value. Values that interpolate (`${DB_PASSWORD}`, `${DB_PASSWORD:?set it in .env}`,
`$DB_PASSWORD`), empty values (passed through from the shell) and names ending in `_FILE`,
`_PATH`, `_DIR`, `_URL`, `_HOST`, `_PORT`, `_USER`, `_NAME`, `_ID`, `_TTL`, `_LENGTH`,
`_TIMEOUT`, `_ENABLED` and the like (settings about a secret, not the secret) pass.

## Why
A compose file is committed, copied into tickets and pasted into chat; a password written in it
is a password everyone with the repository has, forever (it stays in the history after it is
removed). The same value tends to reach staging and production because it "works".

## Fix
Interpolate from an untracked `.env` file, failing loudly when it is missing, or mount it as a
compose secret and use the image's `_FILE` variant:

```yaml
services:
  db:
    image: postgres:16.4-alpine
    environment:
      POSTGRES_PASSWORD_FILE: /run/secrets/db_password
    secrets: [db_password]
  api:
    image: example/api:2.3.0
    environment:
      DB_PASSWORD: ${DB_PASSWORD:?write it to .env}
secrets:
  db_password:
    file: ./secrets/db_password.txt
```

## References
- Compose: [Secrets in Compose](https://docs.docker.com/compose/how-tos/use-secrets/)
- Compose: [Interpolation](https://docs.docker.com/reference/compose-file/interpolation/)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes analogues (a secret-looking `env` value in a pod spec).
"#;

/// Whether `value` is a literal (not empty, not interpolated).
fn is_literal(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(text) => !is_reference(text),
        _ => true,
    }
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        let mut report = |pointer: String, name: &str| {
            hits.push(Hit::new(
                pointer,
                format!("service \"{}\" sets the secret {name} to a literal value in `environment`", service.name),
            ));
        };
        match service.get("environment") {
            Some(Value::Object(map)) => {
                for (name, value) in map {
                    if is_secret_name(name) && is_literal(value) {
                        report(service.at(&format!("environment/{}", escape(name))), name);
                    }
                }
            }
            Some(Value::Array(list)) => {
                for (idx, entry) in list.iter().enumerate() {
                    let Some((name, value)) = entry.as_str().and_then(|entry| entry.split_once('=')) else { continue };
                    if is_secret_name(name) && is_literal(&Value::String(value.to_owned())) {
                        report(service.at(&format!("environment/{idx}")), name);
                    }
                }
            }
            _ => {}
        }
    }
}
