//! What the managed-datastore modules (`rds`, `elasticache`, `s3`) share: which datastores an
//! environment instantiates them for and under which names, the network inputs of the two that
//! live in the VPC, their security group (the engine's port from the EKS nodes only), their
//! private DNS record, their encrypted log groups, and the daily and weekly windows derived from
//! a backup's start.
//!
//! **The private DNS contract.** The Kubernetes backend reaches a managed PostgreSQL or Redis
//! through an ExternalName Service pointing at `<datastore>.<environment>.<application>.internal`;
//! `private_dns` owns the zone `<environment>.<application>.internal` and each datastore module its
//! record (a CNAME to the endpoint). [`private_host`] is that name; the two backends may not call
//! each other, so `private_dns`'s tests render both and compare.

use hcl::{Block, Expression};
use plinth_spec::model::{Datastore, Engine, Hosting, Platform};
use plinth_spec::names;

use super::super::syntax::{self, expr, object, resource, template, variable, variable_with_default};

/// The managed datastores of `engine` in the environment, in name order.
pub fn managed(platform: &Platform, engine: Engine) -> impl Iterator<Item = &Datastore> {
    platform.datastores.iter().filter(move |ds| ds.engine == engine && ds.hosting == Hosting::Managed)
}

/// The module instance of `ds` in the root: `rds_<datastore>` with `_` for `-`.
pub fn instance(prefix: &str, ds: &Datastore) -> String {
    format!("{prefix}_{}", ds.name.replace('-', "_"))
}

/// The AWS name of a datastore's resources: `<application>-<environment>-<datastore>` (also the
/// bucket name the Kubernetes backend injects as `<DATASTORE>_BUCKET`), [`names::datastore_resource`].
pub fn aws_name(platform: &Platform, ds: &Datastore) -> String {
    names::datastore_resource(platform, &ds.name)
}

/// The private hosted zone of an environment: `<environment>.<application>.internal`.
pub fn private_zone(platform: &Platform) -> String {
    format!("{}.{}.internal", platform.environment.name, platform.name)
}

/// The private DNS name of a managed datastore: `<datastore>.<environment>.<application>.internal`.
pub fn private_host(platform: &Platform, ds: &Datastore) -> String {
    names::datastore_host(platform, &ds.name)
}

/// The variables of a module in the VPC: placement, the nodes allowed in, the KMS key, the private
/// record, and how long its logs are kept.
pub fn network_variables() -> Vec<Block> {
    vec![
        variable("name", "string", "Identifier of every resource (application-environment-datastore)."),
        variable("vpc_id", "string", "The VPC."),
        variable("subnet_ids", "list(string)", "Private subnets, one per zone."),
        variable("node_security_group_id", "string", "Security group of the EKS nodes, the only clients let in."),
        variable(
            "kms_key_arn",
            "string",
            "KMS key encrypting data, snapshots and logs; its policy must let logs.<region>.amazonaws.com use it.",
        ),
        variable("zone_id", "string", "Private hosted zone of the environment."),
        variable("dns_name", "string", "Record clients resolve (<datastore>.<environment>.<application>.internal)."),
        variable_with_default("log_retention_days", "number", "Days the log groups keep their events.", 365),
    ]
}

/// The arguments of [`network_variables`] for `ds` in the environment, named `name` (the
/// module's identifier from [`names`]).
pub fn network_arguments(platform: &Platform, ds: &Datastore, name: String) -> Vec<(&'static str, Expression)> {
    vec![
        ("name", Expression::from(name)),
        ("vpc_id", expr("module.vpc.vpc_id")),
        ("subnet_ids", expr("module.vpc.private_subnet_ids")),
        ("node_security_group_id", expr("module.eks.node_security_group_id")),
        ("kms_key_arn", expr("module.kms.key_arn")),
        ("zone_id", expr("module.private_dns.zone_id")),
        ("dns_name", Expression::from(private_host(platform, ds))),
    ]
}

