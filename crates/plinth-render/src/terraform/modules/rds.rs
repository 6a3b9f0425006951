//! `rds`: a managed PostgreSQL datastore (seed 002's `rds.tf`), one instance per datastore with
//! `hosting: managed` (`rds_<datastore>` in the root).
//!
//! - **Instance.** Engine version from `version`; class from `size` ([`capacity::datastore_class`]:
//!   a class such as `db.r6g.large` is used as is, the words small/medium/large/xlarge map to
//!   classes there, the one table `plinth cost` prices too); gp3 storage of `storage.low` growing
//!   automatically up to `storage.high` (no autoscaling when they are equal); encrypted with the
//!   environment's KMS key; Multi-AZ from `multi_az`; never publicly accessible; IAM database
//!   authentication; minor versions upgraded in the maintenance window; tags copied to snapshots.
//! - **Credentials.** `manage_master_user_password`: RDS generates the master password and keeps
//!   it in a Secrets Manager secret encrypted with the KMS key; no password is ever rendered or
//!   held in Terraform state. The initial database is the first of `databases`; the others, and
//!   the services' roles (`DB_USERNAME` = the service name with `_`, `DB_PASSWORD` from the secret
//!   store), are created by the application's migrations with the master credentials.
//! - **Backups.** Retention in days from `backup.keep` (capped at RDS's 35), backup window of 30
//!   minutes from `backup.window`, and a weekly maintenance window on Sunday 30 minutes after it
//!   ends (`03:00-03:30`, `sun:04:00-sun:04:30`). Automated backups are what point-in-time recovery
//!   (`pitr`) restores from. In production (`environment.stage`) deletion protection is on and a
//!   final snapshot is taken on destroy.
//! - **Observability.** Performance Insights (7 days, encrypted with the KMS key), Enhanced
//!   Monitoring every 60 s through its IAM role, and the `postgresql` and `upgrade` logs exported to
//!   log groups created here first (encrypted, with retention) rather than by RDS (unencrypted,
//!   kept forever).
//! - **Parameters.** A parameter group of the engine's family forcing TLS (`rds.force_ssl = 1`) and
//!   logging connections, disconnections, DDL and statements slower than a second.
//! - **Network.** A DB subnet group on the private subnets and a security group admitting 5432 from
//!   the EKS nodes only.
//! - **Read replicas.** `replicas` same-region `aws_db_instance` replicas of the primary, with the
//!   primary's class, parameters, encryption and monitoring.
//! - **DNS.** `<datastore>.<environment>.<application>.internal` → the primary's endpoint, in the
//!   zone of `private_dns`.
//!
//! The identifier is `<application>-<environment>-<datastore>` cut to 48 characters, so that the
//! replicas' `-replica-N` and the monitoring role's `-rds-monitoring` fit AWS's limits.

use hcl::{Block, Expression};
use plinth_spec::capacity;
use plinth_spec::model::{Datastore, Engine, Platform, Stage};
use plinth_spec::names;

use super::super::Module;
use super::super::syntax::{
    Skip, data, expr, log_group, output, resource, service_trust, template, variable, variable_with_default,
};
use super::datastore::{
    dns_record, instance, managed, network_arguments, network_variables, retention_days, security_group, subnet_group,
    window_start, windows,
};

/// The PostgreSQL log types exported to CloudWatch.
const LOG_EXPORTS: [&str; 2] = ["postgresql", "upgrade"];

