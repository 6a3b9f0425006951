//! PL-TF-003 `s3-public-access-block`: S3 buckets have a public access block with all four flags.

use super::common::{BUCKETS, is_true, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Buckets must be named by an `aws_s3_bucket_public_access_block` turning on all four settings.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-003",
        name: "s3-public-access-block",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "S3 buckets have a public access block with all four settings on",
        doc: r#"Every `aws_s3_bucket` is named by an `aws_s3_bucket_public_access_block` that sets
`block_public_acls`, `block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` to
`true` (each defaults to `false`).

## Why
A public access block overrides any ACL or bucket policy that would make objects public, so one
mistaken grant cannot expose the bucket. Each flag closes a different door: new public ACLs,
existing public ACLs, public policies, and cross-account access through a public policy. Buckets
served to the internet should sit behind CloudFront with origin access control instead.

## Fix
```hcl
resource "aws_s3_bucket_public_access_block" "data" {
  bucket                  = aws_s3_bucket.data.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
```

## References
- AWS S3 User Guide, "Blocking public access to your Amazon S3 storage"
"#,
        equivalents: &[
            "checkov:CKV2_AWS_6",
            "checkov:CKV_AWS_53",
            "checkov:CKV_AWS_54",
            "checkov:CKV_AWS_55",
            "checkov:CKV_AWS_56",
            "trivy:AWS-0094",
            "trivy:AWS-0086",
            "trivy:AWS-0087",
            "trivy:AWS-0091",
            "trivy:AWS-0093",
        ],
    },
    check,
};

/// The settings a public access block must turn on.
const FLAGS: [&str; 4] = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"];

/// Flags buckets without a public access block, and blocks that leave a setting off.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for bucket in module.resources(BUCKETS) {
        let blocks = module.referencing("aws_s3_bucket_public_access_block", "bucket", bucket);
        let Some(block) = blocks.first() else {
            hits.push(bucket.hit_here("has no aws_s3_bucket_public_access_block"));
            continue;
        };
        for flag in FLAGS {
            if let Some(at) = violation(block.block, &[flag], false, is_true) {
                hits.push(block.hit(at, &format!("does not set {flag} = true")));
            }
        }
    }
}
