//! PL-TF-016 `kms-key-rotation`: kMS keys rotate their key material.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule, string};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_kms_key` sets `enable_key_rotation = true` (it defaults to `false`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-016",
        name: "kms-key-rotation",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "KMS keys rotate their key material",
        doc: r#"Every `aws_kms_key` sets `enable_key_rotation = true` (it defaults to `false`). Asymmetric and HMAC keys (`customer_master_key_spec` or `key_spec` other than `SYMMETRIC_DEFAULT`) cannot rotate and are not checked.

## Why
Automatic rotation replaces the key material every year (or the `rotation_period_in_days` set), keeping old material to decrypt old data, so a leaked copy of key material protects less and less of what is written. It costs nothing in application changes.

## Fix
```hcl
resource "aws_kms_key" "data" {
  enable_key_rotation = true
}
```

## References
- AWS KMS Developer Guide, "Rotating AWS KMS keys"
"#,
        equivalents: &["checkov:CKV_AWS_7", "trivy:AWS-0065"],
    },
    check,
};

/// Flags symmetric keys that leave rotation out or turn it off.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    let mut found = Vec::new();
    require(
        module,
        &["aws_kms_key"],
        &["enable_key_rotation"],
        false,
        is_true,
        "does not rotate its key material (enable_key_rotation)",
        &mut found,
    );
    let asymmetric = |hit: &TerraformHit| {
        module.resources(&["aws_kms_key"]).any(|key| {
            key.address() == hit.address
                && ["customer_master_key_spec", "key_spec"].iter().any(|spec| {
                    key.attribute(spec).and_then(|a| string(&a.value)).is_some_and(|s| s != "SYMMETRIC_DEFAULT")
                })
        })
    };
    hits.extend(found.into_iter().filter(|hit| !asymmetric(hit)));
}
