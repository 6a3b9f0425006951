//! The AWS Terraform rules (research `policy-anchors.md` §2b), one file per rule, `PL-TF-001` to
//! `PL-TF-032`: S3, RDS, security groups, EKS, EC2 metadata and EBS, VPC flow logs, KMS,
//! ElastiCache, ECR, CloudTrail, DynamoDB, load balancers, and credentials written in plain text.
//!
//! Each rule sees one Terraform module directory at a time ([`Module`](crate::terraform::Module)):
//! a setting written as a separate resource that refers to its subject (`aws_s3_bucket_versioning`
//! for an `aws_s3_bucket`, `aws_flow_log` for an `aws_vpc`) counts wherever it is written in the
//! directory. Values that are not literals (variables, locals, functions) are unknown and pass; a
//! module input written exactly `var.<name>` is checked again with each literal a root of the tree
//! passes it, at the call (`engine/calls.rs`).
//!
//! **Severities.** Error: data or hosts exposed (unencrypted or public databases, public bucket
//! ACLs, admin ports open to the internet, plaintext credentials). Warning: hardening and recovery
//! (KMS encryption, versioning, public access blocks, logging, deletion protection, Multi-AZ and
//! automatic failover, backups and point-in-time recovery, TLS in transit and on load balancers,
//! EBS encryption, the default security group, CloudTrail, IMDSv2, EKS endpoint, Secrets and
//! control-plane logs, ECR). Info: good practice often traded away on purpose (IAM database
//! authentication, unrestricted egress).

mod common;

mod cloudtrail_hardening;
mod default_security_group_restricted;
mod dynamodb_point_in_time_recovery;
mod ebs_encryption;
mod ecr_immutable_tags;
mod ecr_scan_on_push;
mod eks_control_plane_logging;
mod eks_public_endpoint;
mod eks_secrets_encryption;
mod elasticache_automatic_failover;
mod elasticache_backups;
mod elasticache_encryption_at_rest;
mod elasticache_encryption_in_transit;
mod instance_metadata_v2;
mod kms_key_rotation;
mod load_balancer_https;
mod plaintext_secrets;
mod rds_backup_retention;
mod rds_deletion_protection;
mod rds_encryption_in_transit;
mod rds_iam_authentication;
mod rds_multi_az;
mod rds_public_access;
mod rds_storage_encrypted;
mod s3_access_logging;
mod s3_encryption_kms;
mod s3_public_access_block;
mod s3_public_acl;
mod s3_versioning;
mod security_group_admin_ports;
mod security_group_unrestricted_egress;
mod vpc_flow_logs;

use crate::terraform::TerraformRule;

/// The Terraform rules, in id order.
pub const RULES: &[TerraformRule] = &[
    s3_encryption_kms::RULE,
    s3_versioning::RULE,
    s3_public_access_block::RULE,
    s3_access_logging::RULE,
    rds_storage_encrypted::RULE,
    rds_public_access::RULE,
    rds_backup_retention::RULE,
    rds_deletion_protection::RULE,
    rds_multi_az::RULE,
    rds_iam_authentication::RULE,
    security_group_admin_ports::RULE,
    eks_secrets_encryption::RULE,
    instance_metadata_v2::RULE,
    eks_public_endpoint::RULE,
    vpc_flow_logs::RULE,
    kms_key_rotation::RULE,
    elasticache_encryption_at_rest::RULE,
    elasticache_encryption_in_transit::RULE,
    ecr_scan_on_push::RULE,
    ecr_immutable_tags::RULE,
    rds_encryption_in_transit::RULE,
    s3_public_acl::RULE,
    elasticache_automatic_failover::RULE,
    elasticache_backups::RULE,
    eks_control_plane_logging::RULE,
    security_group_unrestricted_egress::RULE,
    default_security_group_restricted::RULE,
    ebs_encryption::RULE,
    cloudtrail_hardening::RULE,
    dynamodb_point_in_time_recovery::RULE,
    load_balancer_https::RULE,
    plaintext_secrets::RULE,
];
