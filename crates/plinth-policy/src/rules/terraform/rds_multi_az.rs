//! PL-TF-009 `rds-multi-az`: rDS instances run Multi-AZ.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_db_instance` sets `multi_az = true` (it defaults to `false`).
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-009",
        name: "rds-multi-az",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "RDS instances run Multi-AZ",
        doc: r#"Every `aws_db_instance` sets `multi_az = true` (it defaults to `false`).

## Why
A single-AZ instance is down for the whole of an availability-zone outage, a host failure or a storage failure, and restoring it loses the writes since the last backup. Multi-AZ keeps a synchronous standby in another zone and fails over in a minute or two.

## Fix
```hcl
resource "aws_db_instance" "main" {
  multi_az = true
}
```

## References
- AWS RDS User Guide, "Configuring and managing a Multi-AZ deployment"
"#,
        equivalents: &["checkov:CKV_AWS_157"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_db_instance"],
        &["multi_az"],
        false,
        is_true,
        "runs in a single availability zone (multi_az)",
        hits,
    );
}
