//! `s3_replica`: cross-region replication of a bucket datastore with `replicate_to`
//! (`s3_<datastore>_replica` in the root, after its `s3_<datastore>`).
//!
//! Every object version, and delete markers, are replicated to `<bucket>-replica` in the region of
//! the provider `aws.dr`, encrypted there with a KMS key of that region (a key cannot leave its
//! region; rotation on), through an IAM role allowed exactly that: read the source's versions,
//! decrypt with the source key, write and encrypt in the replica. The replica is hardened like
//! every bucket (`s3`'s [`Bucket::hardening`]), versioned, and has the source's lifecycle.
//!
//! The root's `aws.dr` provider is the standby region (`cloud.dr_region`, or the primary region
//! without one). A precondition stops the plan when it is not the region `replicate_to` names,
//! rather than replicating somewhere else.

use hcl::{Block, Expression};
use plinth_spec::model::Datastore;

use super::super::Module;
use super::super::syntax::{
    Skip, allow, data, expr, output, policy, resource, service_trust, template, variable, variable_with_default,
};
use super::datastore::instance;
use super::s3::{Bucket, Encryption, LIFECYCLE_RULES_TYPE, default_lifecycle_rules, lifecycle_rules, spec_rules};

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("bucket", "string", "The source bucket (versioned)."),
        variable("source_bucket_arn", "string", "Its ARN."),
        variable("source_kms_key_arn", "string", "KMS key the source's objects are encrypted with."),
        variable_with_default(
            "lifecycle_rules",
            LIFECYCLE_RULES_TYPE,
            "The source's lifecycle rules, applied to the replica too.",
            default_lifecycle_rules(),
        ),
        variable("replica_region", "string", "The region the spec replicates to; the aws.dr provider must be there."),
    ];
    let replica = Bucket { label: "replica", provider: Some("dr") };
    let account = r#"Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }"#;
    let key_policy = policy([allow("AccountAdministers", &["kms:*"], "\"*\"", &[account])]);
    let via = |region: &str| {
        format!(
            r#"Condition = {{ StringLike = {{ "kms:ViaService" = "s3.${{data.aws_region.{region}.name}}.amazonaws.com" }} }}"#
        )
    };
    let role_policy = policy([
        allow("ReadSource", &["s3:GetReplicationConfiguration", "s3:ListBucket"], "var.source_bucket_arn", &[]),
        allow(
            "ReadSourceVersions",
            &["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"],
            "\"${var.source_bucket_arn}/*\"",
            &[],
        ),
        allow(
            "WriteReplica",
            &["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
            "\"${aws_s3_bucket.replica.arn}/*\"",
            &[],
        ),
        allow("DecryptSource", &["kms:Decrypt"], "var.source_kms_key_arn", &[&via("source")]),
        allow("EncryptReplica", &["kms:Encrypt", "kms:GenerateDataKey"], "aws_kms_key.replica.arn", &[&via("replica")]),
    ]);
    let precondition = Block::builder("lifecycle")
        .add_block(
            Block::builder("precondition")
                .add_attribute(("condition", expr("data.aws_region.replica.name == var.replica_region")))
                .add_attribute((
                    "error_message",
                    template("The aws.dr provider is in ${data.aws_region.replica.name}, but ${var.bucket} is to be replicated to ${var.replica_region}: set cloud.dr_region to it."),
                ))
                .build(),
        )
        .build();
    let mut main = vec![
        data("aws_caller_identity", "current").build(),
        data("aws_partition", "current").build(),
        data("aws_region", "source").build(),
        data("aws_region", "replica").add_attribute(("provider", expr("aws.dr"))).build(),
        replica
            .resource("aws_kms_key")
            .add_attribute(("description", template("Replica of ${var.bucket}")))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("deletion_window_in_days", 30))
            .add_attribute(("policy", key_policy))
            .build(),
        replica
            .resource("aws_s3_bucket")
            .add_attribute(("bucket", template("${var.bucket}-replica")))
            .add_block(precondition)
            .build(),
    ];
    main.extend(replica.hardening(Encryption::Kms("aws_kms_key.replica.arn"), "[]"));
    main.extend([
        replica.versioning("\"Enabled\""),
        replica.lifecycle(vec![spec_rules()]),
        resource("aws_iam_role", "replication")
            .add_attribute(("name", template("${var.bucket}-replication")))
            .add_attribute(("assume_role_policy", service_trust("s3.amazonaws.com")))
            .build(),
        resource("aws_iam_role_policy", "replication")
            .add_attribute(("role", expr("aws_iam_role.replication.id")))
            .add_attribute(("policy", role_policy))
            .build(),
        resource("aws_s3_bucket_replication_configuration", "this")
            .add_attribute(("bucket", expr("var.bucket")))
            .add_attribute(("role", expr("aws_iam_role.replication.arn")))
            .add_block(
                Block::builder("rule")
                    .add_attribute(("id", "standby-region"))
                    .add_attribute(("status", "Enabled"))
                    .add_block(Block::builder("filter").build())
                    .add_block(Block::builder("delete_marker_replication").add_attribute(("status", "Enabled")).build())
                    .add_block(
                        Block::builder("source_selection_criteria")
                            .add_block(
                                Block::builder("sse_kms_encrypted_objects")
                                    .add_attribute(("status", "Enabled"))
                                    .build(),
                            )
                            .build(),
                    )
                    .add_block(
                        Block::builder("destination")
                            .add_attribute(("bucket", expr("aws_s3_bucket.replica.arn")))
                            .add_attribute(("storage_class", "STANDARD"))
                            .add_block(
                                Block::builder("encryption_configuration")
                                    .add_attribute(("replica_kms_key_id", expr("aws_kms_key.replica.arn")))
                                    .build(),
                            )
                            .build(),
                    )
                    .build(),
            )
            .add_attribute(("depends_on", expr("[aws_s3_bucket_versioning.replica]")))
            .build(),
    ]);
    let outputs = vec![
        output("bucket", "aws_s3_bucket.replica.id", "The replica's name."),
        output("region", "data.aws_region.replica.name", "The replica's region."),
    ];
    let skips = vec![
        Skip {
            address: "aws_s3_bucket.replica",
            check: "CKV_AWS_18",
            reason: "only S3 replication writes the replica; server access logs must go to a bucket of the same region, and the source bucket's access is logged",
        },
        Skip {
            address: "aws_s3_bucket.replica",
            check: "CKV2_AWS_62",
            reason: "the replica is a standby copy; object events are not consumed there",
        },
    ];
    Module { name: "s3_replica", variables, main, outputs, skips, provider_aliases: vec!["dr"] }
}

/// The replication of `ds`, when it has `replicate_to`.
pub fn call(ds: &Datastore) -> Option<Block> {
    let region = ds.replicate_to.as_deref()?;
    let source = instance("s3", ds);
    Some(super::call_instance(
        &format!("{source}_replica"),
        "s3_replica",
        &["dr"],
        vec![
            ("bucket", expr(&format!("module.{source}.bucket"))),
            ("source_bucket_arn", expr(&format!("module.{source}.arn"))),
            ("source_kms_key_arn", expr("module.kms.key_arn")),
            ("lifecycle_rules", lifecycle_rules(ds)),
            ("replica_region", Expression::from(region)),
        ],
    ))
}
