//! PL-TF-008 `rds-deletion-protection`: rDS instances and clusters have deletion protection.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_db_instance` and `aws_rds_cluster` sets `deletion_protection = true` (it defaults to `false`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-008",
        name: "rds-deletion-protection",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "RDS instances and clusters have deletion protection",
        doc: r#"Every `aws_db_instance` and `aws_rds_cluster` sets `deletion_protection = true` (it defaults to `false`).

## Why
Deletion protection makes the API refuse to delete the database until it is turned off in a separate change, so a `terraform destroy`, a renamed resource or a replaced instance cannot drop production data by accident. Environments rebuilt from scratch on purpose can suppress it with the reason.

## Fix
```hcl
resource "aws_db_instance" "main" {
  deletion_protection = true
}
```

## References
- AWS RDS User Guide, "Deletion protection"
"#,
        equivalents: &["checkov:CKV_AWS_293", "checkov:CKV_AWS_139", "trivy:AWS-0177", "trivy:AWS-0343"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_db_instance", "aws_rds_cluster"],
        &["deletion_protection"],
        false,
        is_true,
        "can be deleted without first turning off deletion protection (deletion_protection)",
        hits,
    );
}
