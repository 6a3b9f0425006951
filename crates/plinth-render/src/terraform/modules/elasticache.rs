//! `elasticache`: a managed Redis datastore (seed 002's `elasticache.tf`) as an ElastiCache
//! replication group, one instance per datastore with `hosting: managed` (`elasticache_<datastore>`
//! in the root).
//!
//! - **Shape.** Node type from `size` ([`capacity::datastore_class`]; the same table `plinth cost`
//!   prices); `mode: standalone` or `replication` is one shard of a primary and its replicas
//!   (cluster mode disabled), `mode: cluster` is `shards` shards with cluster mode enabled. The
//!   replica count is [`capacity::cache_nodes`]'s, so the cost estimate and the cluster agree: a
//!   Multi-AZ replication group without `replicas` gets one, as failover needs it.
//! - **Availability.** Automatic failover when the group can fail over (Multi-AZ with a replica) and
//!   always in cluster mode (ElastiCache requires it there); Multi-AZ from `multi_az` (production by
//!   default).
//! - **Version.** `version` as ElastiCache spells it: a bare `7` becomes `7.1` (Redis OSS 7 needs a
//!   minor, and 7.1 is its last), a bare `6` becomes `6.x` (the latest 6 at creation).
//! - **Encryption.** At rest with the environment's KMS key, and in transit (TLS; the services get
//!   `rediss://` and `REDIS_TLS=true`).
//! - **AUTH.** With `auth` (the default), the token is the value of the `REDIS_PASSWORD` secret the
//!   services read: with AWS Secrets Manager as the store, the `secrets` module generates it there
//!   and hands it over; with Vault or Kubernetes as the store, Terraform cannot read it, so the
//!   root's sensitive variable `redis_auth_token` takes the same value (`TF_VAR_redis_auth_token`).
//!   Either way the token is in the Terraform state (encrypted in S3), never in a file.
//! - **Snapshots.** Retention in days from `backup.keep`; without `backup`, a persistent Redis
//!   (`persistence` other than `none`) keeps 7 daily snapshots (seed 002's
//!   `snapshot_retention_limit`) and `persistence: none` keeps none. ElastiCache offers no AOF: its
//!   snapshots and replicas stand in for `aof`. The snapshot window is an hour from `backup.window`
//!   (03:00 by default), the weekly maintenance window an hour on Sunday starting an hour after it.
//!   In production a final snapshot is taken on destroy.
//! - **Parameters.** A parameter group of the engine's family with `maxmemory-policy` = `eviction`
//!   (and `cluster-enabled` in cluster mode).
//! - **Logs.** Slow log and engine log delivered as JSON to encrypted CloudWatch log groups.
//! - **Network and DNS.** A subnet group on the private subnets, a security group admitting 6379
//!   from the EKS nodes only, and `<datastore>.<environment>.<application>.internal` → the primary
//!   endpoint (the configuration endpoint in cluster mode).
//!
//! Every resource is named `<application>-<environment>-<datastore>`, cut to the 40 characters a
//! replication group's identifier may have.

use hcl::{Block, Expression};
use plinth_spec::capacity;
use plinth_spec::model::{Datastore, Engine, Persistence, Platform, RedisMode, SecretProvider, Stage};
use plinth_spec::names;

use super::super::Module;
use super::super::syntax::{
    Skip, expr, output, resource, sensitive_variable, template, variable, variable_with_default,
};
use super::datastore::{
    dns_record, instance, log_group, managed, network_arguments, network_variables, retention_days, security_group,
    subnet_group, window_start, windows,
};

/// The secret holding the Redis AUTH token the services use (the resolver's name).
pub const AUTH_SECRET: &str = "REDIS_PASSWORD";
/// The root variable taking the token when the secret store is not AWS Secrets Manager.
pub const AUTH_VARIABLE: &str = "redis_auth_token";

