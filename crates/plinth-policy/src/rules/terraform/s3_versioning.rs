//! PL-TF-002 `s3-versioning`: S3 buckets keep object versions.

use super::common::{BUCKETS, bucket_setting, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule, boolean, string};
use crate::{RuleDoc, Severity, Target};

/// Buckets must have versioning enabled.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-002",
        name: "s3-versioning",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "S3 buckets have versioning enabled",
        doc: r#"Every `aws_s3_bucket` has versioning enabled: an `aws_s3_bucket_versioning` naming it
with `status = "Enabled"`, or the inline `versioning { enabled = true }`.

## Why
Without versions an overwrite or a delete — by a bug, an operator or ransomware holding
credentials — is final. Versioning keeps the previous object; lifecycle rules can expire old
versions to bound the cost. It is also what S3 replication requires.

## Fix
```hcl
resource "aws_s3_bucket_versioning" "data" {
  bucket = aws_s3_bucket.data.id
  versioning_configuration {
    status = "Enabled"
  }
}
```

## References
- AWS S3 User Guide, "Retaining multiple versions of objects with S3 Versioning"
"#,
        equivalents: &["checkov:CKV_AWS_21", "trivy:AWS-0090"],
    },
    check,
};

/// Flags buckets without versioning, or with it suspended or disabled.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for bucket in module.resources(BUCKETS) {
        let found = if let Some(block) = bucket.blocks("versioning").next() {
            violation(block, &["enabled"], false, boolean).map(|at| (*bucket, at))
        } else if let Some((owner, block)) = bucket_setting(module, bucket, "versioning", "aws_s3_bucket_versioning") {
            let enabled = |expr: &_| string(expr).map(|status| status == "Enabled");
            violation(block, &["versioning_configuration", "status"], false, enabled).map(|at| (owner, at))
        } else {
            Some((*bucket, crate::terraform::span(bucket.block)))
        };
        if let Some((owner, at)) = found {
            hits.push(TerraformHit { file: owner.file, ..bucket.hit(at, "does not have versioning enabled") });
        }
    }
}
