//! PL-K8S-036 `env-var-secret`: no credential is written in plain text in env or a ConfigMap.

use plinth_spec::yaml::escape;
use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Words of a variable or key name that mark a credential.
const SENSITIVE: &[&str] =
    &["SECRET", "PASSWORD", "PASSWD", "PASS", "TOKEN", "APIKEY", "CREDENTIAL", "CREDENTIALS", "PRIVATEKEY"];

/// Pairs of adjacent words that mark a credential (`API_KEY`, `ACCESS_KEY`, `PRIVATE_KEY`).
const SENSITIVE_PAIRS: &[(&str, &str)] = &[("API", "KEY"), ("ACCESS", "KEY"), ("PRIVATE", "KEY"), ("SECRET", "KEY")];

/// Last words of names that hold something about a credential, not the credential itself.
const NOT_A_SECRET: &[&str] = &[
    "FILE", "PATH", "DIR", "NAME", "TTL", "EXPIRY", "LENGTH", "URL", "ENDPOINT", "HEADER", "TYPE", "ID", "ENABLED",
    "REF",
];

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
that are only `$(VAR)` references. Any env value or ConfigMap entry holding a URL with a literal
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

/// What a literal `value` under `name` leaks, if anything.
fn leak(name: &str, value: &str) -> Option<&'static str> {
    if value.trim().is_empty() || only_references(value) {
        return None;
    }
    if url_password(value) {
        return Some("URL with a password");
    }
    sensitive_name(name).then_some("credential")
}

/// Whether a name marks a credential.
fn sensitive_name(name: &str) -> bool {
    let words: Vec<String> =
        name.split(['_', '-', '.']).filter(|w| !w.is_empty()).map(str::to_ascii_uppercase).collect();
    if words.last().is_some_and(|last| NOT_A_SECRET.contains(&last.as_str())) {
        return false;
    }
    words.iter().any(|w| SENSITIVE.contains(&w.as_str()))
        || words.windows(2).any(|pair| SENSITIVE_PAIRS.contains(&(pair[0].as_str(), pair[1].as_str())))
}

/// Whether a value is nothing but `$(VAR)` references (filled in from other variables).
fn only_references(value: &str) -> bool {
    let mut rest = value.trim();
    while let Some(tail) = rest.strip_prefix("$(") {
        let Some(end) = tail.find(')') else {
            return false;
        };
        rest = tail[end + 1..].trim_start();
    }
    rest.is_empty()
}

/// Whether a value holds a URL with a literal password (`scheme://user:password@host`).
fn url_password(value: &str) -> bool {
    let Some((_, rest)) = value.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let Some((userinfo, _)) = authority.rsplit_once('@') else {
        return false;
    };
    let Some((_, password)) = userinfo.split_once(':') else {
        return false;
    };
    !password.is_empty() && !only_references(password)
}

#[cfg(test)]
mod tests {
    use super::leak;

    #[test]
    fn credentials_by_name_and_in_urls() {
        assert!(leak("DB_PASSWORD", "hunter2").is_some());
        assert!(leak("STRIPE_API_KEY", "sk_live_x").is_some());
        assert!(leak("PASSWORD_FILE", "/run/secrets/db").is_none());
        assert!(leak("TOKEN_URL", "https://auth/token").is_none());
        assert!(leak("REDIS_URL", "rediss://:$(REDIS_PASSWORD)@redis:6379").is_none());
        assert!(leak("DATABASE_URL", "postgres://app:s3cret@db/app").is_some());
        assert!(leak("PORT", "3000").is_none());
        assert!(leak("DB_PASSWORD", "$(FROM_SECRET)").is_none());
    }
}
