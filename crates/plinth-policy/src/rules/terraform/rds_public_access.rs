//! PL-TF-006 `rds-public-access`: rDS instances are not publicly accessible.

use super::common::{is_false, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// No `aws_db_instance` or `aws_rds_cluster_instance` sets `publicly_accessible = true`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-006",
        name: "rds-public-access",
        severity: Severity::Error,
        target: Target::Terraform,
        summary: "RDS instances are not publicly accessible",
        doc: r#"No `aws_db_instance` or `aws_rds_cluster_instance` sets `publicly_accessible = true`.

## Why
A publicly accessible instance gets a public address: its port is one security-group mistake away from the internet, where database ports are scanned and brute-forced within minutes. Reach it from inside the VPC, or through a bastion or SSM session.

## Fix
```hcl
resource "aws_db_instance" "main" {
  publicly_accessible = false
}
```

## References
- AWS RDS User Guide, "Working with a DB instance in a VPC"
"#,
        equivalents: &["checkov:CKV_AWS_17", "trivy:AWS-0180"],
    },
    check,
};

/// Flags the resources that set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_db_instance", "aws_rds_cluster_instance"],
        &["publicly_accessible"],
        true,
        is_false,
        "is publicly accessible (publicly_accessible)",
        hits,
    );
}
