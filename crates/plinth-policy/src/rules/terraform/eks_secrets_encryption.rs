//! PL-TF-012 `eks-secrets-encryption`: EKS clusters encrypt Kubernetes Secrets with a KMS key.

use hcl_edit::expr::Expression;

use super::common::require;
use crate::terraform::{Module, TerraformHit, TerraformRule, strings};
use crate::{RuleDoc, Severity, Target};

/// Clusters must have an `encryption_config` covering `secrets`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-012",
        name: "eks-secrets-encryption",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EKS clusters encrypt Kubernetes Secrets with a KMS key",
        doc: r#"Every `aws_eks_cluster` has an `encryption_config` whose `resources` include `"secrets"`,
with a KMS key as its `provider`.

## Why
EKS encrypts etcd's volumes, but envelope encryption with your own KMS key adds a layer that a copy
of etcd's data does not open, logs every decryption in CloudTrail, and lets you revoke access to
all Secrets at once.

## Fix
```hcl
resource "aws_eks_cluster" "main" {
  encryption_config {
    resources = ["secrets"]
    provider {
      key_arn = aws_kms_key.eks.arn
    }
  }
}
```

## References
- Amazon EKS User Guide, "Encrypt Kubernetes secrets with KMS on existing clusters"
"#,
        equivalents: &["checkov:CKV_AWS_58", "trivy:AWS-0039"],
    },
    check,
};

/// Flags clusters without envelope encryption of Secrets.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    let secrets = |expr: &Expression| strings(expr).map(|resources| resources.contains(&"secrets"));
    require(
        module,
        &["aws_eks_cluster"],
        &["encryption_config", "resources"],
        false,
        secrets,
        "does not encrypt Secrets with a KMS key (encryption_config)",
        hits,
    );
}
