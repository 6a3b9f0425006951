//! PL-TF-010 `rds-iam-authentication`: rDS instances accept IAM database authentication.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_db_instance` and `aws_rds_cluster` sets `iam_database_authentication_enabled = true`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-010",
        name: "rds-iam-authentication",
        severity: Severity::Info,
        target: Target::Terraform,
        summary: "RDS instances accept IAM database authentication",
        doc: r#"Every `aws_db_instance` and `aws_rds_cluster` sets `iam_database_authentication_enabled = true`.

## Why
IAM authentication lets applications connect with short-lived tokens from their IAM role instead of long-lived passwords, and revokes access with the role. Engines without it (SQL Server, Oracle) and applications that only use passwords can suppress it.

## Fix
```hcl
resource "aws_db_instance" "main" {
  iam_database_authentication_enabled = true
}
```

## References
- AWS RDS User Guide, "IAM database authentication"
"#,
        equivalents: &["checkov:CKV_AWS_161", "trivy:AWS-0176"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_db_instance", "aws_rds_cluster"],
        &["iam_database_authentication_enabled"],
        false,
        is_true,
        "does not enable IAM database authentication (iam_database_authentication_enabled)",
        hits,
    );
}
