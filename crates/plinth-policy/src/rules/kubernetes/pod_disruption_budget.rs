//! PL-K8S-029 `pod-disruption-budget`: replicated workloads are covered by a PodDisruptionBudget.

use super::KubernetesSetRule;
use super::common::{is_replicated, minimum_replicas, pod_labels, same_namespace, selector_matches};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Workloads of two replicas or more must be selected by a PodDisruptionBudget.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-029",
        name: "pod-disruption-budget",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Deployments, StatefulSets and Rollouts of 2+ replicas are covered by a PodDisruptionBudget",
        doc: r#"Every Deployment, StatefulSet and Argo Rollout that runs 2 replicas or more (its
autoscaler's `minReplicas` when one among the checked objects scales it) has its pods selected
by a PodDisruptionBudget of the same namespace among the checked objects. A Rollout with a
`workloadRef` is matched by its selector. Single-replica workloads are PL-K8S-028's concern: a
budget for them would only block node drains.

## Why
Node upgrades, autoscaler scale-downs and drains evict pods. Without a budget they may evict every
replica at once.

## Fix
```yaml
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: api
spec:
  maxUnavailable: 1
  selector:
    matchLabels:
      app: api
```

## References
- Kubernetes: Specifying a Disruption Budget for your Application
"#,
        equivalents: &[
            "kube-score:deployment-has-poddisruptionbudget",
            "kube-score:statefulset-has-poddisruptionbudget",
            "polaris:missingPodDisruptionBudget",
        ],
    },
    check,
};

/// Flags replicated workloads of 2+ replicas whose pods no budget selects.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        if !is_replicated(object) || minimum_replicas(objects, idx) < 2 {
            continue;
        }
        let Some(labels) = pod_labels(object) else {
            continue;
        };
        let covered = objects.iter().any(|budget| {
            budget.kind() == "PodDisruptionBudget"
                && same_namespace(budget, object)
                && budget.value.pointer("/spec/selector").is_some_and(|s| selector_matches(s, labels))
        });
        if !covered {
            hits.push((
                idx,
                Hit::new("/metadata/name", format!("no PodDisruptionBudget covers the pods of {}", object.display())),
            ));
        }
    }
}
