//! PL-K8S-031 `autoscaler-replicas`: autoscalers keep two pods or more and room to scale.

use serde_json::Value;

use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// HorizontalPodAutoscalers must set `minReplicas` of 2 or more and a higher `maxReplicas`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-031",
        name: "autoscaler-replicas",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "HorizontalPodAutoscalers set minReplicas of 2 or more and a maxReplicas above it",
        doc: r#"Every HorizontalPodAutoscaler sets `minReplicas` to 2 or more (unset means 1) and a
`maxReplicas` greater than `minReplicas`.

## Why
An autoscaler at `minReplicas: 1` scales a quiet service down to a single pod, and the next
drain or crash is an outage. One whose maximum equals its minimum cannot scale at all.

## Fix
```yaml
spec:
  minReplicas: 2
  maxReplicas: 10
```

## References
- Kubernetes: Horizontal Pod Autoscaling
"#,
        equivalents: &[
            "kube-linter:hpa-minimum-three-replicas",
            "kube-score:horizontalpodautoscaler-replicas",
            "polaris:hpaMinAvailability",
            "polaris:hpaMaxAvailability",
        ],
    },
    check,
};

/// Flags autoscalers with `minReplicas` below 2 or `maxReplicas` not above it.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    if object.kind() != "HorizontalPodAutoscaler" {
        return;
    }
    let min = object.value.pointer("/spec/minReplicas").and_then(Value::as_i64).unwrap_or(1);
    if min < 2 {
        hits.push(Hit::new("/spec/minReplicas", format!("{} may scale down to {min} replica", object.display())));
    }
    if let Some(max) = object.value.pointer("/spec/maxReplicas").and_then(Value::as_i64).filter(|max| *max <= min) {
        hits.push(Hit::new(
            "/spec/maxReplicas",
            format!("{} cannot scale: maxReplicas {max} is not above minReplicas {min}", object.display()),
        ));
    }
}
