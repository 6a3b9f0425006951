//! PL-K8S-039 `default-namespace-account`: objects avoid the `default` namespace and service account.

use serde_json::Value;

use super::common::{namespace, pod_field};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Objects must not live in the `default` namespace; pods must not run as the `default` account.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-039",
        name: "default-namespace-account",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Objects are not in the default namespace, and pods do not run as the default ServiceAccount",
        doc: r#"No object sets `metadata.namespace: default`; every pod spec names a
`serviceAccountName` other than `default`; and a ServiceAccount named `default` sets
`automountServiceAccountToken: false`. (An object without a namespace is not a finding: kustomize,
Helm or `kubectl apply -n` usually set it.)

## Why
The `default` namespace is where everything lands without a decision: shared with stray objects,
rarely covered by quotas, network policies or RBAC boundaries. The `default` service account is
shared by every pod of its namespace, so rights granted to one workload are granted to all.

## Fix
```yaml
metadata:
  name: api
  namespace: shop
spec:
  template:
    spec:
      serviceAccountName: api
```

## References
- Kubernetes: Namespaces; Configure Service Accounts for Pods
"#,
        equivalents: &[
            "checkov:CKV_K8S_21",
            "checkov:CKV_K8S_41",
            "checkov:CKV_K8S_42",
            "kube-linter:use-namespace",
            "kube-linter:default-service-account",
            "trivy:KSV-0110",
            "kubescape:C-0061",
        ],
    },
    check,
};

/// Flags the `default` namespace, pods on the `default` account, and a token-mounting `default` account.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    if namespace(object) == "default" {
        hits.push(Hit::new("/metadata/namespace", format!("{} is in the default namespace", object.display())));
    }
    if let Some(spec) = object.pod_spec() {
        let account = pod_field(object, "serviceAccountName").or_else(|| pod_field(object, "serviceAccount"));
        match account {
            Some((name, _)) if name.as_str().is_some_and(|n| !n.is_empty() && n != "default") => {}
            Some((_, pointer)) => {
                hits.push(Hit::new(pointer, format!("{} runs as the default ServiceAccount", object.display())))
            }
            None => hits.push(Hit::new(
                format!("{}/serviceAccountName", spec.pointer),
                format!("{} runs as the default ServiceAccount (no serviceAccountName)", object.display()),
            )),
        }
    }
    let mounts = object.value.get("automountServiceAccountToken").and_then(Value::as_bool) != Some(false);
    if object.kind() == "ServiceAccount" && object.name() == "default" && mounts {
        hits.push(Hit::new(
            "/automountServiceAccountToken",
            format!("{} is used by every pod without an account of its own and mounts its token", object.display()),
        ));
    }
}
