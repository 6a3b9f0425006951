//! PL-TF-023 `elasticache-automatic-failover`: ElastiCache replication groups fail over across
//! zones on their own.

use super::common::{is_true, require};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// Replication groups set `automatic_failover_enabled` and `multi_az_enabled`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-023",
        name: "elasticache-automatic-failover",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ElastiCache replication groups have Multi-AZ automatic failover",
        doc: r#"Every `aws_elasticache_replication_group` sets `automatic_failover_enabled = true` and
`multi_az_enabled = true` (both default to `false`).

## Why
Without automatic failover, losing the primary node — a host failure, a zone outage, a
maintenance replacement — leaves the cache read-only or down until someone promotes a replica by
hand. With Multi-AZ, ElastiCache keeps the replicas in other zones and promotes one in seconds.
Both need at least one replica (`num_cache_clusters >= 2`, or replicas per shard in cluster mode).

## Fix
```hcl
resource "aws_elasticache_replication_group" "cache" {
  num_cache_clusters         = 2
  automatic_failover_enabled = true
  multi_az_enabled           = true
}
```

## References
- Amazon ElastiCache User Guide, "Minimizing downtime in ElastiCache with Multi-AZ"
"#,
        equivalents: &["checkov:CKV2_AWS_50"],
    },
    check,
};

/// The replication groups.
const GROUPS: &[&str] = &["aws_elasticache_replication_group"];

/// Flags replication groups that leave either setting out or turn it off.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    require(
        module,
        GROUPS,
        &["automatic_failover_enabled"],
        false,
        is_true,
        "does not fail over automatically (automatic_failover_enabled)",
        hits,
    );
    require(module, GROUPS, &["multi_az_enabled"], false, is_true, "is not Multi-AZ (multi_az_enabled)", hits);
}
