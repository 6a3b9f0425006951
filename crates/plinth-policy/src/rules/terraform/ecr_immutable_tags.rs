//! PL-TF-020 `ecr-immutable-tags`: eCR repositories make image tags immutable.

use super::common::require;
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_ecr_repository` sets `image_tag_mutability = "IMMUTABLE"` (or `IMMUTABLE_WITH_EXCLUSION`); it defaults to `MUTABLE`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-020",
        name: "ecr-immutable-tags",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ECR repositories make image tags immutable",
        doc: r#"Every `aws_ecr_repository` sets `image_tag_mutability = "IMMUTABLE"` (or `IMMUTABLE_WITH_EXCLUSION`); it defaults to `MUTABLE`.

## Why
With mutable tags, pushing a new image under a deployed tag changes what the next pod start or rollback runs, without a change to any manifest — by mistake or by an attacker with push rights. Immutable tags make a tag name one image forever.

## Fix
```hcl
resource "aws_ecr_repository" "api" {
  image_tag_mutability = "IMMUTABLE"
}
```

## References
- Amazon ECR User Guide, "Preventing image tags from being overwritten"
"#,
        equivalents: &["checkov:CKV_AWS_51", "trivy:AWS-0031"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_ecr_repository"],
        &["image_tag_mutability"],
        false,
        |expr| string(expr).map(|mutability| mutability.starts_with("IMMUTABLE")),
        "lets image tags be overwritten (image_tag_mutability)",
        hits,
    );
}
