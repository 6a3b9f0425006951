//! PL-K8S-036 `env-var-secret`: no credential is written in plain text in env or a ConfigMap.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::secrets::leak;
use crate::{Hit, RuleDoc, Severity, Target};

/// Credentials must come from Secrets, not from literal values in manifests.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-036",
        name: "env-var-secret",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "No credential is written as a literal env value or ConfigMap entry",
        doc: r#"No container (init containers included) sets an environment variable whose name marks a
credential (a word such as `SECRET`, `PASSWORD`, `PASSWD`, `PASS`, `TOKEN`, `APIKEY`,
`CREDENTIALS`, or `API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`, `SECRET_KEY`) to a literal `value`, and
no ConfigMap has such a key in `data`. Names ending in `_FILE`, `_PATH`, `_URL`, `_NAME`, `_ID`,
`_TTL` and the like describe a credential rather than hold one and are skipped, as are values
that are empty or take their content from a `$(VAR)` reference. Any env value or ConfigMap entry holding a URL with a literal
password (`scheme://user:password@host`) is a finding whatever its name.

## Why
Manifests live in Git, CI logs, `kubectl get -o yaml` output and backups: a literal credential
there is readable by everyone who can read any of them, and cannot be rotated without a commit.
Secrets can be encrypted at rest, limited by RBAC and supplied by an external secret store.

## Fix
```yaml
env:
  - name: DATABASE_PASSWORD
    valueFrom:
      secretKeyRef:
        name: api-secrets
        key: DATABASE_PASSWORD
```

## References
- Kubernetes: Good practices for Kubernetes Secrets
- OWASP Kubernetes Top 10, K08 "Secrets Management Failures"
"#,
        equivalents: &[
            "kube-linter:env-var-secret",
            "polaris:sensitiveContainerEnvVar",
            "polaris:sensitiveConfigmapContent",
            "trivy:KSV-0109",
            "trivy:KSV-01010",
            "kubescape:C-0012",
        ],
    },
    check,
};

/// Flags literal credentials in container env values and ConfigMap data.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let env = container.value.get("env").and_then(Value::as_array);
        for (idx, var) in env.into_iter().flatten().enumerate() {
            let name = var.get("name").and_then(Value::as_str).unwrap_or_default();
            let Some(value) = var.get("value").and_then(Value::as_str) else {
                continue;
            };
            if let Some(what) = leak(name, value) {
                hits.push(Hit::new(
                    format!("{}/env/{idx}/value", container.pointer),
                    format!("{} sets {name} to a literal {what}", describe(object, &container)),
                ));
            }
        }
    }
    if object.kind() == "ConfigMap" {
        let data = object.value.get("data").and_then(Value::as_object);
        for (key, value) in data.into_iter().flatten() {
            if let Some(what) = leak(key, value.as_str().unwrap_or_default()) {
                hits.push(Hit::new(
                    format!("/data/{}", escape(key)),
                    format!("{} holds {key}, a literal {what}; use a Secret", object.display()),
                ));
            }
        }
    }
}
