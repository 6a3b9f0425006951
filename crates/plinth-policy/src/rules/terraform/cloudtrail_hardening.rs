//! PL-TF-029 `cloudtrail-hardening`: CloudTrail trails cover every region, sign their log files
//! and encrypt them with KMS.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Trails are multi-region, validated and KMS-encrypted.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-029",
        name: "cloudtrail-hardening",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "CloudTrail trails are multi-region, validated and KMS-encrypted",
        doc: r#"Every `aws_cloudtrail` sets `is_multi_region_trail = true`,
`enable_log_file_validation = true` (both default to `false`) and a `kms_key_id`.

## Why
A single-region trail does not see what an attacker does in the regions nobody watches — the
usual place to start instances for mining or to hide resources. Without log file validation, logs
can be edited or deleted after the fact with no way to tell; the signed digest files prove they
are complete and unchanged. Without a customer-managed KMS key, anyone who can read the bucket
reads the trail; with one, reading also needs `kms:Decrypt`, which is logged.

## Fix
```hcl
resource "aws_cloudtrail" "main" {
  is_multi_region_trail      = true
  enable_log_file_validation = true
  kms_key_id                 = aws_kms_key.trail.arn
}
```

## References
- CIS AWS Foundations Benchmark 3.1, 3.2, 3.5
- AWS CloudTrail User Guide, "Validating CloudTrail log file integrity"
"#,
        equivalents: &[
            "checkov:CKV_AWS_67",
            "checkov:CKV_AWS_36",
            "checkov:CKV_AWS_35",
            "trivy:AWS-0014",
            "trivy:AWS-0016",
            "trivy:AWS-0015",
        ],
    },
    check,
};

/// The trails.
const TRAILS: &[&str] = &["aws_cloudtrail"];

/// Flags trails that leave a setting out or turn it off.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        TRAILS,
        &["is_multi_region_trail"],
        false,
        is_true,
        "covers one region (is_multi_region_trail)",
        hits,
    );
    require(
        module,
        TRAILS,
        &["enable_log_file_validation"],
        false,
        is_true,
        "does not validate its log files (enable_log_file_validation)",
        hits,
    );
    require(module, TRAILS, &["kms_key_id"], false, |_| Some(true), "is not encrypted with KMS (kms_key_id)", hits);
}
