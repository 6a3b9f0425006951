//! PL-TF-001 `s3-encryption-kms`: S3 buckets encrypt objects with a KMS key.

use super::common::{BUCKETS, bucket_setting, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Buckets must have a server-side encryption configuration with `aws:kms` (or `aws:kms:dsse`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-001",
        name: "s3-encryption-kms",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "S3 buckets encrypt objects at rest with a KMS key",
        doc: r#"Every `aws_s3_bucket` has a server-side encryption configuration — the
`aws_s3_bucket_server_side_encryption_configuration` resource naming it, or the inline
`server_side_encryption_configuration` block — whose default algorithm is `aws:kms` or
`aws:kms:dsse`.

## Why
S3 encrypts new objects with S3-managed keys (`AES256`) by default, but anyone allowed to read the
object reads it in clear. A KMS key adds a second permission (`kms:Decrypt`) that a leaked bucket
policy does not grant, an audit trail of every decryption in CloudTrail, and the ability to revoke
access to all objects at once by disabling the key.

## Fix
```hcl
resource "aws_s3_bucket_server_side_encryption_configuration" "data" {
  bucket = aws_s3_bucket.data.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
    bucket_key_enabled = true
  }
}
```

## References
- AWS S3 User Guide, "Protecting data with server-side encryption"
"#,
        equivalents: &["checkov:CKV_AWS_145", "checkov:CKV_AWS_19", "trivy:AWS-0132", "trivy:AWS-0088"],
    },
    check,
};

/// The default algorithm inside a server-side encryption configuration.
const ALGORITHM: [&str; 3] = ["rule", "apply_server_side_encryption_by_default", "sse_algorithm"];

/// Flags buckets without an encryption configuration, or whose default algorithm is not KMS.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for bucket in module.resources(BUCKETS) {
        let setting = bucket_setting(
            module,
            bucket,
            "server_side_encryption_configuration",
            "aws_s3_bucket_server_side_encryption_configuration",
        );
        let Some((owner, block)) = setting else {
            hits.push(bucket.hit_here("has no server-side encryption configuration with a KMS key"));
            continue;
        };
        let kms = |expr: &_| string(expr).map(|algorithm| algorithm.starts_with("aws:kms"));
        if let Some(at) = violation(block, &ALGORITHM, false, kms) {
            let hit = bucket.hit(at, "does not encrypt objects with a KMS key (sse_algorithm)");
            hits.push(TerraformHit { file: owner.file, ..hit });
        }
    }
}
