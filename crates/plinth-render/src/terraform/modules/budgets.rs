//! `budgets`: the environment's monthly cost budget (`environment.budget`, USD) with alerts at 80 %
//! and 100 % of the actual spend and at 100 % of the forecast, e-mailed to the spec's e-mail
//! channels, or published to a KMS-encrypted SNS topic when there is none (for chat integrations to
//! subscribe to).
//!
//! The budget counts the costs tagged `environment = <env>` (the default tags of every resource,
//! once `environment` is activated as a cost-allocation tag in the billing console). AWS Budgets
//! ORs the values of its tag filter, and the provider has no filter expression to AND `app` with
//! `environment`, so one tag is used: `environment`, right for an account per environment or per
//! application; an account shared by several applications' same-named environments overcounts.

use hcl::{Block, Expression};
use plinth_spec::model::{ChannelKind, Platform};

use super::super::Module;
use super::super::syntax::{Skip, expr, output, resource, strings, template, variable, variable_with_default};
use super::vpc::cluster_name;

/// The alerts: `(threshold %, ACTUAL or FORECASTED)`.
const ALERTS: [(u32, &str); 3] = [(80, "ACTUAL"), (100, "ACTUAL"), (100, "FORECASTED")];

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("name", "string", "Name prefix of every resource (application-environment)."),
        variable("limit_usd", "number", "Monthly budget in USD."),
        variable("environment", "string", "Value of the `environment` cost-allocation tag the budget counts."),
        variable_with_default(
            "emails",
            "list(string)",
            "Addresses the alerts are e-mailed to; none: an SNS topic receives them.",
            Expression::Array(Vec::new()),
        ),
        variable(
            "kms_key_arn",
            "string",
            "KMS key encrypting the SNS topic; its policy must let budgets.amazonaws.com use it (kms:GenerateDataKey*, kms:Decrypt).",
        ),
    ];
    let mut budget = resource("aws_budgets_budget", "this")
        .add_attribute(("name", template("${var.name}-monthly")))
        .add_attribute(("budget_type", "COST"))
        .add_attribute(("limit_amount", expr("tostring(var.limit_usd)")))
        .add_attribute(("limit_unit", "USD"))
        .add_attribute(("time_unit", "MONTHLY"))
        .add_block(
            Block::builder("cost_filter")
                .add_attribute(("name", "TagKeyValue"))
                .add_attribute(("values", expr(r#"[format("user:environment$%s", var.environment)]"#)))
                .build(),
        );
    for (threshold, kind) in ALERTS {
        budget = budget.add_block(
            Block::builder("notification")
                .add_attribute(("comparison_operator", "GREATER_THAN"))
                .add_attribute(("threshold", threshold))
                .add_attribute(("threshold_type", "PERCENTAGE"))
                .add_attribute(("notification_type", kind))
                .add_attribute(("subscriber_email_addresses", expr("var.emails")))
                .add_attribute(("subscriber_sns_topic_arns", expr("aws_sns_topic.alerts[*].arn")))
                .build(),
        );
    }
    let main = vec![
        Block::builder("data").add_label("aws_caller_identity").add_label("current").build(),
        resource("aws_sns_topic", "alerts")
            .add_attribute(("count", expr("length(var.emails) == 0 ? 1 : 0")))
            .add_attribute(("name", template("${var.name}-budget-alerts")))
            .add_attribute(("kms_master_key_id", expr("var.kms_key_arn")))
            .build(),
        resource("aws_sns_topic_policy", "alerts")
            .add_attribute(("count", expr("length(var.emails) == 0 ? 1 : 0")))
            .add_attribute(("arn", expr("aws_sns_topic.alerts[0].arn")))
            .add_attribute((
                "policy",
                expr(
                    r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Budgets", Effect = "Allow", Principal = { Service = "budgets.amazonaws.com" }, Action = "SNS:Publish", Resource = aws_sns_topic.alerts[0].arn, Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } } }] })"#,
                ),
            ))
            .build(),
        budget.build(),
    ];
    let outputs = vec![
        output("budget_name", "aws_budgets_budget.this.name", "The budget."),
        output(
            "alerts_topic_arn",
            "one(aws_sns_topic.alerts[*].arn)",
            "SNS topic of the alerts (null when they are e-mailed).",
        ),
    ];
    Module { name: "budgets", variables, main, outputs, skips: Vec::<Skip>::new(), provider_aliases: Vec::new() }
}

/// The addresses of the spec's e-mail channels, sorted and without duplicates.
pub fn emails(platform: &Platform) -> Vec<&str> {
    let mut emails: Vec<&str> = platform
        .observability
        .channels
        .values()
        .filter(|channel| channel.kind == ChannelKind::Email)
        .filter_map(|channel| channel.to.as_deref())
        .collect();
    emails.sort_unstable();
    emails.dedup();
    emails
}

/// The environment's budget; `None` without `environment.budget`.
pub fn call(platform: &Platform) -> Option<Block> {
    let limit = platform.environment.budget?;
    Some(super::call(
        "budgets",
        vec![
            ("name", Expression::from(cluster_name(platform))),
            ("limit_usd", Expression::from(limit)),
            ("environment", Expression::from(platform.environment.name.as_str())),
            ("emails", strings(emails(platform))),
            ("kms_key_arn", expr("module.kms.key_arn")),
        ],
    ))
}
