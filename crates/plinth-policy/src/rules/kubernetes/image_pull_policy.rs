//! PL-K8S-027 `image-pull-policy`: images are pulled on every start.

use serde_json::Value;

use super::KubernetesSetRule;
use super::common::{all_containers, describe, effective_image};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Containers should use `imagePullPolicy: Always`, set or defaulted.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-027",
        name: "image-pull-policy",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Containers use imagePullPolicy: Always",
        doc: r#"Every container, init containers included, has `imagePullPolicy: Always`, written or
defaulted: Kubernetes defaults the policy to `Always` for an image with no tag or `latest`
(after a Kustomization's `images:` are applied) and to `IfNotPresent` otherwise.

## Why
With `IfNotPresent`, a pod on a node that already has the image starts without the registry
checking the pod's pull credentials, so any workload on a shared node can run a private image
another team pulled; a re-pushed tag also keeps running its old content there. Pinning images by
digest (PL-K8S-026) removes the second concern, not the first.

## Fix
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2
    imagePullPolicy: Always
```

## References
- Kubernetes: Images, "Image pull policy"; admission plugin AlwaysPullImages
"#,
        equivalents: &[
            "checkov:CKV_K8S_15",
            "kube-score:container-image-pull-policy",
            "polaris:pullPolicyNotAlways",
            "kubescape:C-0075",
        ],
    },
    check,
};

/// Flags containers whose pull policy, written or defaulted, is not `Always`.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, container) in all_containers(objects) {
        let policy = match container.value.get("imagePullPolicy").and_then(Value::as_str) {
            Some(policy) => policy,
            None if effective_image(objects, &container).floating() => "Always",
            None => "IfNotPresent",
        };
        if policy != "Always" {
            hits.push((
                idx,
                Hit::new(
                    format!("{}/imagePullPolicy", container.pointer),
                    format!("{} has imagePullPolicy {policy}", describe(&objects[idx], &container)),
                ),
            ));
        }
    }
}
