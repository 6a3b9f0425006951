//! PL-K8S-028 `replicas`: replicated workloads run at least two pods.

use super::KubernetesSetRule;
use super::common::{autoscaler_of, declared_replicas, is_replicated};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Deployments, StatefulSets and Rollouts must run two replicas or more.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-028",
        name: "replicas",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Deployments, StatefulSets and Argo Rollouts run at least 2 replicas",
        doc: r#"Every Deployment, StatefulSet and Argo Rollout sets `spec.replicas` to 2 or more (unset
means 1). A workload scaled by a HorizontalPodAutoscaler among the checked objects is left to
PL-K8S-031, which checks the autoscaler's `minReplicas`; one scaled to 0 on purpose is skipped.

## Why
With one replica every node drain, eviction, crash or rollout is an outage.

## Fix
```yaml
spec:
  replicas: 3
```
(or a HorizontalPodAutoscaler with `minReplicas: 2` or more, and no `replicas` here).

## References
- Kubernetes: Deployments; Production environment best practices
"#,
        equivalents: &[
            "kube-linter:minimum-three-replicas",
            "kube-score:deployment-replicas",
            "polaris:deploymentMissingReplicas",
        ],
    },
    check,
};

/// Flags replicated workloads without an autoscaler that run a single replica.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        if !is_replicated(object) || autoscaler_of(objects, idx).is_some() {
            continue;
        }
        let replicas = declared_replicas(object).unwrap_or(1);
        if replicas == 1 {
            hits.push((idx, Hit::new("/spec/replicas", format!("{} runs a single replica", object.display()))));
        }
    }
}
