//! PL-K8S-015 `seccomp-profile`: containers run under a seccomp profile.

use serde_json::Value;

use super::common::{describe, effective_security, security_pointer};
use crate::kubernetes::{Container, KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers must run with a `RuntimeDefault` or `Localhost` seccomp profile.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-015",
        name: "seccomp-profile",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Containers run under the RuntimeDefault or a Localhost seccomp profile",
        doc: r#"Every container, init containers included, has an effective
`seccompProfile.type` of `RuntimeDefault` or `Localhost`: its own `securityContext.seccompProfile`,
else the pod's. The annotations that preceded the field
(`seccomp.security.alpha.kubernetes.io/pod` and `container.seccomp.security.alpha.kubernetes.io/NAME`
on the pod template, with `runtime/default`, `docker/default` or `localhost/…`) are honoured.
`Unconfined` is a finding.

## Why
Kubernetes runs containers unconfined by default. The runtime's default profile blocks the few
hundred system calls that containers do not need and that most kernel escapes use (`unshare`,
`keyctl`, `bpf`, `ptrace` on older kernels…), at no cost to ordinary applications.

## Fix
```yaml
spec:
  securityContext:
    seccompProfile:
      type: RuntimeDefault
```

## References
- Kubernetes: Restrict a Container's Syscalls with seccomp
- Pod Security Standards, Restricted profile ("Seccomp")
"#,
        equivalents: &[
            "checkov:CKV_K8S_31",
            "kube-score:container-seccomp-profile",
            "polaris:linuxHardening",
            "trivy:KSV-0030",
            "trivy:KSV-0104",
            "kubescape:C-0055",
        ],
    },
    check,
};

/// Flags containers whose effective seccomp profile is unset or `Unconfined`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for container in object.containers() {
        let who = describe(object, &container);
        match effective_security(object, &container, "seccompProfile") {
            Some((profile, pointer)) => {
                let kind = profile.get("type").and_then(Value::as_str).unwrap_or_default();
                if !matches!(kind, "RuntimeDefault" | "Localhost") {
                    hits.push(Hit::new(
                        format!("{pointer}/type"),
                        format!("{who} runs without seccomp (type {kind:?})"),
                    ));
                }
            }
            None if annotated(object, &container) => {}
            None => hits.push(Hit::new(
                security_pointer(&container, "seccompProfile"),
                format!("{who} runs without a seccomp profile"),
            )),
        }
    }
}

/// Whether the pod template's legacy seccomp annotations confine the container.
fn annotated(object: &Object<'_>, container: &Container<'_>) -> bool {
    let annotations = if object.kind() == "Pod" {
        object.value.pointer("/metadata/annotations")
    } else {
        object.pod_metadata().and_then(|m| m.get("annotations"))
    };
    let Some(annotations) = annotations else {
        return false;
    };
    let own = format!("container.seccomp.security.alpha.kubernetes.io/{}", container.name());
    let profile = annotations
        .get(&own)
        .or_else(|| annotations.get("seccomp.security.alpha.kubernetes.io/pod"))
        .and_then(Value::as_str)
        .unwrap_or_default();
    matches!(profile, "runtime/default" | "docker/default") || profile.starts_with("localhost/")
}
