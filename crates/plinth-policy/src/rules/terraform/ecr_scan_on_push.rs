//! PL-TF-019 `ecr-scan-on-push`: eCR repositories scan images on push.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_ecr_repository` sets `image_scanning_configuration { scan_on_push = true }`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-019",
        name: "ecr-scan-on-push",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ECR repositories scan images on push",
        doc: r#"Every `aws_ecr_repository` sets `image_scanning_configuration { scan_on_push = true }`. A registry-wide `aws_ecr_registry_scanning_configuration` (enhanced scanning) replaces it; suppress the rule with that reason.

## Why
Scanning on push reports known vulnerabilities of an image's operating-system packages as soon as it lands, before it is deployed, at no cost for basic scanning.

## Fix
```hcl
resource "aws_ecr_repository" "api" {
  image_scanning_configuration {
    scan_on_push = true
  }
}
```

## References
- Amazon ECR User Guide, "Scan images for software vulnerabilities"
"#,
        equivalents: &["checkov:CKV_AWS_163", "trivy:AWS-0030"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_ecr_repository"],
        &["image_scanning_configuration", "scan_on_push"],
        false,
        is_true,
        "does not scan images on push (image_scanning_configuration.scan_on_push)",
        hits,
    );
}
