//! PL-K8S-037 `secret-in-env`: Secrets reach containers as files rather than environment variables.

use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers should mount Secrets as files instead of reading them into the environment.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-037",
        name: "secret-in-env",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Secrets are mounted as files, not read into environment variables",
        doc: r#"No container (init containers included) reads a Secret into its environment, through
`env[].valueFrom.secretKeyRef` or `envFrom[].secretRef`.

## Why
Environment variables leak more easily than files: they are inherited by every child process,
printed by crash reporters and debug endpoints, shown by `docker inspect` on the node, and a
rotated Secret reaches a running pod only through a file mount.

## Fix
```yaml
containers:
  - name: api
    env:
      - name: DATABASE_PASSWORD_FILE
        value: /run/secrets/db/password
    volumeMounts:
      - name: db
        mountPath: /run/secrets/db
        readOnly: true
volumes:
  - name: db
    secret:
      secretName: api-db
```

## References
- Kubernetes: Good practices for Kubernetes Secrets; Distribute Credentials Securely Using Secrets
"#,
        equivalents: &["checkov:CKV_K8S_35", "kube-linter:read-secret-from-env-var"],
    },
    check,
};

/// Flags every `secretKeyRef` and `envFrom` `secretRef`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let who = describe(object, &container);
        let list = |field: &str| container.value.get(field).and_then(Value::as_array).into_iter().flatten().enumerate();
        for (idx, var) in list("env") {
            if let Some(secret) = var.pointer("/valueFrom/secretKeyRef") {
                let name = var.get("name").and_then(Value::as_str).unwrap_or_default();
                let from = secret.get("name").and_then(Value::as_str).unwrap_or_default();
                hits.push(Hit::new(
                    format!("{}/env/{idx}/valueFrom/secretKeyRef", container.pointer),
                    format!("{who} reads Secret {from} into environment variable {name}"),
                ));
            }
        }
        for (idx, source) in list("envFrom") {
            if let Some(secret) = source.get("secretRef") {
                let from = secret.get("name").and_then(Value::as_str).unwrap_or_default();
                hits.push(Hit::new(
                    format!("{}/envFrom/{idx}/secretRef", container.pointer),
                    format!("{who} reads all of Secret {from} into its environment"),
                ));
            }
        }
    }
}
