//! PL-TF-013 `instance-metadata-v2`: eC2 instances and launch templates require IMDSv2.

use super::common::require;
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_instance` and `aws_launch_template` sets `metadata_options { http_tokens = "required" }`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-013",
        name: "instance-metadata-v2",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EC2 instances and launch templates require IMDSv2",
        doc: r#"Every `aws_instance` and `aws_launch_template` sets `metadata_options { http_tokens = "required" }`.

## Why
IMDSv1 answers any GET to `169.254.169.254`, so a server-side request forgery in an application hands out the instance role's credentials. IMDSv2 needs a session token obtained with a PUT, which SSRF through ordinary requests cannot do.

## Fix
```hcl
resource "aws_instance" "app" {
  metadata_options {
    http_endpoint = "enabled"
    http_tokens   = "required"
  }
}
```

## References
- AWS EC2 User Guide, "Use IMDSv2"
"#,
        equivalents: &["checkov:CKV_AWS_79", "checkov:CKV_AWS_341", "trivy:AWS-0028"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_instance", "aws_launch_template"],
        &["metadata_options", "http_tokens"],
        false,
        |expr| string(expr).map(|tokens| tokens == "required"),
        "allows IMDSv1 (metadata_options.http_tokens is not \"required\")",
        hits,
    );
}
