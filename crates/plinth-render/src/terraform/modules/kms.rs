//! `kms`: the environment's customer-managed key, rotated yearly, behind the alias
//! `alias/<application>-<environment>`. Every module encrypts with it: the EKS cluster's Secrets,
//! RDS storage, snapshots and Performance Insights, ElastiCache, S3 objects, Secrets Manager
//! secrets, ECR images, the SNS topic of the budget alerts, and every CloudWatch log group.
//!
//! **Key policy.**
//! - `Account`: the account's root may do everything with the key, which delegates to IAM: a
//!   principal of the account uses the key when its IAM policies allow it (AWS's default key
//!   policy; without it the key could become unmanageable). This is how EKS, RDS, ElastiCache, S3,
//!   Secrets Manager and ECR use it: on behalf of the account principal that creates the resource
//!   (the Terraform role, the EKS cluster role, the IRSA roles), through grants they create, so no
//!   statement names those services.
//! - `CloudWatchLogs`: the regional CloudWatch Logs service (`logs.<region>.amazonaws.com`), which
//!   is not an account principal, may encrypt and decrypt, only for log groups of this account and
//!   region (the `aws:logs:arn` encryption context).
//! - `Budgets`: AWS Budgets (`budgets.amazonaws.com`) publishes to the encrypted SNS topic of the
//!   budget alerts, for this account only.
//!
//! The deletion window is 30 days in production and 7 elsewhere (the minimum: a development
//! environment is torn down and rebuilt).

use hcl::{Block, Expression};
use plinth_spec::model::{Platform, Stage};

use super::super::Module;
use super::super::syntax::{allow, data, expr, output, policy, resource, template, variable, variable_with_default};
use super::vpc::cluster_name;

/// `arn:<partition>:iam::<account>:root`, from the module's data sources.
const ACCOUNT_ROOT: &str =
    "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root";

/// The key policy (see the module documentation). In `jsonencode` rather than an
/// `aws_iam_policy_document`: Checkov reads policy documents as identity policies, where a key
/// policy's `Resource = "*"` (the key itself) would read as every resource.
fn key_policy() -> Expression {
    let root = format!(r#"Principal = {{ AWS = "{ACCOUNT_ROOT}" }}"#);
    policy([
        allow("Account", &["kms:*"], "\"*\"", &[&root]),
        allow(
            "CloudWatchLogs",
            &["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
            "\"*\"",
            &[
                r#"Principal = { Service = "logs.${data.aws_region.current.name}.amazonaws.com" }"#,
                r#"Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:*" } }"#,
            ],
        ),
        allow(
            "Budgets",
            &["kms:GenerateDataKey*", "kms:Decrypt"],
            "\"*\"",
            &[
                r#"Principal = { Service = "budgets.amazonaws.com" }"#,
                r#"Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } }"#,
            ],
        ),
    ])
}

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("name", "string", "Name of the key and its alias (application-environment)."),
        variable_with_default(
            "deletion_window_days",
            "number",
            "Days a deleted key can still be recovered (7 to 30).",
            30,
        ),
    ];
    let main = vec![
        data("aws_caller_identity", "current").build(),
        data("aws_partition", "current").build(),
        data("aws_region", "current").build(),
        resource("aws_kms_key", "this")
            .add_attribute(("description", template("${var.name}: data, secrets, images and logs")))
            .add_attribute(("enable_key_rotation", true))
            .add_attribute(("rotation_period_in_days", 365))
            .add_attribute(("deletion_window_in_days", expr("var.deletion_window_days")))
            .add_attribute(("policy", key_policy()))
            .add_attribute(("tags", expr("{ Name = var.name }")))
            .build(),
        resource("aws_kms_alias", "this")
            .add_attribute(("name", template("alias/${var.name}")))
            .add_attribute(("target_key_id", expr("aws_kms_key.this.key_id")))
            .build(),
    ];
    let outputs = vec![
        output("key_arn", "aws_kms_key.this.arn", "ARN of the key, what every module encrypts with."),
        output("key_id", "aws_kms_key.this.key_id", "ID of the key."),
        output("alias", "aws_kms_alias.this.name", "The alias (alias/<application>-<environment>)."),
    ];
    Module { name: "kms", variables, main, outputs, skips: Vec::new(), provider_aliases: Vec::new() }
}

/// Days a deleted key of the environment stays recoverable: 30 in production, 7 elsewhere.
pub fn deletion_window_days(platform: &Platform) -> u32 {
    if platform.environment.stage == Stage::Production { 30 } else { 7 }
}

/// The environment's key; every environment has one.
pub fn call(platform: &Platform) -> Option<Block> {
    Some(super::call(
        "kms",
        vec![
            ("name", Expression::from(cluster_name(platform))),
            ("deletion_window_days", Expression::from(deletion_window_days(platform))),
        ],
    ))
}

#[cfg(test)]
mod tests {
    use super::super::super::syntax::file;
    use super::*;

    fn platform(env: &str) -> Platform {
        let spec = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\nservices:\n  web: { image: ghcr.io/s/web }\nenvironments:\n  dev: {}\n  production: {}\n";
        let compiled = plinth_spec::compile(spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platform(env).unwrap().clone()
    }

    #[test]
    fn the_alias_names_the_environment_and_production_keeps_deleted_keys_longer() {
        let production = file(vec![call(&platform("production")).unwrap()], &[]);
        assert!(production.contains("name                 = \"shop-production\""), "{production}");
        assert!(production.contains("deletion_window_days = 30"), "{production}");
        let dev = file(vec![call(&platform("dev")).unwrap()], &[]);
        assert!(dev.contains("deletion_window_days = 7"), "{dev}");
    }

    #[test]
    fn the_key_rotates_and_logs_may_use_it_only_for_the_accounts_log_groups() {
        let main = file(module().main, &[]);
        assert!(main.contains("enable_key_rotation     = true"), "{main}");
        assert!(main.contains("logs.${data.aws_region.current.name}.amazonaws.com"), "{main}");
        assert!(main.contains(":log-group:*"), "{main}");
        assert!(main.contains("name          = \"alias/${var.name}\""), "{main}");
    }
}
