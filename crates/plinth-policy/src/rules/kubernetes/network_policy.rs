//! PL-K8S-034 `network-policy`: every pod is isolated by NetworkPolicies, both ways.

use serde_json::Value;

use super::KubernetesSetRule;
use super::common::{pod_labels, same_namespace, selector_matches};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// The pods of every workload must be selected by NetworkPolicies for ingress and for egress.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-034",
        name: "network-policy",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Every workload's pods are selected by NetworkPolicies restricting ingress and egress",
        doc: r#"The pods of every workload (Pod, Deployment, StatefulSet, DaemonSet, Job, CronJob,
ReplicaSet, Argo Rollout) are selected by a NetworkPolicy of the same namespace, among the
checked objects, whose `policyTypes` include `Ingress`, and by one whose `policyTypes` include
`Egress`. Without `policyTypes`, a policy restricts ingress, and egress too if it has `egress`
rules. A namespace-wide `podSelector: {}` (a default deny) selects every pod.

## Why
Pods accept connections from, and open them to, anything in the cluster by default: one
compromised pod can reach every database and every internal API. Egress matters as much as
ingress: it is how data leaves and how a foothold calls home.

## Fix
A default deny for the namespace, then what each service needs:
```yaml
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
```

## References
- Kubernetes: Network Policies
"#,
        equivalents: &[
            "checkov:CKV2_K8S_6",
            "kube-linter:non-isolated-pod",
            "kube-score:pod-networkpolicy",
            "polaris:missingNetworkPolicy",
            "kubescape:C-0260",
            "kubescape:C-0030",
        ],
    },
    check,
};

/// Flags workloads whose pods no policy isolates for ingress, egress or both.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        if object.pod_spec().is_none() {
            continue;
        }
        let Some(labels) = pod_labels(object) else {
            continue;
        };
        let policies: Vec<&Object<'_>> = objects
            .iter()
            .filter(|p| p.kind() == "NetworkPolicy" && same_namespace(p, object))
            .filter(|p| p.value.pointer("/spec/podSelector").is_some_and(|s| selector_matches(s, labels)))
            .collect();
        let missing: Vec<&str> = ["Ingress", "Egress"]
            .into_iter()
            .filter(|direction| !policies.iter().any(|p| restricts(p, direction)))
            .collect();
        if !missing.is_empty() {
            hits.push((
                idx,
                Hit::new(
                    "/metadata/name",
                    format!(
                        "no NetworkPolicy restricts {} of the pods of {}",
                        missing.join(" or ").to_lowercase(),
                        object.display()
                    ),
                ),
            ));
        }
    }
}

/// Whether a NetworkPolicy restricts `direction` (`Ingress` or `Egress`) for the pods it selects.
fn restricts(policy: &Object<'_>, direction: &str) -> bool {
    match policy.value.pointer("/spec/policyTypes").and_then(Value::as_array) {
        Some(types) => types.iter().any(|t| t.as_str() == Some(direction)),
        None => direction == "Ingress" || policy.value.pointer("/spec/egress").is_some(),
    }
}
