//! PL-K8S-016 `security-context`: pods and containers declare a security context.

use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Pod specs and their containers must have a non-empty `securityContext`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-016",
        name: "security-context",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Pod specs and containers declare a non-empty securityContext",
        doc: r#"The pod spec has a non-empty `securityContext`, and so does every container, init
containers included. The other rules check what the contexts say; this one reports the places
where no decision was written down at all.

## Why
Every default of the security context is the permissive one (root, writable root filesystem,
privilege escalation allowed, no seccomp). A missing context means nobody chose.

## Fix
```yaml
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: api
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
```

## References
- Kubernetes: Configure a Security Context for a Pod or Container
"#,
        equivalents: &["checkov:CKV_K8S_29", "checkov:CKV_K8S_30", "trivy:KSV-0118"],
    },
    check,
};

/// Whether a `securityContext` is present and says something.
fn declared(context: Option<&Value>) -> bool {
    context.and_then(Value::as_object).is_some_and(|map| !map.is_empty())
}

/// Flags a pod spec, and each container, without a non-empty `securityContext`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    let Some(spec) = object.pod_spec() else {
        return;
    };
    if !declared(spec.value.get("securityContext")) {
        hits.push(Hit::new(
            format!("{}/securityContext", spec.pointer),
            format!("the pod spec of {} has no securityContext", object.display()),
        ));
    }
    for container in object.containers() {
        if !declared(container.value.get("securityContext")) {
            hits.push(Hit::new(
                format!("{}/securityContext", container.pointer),
                format!("{} has no securityContext", describe(object, &container)),
            ));
        }
    }
}
