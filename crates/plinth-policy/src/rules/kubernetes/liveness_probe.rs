//! PL-K8S-022 `liveness-probe`: long-running containers have a liveness probe.

use super::common::require_probe;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Serving containers must declare a `livenessProbe`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-022",
        name: "liveness-probe",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Long-running containers declare a livenessProbe",
        doc: r#"Every regular container of a long-running workload (not init containers, not Jobs or
CronJobs, which run to completion) declares a `livenessProbe`.

## Why
A process can hang without exiting: deadlocked, stuck on a lost connection, out of file
descriptors. Without a liveness probe the kubelet keeps it running and its share of traffic
fails until someone notices.

## Fix
Probe something cheap that reflects the process itself, not its dependencies:
```yaml
livenessProbe:
  httpGet:
    path: /health
    port: http
  periodSeconds: 10
  failureThreshold: 3
```

## References
- Kubernetes: Configure Liveness, Readiness and Startup Probes
"#,
        equivalents: &[
            "checkov:CKV_K8S_8",
            "kube-linter:no-liveness-probe",
            "kube-score:pod-probes",
            "polaris:livenessProbeMissing",
            "kubescape:C-0056",
        ],
    },
    check,
};

/// Flags serving containers without a liveness probe.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    require_probe(object, hits, "livenessProbe", "liveness probe");
}
