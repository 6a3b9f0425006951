//! PL-TF-017 `elasticache-encryption-at-rest`: elastiCache replication groups encrypt data at rest.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_elasticache_replication_group` sets `at_rest_encryption_enabled = true`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-017",
        name: "elasticache-encryption-at-rest",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ElastiCache replication groups encrypt data at rest",
        doc: r#"Every `aws_elasticache_replication_group` sets `at_rest_encryption_enabled = true`.

## Why
Without it the cache's disk, its swap and its backups in S3 hold data in clear. Caches hold sessions, tokens and copies of database rows as sensitive as the database itself. It can only be set when the group is created.

## Fix
```hcl
resource "aws_elasticache_replication_group" "cache" {
  at_rest_encryption_enabled = true
  kms_key_id                 = aws_kms_key.data.arn
}
```

## References
- Amazon ElastiCache User Guide, "At-Rest Encryption in ElastiCache"
"#,
        equivalents: &["checkov:CKV_AWS_29", "trivy:AWS-0045"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_elasticache_replication_group"],
        &["at_rest_encryption_enabled"],
        false,
        is_true,
        "does not encrypt data at rest (at_rest_encryption_enabled)",
        hits,
    );
}
