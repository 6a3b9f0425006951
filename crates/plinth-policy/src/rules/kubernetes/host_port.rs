//! PL-K8S-009 `host-port`: containers do not bind ports on the node.

use serde_json::Value;

use super::common::describe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Container ports must not set a `hostPort`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-009",
        name: "host-port",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Container ports do not set hostPort",
        doc: r#"No port of any container sets a non-zero `hostPort`.

## Why
A host port binds the pod to the node's address: it bypasses Services and often NetworkPolicies,
exposes the container on every network the node is on, and limits scheduling to one such pod per
node and port.

## Fix
Drop `hostPort` and reach the pod through a Service (or an Ingress):
```yaml
ports:
  - name: http
    containerPort: 8080
```

## References
- Pod Security Standards, Baseline profile ("HostPorts")
"#,
        equivalents: &["checkov:CKV_K8S_26", "polaris:hostPortSet", "trivy:KSV-0024", "kubescape:C-0044"],
    },
    check,
};

/// Flags every container port with a non-zero `hostPort`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let ports = container.value.get("ports").and_then(Value::as_array);
        for (idx, port) in ports.into_iter().flatten().enumerate() {
            if let Some(host) = port.get("hostPort").and_then(Value::as_i64).filter(|p| *p != 0) {
                hits.push(Hit::new(
                    format!("{}/ports/{idx}/hostPort", container.pointer),
                    format!("{} binds host port {host}", describe(object, &container)),
                ));
            }
        }
    }
}
