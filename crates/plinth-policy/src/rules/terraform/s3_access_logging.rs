//! PL-TF-004 `s3-access-logging`: S3 buckets log requests.

use super::common::{BUCKETS, bucket_setting};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Buckets must have server access logging.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-004",
        name: "s3-access-logging",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "S3 buckets have server access logging",
        doc: r#"Every `aws_s3_bucket` is named by an `aws_s3_bucket_logging`, or has the inline
`logging` block, sending its server access logs to another bucket.

## Why
Access logs record every request — who read, wrote or deleted which object, from where. Without
them an incident on the bucket cannot be investigated. The bucket that receives the logs does not
log itself (that would loop); suppress this rule on it with the reason.

## Fix
```hcl
resource "aws_s3_bucket_logging" "data" {
  bucket        = aws_s3_bucket.data.id
  target_bucket = aws_s3_bucket.logs.id
  target_prefix = "data/"
}
```

## References
- AWS S3 User Guide, "Logging requests with server access logging"
"#,
        equivalents: &["checkov:CKV_AWS_18", "trivy:AWS-0089"],
    },
    check,
};

/// Flags buckets without access logging.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for bucket in module.resources(BUCKETS) {
        if bucket_setting(module, bucket, "logging", "aws_s3_bucket_logging").is_none() {
            hits.push(bucket.hit_here("has no server access logging"));
        }
    }
}
