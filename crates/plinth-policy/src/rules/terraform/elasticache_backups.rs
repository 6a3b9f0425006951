//! PL-TF-024 `elasticache-backups`: ElastiCache Redis clusters keep automatic snapshots.

use super::common::violation;
use crate::terraform::{Module, TerraformHit, TerraformRule, number, string};
use crate::{RuleDoc, Severity, Target};

/// Clusters keep snapshots for at least a day.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-024",
        name: "elasticache-backups",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "ElastiCache clusters keep automatic backups",
        doc: r#"Every `aws_elasticache_cluster` sets `snapshot_retention_limit` above 0 (it defaults to 0, no
automatic backup). Memcached clusters (`engine = "memcached"`, which cannot snapshot) and clusters
that join a replication group (`replication_group_id`, whose group holds the setting) are not
checked; as in Checkov, replication groups are not checked either.

## Why
Redis used as more than a cache — sessions, queues, rate limits, leaderboards — loses all of it
when the node is replaced or data is flushed by mistake. Daily snapshots bound the loss to a day
and let the cluster be restored or copied to another region.

## Fix
```hcl
resource "aws_elasticache_cluster" "sessions" {
  engine                   = "redis"
  snapshot_retention_limit = 7
  snapshot_window          = "03:00-04:00"
}
```

## References
- Amazon ElastiCache User Guide, "Scheduling automatic backups"
"#,
        equivalents: &["checkov:CKV_AWS_134", "trivy:AWS-0050"],
    },
    check,
};

/// Flags clusters without a positive retention.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    let positive = |expr: &_| number(expr).map(|days| days > 0.0);
    for cluster in module.resources(&["aws_elasticache_cluster"]) {
        let memcached = cluster.attribute("engine").and_then(|a| string(&a.value)) == Some("memcached");
        if memcached || cluster.attribute("replication_group_id").is_some() {
            continue;
        }
        if let Some(at) = violation(cluster.block, &["snapshot_retention_limit"], false, positive) {
            hits.push(cluster.hit(at, "keeps no automatic backup (snapshot_retention_limit)"));
        }
    }
}
