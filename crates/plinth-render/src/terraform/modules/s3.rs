//! `s3`: a bucket datastore, one instance per `engine: bucket` datastore (`s3_<datastore>` in the
//! root), and the hardening every bucket of the datastore modules shares (the replica of
//! `s3_replica`, the access-log bucket of `s3_logs`).
//!
//! - **Name.** `<application>-<environment>-<datastore>`, the name the Kubernetes backend injects
//!   as `<DATASTORE>_BUCKET`.
//! - **Hardening.** Object ownership enforced (no ACLs), the public access block with all four
//!   settings, default encryption (SSE-KMS with the environment's key and an S3 Bucket Key), and a
//!   policy denying every request not made over TLS.
//! - **Versioning** from `versioning`, and always with `replicate_to` (replication needs it).
//! - **Lifecycle.** The spec's rules, one per prefix, with transitions to Standard-IA
//!   (`infrequent-access`) or Glacier Flexible Retrieval (`glacier`) and expiry (`expire`) after
//!   their ages. Every rule also aborts incomplete multipart uploads after 7 days, and there is
//!   always a rule for the whole bucket, so no upload is left behind anywhere.
//! - **Access logging** to the environment's log bucket (`s3_logs`), under `<bucket>/`.
//! - **Replication** (`replicate_to`) is `s3_replica`'s, a module of its own, instantiated only for
//!   the buckets that ask for it (`s3_<datastore>_replica`).
//! - **`access: public-read`.** The bucket stays private and blocked from public access; its objects
//!   are meant to be served through CloudFront with origin access control: the distributions in
//!   `cloudfront_distribution_arns` may `s3:GetObject` (and nothing else may without credentials).
//!   The CDN module does not serve buckets yet, so the call passes none.

use std::collections::BTreeMap;

use hcl::{Block, BlockBuilder, Expression};
use plinth_spec::model::{Access, Datastore, Engine, LifecycleTarget, Platform};

use super::super::Module;
use super::super::syntax::{Skip, expr, object, output, resource, template, variable, variable_with_default};
use super::datastore::{aws_name, instance, managed};

/// Days after which incomplete multipart uploads are aborted.
const ABORT_UPLOADS_DAYS: u32 = 7;

/// One bucket of a module: its resource label, and the provider alias its resources carry (the
/// replica lives in `aws.dr`).
#[derive(Debug, Clone, Copy)]
pub struct Bucket<'a> {
    /// `aws_s3_bucket.<label>`.
    pub label: &'a str,
    /// A provider alias (`dr`).
    pub provider: Option<&'a str>,
}

/// How a bucket is encrypted by default.
#[derive(Debug, Clone, Copy)]
pub enum Encryption<'a> {
    /// SSE-KMS with the key of this expression, with an S3 Bucket Key.
    Kms(&'a str),
    /// SSE-S3 (the only default encryption a server-access-log destination may have).
    S3,
}

