//! PL-TF-018 `elasticache-encryption-in-transit`: elastiCache replication groups encrypt traffic with TLS.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_elasticache_replication_group` sets `transit_encryption_enabled = true`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-018",
        name: "elasticache-encryption-in-transit",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ElastiCache replication groups encrypt traffic with TLS",
        doc: r#"Every `aws_elasticache_replication_group` sets `transit_encryption_enabled = true`.

## Why
Without TLS, anything on the network path reads cached data and the AUTH token in clear, and can tamper with replies. An AUTH token or RBAC user group, which plain traffic would leak, also needs TLS.

## Fix
```hcl
resource "aws_elasticache_replication_group" "cache" {
  transit_encryption_enabled = true
  auth_token                 = var.auth_token
}
```

## References
- Amazon ElastiCache User Guide, "In-transit encryption (TLS)"
"#,
        equivalents: &["checkov:CKV_AWS_30", "checkov:CKV_AWS_31", "trivy:AWS-0051"],
    },
    check,
};

/// Flags the resources that leave the setting out or set it to a value that fails.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        &["aws_elasticache_replication_group"],
        &["transit_encryption_enabled"],
        false,
        is_true,
        "does not encrypt traffic in transit (transit_encryption_enabled)",
        hits,
    );
}
