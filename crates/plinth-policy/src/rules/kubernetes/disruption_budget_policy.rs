//! PL-K8S-030 `disruption-budget-policy`: PodDisruptionBudgets set a policy that allows evictions.

use serde_json::Value;

use super::KubernetesSetRule;
use super::common::{is_replicated, minimum_replicas, pod_labels, same_namespace, selector_matches};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Budgets must set `minAvailable` or `maxUnavailable` and leave room for one eviction.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-030",
        name: "disruption-budget-policy",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "PodDisruptionBudgets set a policy that allows at least one eviction, and let unhealthy pods be evicted",
        doc: r#"Every PodDisruptionBudget sets `minAvailable` or `maxUnavailable`, and allows at least
one voluntary eviction: `maxUnavailable` is not `0` or `0%`, `minAvailable` is not `100%`, and an
integer `minAvailable` is below the replicas of every Deployment, StatefulSet or Rollout among the
checked objects whose pods it selects (the autoscaler's `minReplicas` when one scales it). It
also sets `unhealthyPodEvictionPolicy: AlwaysAllow`.

## Why
A budget that allows no disruption blocks every node drain: cluster upgrades stall, the cluster
autoscaler cannot remove nodes, and operators end up deleting the budget by hand during an
incident. A budget without a policy is rejected or meaningless. With the default
`IfHealthyBudget`, pods that never become ready (a crash loop, a bad config) count against the
budget and cannot be evicted either, so one broken rollout blocks the whole node's drain.

## Fix
```yaml
spec:
  maxUnavailable: 1
  unhealthyPodEvictionPolicy: AlwaysAllow
  selector:
    matchLabels:
      app: api
```

## References
- Kubernetes: Specifying a Disruption Budget for your Application
- kube-linter pdb-max-unavailable, pdb-min-available, pdb-unhealthy-pod-eviction-policy; Polaris
  pdbDisruptionsIsZero
"#,
        equivalents: &[
            "kube-linter:pdb-max-unavailable",
            "kube-linter:pdb-min-available",
            "kube-linter:pdb-unhealthy-pod-eviction-policy",
            "kube-score:poddisruptionbudget-has-policy",
            "polaris:pdbDisruptionsIsZero",
            "polaris:pdbMinAvailableGreaterThanHPAMinReplicas",
        ],
    },
    check,
};

/// Flags budgets without a policy, or whose policy forbids every eviction.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, budget) in objects.iter().enumerate().filter(|(_, o)| o.kind() == "PodDisruptionBudget") {
        let name = budget.display();
        let min = budget.value.pointer("/spec/minAvailable").filter(|v| !v.is_null());
        let max = budget.value.pointer("/spec/maxUnavailable").filter(|v| !v.is_null());
        match (min, max) {
            (None, None) => {
                hits.push((idx, Hit::new("/spec", format!("{name} sets neither minAvailable nor maxUnavailable"))))
            }
            (_, Some(max)) if is_zero(max) => {
                hits.push((
                    idx,
                    Hit::new("/spec/maxUnavailable", format!("{name} allows no pod to be evicted (maxUnavailable 0)")),
                ));
            }
            (Some(Value::String(min)), _) if min.trim() == "100%" => {
                hits.push((
                    idx,
                    Hit::new("/spec/minAvailable", format!("{name} allows no pod to be evicted (minAvailable 100%)")),
                ));
            }
            (Some(min), _) => {
                let Some(min) = min.as_i64() else { continue };
                for (workload, replicas) in selected(objects, budget) {
                    if min >= replicas {
                        hits.push((
                            idx,
                            Hit::new(
                                "/spec/minAvailable",
                                format!(
                                    "{name} requires {min} available pods of {}, which runs {replicas}: no pod can be evicted",
                                    objects[workload].display()
                                ),
                            ),
                        ));
                    }
                }
            }
            _ => {}
        }
        if budget.value.pointer("/spec/unhealthyPodEvictionPolicy").and_then(Value::as_str) != Some("AlwaysAllow") {
            hits.push((
                idx,
                Hit::new(
                    "/spec/unhealthyPodEvictionPolicy",
                    format!("{name} does not set unhealthyPodEvictionPolicy: AlwaysAllow, so unhealthy pods can block drains"),
                ),
            ));
        }
    }
}

/// Whether `maxUnavailable` is `0` or `0%`.
fn is_zero(value: &Value) -> bool {
    value.as_i64() == Some(0) || value.as_str().is_some_and(|s| s.trim().trim_end_matches('%') == "0")
}

/// The replicated workloads whose pods `budget` selects, with their minimum replica counts.
fn selected(objects: &[Object<'_>], budget: &Object<'_>) -> Vec<(usize, i64)> {
    let Some(selector) = budget.value.pointer("/spec/selector") else {
        return Vec::new();
    };
    objects
        .iter()
        .enumerate()
        .filter(|(_, o)| is_replicated(o) && same_namespace(o, budget))
        .filter(|(_, o)| pod_labels(o).is_some_and(|labels| selector_matches(selector, labels)))
        .map(|(idx, _)| (idx, minimum_replicas(objects, idx)))
        .collect()
}
