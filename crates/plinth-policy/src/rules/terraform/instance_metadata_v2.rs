//! PL-TF-013 `instance-metadata-v2`: EC2 instances, launch templates and launch configurations
//! require IMDSv2.

use hcl_edit::expr::Expression;

use super::common::violation;
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_instance`, `aws_launch_template` and `aws_launch_configuration` sets
/// `metadata_options { http_tokens = "required" }`, or turns the metadata service off.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-013",
        name: "instance-metadata-v2",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EC2 instances, launch templates and launch configurations require IMDSv2",
        doc: r#"Every `aws_instance`, `aws_launch_template` and `aws_launch_configuration` sets `metadata_options { http_tokens = "required" }`, or turns the metadata service off (`http_endpoint = "disabled"`).

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

/// The resources that run EC2 instances with a metadata service.
const KINDS: &[&str] = &["aws_instance", "aws_launch_template", "aws_launch_configuration"];

/// Flags the resources that leave the setting out or set it to a value that fails, unless they
/// disable the metadata service.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for resource in module.resources(KINDS) {
        let endpoint = resource.blocks("metadata_options").next().and_then(|b| b.body.get_attribute("http_endpoint"));
        if endpoint.and_then(|a| string(&a.value)) == Some("disabled") {
            continue;
        }
        if let Some(at) = violation(resource.block, &["metadata_options", "http_tokens"], false, required) {
            hits.push(resource.hit(at, "allows IMDSv1 (metadata_options.http_tokens is not \"required\")"));
        }
    }
}

/// Accepts `"required"`.
fn required(expr: &Expression) -> Option<bool> {
    string(expr).map(|tokens| tokens == "required")
}