impl Bucket<'_> {
    /// `aws_s3_bucket.<label>`.
    pub fn reference(&self) -> String {
        format!("aws_s3_bucket.{}", self.label)
    }

    /// A resource of `kind` labelled like the bucket, in its provider.
    pub fn resource(&self, kind: &str) -> BlockBuilder {
        let block = resource(kind, self.label);
        match self.provider {
            Some(provider) => block.add_attribute(("provider", expr(&format!("aws.{provider}")))),
            None => block,
        }
    }

    /// A configuration resource of the bucket (`bucket = aws_s3_bucket.<label>.id`).
    pub fn configuration(&self, kind: &str) -> BlockBuilder {
        self.resource(kind).add_attribute(("bucket", expr(&format!("{}.id", self.reference()))))
    }

    /// Ownership enforced, the public access block, default encryption, and a bucket policy denying
    /// requests without TLS, followed by the `extra` statements (an HCL list expression).
    pub fn hardening(&self, encryption: Encryption<'_>, extra: &str) -> Vec<Block> {
        let default = match encryption {
            Encryption::Kms(key) => Block::builder("apply_server_side_encryption_by_default")
                .add_attribute(("sse_algorithm", "aws:kms"))
                .add_attribute(("kms_master_key_id", expr(key))),
            Encryption::S3 => {
                Block::builder("apply_server_side_encryption_by_default").add_attribute(("sse_algorithm", "AES256"))
            }
        };
        let mut rule = Block::builder("rule").add_block(default.build());
        if matches!(encryption, Encryption::Kms(_)) {
            rule = rule.add_attribute(("bucket_key_enabled", true));
        }
        let arn = format!("{}.arn", self.reference());
        let tls_only = format!(
            r#"{{ Sid = "TlsOnly", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = [{arn}, "${{{arn}}}/*"], Condition = {{ Bool = {{ "aws:SecureTransport" = "false" }} }} }}"#
        );
        vec![
            self.configuration("aws_s3_bucket_ownership_controls")
                .add_block(Block::builder("rule").add_attribute(("object_ownership", "BucketOwnerEnforced")).build())
                .build(),
            self.configuration("aws_s3_bucket_public_access_block")
                .add_attribute(("block_public_acls", true))
                .add_attribute(("block_public_policy", true))
                .add_attribute(("ignore_public_acls", true))
                .add_attribute(("restrict_public_buckets", true))
                .build(),
            self.configuration("aws_s3_bucket_server_side_encryption_configuration").add_block(rule.build()).build(),
            self.configuration("aws_s3_bucket_policy")
                .add_attribute((
                    "policy",
                    expr(&format!(
                        r#"jsonencode({{ Version = "2012-10-17", Statement = concat([{tls_only}], {extra}) }})"#
                    )),
                ))
                .add_attribute(("depends_on", expr(&format!("[aws_s3_bucket_public_access_block.{}]", self.label))))
                .build(),
        ]
    }

    /// Versioning with the status expression `status`.
    pub fn versioning(&self, status: &str) -> Block {
        self.configuration("aws_s3_bucket_versioning")
            .add_block(Block::builder("versioning_configuration").add_attribute(("status", expr(status))).build())
            .build()
    }

    /// A lifecycle configuration of `rules`.
    pub fn lifecycle(&self, rules: Vec<Block>) -> Block {
        self.configuration("aws_s3_bucket_lifecycle_configuration").add_blocks(rules).build()
    }
}

/// `abort_incomplete_multipart_upload`: uploads left incomplete for 7 days are removed.
pub fn abort_uploads() -> Block {
    Block::builder("abort_incomplete_multipart_upload")
        .add_attribute(("days_after_initiation", ABORT_UPLOADS_DAYS))
        .build()
}

/// The spec's lifecycle rules (`var.lifecycle_rules`) as a `dynamic "rule"` block, each also
/// aborting incomplete multipart uploads.
pub fn spec_rules() -> Block {
    let dynamic = |name: &str, for_each: &str, content: Vec<(&str, &str)>| {
        let mut body = Block::builder("content");
        for (key, value) in content {
            body = body.add_attribute((key, expr(value)));
        }
        Block::builder("dynamic")
            .add_label(name)
            .add_attribute(("for_each", expr(for_each)))
            .add_block(body.build())
            .build()
    };
    Block::builder("dynamic")
        .add_label("rule")
        .add_attribute(("for_each", expr("var.lifecycle_rules")))
        .add_block(
            Block::builder("content")
                .add_attribute(("id", expr("rule.value.id")))
                .add_attribute(("status", "Enabled"))
                .add_block(Block::builder("filter").add_attribute(("prefix", expr("rule.value.prefix"))).build())
                .add_block(abort_uploads())
                .add_block(dynamic(
                    "transition",
                    "rule.value.transitions",
                    vec![("days", "transition.value.days"), ("storage_class", "transition.value.storage_class")],
                ))
                .add_block(dynamic(
                    "expiration",
                    "rule.value.expiration_days == null ? [] : [rule.value.expiration_days]",
                    vec![("days", "expiration.value")],
                ))
                .build(),
        )
        .build()
}

