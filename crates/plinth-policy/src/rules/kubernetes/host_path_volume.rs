//! PL-K8S-010 `host-path-volume`: pods do not mount directories of the node.

use super::common::host_paths;
use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// Pods must not use `hostPath` volumes.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-010",
        name: "host-path-volume",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Pods do not mount hostPath volumes",
        doc: r#"No volume of the pod spec is a `hostPath`. (A container runtime socket is a separate,
error-level finding: PL-K8S-011.)

## Why
A host path gives the container the node's files: writable, it lets a compromised container
change the node (kubelet configuration, other pods' data, cron jobs); read-only, it still leaks
credentials and logs. It also ties the pod to one node's disk.

## Fix
Use an `emptyDir` for scratch space, a PersistentVolumeClaim for data, a ConfigMap or Secret for
configuration:
```yaml
volumes:
  - name: cache
    emptyDir:
      sizeLimit: 1Gi
```

## References
- Pod Security Standards, Baseline profile ("HostPath Volumes")
"#,
        equivalents: &[
            "kube-linter:sensitive-host-mounts",
            "kube-linter:writable-host-mount",
            "polaris:hostPathSet",
            "trivy:KSV-0023",
            "kubescape:C-0048",
            "kubescape:C-0045",
        ],
    },
    check,
};

/// Flags every `hostPath` volume.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    for host in host_paths(object) {
        hits.push(Hit::new(
            host.pointer,
            format!("volume \"{}\" of {} mounts host path {}", host.volume, object.display(), host.path),
        ));
    }
}
