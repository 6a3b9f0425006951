//! PL-TF-015 `vpc-flow-logs`: VPCs record flow logs.

use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every VPC must be named by an `aws_flow_log`'s `vpc_id`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-015",
        name: "vpc-flow-logs",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "VPCs record flow logs",
        doc: r#"Every `aws_vpc` is named by the `vpc_id` of an `aws_flow_log` in the same module.

## Why
Flow logs record the connections accepted and rejected in the VPC: without them a compromise
cannot be traced (what talked to what, what left the network) and a security-group problem cannot
be debugged. GuardDuty reads them too.

## Fix
```hcl
resource "aws_flow_log" "main" {
  vpc_id               = aws_vpc.main.id
  traffic_type         = "ALL"
  log_destination_type = "cloud-watch-logs"
  log_destination      = aws_cloudwatch_log_group.flow.arn
  iam_role_arn         = aws_iam_role.flow.arn
}
```

## References
- Amazon VPC User Guide, "Logging IP traffic using VPC Flow Logs"
"#,
        equivalents: &["checkov:CKV2_AWS_11", "trivy:AWS-0178"],
    },
    check,
};

/// Flags VPCs no flow log refers to.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for vpc in module.resources(&["aws_vpc"]) {
        if module.referencing("aws_flow_log", "vpc_id", vpc).is_empty() {
            hits.push(vpc.hit_here("has no aws_flow_log"));
        }
    }
}
