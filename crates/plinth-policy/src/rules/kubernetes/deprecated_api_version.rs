//! PL-K8S-040 `deprecated-api-version`: objects use API versions Kubernetes still serves.

use crate::kubernetes::{KubernetesRule, Object};
use crate::{Hit, RuleDoc, Severity, Target};

/// An API version retired for some kinds (`*`: every kind of the group version), the release
/// that stopped serving it, and what replaces it.
struct Retired {
    /// `apiVersion`.
    api_version: &'static str,
    /// The kinds concerned, or `["*"]`.
    kinds: &'static [&'static str],
    /// The first Kubernetes minor release that no longer serves it.
    removed_in: &'static str,
    /// The version to use instead.
    replacement: &'static str,
}

/// The removed API versions of built-in kinds (Kubernetes deprecation guide, 1.16 to 1.32).
const RETIRED: &[Retired] = &[
    Retired {
        api_version: "extensions/v1beta1",
        kinds: &["Deployment", "DaemonSet", "ReplicaSet"],
        removed_in: "1.16",
        replacement: "apps/v1",
    },
    Retired {
        api_version: "extensions/v1beta1",
        kinds: &["NetworkPolicy"],
        removed_in: "1.16",
        replacement: "networking.k8s.io/v1",
    },
    Retired {
        api_version: "extensions/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: "1.16",
        replacement: "Pod Security Admission",
    },
    Retired {
        api_version: "extensions/v1beta1",
        kinds: &["Ingress"],
        removed_in: "1.22",
        replacement: "networking.k8s.io/v1",
    },
    Retired { api_version: "apps/v1beta1", kinds: &["*"], removed_in: "1.16", replacement: "apps/v1" },
    Retired { api_version: "apps/v1beta2", kinds: &["*"], removed_in: "1.16", replacement: "apps/v1" },
    Retired {
        api_version: "networking.k8s.io/v1beta1",
        kinds: &["Ingress", "IngressClass"],
        removed_in: "1.22",
        replacement: "networking.k8s.io/v1",
    },
    Retired {
        api_version: "rbac.authorization.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "rbac.authorization.k8s.io/v1",
    },
    Retired {
        api_version: "rbac.authorization.k8s.io/v1alpha1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "rbac.authorization.k8s.io/v1",
    },
    Retired {
        api_version: "apiextensions.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "apiextensions.k8s.io/v1",
    },
    Retired {
        api_version: "admissionregistration.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "admissionregistration.k8s.io/v1",
    },
    Retired {
        api_version: "apiregistration.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "apiregistration.k8s.io/v1",
    },
    Retired {
        api_version: "certificates.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "certificates.k8s.io/v1",
    },
    Retired {
        api_version: "coordination.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "coordination.k8s.io/v1",
    },
    Retired {
        api_version: "scheduling.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.22",
        replacement: "scheduling.k8s.io/v1",
    },
    Retired {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIDriver", "CSINode", "StorageClass", "VolumeAttachment"],
        removed_in: "1.22",
        replacement: "storage.k8s.io/v1",
    },
    Retired {
        api_version: "storage.k8s.io/v1beta1",
        kinds: &["CSIStorageCapacity"],
        removed_in: "1.27",
        replacement: "storage.k8s.io/v1",
    },
    Retired { api_version: "batch/v1beta1", kinds: &["CronJob"], removed_in: "1.25", replacement: "batch/v1" },
    Retired {
        api_version: "discovery.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.25",
        replacement: "discovery.k8s.io/v1",
    },
    Retired {
        api_version: "events.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.25",
        replacement: "events.k8s.io/v1",
    },
    Retired {
        api_version: "policy/v1beta1",
        kinds: &["PodDisruptionBudget"],
        removed_in: "1.25",
        replacement: "policy/v1",
    },
    Retired {
        api_version: "policy/v1beta1",
        kinds: &["PodSecurityPolicy"],
        removed_in: "1.25",
        replacement: "Pod Security Admission",
    },
    Retired { api_version: "node.k8s.io/v1beta1", kinds: &["*"], removed_in: "1.25", replacement: "node.k8s.io/v1" },
    Retired { api_version: "autoscaling/v2beta1", kinds: &["*"], removed_in: "1.25", replacement: "autoscaling/v2" },
    Retired { api_version: "autoscaling/v2beta2", kinds: &["*"], removed_in: "1.26", replacement: "autoscaling/v2" },
    Retired {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta1",
        kinds: &["*"],
        removed_in: "1.26",
        replacement: "flowcontrol.apiserver.k8s.io/v1",
    },
    Retired {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta2",
        kinds: &["*"],
        removed_in: "1.29",
        replacement: "flowcontrol.apiserver.k8s.io/v1",
    },
    Retired {
        api_version: "flowcontrol.apiserver.k8s.io/v1beta3",
        kinds: &["*"],
        removed_in: "1.32",
        replacement: "flowcontrol.apiserver.k8s.io/v1",
    },
];

/// Objects must not use an API version Kubernetes has stopped serving.
pub const RULE: KubernetesRule = KubernetesRule {
    doc: RuleDoc {
        id: "PL-K8S-040",
        name: "deprecated-api-version",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Objects use API versions that current Kubernetes releases still serve",
        doc: r#"No object uses an `apiVersion` that Kubernetes has removed for its kind: the
`extensions/v1beta1`, `apps/v1beta1`/`v1beta2` workloads, `networking.k8s.io/v1beta1` Ingresses,
`policy/v1beta1` budgets and PodSecurityPolicies, `batch/v1beta1` CronJobs, the
`autoscaling/v2beta*` autoscalers, the `v1beta1` RBAC, CRD, admission, storage, discovery, events
and scheduling groups, and the retired `flowcontrol` versions (removed from 1.16 to 1.32).

## Why
A cluster that no longer serves the version rejects the manifest: the deployment fails at the
worst time, during or after a cluster upgrade.

## Fix
```yaml
apiVersion: apps/v1   # not extensions/v1beta1
kind: Deployment
```
`kubectl convert` rewrites old manifests.

## References
- Kubernetes: Deprecated API Migration Guide
"#,
        equivalents: &["kube-linter:no-extensions-v1beta", "kube-score:stable-version", "trivy:KSV-0107"],
    },
    check,
};

/// Flags an object whose `apiVersion` is retired for its kind.
fn check(object: &Object<'_>, hits: &mut Vec<Hit>) {
    let (api_version, kind) = (object.api_version(), object.kind());
    let retired =
        RETIRED.iter().find(|r| r.api_version == api_version && (r.kinds == ["*"] || r.kinds.contains(&kind)));
    if let Some(retired) = retired {
        hits.push(Hit::new(
            "/apiVersion",
            format!(
                "{} uses {api_version}, no longer served since Kubernetes {}; use {}",
                object.display(),
                retired.removed_in,
                retired.replacement
            ),
        ));
    }
}
