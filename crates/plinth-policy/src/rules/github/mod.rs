//! The GitHub Actions workflow rules, one file per rule.
// Owned by helper I (compose and GitHub Actions rules): add one file per rule here and register it
// in `RULES`. The engine (lib.rs, engine, inputs…) is owned by another helper.

mod checkout_persists_credentials;
mod download_piped_to_shell;
mod permissions_broad;
mod permissions_missing;
mod pull_request_target_checkout;
mod script_injection;
mod self_hosted_runner_on_pull_request;
mod static_cloud_credentials;
mod unpinned_action;
mod unsecure_commands;
mod workflow;

use crate::DocumentRule;

/// Every GitHub Actions rule, in id order.
pub const RULES: &[DocumentRule] = &[
    unpinned_action::RULE,
    permissions_missing::RULE,
    permissions_broad::RULE,
    pull_request_target_checkout::RULE,
    script_injection::RULE,
    static_cloud_credentials::RULE,
    download_piped_to_shell::RULE,
    unsecure_commands::RULE,
    self_hosted_runner_on_pull_request::RULE,
    checkout_persists_credentials::RULE,
];
