//! PL-TF-007 `rds-backup-retention`: RDS instances and clusters keep automated backups.

use super::common::require;
use crate::terraform::{Module, TerraformHit, TerraformRule, number};
use crate::{RuleDoc, Severity, Target};

/// Automated backups must not be turned off (`backup_retention_period = 0`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-007",
        name: "rds-backup-retention",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "RDS instances and clusters keep automated backups",
        doc: r#"No `aws_db_instance` or `aws_rds_cluster` sets `backup_retention_period = 0`, which turns
automated backups and point-in-time recovery off. Left out, the provider keeps AWS's default of one
day (seven from the console); read replicas, which take no backups of their own on most engines,
are not checked.

## Why
Without automated backups a dropped table, a bad migration or a corrupted volume cannot be undone:
there is no snapshot and no transaction log to restore from.

## Fix
```hcl
resource "aws_db_instance" "main" {
  backup_retention_period = 7
}
```

## References
- AWS RDS User Guide, "Introduction to backups"
"#,
        equivalents: &["checkov:CKV_AWS_133", "trivy:AWS-0077"],
    },
    check,
};

/// Flags a retention of zero days, except on read replicas.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    let mut found = Vec::new();
    require(
        module,
        &["aws_db_instance", "aws_rds_cluster"],
        &["backup_retention_period"],
        true,
        |expr| number(expr).map(|days| days >= 1.0),
        "turns automated backups off (backup_retention_period)",
        &mut found,
    );
    let replica = |hit: &TerraformHit| {
        module
            .resources(&["aws_db_instance"])
            .any(|r| r.address() == hit.address && r.attribute("replicate_source_db").is_some())
    };
    hits.extend(found.into_iter().filter(|hit| !replica(hit)));
}
