//! PL-K8S-042 `rbac-wildcards`: no binding to cluster-admin, no wildcard in RBAC rules.

use serde_json::Value;

use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Bindings must not grant `cluster-admin`; roles must not use `*` for verbs or resources.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-042",
        name: "rbac-wildcards",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "No RoleBinding or ClusterRoleBinding grants cluster-admin; no Role or ClusterRole uses * verbs or resources",
        doc: r#"No RoleBinding or ClusterRoleBinding refers to the `cluster-admin` ClusterRole, and no
Role or ClusterRole has a rule with `*` among its `verbs` or `resources`. Kubernetes' own
`system:` roles and bindings are skipped.

## Why
`cluster-admin` and wildcard rules grant everything, including rights that do not exist yet
when the role is written (new resources, subresources such as `pods/exec`, `escalate` and
`bind` verbs). A compromise of any subject bound to them is a compromise of the cluster.

## Fix
List the verbs and resources the workload uses:
```yaml
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: config-reader
rules:
  - apiGroups: [""]
    resources: [configmaps]
    verbs: [get, list, watch]
```

## References
- Kubernetes: Role Based Access Control Good Practices
"#,
        equivalents: &[
            "checkov:CKV_K8S_49",
            "kube-linter:cluster-admin-role-binding",
            "kube-linter:wildcard-in-rules",
            "polaris:clusterrolebindingClusterAdmin",
            "polaris:rolebindingClusterAdminClusterRole",
            "polaris:rolebindingClusterAdminRole",
            "trivy:KSV-0111",
            "trivy:KSV-0044",
            "trivy:KSV-0045",
            "trivy:KSV-0046",
            "kubescape:C-0035",
        ],
    },
    check,
};

/// Flags bindings to `cluster-admin` and `*` verbs or resources.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    if object.name().starts_with("system:") {
        return;
    }
    match object.kind() {
        "RoleBinding" | "ClusterRoleBinding"
            if object.value.pointer("/roleRef/name").and_then(Value::as_str) == Some("cluster-admin") =>
        {
            hits.push(Hit::new("/roleRef/name", format!("{} grants cluster-admin", object.display())));
        }
        "Role" | "ClusterRole" => {
            let rules = object.value.get("rules").and_then(Value::as_array);
            for (r, rule) in rules.into_iter().flatten().enumerate() {
                for field in ["verbs", "resources"] {
                    let items = rule.get(field).and_then(Value::as_array);
                    if let Some(idx) = items.into_iter().flatten().position(|v| v.as_str() == Some("*")) {
                        hits.push(Hit::new(
                            format!("/rules/{r}/{field}/{idx}"),
                            format!(
                                "{} allows every {} (\"*\") in rule {r}",
                                object.display(),
                                &field[..field.len() - 1]
                            ),
                        ));
                    }
                }
            }
        }
        _ => {}
    }
}