/// The module.
pub fn module() -> Module {
    let mut variables = network_variables();
    variables.extend([
        variable("engine_version", "string", "PostgreSQL version (`16`, `15.4`)."),
        variable("parameter_group_family", "string", "Parameter group family of the version (`postgres16`)."),
        variable("instance_class", "string", "Instance class (`db.r6g.large`)."),
        variable("allocated_storage", "number", "Initial gp3 storage in GiB."),
        variable("max_allocated_storage", "number", "Storage autoscaling limit in GiB (0: no autoscaling)."),
        variable("db_name", "string", "The database created with the instance."),
        variable_with_default(
            "master_username",
            "string",
            "The master user (its password is managed by RDS).",
            "postgres",
        ),
        variable("multi_az", "bool", "A synchronous standby in another zone with automatic failover."),
        variable("backup_retention_days", "number", "Days automated backups (and point-in-time recovery) reach back."),
        variable("backup_window", "string", "Daily backup window, UTC (`03:00-03:30`)."),
        variable("maintenance_window", "string", "Weekly maintenance window, UTC (`sun:04:00-sun:04:30`)."),
        variable("deletion_protection", "bool", "Refuse to delete the instance (production)."),
        variable("final_snapshot", "bool", "Snapshot the instance when it is destroyed (production)."),
        variable_with_default("replicas", "number", "Read replicas of the primary.", 0),
    ]);
    let main = vec![
        Block::builder("locals")
            .add_attribute(("log_exports", expr(&format!("[{}]", LOG_EXPORTS.map(|l| format!("\"{l}\"")).join(", ")))))
            .add_attribute((
                "instances",
                expr(r#"concat([var.name], [for i in range(var.replicas) : "${var.name}-replica-${i + 1}"])"#),
            ))
            .add_attribute((
                "log_groups",
                expr(r#"toset([for pair in setproduct(local.instances, local.log_exports) : "${pair[0]}/${pair[1]}"])"#),
            ))
            .build(),
        data("aws_partition", "current").build(),
        subnet_group("aws_db_subnet_group"),
        security_group(5432, "PostgreSQL"),
        resource("aws_db_parameter_group", "this")
            .add_attribute(("name", expr("var.name")))
            .add_attribute(("family", expr("var.parameter_group_family")))
            .add_attribute(("description", template("TLS-only PostgreSQL with logging for ${var.name}")))
            .add_blocks(
                [
                    ("rds.force_ssl", "1"),
                    ("log_connections", "1"),
                    ("log_disconnections", "1"),
                    ("log_statement", "ddl"),
                    ("log_min_duration_statement", "1000"),
                ]
                .map(|(name, value)| {
                    Block::builder("parameter").add_attribute(("name", name)).add_attribute(("value", value)).build()
                }),
            )
            .build(),
        resource("aws_iam_role", "monitoring")
            .add_attribute(("name", template("${var.name}-rds-monitoring")))
            .add_attribute(("assume_role_policy", service_trust("monitoring.rds.amazonaws.com")))
            .build(),
        resource("aws_iam_role_policy_attachment", "monitoring")
            .add_attribute(("role", expr("aws_iam_role.monitoring.name")))
            .add_attribute((
                "policy_arn",
                template("arn:${data.aws_partition.current.partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"),
            ))
            .build(),
        log_group(resource("aws_cloudwatch_log_group", "this")
            .add_attribute(("for_each", expr("local.log_groups"))), "/aws/rds/instance/${each.key}", "var.log_retention_days", "var.kms_key_arn"),
        observed(
            resource("aws_db_instance", "this")
                .add_attribute(("identifier", expr("var.name")))
                .add_attribute(("engine", "postgres"))
                .add_attribute(("engine_version", expr("var.engine_version")))
                .add_attribute(("instance_class", expr("var.instance_class")))
                .add_attribute(("storage_type", "gp3"))
                .add_attribute(("allocated_storage", expr("var.allocated_storage")))
                .add_attribute(("max_allocated_storage", expr("var.max_allocated_storage")))
                .add_attribute(("storage_encrypted", true))
                .add_attribute(("kms_key_id", expr("var.kms_key_arn")))
                .add_attribute(("db_name", expr("var.db_name")))
                .add_attribute(("username", expr("var.master_username")))
                .add_attribute(("manage_master_user_password", true))
                .add_attribute(("master_user_secret_kms_key_id", expr("var.kms_key_arn")))
                .add_attribute(("port", 5432))
                .add_attribute(("multi_az", expr("var.multi_az")))
                .add_attribute(("db_subnet_group_name", expr("aws_db_subnet_group.this.name")))
                .add_attribute(("backup_retention_period", expr("var.backup_retention_days")))
                .add_attribute(("backup_window", expr("var.backup_window")))
                .add_attribute(("maintenance_window", expr("var.maintenance_window")))
                .add_attribute(("skip_final_snapshot", expr("!var.final_snapshot")))
                .add_attribute(("final_snapshot_identifier", expr(r#"var.final_snapshot ? "${var.name}-final" : null"#))),
        )
        .add_attribute(("depends_on", expr("[aws_cloudwatch_log_group.this]")))
        .build(),
        observed(
            resource("aws_db_instance", "replica")
                .add_attribute(("count", expr("var.replicas")))
                .add_attribute(("identifier", template("${var.name}-replica-${count.index + 1}")))
                .add_attribute(("replicate_source_db", expr("aws_db_instance.this.identifier")))
                .add_attribute(("instance_class", expr("var.instance_class")))
                .add_attribute(("storage_type", "gp3"))
                .add_attribute(("max_allocated_storage", expr("var.max_allocated_storage")))
                .add_attribute(("storage_encrypted", true))
                .add_attribute(("kms_key_id", expr("var.kms_key_arn")))
                .add_attribute(("multi_az", false))
                .add_attribute(("skip_final_snapshot", true)),
        )
        .add_attribute(("depends_on", expr("[aws_cloudwatch_log_group.this]")))
        .build(),
        dns_record("aws_db_instance.this.address"),
    ];
    let outputs = vec![
        output("address", "aws_db_instance.this.address", "The primary's endpoint host."),
        output("port", "aws_db_instance.this.port", "The port (5432)."),
        output("dns_name", "aws_route53_record.this.fqdn", "The private name clients use."),
        output(
            "master_user_secret_arn",
            "aws_db_instance.this.master_user_secret[0].secret_arn",
            "Secrets Manager secret RDS keeps the master credentials in.",
        ),
        output("replica_addresses", "aws_db_instance.replica[*].address", "Endpoint hosts of the read replicas."),
        output("security_group_id", "aws_security_group.this.id", "The instance's security group."),
    ];
    let skips = vec![
        Skip {
            address: "aws_db_instance.this",
            check: "CKV_AWS_157",
            reason: "Multi-AZ follows the datastore's multi_az (production by default); single-AZ outside production is the spec's cost choice",
        },
        Skip {
            address: "aws_db_instance.this",
            check: "CKV_AWS_293",
            reason: "deletion protection is on in production; other stages are torn down and rebuilt from the spec",
        },
        Skip {
            address: "aws_db_instance.replica",
            check: "CKV_AWS_157",
            reason: "read replicas scale reads; failover is the primary's Multi-AZ standby, and plinth cost prices replicas single-AZ",
        },
        Skip {
            address: "aws_db_instance.replica",
            check: "CKV_AWS_293",
            reason: "a replica has the primary's deletion protection: on in production; other stages are torn down and rebuilt from the spec",
        },
    ];
    Module { name: "rds", variables, main, outputs, skips, provider_aliases: Vec::new() }
}

/// What the primary and its replicas share: placement, parameters, network, IAM authentication,
/// upgrades, Performance Insights, Enhanced Monitoring, log exports and tags on snapshots.
fn observed(block: hcl::BlockBuilder) -> hcl::BlockBuilder {
    block
        .add_attribute(("parameter_group_name", expr("aws_db_parameter_group.this.name")))
        .add_attribute(("vpc_security_group_ids", expr("[aws_security_group.this.id]")))
        .add_attribute(("publicly_accessible", false))
        .add_attribute(("iam_database_authentication_enabled", true))
        .add_attribute(("auto_minor_version_upgrade", true))
        .add_attribute(("copy_tags_to_snapshot", true))
        .add_attribute(("deletion_protection", expr("var.deletion_protection")))
        .add_attribute(("performance_insights_enabled", true))
        .add_attribute(("performance_insights_kms_key_id", expr("var.kms_key_arn")))
        .add_attribute(("performance_insights_retention_period", 7))
        .add_attribute(("monitoring_interval", 60))
        .add_attribute(("monitoring_role_arn", expr("aws_iam_role.monitoring.arn")))
        .add_attribute(("enabled_cloudwatch_logs_exports", expr("local.log_exports")))
}

/// The parameter group family of a PostgreSQL version: `postgres<major>` (`15.4` → `postgres15`).
pub fn parameter_group_family(version: &str) -> String {
    format!("postgres{}", version.split('.').next().unwrap_or(version))
}

/// The model's values for one PostgreSQL datastore, as the module's arguments.
pub fn arguments(platform: &Platform, ds: &Datastore) -> Vec<(&'static str, Expression)> {
    let production = platform.environment.stage == Stage::Production;
    let (low, high) = (ds.storage.low.gib(), ds.storage.high.gib());
    let (backup_window, maintenance_window) = windows(window_start(ds), 30);
    let mut arguments = network_arguments(platform, ds, names::rds_identifier(platform, &ds.name));
    arguments.extend([
        ("engine_version", Expression::from(ds.version.as_str())),
        ("parameter_group_family", Expression::from(parameter_group_family(&ds.version))),
        ("instance_class", Expression::from(capacity::datastore_class(ds).unwrap_or_else(|| ds.size.clone()))),
        ("allocated_storage", Expression::from(low)),
        ("max_allocated_storage", Expression::from(if high > low { high } else { 0 })),
        ("db_name", Expression::from(ds.databases.first().map_or("postgres", String::as_str))),
        ("multi_az", Expression::from(ds.multi_az)),
        // The resolver gives every PostgreSQL datastore a backup (7 days by default).
        ("backup_retention_days", Expression::from(retention_days(ds).unwrap_or(7))),
        ("backup_window", Expression::from(backup_window)),
        ("maintenance_window", Expression::from(maintenance_window)),
        ("deletion_protection", Expression::from(production)),
        ("final_snapshot", Expression::from(production)),
        ("replicas", Expression::from(ds.replicas)),
    ]);
    arguments
}

/// One `rds_<datastore>` call per managed PostgreSQL datastore.
pub fn call(platform: &Platform) -> Vec<Block> {
    managed(platform, Engine::Postgres)
        .map(|ds| super::call_instance(&instance("rds", ds), "rds", &[], arguments(platform, ds)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(env: &str, datastore: &str) -> Platform {
        let spec = format!(
            "plinth: 1\nname: shop\ncloud: {{ provider: aws, region: us-east-1 }}\nservices:\n  web: {{ image: ghcr.io/s/web, uses: [db] }}\ndatastores:\n  db: {datastore}\nenvironments:\n  staging: {{ stage: staging }}\n  production: {{}}\n"
        );
        let compiled = plinth_spec::compile(&spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().find(|p| p.environment.name == env).expect("the environment")
    }

    fn argument(platform: &Platform, name: &str) -> Expression {
        let ds = platform.datastore("db").unwrap();
        arguments(platform, ds).into_iter().find(|(key, _)| *key == name).map(|(_, value)| value).unwrap()
    }

    #[test]
    fn production_is_multi_az_protected_and_snapshotted_staging_is_not() {
        let db = "{ engine: postgres, version: \"15.4\", storage: 100Gi..500Gi, backup: { every: 24h, keep: 14d, window: \"02:00\" } }";
        let production = platform("production", db);
        for key in ["multi_az", "deletion_protection", "final_snapshot"] {
            assert_eq!(argument(&production, key), Expression::Bool(true), "{key}");
        }
        let staging = platform("staging", db);
        for key in ["multi_az", "deletion_protection", "final_snapshot"] {
            assert_eq!(argument(&staging, key), Expression::Bool(false), "{key}");
        }
        assert_eq!(argument(&production, "instance_class"), Expression::from("db.r6g.large")); // `large` in production
        assert_eq!(argument(&staging, "instance_class"), Expression::from("db.t3.medium")); // `small` elsewhere
        assert_eq!(argument(&production, "parameter_group_family"), Expression::from("postgres15"));
        assert_eq!(argument(&production, "allocated_storage"), Expression::from(100));
        assert_eq!(argument(&production, "max_allocated_storage"), Expression::from(500));
        assert_eq!(argument(&production, "backup_retention_days"), Expression::from(14));
        assert_eq!(argument(&production, "backup_window"), Expression::from("02:00-02:30"));
        assert_eq!(argument(&production, "maintenance_window"), Expression::from("sun:03:00-sun:03:30"));
    }

    #[test]
    fn a_class_is_used_as_is_fixed_storage_does_not_autoscale_and_retention_is_capped() {
        let db =
            "{ engine: postgres, size: db.m6g.large, storage: 50Gi, replicas: 2, backup: { every: 24h, keep: 90d } }";
        let production = platform("production", db);
        assert_eq!(argument(&production, "instance_class"), Expression::from("db.m6g.large"));
        assert_eq!(argument(&production, "max_allocated_storage"), Expression::from(0));
        assert_eq!(argument(&production, "backup_retention_days"), Expression::from(35));
        assert_eq!(argument(&production, "replicas"), Expression::from(2));
        let calls = call(&production);
        assert_eq!(calls.len(), 1);
        assert_eq!(calls[0].labels[0].as_str(), "rds_db");
    }

    #[test]
    fn the_master_password_is_managed_by_rds_and_tls_is_forced() {
        let text = super::super::super::syntax::file(module().main, &[]);
        assert!(text.contains("manage_master_user_password   = true"), "{text}");
        assert!(!text.contains("password ="), "{text}");
        assert!(text.contains("name  = \"rds.force_ssl\"\n    value = \"1\""), "{text}");
    }
}
