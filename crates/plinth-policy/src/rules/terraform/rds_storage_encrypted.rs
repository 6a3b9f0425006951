//! PL-TF-005 `rds-storage-encrypted`: rDS instances and clusters encrypt their storage.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_db_instance` and `aws_rds_cluster` sets `storage_encrypted = true` (it defaults to `false`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-005",
        name: "rds-storage-encrypted",
        severity: Severity::Error,
        target: Target::Terraform,
        summary: "RDS instances and clusters encrypt their storage",
        doc: r#"Every `aws_db_instance` and `aws_rds_cluster` sets `storage_encrypted = true` (it defaults to `false`).

## Why
An unencrypted database leaves its data, its automated backups, snapshots and read replicas readable by anyone who gets a copy of a snapshot or the volume. Encryption cannot be turned on later without restoring from an encrypted snapshot copy.

## Fix
```hcl
resource "aws_db_instance" "main" {
  storage_encrypted = true
  kms_key_id        = aws_kms_key.data.arn
}
```

## References
- AWS RDS User Guide, "Encrypting Amazon RDS resources"
"#,
        equivalents: &["checkov:CKV_AWS_16", "checkov:CKV_AWS_96", "trivy:AWS-0080", "trivy:AWS-0079"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_db_instance", "aws_rds_cluster"],
        &["storage_encrypted"],
        false,
        is_true,
        "does not encrypt its storage (storage_encrypted)",
        hits,
    );
}
