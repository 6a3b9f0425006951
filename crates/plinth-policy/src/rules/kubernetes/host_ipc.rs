//! PL-K8S-008 `host-ipc`: pods do not share the node's IPC namespace.

use super::common::forbid_pod_flag;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Pods must not set `hostIPC: true`.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-008",
        name: "host-ipc",
        severity: Severity::Error,
        target: Target::Kubernetes,
        summary: "Pods do not set hostIPC: true",
        doc: r#"The pod spec does not set `hostIPC: true`.

## Why
With the host's IPC namespace, a container can read and write the shared memory segments and
message queues of every process on the node.

## Fix
```yaml
spec:
  hostIPC: false
```

## References
- Pod Security Standards, Baseline profile ("Host Namespaces")
"#,
        equivalents: &[
            "checkov:CKV_K8S_18",
            "kube-linter:host-ipc",
            "polaris:hostIPCSet",
            "trivy:KSV-0008",
            "kubescape:C-0038",
        ],
    },
    check,
};

/// Flags `hostIPC: true`.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    forbid_pod_flag(object, hits, "hostIPC", "shares the node's IPC namespace (hostIPC)");
}
