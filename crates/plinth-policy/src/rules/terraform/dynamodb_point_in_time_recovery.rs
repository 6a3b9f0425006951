//! PL-TF-030 `dynamodb-point-in-time-recovery`: DynamoDB tables can be restored to any second.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Tables enable point-in-time recovery.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-030",
        name: "dynamodb-point-in-time-recovery",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "DynamoDB tables have point-in-time recovery",
        doc: r#"Every `aws_dynamodb_table` has `point_in_time_recovery { enabled = true }` (it is off by
default).

## Why
Without point-in-time recovery, a bad deployment, a script that deletes the wrong items or a
compromised credential destroys data that only an on-demand backup — if anyone took one — can
bring back. With it, the table can be restored to any second of the last 35 days.

## Fix
```hcl
resource "aws_dynamodb_table" "orders" {
  point_in_time_recovery {
    enabled = true
  }
}
```

## References
- Amazon DynamoDB Developer Guide, "Point-in-time recovery for DynamoDB"
"#,
        equivalents: &["checkov:CKV_AWS_28", "trivy:AWS-0024"],
    },
    check,
};

/// Flags tables without point-in-time recovery.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_dynamodb_table"],
        &["point_in_time_recovery", "enabled"],
        false,
        is_true,
        "cannot be restored to a point in time (point_in_time_recovery)",
        hits,
    );
}
