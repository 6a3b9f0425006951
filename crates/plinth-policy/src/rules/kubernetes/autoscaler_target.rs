//! PL-K8S-032 `autoscaler-target`: autoscalers target a workload that leaves replicas to them.

use serde_json::Value;

use super::KubernetesSetRule;
use super::common::{autoscaler_of, declared_replicas, same_namespace};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// An autoscaler's target must exist, and must not declare `spec.replicas`.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-032",
        name: "autoscaler-target",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "HorizontalPodAutoscalers target an existing workload, which does not set replicas itself",
        doc: r#"Every HorizontalPodAutoscaler's `scaleTargetRef` names an object (same kind, name and
namespace) among the checked objects, and a workload scaled by an autoscaler does not set
`spec.replicas`. Argo Rollouts are targets like Deployments.

## Why
An autoscaler whose target does not exist does nothing, silently. A target that also declares
`replicas` is reset to that number by every `kubectl apply` or GitOps sync, undoing the
autoscaler's decision: a service scaled up under load drops back in the middle of the peak.

## Fix
Remove `replicas` from the workload and let the autoscaler's `minReplicas` set the floor:
```yaml
kind: Deployment
spec:
  # no replicas: the HorizontalPodAutoscaler owns the count
  selector:
    matchLabels:
      app: api
```

## References
- Kubernetes: Horizontal Pod Autoscaling, "Migrating Deployments and StatefulSets to horizontal autoscaling"
"#,
        equivalents: &[
            "kube-linter:dangling-horizontalpodautoscaler",
            "kube-score:horizontalpodautoscaler-has-target",
            "kube-score:deployment-targeted-by-hpa-does-not-have-replicas-configured",
            "kubescape:C-0300",
        ],
    },
    check,
};

/// Flags dangling autoscalers, and autoscaled workloads that set `replicas`.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, object) in objects.iter().enumerate() {
        if object.kind() == "HorizontalPodAutoscaler" {
            let field =
                |name: &str| object.value.pointer(&format!("/spec/scaleTargetRef/{name}")).and_then(Value::as_str);
            let (kind, name) = (field("kind").unwrap_or_default(), field("name").unwrap_or_default());
            let found = objects.iter().any(|o| o.kind() == kind && o.name() == name && same_namespace(o, object));
            if !found {
                hits.push((
                    idx,
                    Hit::new(
                        "/spec/scaleTargetRef",
                        format!("{} targets {kind}/{name}, which is not among the checked objects", object.display()),
                    ),
                ));
            }
        } else if let Some(hpa) = autoscaler_of(objects, idx) {
            if let Some(replicas) = declared_replicas(object) {
                hits.push((
                    idx,
                    Hit::new(
                        "/spec/replicas",
                        format!(
                            "{} sets replicas: {replicas} although {} scales it; every apply resets the count",
                            object.display(),
                            objects[hpa].display()
                        ),
                    ),
                ));
            }
        }
    }
}
