//! PL-TF-010 `rds-iam-authentication`: rDS instances accept IAM database authentication.

use super::common::{is_true, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_db_instance` and `aws_rds_cluster` of an engine with IAM authentication sets
/// `iam_database_authentication_enabled = true`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-010",
        name: "rds-iam-authentication",
        severity: Severity::Info,
        target: Target::Terraform,
        summary: "RDS instances accept IAM database authentication",
        doc: r#"Every `aws_db_instance` and `aws_rds_cluster` sets `iam_database_authentication_enabled = true`, when its engine has IAM database authentication: MySQL, MariaDB, PostgreSQL and their Aurora variants (`mysql`, `mariadb`, `postgres`, `aurora`, `aurora-mysql`, `aurora-postgresql`). Another literal engine (Oracle, SQL Server, Db2) passes; an engine left out or not a literal is checked.

## Why
IAM authentication lets applications connect with short-lived tokens from their IAM role instead of long-lived passwords, and revokes access with the role. Applications that only use passwords can suppress it.

## Fix
```hcl
resource "aws_db_instance" "main" {
  iam_database_authentication_enabled = true
}
```

## References
- AWS RDS User Guide, "IAM database authentication"
"#,
        equivalents: &["checkov:CKV_AWS_161", "checkov:CKV_AWS_162", "trivy:AWS-0176"],
    },
    check,
};

/// The engines with IAM database authentication (an `aws_rds_cluster` without `engine` is `aurora`).
const ENGINES: &[&str] = &["mysql", "mariadb", "postgres", "aurora", "aurora-mysql", "aurora-postgresql"];

/// Flags the resources of those engines that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for resource in module.resources(&["aws_db_instance", "aws_rds_cluster"]) {
        let engine = resource.attribute("engine").and_then(|a| string(&a.value));
        if engine.is_some_and(|engine| !ENGINES.contains(&engine)) {
            continue;
        }
        if let Some(at) = violation(resource.block, &["iam_database_authentication_enabled"], false, is_true) {
            hits.push(
                resource.hit(at, "does not enable IAM database authentication (iam_database_authentication_enabled)"),
            );
        }
    }
}