/// The type of `lifecycle_rules` (of `s3` and `s3_replica`).
pub const LIFECYCLE_RULES_TYPE: &str = "list(object({ id = string, prefix = string, transitions = list(object({ days = number, storage_class = string })), expiration_days = number }))";

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("bucket", "string", "Bucket name (application-environment-datastore)."),
        variable("kms_key_arn", "string", "KMS key of the bucket's default encryption."),
        variable("versioning", "bool", "Keep every version of every object (required for replication)."),
        variable_with_default(
            "lifecycle_rules",
            LIFECYCLE_RULES_TYPE,
            "Lifecycle rules, one per prefix (\"\": the whole bucket): transitions to cheaper storage classes, and expiry (null: never).",
            default_lifecycle_rules(),
        ),
        variable("log_bucket", "string", "Bucket receiving the server access logs."),
        variable_with_default(
            "cloudfront_distribution_arns",
            "list(string)",
            "CloudFront distributions that may read objects through origin access control (access: public-read).",
            Expression::Array(Vec::new()),
        ),
    ];
    let this = Bucket { label: "this", provider: None };
    let cloudfront_read = r#"length(var.cloudfront_distribution_arns) == 0 ? [] : [{ Sid = "CloudFrontRead", Effect = "Allow", Principal = { Service = "cloudfront.amazonaws.com" }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.this.arn}/*", Condition = { StringEquals = { "AWS:SourceArn" = var.cloudfront_distribution_arns } } }]"#;
    let mut main = vec![this.resource("aws_s3_bucket").add_attribute(("bucket", expr("var.bucket"))).build()];
    main.extend(this.hardening(Encryption::Kms("var.kms_key_arn"), cloudfront_read));
    main.extend([
        this.versioning(r#"var.versioning ? "Enabled" : "Suspended""#),
        this.lifecycle(vec![spec_rules()]),
        this.configuration("aws_s3_bucket_logging")
            .add_attribute(("target_bucket", expr("var.log_bucket")))
            .add_attribute(("target_prefix", template("${var.bucket}/")))
            .build(),
    ]);
    let outputs = vec![
        // Read from the versioning resource, so replication (which needs it) waits for it.
        output("bucket", "aws_s3_bucket_versioning.this.bucket", "The bucket's name."),
        output("arn", "aws_s3_bucket.this.arn", "The bucket's ARN."),
    ];
    let skips = vec![
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV_AWS_144",
            reason: "replication follows the datastore's replicate_to and is configured by the module s3_replica, which Checkov does not connect to this bucket; a bucket without replicate_to is single-region by the spec's choice",
        },
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV2_AWS_62",
            reason: "no consumer of object events is declared in the spec; notifications would go nowhere",
        },
    ];
    Module { name: "s3", variables, main, outputs, skips, provider_aliases: Vec::new() }
}

/// The storage class of a lifecycle target, or `None` for expiry.
fn storage_class(target: LifecycleTarget) -> Option<&'static str> {
    match target {
        LifecycleTarget::InfrequentAccess => Some("STANDARD_IA"),
        LifecycleTarget::Glacier => Some("GLACIER"),
        LifecycleTarget::Expire => None,
    }
}

/// The spec's lifecycle as `var.lifecycle_rules`: one rule per prefix (the whole bucket first,
/// always present), transitions in age order, and the first expiry.
pub fn lifecycle_rules(ds: &Datastore) -> Expression {
    let mut by_prefix: BTreeMap<&str, Vec<(u64, LifecycleTarget)>> = BTreeMap::from([("", Vec::new())]);
    for rule in &ds.lifecycle {
        let days = rule.after.seconds().div_ceil(86_400);
        by_prefix.entry(rule.prefix.as_deref().unwrap_or("")).or_default().push((days, rule.to));
    }
    Expression::Array(by_prefix.into_iter().map(|(prefix, steps)| lifecycle_rule(prefix, steps)).collect())
}

/// The rule of one prefix: transitions in age order, and the first expiry.
fn lifecycle_rule(prefix: &str, mut steps: Vec<(u64, LifecycleTarget)>) -> Expression {
    steps.sort_by_key(|(days, _)| *days);
    let transitions = steps.iter().filter_map(|(days, to)| {
        let class = storage_class(*to)?;
        Some(object([("days", Expression::from(*days)), ("storage_class", Expression::from(class))]))
    });
    let expiration = steps.iter().find(|(_, to)| storage_class(*to).is_none());
    let id = if prefix.is_empty() { "lifecycle".to_owned() } else { format!("lifecycle-{prefix}") };
    object([
        ("id", Expression::from(id)),
        ("prefix", Expression::from(prefix)),
        ("transitions", Expression::Array(transitions.collect())),
        ("expiration_days", expiration.map_or(Expression::Null, |(days, _)| Expression::from(*days))),
    ])
}

/// The default of `lifecycle_rules`: the whole bucket's rule, which aborts incomplete uploads.
pub fn default_lifecycle_rules() -> Expression {
    Expression::Array(vec![lifecycle_rule("", Vec::new())])
}

/// The model's values for one bucket datastore, as the module's arguments.
pub fn arguments(platform: &Platform, ds: &Datastore) -> Vec<(&'static str, Expression)> {
    let mut arguments = vec![
        ("bucket", Expression::from(aws_name(platform, ds))),
        ("kms_key_arn", expr("module.kms.key_arn")),
        ("versioning", Expression::from(ds.versioning || ds.replicate_to.is_some())),
        ("lifecycle_rules", lifecycle_rules(ds)),
        ("log_bucket", expr("module.s3_logs.bucket")),
    ];
    if ds.access == Access::PublicRead {
        // The CDN does not serve buckets yet: no distribution may read, and the bucket stays private.
        arguments.push(("cloudfront_distribution_arns", Expression::Array(Vec::new())));
    }
    arguments
}

