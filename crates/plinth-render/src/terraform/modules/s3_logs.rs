//! `s3_logs`: the environment's bucket for the server access logs of its bucket datastores (one per
//! environment, so a module of its own rather than part of `s3`, which is instantiated per bucket).
//!
//! Hardened like every bucket (`s3`'s [`Bucket::hardening`]): ownership enforced, public access
//! blocked, TLS-only; versioned; logs expire after `retention_days` (noncurrent versions 30 days
//! later). Encrypted with SSE-S3: S3 does not deliver server access logs to a bucket whose default
//! encryption is SSE-KMS. The bucket policy lets the S3 logging service write, for the account's
//! own buckets only.

use hcl::{Block, Expression};
use plinth_spec::model::Platform;

use super::super::Module;
use super::super::syntax::{Skip, data, expr, output, template, variable, variable_with_default};
use super::s3::{Bucket, Encryption, abort_uploads};
use super::vpc::cluster_name;

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("name", "string", "Name prefix (application-environment)."),
        variable_with_default("retention_days", "number", "Days access logs are kept.", 365),
    ];
    let logs = Bucket { label: "this", provider: None };
    let delivery = r#"[{ Sid = "S3ServerAccessLogs", Effect = "Allow", Principal = { Service = "logging.s3.amazonaws.com" }, Action = "s3:PutObject", Resource = "${aws_s3_bucket.this.arn}/*", Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } } }]"#;
    let mut main = vec![
        data("aws_caller_identity", "current").build(),
        logs.resource("aws_s3_bucket")
            .add_attribute((
                "bucket",
                template("${var.name}-s3-access-logs-${data.aws_caller_identity.current.account_id}"),
            ))
            .build(),
    ];
    main.extend(logs.hardening(Encryption::S3, delivery));
    main.push(logs.versioning("\"Enabled\""));
    main.push(logs.lifecycle(vec![
            Block::builder("rule")
                .add_attribute(("id", "expire-logs"))
                .add_attribute(("status", "Enabled"))
                .add_block(Block::builder("filter").build())
                .add_block(abort_uploads())
                .add_block(Block::builder("expiration").add_attribute(("days", expr("var.retention_days"))).build())
                .add_block(
                    Block::builder("noncurrent_version_expiration").add_attribute(("noncurrent_days", 30)).build(),
                )
                .build(),
        ]));
    let outputs = vec![output("bucket", "aws_s3_bucket.this.id", "The access-log bucket.")];
    let skips = vec![
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV_AWS_18",
            reason: "this bucket is the access-log destination; logging its own access would log into itself",
        },
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV_AWS_145",
            reason: "S3 delivers server access logs only to buckets with SSE-S3 default encryption, not SSE-KMS",
        },
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV_AWS_144",
            reason: "access logs are an audit trail of this region's buckets, kept a year; they are not replicated",
        },
        Skip {
            address: "aws_s3_bucket.this",
            check: "CKV2_AWS_62",
            reason: "log objects are read by audits, not event consumers",
        },
    ];
    Module { name: "s3_logs", variables, main, outputs, skips, provider_aliases: Vec::new() }
}

/// The log bucket, when the environment has a bucket datastore (`needed`).
pub fn call(platform: &Platform, needed: bool) -> Option<Block> {
    needed.then(|| super::call("s3_logs", vec![("name", Expression::from(cluster_name(platform)))]))
}
