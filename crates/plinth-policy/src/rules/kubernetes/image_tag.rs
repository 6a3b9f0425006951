//! PL-K8S-025 `image-tag`: images name a version, not `latest` or nothing.

use super::KubernetesSetRule;
use super::common::{all_containers, describe, effective_image};
use crate::kubernetes::Object;
use crate::{Hit, RuleDoc, Severity, Target};

/// Container images must carry a tag other than `latest`, or a digest.
pub const RULE: KubernetesSetRule = KubernetesSetRule {
    doc: RuleDoc {
        id: "PL-K8S-025",
        name: "image-tag",
        severity: Severity::Warning,
        target: Target::Kubernetes,
        summary: "Container images carry a tag other than latest, or a digest",
        doc: r#"Every container image, init containers included, carries a tag other than `latest`
or is pinned by digest. The `images:` of a Kustomization checked with the objects
(`newTag`, `newName`, `digest`) are applied first, as `kustomize build` would, so a base that
leaves tags to its kustomization is not a finding.

## Why
An untagged image means `latest`: each node pulls whatever was pushed last, so pods of one
Deployment run different code, a rollback redeploys the same broken image, and nobody can tell
what runs.

## Fix
```yaml
containers:
  - name: api
    image: ghcr.io/acme/api:1.4.2
```

## References
- Kubernetes: Images, "Image names"; Configuration best practices, "Container images"
"#,
        equivalents: &[
            "checkov:CKV_K8S_14",
            "kube-linter:latest-tag",
            "kube-score:container-image-tag",
            "polaris:tagNotSpecified",
            "trivy:KSV-0013",
            "kubescape:C-0075",
        ],
    },
    check,
};

/// Flags containers whose image, after kustomize's overrides, has no tag or `latest`.
fn check(objects: &[Object<'_>], hits: &mut Vec<(usize, Hit)>) {
    for (idx, container) in all_containers(objects) {
        let image = effective_image(objects, &container);
        if image.floating() {
            let tag = image.tag.as_deref().unwrap_or("no tag");
            hits.push((
                idx,
                Hit::new(
                    format!("{}/image", container.pointer),
                    format!("{} runs image {} with {tag}", describe(&objects[idx], &container), image.name),
                ),
            ));
        }
    }
}
