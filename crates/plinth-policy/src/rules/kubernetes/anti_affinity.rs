//! PL-K8S-033 `anti-affinity`: replicas are spread across nodes.

use serde_json::{Map, Value};

use super::common::{declared_replicas, is_replicated, pod_labels, selector_matches};
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Workloads of 2+ replicas must spread their pods with anti-affinity or topology constraints.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-033",
        name: "anti-affinity",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Workloads of 2+ replicas spread their pods (pod anti-affinity or topologySpreadConstraints)",
        doc: r#"Every Deployment, StatefulSet and Argo Rollout with `replicas` of 2 or more has, in its
pod template, a `topologySpreadConstraints` entry or a `podAntiAffinity` term (required or
preferred, on `kubernetes.io/hostname`) whose `labelSelector` selects the template's own pods.

## Why
Without a spread rule the scheduler may put every replica on one node or in one zone, and losing
that node takes the whole service down: the replicas buy no availability.

## Fix
```yaml
spec:
  template:
    spec:
      topologySpreadConstraints:
        - maxSkew: 1
          topologyKey: kubernetes.io/hostname
          whenUnsatisfiable: ScheduleAnyway
          labelSelector:
            matchLabels:
              app: api
```

## References
- Kubernetes: Pod Topology Spread Constraints; Assigning Pods to Nodes, "Inter-pod affinity and anti-affinity"
"#,
        equivalents: &[
            "kube-linter:no-anti-affinity",
            "kube-score:deployment-has-host-podantiaffinity",
            "kube-score:statefulset-has-host-podantiaffinity",
            "kube-score:pod-topology-spread-constraints",
            "polaris:topologySpreadConstraint",
        ],
    },
    check,
};

/// Flags replicated workloads of 2+ replicas whose pods nothing spreads.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    let replicas = declared_replicas(object).unwrap_or(1);
    if !is_replicated(object) || replicas < 2 {
        return;
    }
    let (Some(spec), Some(labels)) = (object.pod_spec(), pod_labels(object)) else {
        return;
    };
    let spread = spec.value.get("topologySpreadConstraints").and_then(Value::as_array);
    let spreads = spread.into_iter().flatten().any(|c| selects(c, labels));
    if !spreads && !anti_affine(spec.value, labels) {
        hits.push(Hit::new(
            format!("{}/affinity", spec.pointer),
            format!("{} runs {replicas} replicas with no anti-affinity or topology spread", object.display()),
        ));
    }
}

/// Whether a term's `labelSelector` selects the pods.
fn selects(term: &Value, labels: &Map<String, Value>) -> bool {
    term.get("labelSelector").is_some_and(|selector| selector_matches(selector, labels))
}

/// Whether the pod spec has a host-level anti-affinity term on its own pods.
fn anti_affine(spec: &Value, labels: &Map<String, Value>) -> bool {
    let Some(anti) = spec.pointer("/affinity/podAntiAffinity") else {
        return false;
    };
    let required = anti.get("requiredDuringSchedulingIgnoredDuringExecution").and_then(Value::as_array);
    let preferred = anti.get("preferredDuringSchedulingIgnoredDuringExecution").and_then(Value::as_array);
    let terms =
        required.into_iter().flatten().chain(preferred.into_iter().flatten().filter_map(|p| p.get("podAffinityTerm")));
    terms.into_iter().any(|term| {
        selects(term, labels) && term.get("topologyKey").and_then(Value::as_str) == Some("kubernetes.io/hostname")
    })
}