/// `aws_security_group.this`: TCP `port` from the nodes' security group and nothing else; no
/// egress rule (the engines answer on established connections and start none).
pub fn security_group(port: u16, engine: &str) -> Block {
    resource("aws_security_group", "this")
        .add_attribute(("name", expr("var.name")))
        .add_attribute(("description", format!("{engine} on {port} from the EKS nodes only")))
        .add_attribute(("vpc_id", expr("var.vpc_id")))
        .add_block(
            Block::builder("ingress")
                .add_attribute(("description", format!("{engine} from the EKS nodes")))
                .add_attribute(("from_port", port))
                .add_attribute(("to_port", port))
                .add_attribute(("protocol", "tcp"))
                .add_attribute(("security_groups", expr("[var.node_security_group_id]")))
                .build(),
        )
        .add_attribute(("tags", object([("Name", expr("var.name"))])))
        .build()
}

/// `aws_route53_record.this`: `var.dns_name` as a CNAME of `target` in the private zone.
pub fn dns_record(target: &str) -> Block {
    resource("aws_route53_record", "this")
        .add_attribute(("zone_id", expr("var.zone_id")))
        .add_attribute(("name", expr("var.dns_name")))
        .add_attribute(("type", "CNAME"))
        .add_attribute(("ttl", 60))
        .add_attribute(("records", expr(&format!("[{target}]"))))
        .build()
}

/// A CloudWatch log group `name` (a template), encrypted with the module's key, kept
/// `var.log_retention_days`.
pub fn log_group(label: &str, name: &str) -> Block {
    syntax::log_group(resource("aws_cloudwatch_log_group", label), name, "var.log_retention_days", "var.kms_key_arn")
}

/// The subnet group name and IDs of a module in the VPC (`aws_db_subnet_group`,
/// `aws_elasticache_subnet_group`).
pub fn subnet_group(kind: &str) -> Block {
    resource(kind, "this")
        .add_attribute(("name", expr("var.name")))
        .add_attribute(("description", template("Private subnets of ${var.name}")))
        .add_attribute(("subnet_ids", expr("var.subnet_ids")))
        .build()
}

/// Days a datastore's backups are kept, rounded up and capped at 35 (the RDS and ElastiCache
/// maximum); `None` without backups.
pub fn retention_days(ds: &Datastore) -> Option<u32> {
    let keep = ds.backup.as_ref()?.keep.seconds();
    Some(u32::try_from(keep.div_ceil(86_400)).unwrap_or(u32::MAX).clamp(1, 35))
}

/// The start of a datastore's backups, UTC `HH:MM` (`03:00` without backups, the resolver's
/// default for PostgreSQL).
pub fn window_start(ds: &Datastore) -> &str {
    ds.backup.as_ref().map_or("03:00", |b| b.window.as_str())
}

/// A daily window of `length` minutes from `start` (`03:00-03:30`), and the weekly maintenance
/// window of the same length on Sunday, starting one `length` after the daily one ends
/// (`sun:04:00-sun:04:30`), so the two never overlap; times past midnight move to Monday.
pub fn windows(start: &str, length: u32) -> (String, String) {
    let (hours, minutes) = start.split_once(':').unwrap_or(("3", "0"));
    let begin = hours.parse::<u32>().unwrap_or(3) * 60 + minutes.parse::<u32>().unwrap_or(0);
    let clock = |at: u32| format!("{:02}:{:02}", (at / 60) % 24, at % 60);
    let day = |at: u32| if at >= 24 * 60 { "mon" } else { "sun" };
    let daily = format!("{}-{}", clock(begin), clock(begin + length));
    let (from, to) = (begin + 2 * length, begin + 3 * length);
    let weekly = format!("{}:{}-{}:{}", day(from), clock(from), day(to), clock(to));
    (daily, weekly)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_the_backup_start_and_never_overlap() {
        assert_eq!(windows("03:00", 30), ("03:00-03:30".to_owned(), "sun:04:00-sun:04:30".to_owned()));
        assert_eq!(windows("03:00", 60), ("03:00-04:00".to_owned(), "sun:05:00-sun:06:00".to_owned()));
        assert_eq!(windows("23:00", 30), ("23:00-23:30".to_owned(), "mon:00:00-mon:00:30".to_owned()));
        assert_eq!(windows("22:30", 60), ("22:30-23:30".to_owned(), "mon:00:30-mon:01:30".to_owned()));
    }

    #[test]
    fn names_are_cut_to_the_limit_without_a_trailing_hyphen() {
        assert_eq!(names::cut("company-directory-production-redis", 40), "company-directory-production-redis");
        assert_eq!(
            names::cut("a-very-long-application-name-production-cache", 40),
            "a-very-long-application-name-production"
        );
    }
}