/// The environment's access-log bucket, then per bucket datastore its `s3_<datastore>` call and,
/// with `replicate_to`, its `s3_<datastore>_replica`.
///
/// With cluster backups, `s3_velero` is Velero's backup bucket (the one its IRSA role may use),
/// versioned, hardened and logged like the rest.
pub fn call(platform: &Platform) -> Vec<Block> {
    let buckets: Vec<&Datastore> = managed(platform, Engine::Bucket).collect();
    let velero = platform.recovery.cluster_backup.is_some();
    let mut blocks: Vec<Block> = super::s3_logs::call(platform, !buckets.is_empty() || velero).into_iter().collect();
    for ds in buckets {
        blocks.push(super::call_instance(&instance("s3", ds), "s3", &[], arguments(platform, ds)));
        blocks.extend(super::s3_replica::call(ds));
    }
    if velero {
        let arguments = vec![
            ("bucket", Expression::from(super::eks::velero_bucket(platform))),
            ("kms_key_arn", expr("module.kms.key_arn")),
            ("versioning", Expression::from(true)),
            ("log_bucket", expr("module.s3_logs.bucket")),
        ];
        blocks.push(super::call_instance("s3_velero", "s3", &[], arguments));
    }
    blocks
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(bucket: &str) -> Platform {
        let spec = format!(
            "plinth: 1\nname: shop\ncloud: {{ provider: aws, region: us-east-1, dr_region: us-west-2 }}\nservices:\n  web: {{ image: ghcr.io/s/web, uses: [files] }}\ndatastores:\n  files: {bucket}\nenvironments:\n  production: {{}}\n"
        );
        let compiled = plinth_spec::compile(&spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().next().expect("one environment")
    }

    fn argument(platform: &Platform, name: &str) -> Option<Expression> {
        let ds = platform.datastore("files").unwrap();
        arguments(platform, ds).into_iter().find(|(key, _)| *key == name).map(|(_, value)| value)
    }

    #[test]
    fn lifecycle_rules_group_by_prefix_in_age_order() {
        let bucket = "{ engine: bucket, lifecycle: [{ after: 180d, to: glacier }, { after: 30d, to: infrequent-access }, { after: 7d, to: expire, prefix: tmp/ }] }";
        let ruled = platform(bucket);
        let text = hcl::format::to_string(&argument(&ruled, "lifecycle_rules").unwrap()).unwrap();
        let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            compact,
            r#"[ { "id" = "lifecycle" "prefix" = "" "transitions" = [ { "days" = 30 "storage_class" = "STANDARD_IA" }, { "days" = 180 "storage_class" = "GLACIER" } ] "expiration_days" = null }, { "id" = "lifecycle-tmp/" "prefix" = "tmp/" "transitions" = [] "expiration_days" = 7 } ]"#
        );
        // Without rules, the whole bucket still gets one (it aborts incomplete uploads).
        let bare = platform("{ engine: bucket }");
        let text = hcl::format::to_string(&argument(&bare, "lifecycle_rules").unwrap()).unwrap();
        assert_eq!(
            text.split_whitespace().collect::<Vec<_>>().join(" "),
            r#"[ { "id" = "lifecycle" "prefix" = "" "transitions" = [] "expiration_days" = null } ]"#
        );
    }

    #[test]
    fn replication_turns_versioning_on_and_adds_the_replica_module() {
        let replicated = platform("{ engine: bucket, versioning: false, replicate_to: us-west-2 }");
        assert_eq!(argument(&replicated, "bucket"), Some(Expression::from("shop-production-files")));
        assert_eq!(argument(&replicated, "versioning"), Some(Expression::Bool(true)));
        let labels = |platform: &Platform| -> Vec<String> {
            call(platform).iter().map(|b| b.labels[0].as_str().to_owned()).collect()
        };
        assert_eq!(labels(&replicated), ["s3_logs", "s3_files", "s3_files_replica", "s3_velero"]);
        let single = platform("{ engine: bucket, versioning: false }");
        assert_eq!(argument(&single, "versioning"), Some(Expression::Bool(false)));
        assert_eq!(labels(&single), ["s3_logs", "s3_files", "s3_velero"]);
    }
}