/// The module.
pub fn module() -> Module {
    let mut variables = network_variables();
    variables.extend([
        variable("engine_version", "string", "Redis version as ElastiCache spells it (`7.1`, `6.x`)."),
        variable("parameter_group_family", "string", "Parameter group family of the version (`redis7`)."),
        variable("node_type", "string", "Node type (`cache.r6g.large`)."),
        variable("cluster_mode", "bool", "Shard the keyspace (Redis Cluster)."),
        variable_with_default("shards", "number", "Shards in cluster mode.", 1),
        variable("replicas", "number", "Replicas of each shard's primary."),
        variable("automatic_failover", "bool", "Promote a replica when the primary fails."),
        variable("multi_az", "bool", "Place replicas in other zones than their primary."),
        sensitive_variable(
            "auth_token",
            "string",
            "AUTH token clients present (null: no AUTH).",
            Some(Expression::Null),
        ),
        variable("eviction_policy", "string", "maxmemory-policy (`allkeys-lru`)."),
        variable("snapshot_retention_days", "number", "Days daily snapshots are kept (0: none)."),
        variable("snapshot_window", "string", "Daily snapshot window, UTC (`03:00-04:00`)."),
        variable("maintenance_window", "string", "Weekly maintenance window, UTC (`sun:05:00-sun:06:00`)."),
        variable("final_snapshot", "bool", "Snapshot the group when it is destroyed (production)."),
    ]);
    let parameter = |name: &str, value: &str| {
        Block::builder("parameter").add_attribute(("name", name)).add_attribute(("value", expr(value))).build()
    };
    let cluster_parameter = Block::builder("dynamic")
        .add_label("parameter")
        .add_attribute(("for_each", expr(r#"var.cluster_mode ? ["yes"] : []"#)))
        .add_block(
            Block::builder("content")
                .add_attribute(("name", "cluster-enabled"))
                .add_attribute(("value", expr("parameter.value")))
                .build(),
        )
        .build();
    let log_delivery = |log_type: &str, group: &str| {
        Block::builder("log_delivery_configuration")
            .add_attribute(("destination", expr(&format!("aws_cloudwatch_log_group.{group}.name"))))
            .add_attribute(("destination_type", "cloudwatch-logs"))
            .add_attribute(("log_format", "json"))
            .add_attribute(("log_type", log_type))
            .build()
    };
    let group = resource("aws_elasticache_replication_group", "this")
        .add_attribute(("replication_group_id", expr("var.name")))
        .add_attribute(("description", template("Redis for ${var.name}")))
        .add_attribute(("engine", "redis"))
        .add_attribute(("engine_version", expr("var.engine_version")))
        .add_attribute(("node_type", expr("var.node_type")))
        .add_attribute(("port", 6379))
        .add_attribute(("parameter_group_name", expr("aws_elasticache_parameter_group.this.name")))
        .add_attribute(("subnet_group_name", expr("aws_elasticache_subnet_group.this.name")))
        .add_attribute(("security_group_ids", expr("[aws_security_group.this.id]")))
        .add_attribute(("cluster_mode", expr(r#"var.cluster_mode ? "enabled" : "disabled""#)))
        .add_attribute(("num_cache_clusters", expr("var.cluster_mode ? null : 1 + var.replicas")))
        .add_attribute(("num_node_groups", expr("var.cluster_mode ? var.shards : null")))
        .add_attribute(("replicas_per_node_group", expr("var.cluster_mode ? var.replicas : null")))
        .add_attribute(("automatic_failover_enabled", expr("var.automatic_failover")))
        .add_attribute(("multi_az_enabled", expr("var.multi_az")))
        .add_attribute(("at_rest_encryption_enabled", true))
        .add_attribute(("kms_key_id", expr("var.kms_key_arn")))
        .add_attribute(("transit_encryption_enabled", true))
        .add_attribute(("auth_token", expr("var.auth_token")))
        .add_attribute(("auth_token_update_strategy", expr(r#"var.auth_token == null ? null : "ROTATE""#)))
        .add_attribute(("auto_minor_version_upgrade", true))
        .add_attribute(("snapshot_retention_limit", expr("var.snapshot_retention_days")))
        .add_attribute(("snapshot_window", expr("var.snapshot_window")))
        .add_attribute(("maintenance_window", expr("var.maintenance_window")))
        .add_attribute(("final_snapshot_identifier", expr(r#"var.final_snapshot ? "${var.name}-final" : null"#)))
        .add_block(log_delivery("slow-log", "slow_log"))
        .add_block(log_delivery("engine-log", "engine_log"))
        .build();
    let main = vec![
        subnet_group("aws_elasticache_subnet_group"),
        security_group(6379, "Redis"),
        resource("aws_elasticache_parameter_group", "this")
            .add_attribute(("name", expr("var.name")))
            .add_attribute(("family", expr("var.parameter_group_family")))
            .add_attribute(("description", template("Redis parameters of ${var.name}")))
            .add_block(parameter("maxmemory-policy", "var.eviction_policy"))
            .add_block(cluster_parameter)
            .build(),
        log_group("slow_log", "/aws/elasticache/${var.name}/slow-log"),
        log_group("engine_log", "/aws/elasticache/${var.name}/engine-log"),
        group,
        dns_record(
            "var.cluster_mode ? aws_elasticache_replication_group.this.configuration_endpoint_address : aws_elasticache_replication_group.this.primary_endpoint_address",
        ),
    ];
    let outputs = vec![
        output(
            "address",
            "var.cluster_mode ? aws_elasticache_replication_group.this.configuration_endpoint_address : aws_elasticache_replication_group.this.primary_endpoint_address",
            "The endpoint host (the configuration endpoint in cluster mode).",
        ),
        output(
            "reader_address",
            "aws_elasticache_replication_group.this.reader_endpoint_address",
            "Replicas' endpoint (cluster mode disabled).",
        ),
        output("dns_name", "aws_route53_record.this.fqdn", "The private name clients use."),
        output("security_group_id", "aws_security_group.this.id", "The group's security group."),
    ];
    let skips = vec![Skip {
        address: "aws_elasticache_replication_group.this",
        check: "CKV2_AWS_50",
        reason: "automatic failover follows the datastore's multi_az and replicas (on in production and in cluster mode); a single node has nothing to fail over to",
    }];
    Module { name: "elasticache", variables, main, outputs, skips, provider_aliases: Vec::new() }
}

/// `version` as ElastiCache spells it: a bare `7` → `7.1`, a bare `6` → `6.x`, else as written.
pub fn engine_version(version: &str) -> String {
    match version {
        "7" => "7.1".to_owned(),
        "6" => "6.x".to_owned(),
        _ => version.to_owned(),
    }
}

/// The parameter group family of a version: `redis7` from 7 on, `redis6.x` for 6, `redis5.0`
/// before (major and minor).
pub fn parameter_group_family(version: &str) -> String {
    let mut parts = version.split('.');
    let major = parts.next().unwrap_or(version);
    match major.parse::<u32>() {
        Ok(7..) => format!("redis{major}"),
        Ok(6) => "redis6.x".to_owned(),
        _ => format!("redis{major}.{}", parts.next().unwrap_or("0")),
    }
}

/// Days of snapshots: `backup.keep`, else 7 for a persistent Redis and none for `persistence: none`.
pub fn snapshot_retention(ds: &Datastore) -> u32 {
    retention_days(ds).unwrap_or(if ds.persistence == Persistence::None { 0 } else { 7 })
}

/// The model's values for one Redis datastore, as the module's arguments; `auth_token` is the
/// expression the token comes from.
pub fn arguments(platform: &Platform, ds: &Datastore, auth_token: Expression) -> Vec<(&'static str, Expression)> {
    let cluster = ds.mode == RedisMode::Cluster;
    let shards = if cluster { ds.shards.max(1) } else { 1 };
    let replicas = capacity::cache_nodes(ds) / shards - 1;
    let failover = cluster || (ds.multi_az && replicas >= 1);
    let (snapshot_window, maintenance_window) = windows(window_start(ds), 60);
    let mut arguments = network_arguments(platform, ds, names::elasticache_group(platform, &ds.name));
    arguments.extend([
        ("engine_version", Expression::from(engine_version(&ds.version))),
        ("parameter_group_family", Expression::from(parameter_group_family(&ds.version))),
        ("node_type", Expression::from(capacity::datastore_class(ds).unwrap_or_else(|| ds.size.clone()))),
        ("cluster_mode", Expression::from(cluster)),
        ("shards", Expression::from(shards)),
        ("replicas", Expression::from(replicas)),
        ("automatic_failover", Expression::from(failover)),
        ("multi_az", Expression::from(ds.multi_az && replicas >= 1)),
        ("auth_token", auth_token),
        ("eviction_policy", Expression::from(ds.eviction.as_str())),
        ("snapshot_retention_days", Expression::from(snapshot_retention(ds))),
        ("snapshot_window", Expression::from(snapshot_window)),
        ("maintenance_window", Expression::from(maintenance_window)),
        ("final_snapshot", Expression::from(platform.environment.stage == Stage::Production)),
    ]);
    arguments
}

/// Whether the environment has a managed Redis with AUTH.
pub fn needs_auth_token(platform: &Platform) -> bool {
    managed(platform, Engine::Redis).any(|ds| ds.auth)
}

/// The root's `redis_auth_token` variable (when the token cannot come from the `secrets` module),
/// then one `elasticache_<datastore>` call per managed Redis.
pub fn call(platform: &Platform) -> Vec<Block> {
    let from_secrets_manager = platform.secrets.provider == SecretProvider::AwsSecretsManager;
    let mut blocks = Vec::new();
    if needs_auth_token(platform) && !from_secrets_manager {
        blocks.push(sensitive_variable(
            AUTH_VARIABLE,
            "string",
            "Redis AUTH token: the value of REDIS_PASSWORD in the secret store the services read (TF_VAR_redis_auth_token).",
            None,
        ));
    }
    for ds in managed(platform, Engine::Redis) {
        let token = match (ds.auth, from_secrets_manager) {
            (false, _) => Expression::Null,
            (true, true) => expr(&format!("module.secrets.generated[\"{AUTH_SECRET}\"]")),
            (true, false) => expr(&format!("var.{AUTH_VARIABLE}")),
        };
        blocks.push(super::call_instance(
            &instance("elasticache", ds),
            "elasticache",
            &[],
            arguments(platform, ds, token),
        ));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(env: &str, redis: &str, secrets: &str) -> Platform {
        let spec = format!(
            "plinth: 1\nname: shop\ncloud: {{ provider: aws, region: us-east-1 }}\nservices:\n  web: {{ image: ghcr.io/s/web, uses: [cache] }}\ndatastores:\n  cache: {redis}\nsecrets: {secrets}\nenvironments:\n  staging: {{ stage: staging }}\n  production: {{}}\n"
        );
        let compiled = plinth_spec::compile(&spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().find(|p| p.environment.name == env).expect("the environment")
    }

    fn argument(blocks: &[Block], name: &str) -> Expression {
        let call = blocks.iter().find(|b| b.identifier() == "module").expect("a call");
        call.body.attributes().find(|a| a.key() == name).map(|a| a.expr.clone()).unwrap_or(Expression::Null)
    }

    const ASM: &str = "{ provider: aws-secrets-manager }";

    #[test]
    fn production_fails_over_across_zones_staging_does_not() {
        let production = call(&platform("production", "{ engine: redis, version: \"7\" }", ASM));
        assert_eq!(argument(&production, "replicas"), Expression::from(1)); // Multi-AZ needs a replica
        assert_eq!(argument(&production, "automatic_failover"), Expression::Bool(true));
        assert_eq!(argument(&production, "multi_az"), Expression::Bool(true));
        assert_eq!(argument(&production, "final_snapshot"), Expression::Bool(true));
        assert_eq!(argument(&production, "engine_version"), Expression::from("7.1"));
        assert_eq!(argument(&production, "parameter_group_family"), Expression::from("redis7"));
        assert_eq!(argument(&production, "node_type"), Expression::from("cache.r6g.large"));
        let staging = call(&platform("staging", "{ engine: redis, version: \"7\" }", ASM));
        assert_eq!(argument(&staging, "replicas"), Expression::from(0));
        assert_eq!(argument(&staging, "automatic_failover"), Expression::Bool(false));
        assert_eq!(argument(&staging, "multi_az"), Expression::Bool(false));
        assert_eq!(argument(&staging, "final_snapshot"), Expression::Bool(false));
        assert_eq!(argument(&staging, "node_type"), Expression::from("cache.t3.small"));
    }

    #[test]
    fn cluster_mode_always_fails_over_and_keeps_its_shards() {
        let redis = "{ engine: redis, mode: cluster, shards: 3, replicas: 1, multi_az: false, eviction: volatile-lru }";
        let blocks = call(&platform("staging", redis, ASM));
        assert_eq!(argument(&blocks, "cluster_mode"), Expression::Bool(true));
        assert_eq!(argument(&blocks, "shards"), Expression::from(3));
        assert_eq!(argument(&blocks, "replicas"), Expression::from(1));
        assert_eq!(argument(&blocks, "automatic_failover"), Expression::Bool(true));
        assert_eq!(argument(&blocks, "multi_az"), Expression::Bool(false));
        assert_eq!(argument(&blocks, "eviction_policy"), Expression::from("volatile-lru"));
    }

    #[test]
    fn the_token_comes_from_secrets_manager_or_a_root_variable() {
        let asm = call(&platform("production", "{ engine: redis }", ASM));
        assert_eq!(argument(&asm, "auth_token"), expr("module.secrets.generated[\"REDIS_PASSWORD\"]"));
        assert!(!asm.iter().any(|b| b.identifier() == "variable"));
        let vault = "{ provider: vault, address: \"https://vault.example.com:8200\" }";
        let other = call(&platform("production", "{ engine: redis }", vault));
        assert_eq!(argument(&other, "auth_token"), expr("var.redis_auth_token"));
        assert!(other.iter().any(|b| b.identifier() == "variable" && b.labels[0].as_str() == AUTH_VARIABLE));
        let open = call(&platform("production", "{ engine: redis, auth: false }", ASM));
        assert_eq!(argument(&open, "auth_token"), Expression::Null);
    }

    #[test]
    fn snapshots_follow_backup_then_persistence() {
        let kept =
            platform("production", "{ engine: redis, backup: { every: 24h, keep: 3d, window: \"01:00\" } }", ASM);
        let ds = kept.datastore("cache").unwrap();
        assert_eq!(snapshot_retention(ds), 3);
        assert_eq!(windows(window_start(ds), 60), ("01:00-02:00".to_owned(), "sun:03:00-sun:04:00".to_owned()));
        let rdb = platform("production", "{ engine: redis }", ASM);
        assert_eq!(snapshot_retention(rdb.datastore("cache").unwrap()), 7);
        let none = platform("production", "{ engine: redis, persistence: none }", ASM);
        assert_eq!(snapshot_retention(none.datastore("cache").unwrap()), 0);
    }

    #[test]
    fn versions_and_families() {
        assert_eq!(engine_version("7.0"), "7.0");
        assert_eq!(engine_version("6"), "6.x");
        assert_eq!(parameter_group_family("7.0"), "redis7");
        assert_eq!(parameter_group_family("6.2"), "redis6.x");
        assert_eq!(parameter_group_family("5.0.6"), "redis5.0");
    }
}
