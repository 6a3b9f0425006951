//! PL-K8S-026 `image-digest`: images are pinned by digest.

use super::KubernetesSetRule;
use super::common::{all_containers, describe, effective_image};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Container images should be pinned by digest.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-026",
        name: "image-digest",
        severity: Severity::Info,
        target: Target::Kubernetes,
        summary: "Container images are pinned by digest (@sha256:…)",
        doc: r#"Every container image, init containers included, is pinned by digest, written in the
image (`repo:tag@sha256:…`) or set by the `digest:` of a Kustomization's `images:` checked with
the objects.

## Why
Tags move: a re-pushed tag, a compromised registry account or a mirror serving something else
changes what runs without any change to the manifests. A digest names exactly one image.

## Fix
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2@sha256:3f1c…
```
or, in `kustomization.yaml`:
```yaml
images:
  - name: ghcr.io/acme/api
    digest: sha256:3f1c…
```

## References
- Kubernetes: Images, "Image pull operations" (digests)
"#,
        equivalents: &["checkov:CKV_K8S_43", "kubescape:C-0306"],
    },
    check,
};

/// Flags containers whose image, after kustomize's overrides, has no digest.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, container) in all_containers(objects) {
        let image = effective_image(objects, &container);
        if image.digest.is_none() {
            hits.push((
                idx,
                Hit::new(
                    format!("{}/image", container.pointer),
                    format!("{} runs image {} unpinned by digest", describe(&objects[idx], &container), image.name),
                ),
            ));
        }
    }
}
