//! PL-K8S-023 `readiness-probe`: long-running containers have a readiness probe.

use super::common::require_probe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Serving containers must declare a `readinessProbe`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-023",
        name: "readiness-probe",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Long-running containers declare a readinessProbe",
        doc: r#"Every regular container of a long-running workload (not init containers, not Jobs or
CronJobs) declares a `readinessProbe`.

## Why
Without a readiness probe a pod receives traffic as soon as its process starts, before it can
serve, and keeps receiving it while overloaded or cut off from its dependencies. Rolling updates
also advance on pods that are not ready, turning a bad release into an outage.

## Fix
```yaml
readinessProbe:
  httpGet:
    path: /ready
    port: http
  periodSeconds: 5
  failureThreshold: 3
```

## References
- Kubernetes: Configure Liveness, Readiness and Startup Probes
"#,
        equivalents: &[
            "checkov:CKV_K8S_9",
            "kube-linter:no-readiness-probe",
            "kube-score:pod-probes",
            "polaris:readinessProbeMissing",
            "kubescape:C-0018",
        ],
    },
    check,
};

/// Flags serving containers without a readiness probe.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_probe(object, hits, "readinessProbe", "readiness probe");
}
