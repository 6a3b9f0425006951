//! PL-TF-018 `elasticache-encryption-in-transit`: ElastiCache replication groups encrypt traffic
//! with TLS and authenticate clients.

use super::common::{is_true, violation};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Every `aws_elasticache_replication_group` sets `transit_encryption_enabled = true` and an
/// `auth_token` or `user_group_ids`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-018",
        name: "elasticache-encryption-in-transit",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ElastiCache replication groups encrypt traffic with TLS and authenticate clients",
        doc: r#"Every `aws_elasticache_replication_group` sets `transit_encryption_enabled = true`, and authenticates its clients: an AUTH token (`auth_token`) or RBAC user groups (`user_group_ids`), whatever their value.

## Why
Without TLS, anything on the network path reads cached data and the AUTH token in clear, and can tamper with replies. An AUTH token or RBAC user group, which plain traffic would leak, also needs TLS. TLS alone does not authenticate: without AUTH or RBAC, anything that reaches the port reads and writes every key.

## Fix
```hcl
resource "aws_elasticache_replication_group" "cache" {
  transit_encryption_enabled = true
  auth_token                 = var.auth_token # or user_group_ids = [aws_elasticache_user_group.app.id]
}
```

## References
- Amazon ElastiCache User Guide, "In-transit encryption (TLS)"
- Amazon ElastiCache User Guide, "Authenticating with the Valkey and Redis OSS AUTH command" and "Role-Based Access Control (RBAC)"
"#,
        equivalents: &["checkov:CKV_AWS_30", "checkov:CKV_AWS_31", "trivy:AWS-0051"],
    },
    check,
};

/// Flags the groups that leave TLS out or set it to a value that fails, then those with TLS that
/// authenticate no client.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for group in module.resources(&["aws_elasticache_replication_group"]) {
        if let Some(at) = violation(group.block, &["transit_encryption_enabled"], false, is_true) {
            hits.push(group.hit(at, "does not encrypt traffic in transit (transit_encryption_enabled)"));
        } else if group.attribute("auth_token").is_none() && group.attribute("user_group_ids").is_none() {
            hits.push(group.hit_here(
                "encrypts traffic but authenticates no client: set an AUTH token (auth_token) or RBAC user groups (user_group_ids)",
            ));
        }
    }
}
