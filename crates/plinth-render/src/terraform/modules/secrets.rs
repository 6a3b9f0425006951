//! `secrets`: the AWS Secrets Manager secrets the services read, by name only, when the spec's
//! secret store is `aws-secrets-manager`.
//!
//! - **Names.** Every secret a service uses (`Service.secrets`, which includes the `DB_PASSWORD`
//!   and `REDIS_PASSWORD` the datastores add), under its remote key as the External Secrets of the
//!   Kubernetes backend read it ([`SecretStore::remote`](plinth_spec::model::SecretStore::remote):
//!   an explicit `keys` entry such as `business-app/database#password`, or
//!   `<prefix><name in kebab case>`). Several names sharing one key (properties of one JSON
//!   secret) make one secret.
//! - **Values are never rendered.** The operator puts them in (console, CLI, or a pipeline); the
//!   one exception is the Redis AUTH token, which the ElastiCache group must be created with: it is
//!   generated here by Secrets Manager's own `GetRandomPassword` (64 letters and digits, safe in a
//!   `rediss://` URL), written as the secret's first version, kept stable across plans
//!   (`ignore_changes`), and handed to `elasticache` as the sensitive output `generated`. It is in
//!   the Terraform state (encrypted in S3). To rotate it, replace that version
//!   (`terraform apply -replace='module.secrets.aws_secretsmanager_secret_version.generated["REDIS_PASSWORD"]'`):
//!   ElastiCache takes the new token with the `ROTATE` strategy, accepting both until clients
//!   reconnect. Editing that secret by hand would leave ElastiCache on the old token.
//! - Encrypted with the environment's KMS key; deleted secrets stay recoverable for 7 days.
//!   Rotation is not configured: it needs a rotation Lambda per kind of credential.
//!
//! Not here: the master password of RDS, which RDS keeps in a secret of its own
//! (`manage_master_user_password`).

use std::collections::BTreeSet;

use hcl::{Block, Expression};
use plinth_spec::model::{Platform, SecretProvider};

use super::super::Module;
use super::super::syntax::{
    Skip, data, expr, object, output, resource, sensitive_output, strings, variable, variable_with_default,
};
use super::elasticache::{AUTH_SECRET, needs_auth_token};

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("names", "list(string)", "Secret names (remote keys); values are put in by the operator."),
        variable("kms_key_arn", "string", "KMS key encrypting the secrets."),
        variable_with_default(
            "generated",
            "map(object({ secret = string, property = string }))",
            "Values generated here because a resource needs them at creation: name → its secret (one of names) and, for a JSON secret, the property (null: the whole value).",
            Expression::Object(hcl::Object::new()),
        ),
        variable_with_default("recovery_window_days", "number", "Days a deleted secret can be restored.", 7),
    ];
    let value = "data.aws_secretsmanager_random_password.generated[each.key].random_password";
    let main = vec![
        resource("aws_secretsmanager_secret", "this")
            .add_attribute(("for_each", expr("toset(var.names)")))
            .add_attribute(("name", expr("each.key")))
            .add_attribute(("description", "Read by External Secrets; the value is never in Terraform files"))
            .add_attribute(("kms_key_id", expr("var.kms_key_arn")))
            .add_attribute(("recovery_window_in_days", expr("var.recovery_window_days")))
            .build(),
        data("aws_secretsmanager_random_password", "generated")
            .add_attribute(("for_each", expr("var.generated")))
            .add_attribute(("password_length", 64))
            .add_attribute(("exclude_punctuation", true))
            .build(),
        resource("aws_secretsmanager_secret_version", "generated")
            .add_attribute(("for_each", expr("var.generated")))
            .add_attribute(("secret_id", expr("aws_secretsmanager_secret.this[each.value.secret].id")))
            .add_attribute((
                "secret_string",
                expr(&format!(
                    "each.value.property == null ? {value} : jsonencode({{ (each.value.property) = {value} }})"
                )),
            ))
            .add_block(Block::builder("lifecycle").add_attribute(("ignore_changes", expr("[secret_string]"))).build())
            .build(),
    ];
    let outputs = vec![
        output(
            "arns",
            "zipmap(keys(aws_secretsmanager_secret.this), values(aws_secretsmanager_secret.this)[*].arn)",
            "ARN of every secret by name.",
        ),
        sensitive_output(
            "generated",
            "zipmap(keys(aws_secretsmanager_secret_version.generated), [for name, version in aws_secretsmanager_secret_version.generated : var.generated[name].property == null ? version.secret_string : jsondecode(version.secret_string)[var.generated[name].property]])",
            "The generated values by name (the Redis AUTH token).",
        ),
    ];
    let skips = vec![Skip {
        address: "aws_secretsmanager_secret.this",
        check: "CKV2_AWS_57",
        reason: "rotation needs a rotation Lambda per kind of credential (application keys, third-party tokens), which the spec does not describe; values are rotated by the operator",
    }];
    Module { name: "secrets", variables, main, outputs, skips, provider_aliases: Vec::new() }
}

/// The remote keys of every secret the services use (and of the Redis AUTH token), sorted.
pub fn names(platform: &Platform) -> Vec<String> {
    let mut used: BTreeSet<&str> =
        platform.services.iter().flat_map(|s| s.secrets.iter().map(String::as_str)).collect();
    if needs_auth_token(platform) {
        used.insert(AUTH_SECRET);
    }
    let keys: BTreeSet<String> = used.into_iter().map(|name| platform.secrets.remote(name).key).collect();
    keys.into_iter().collect()
}

/// The environment's secrets, with AWS Secrets Manager as the store.
pub fn call(platform: &Platform) -> Option<Block> {
    let names = names(platform);
    if platform.secrets.provider != SecretProvider::AwsSecretsManager || names.is_empty() {
        return None;
    }
    let mut arguments = vec![("names", strings(&names)), ("kms_key_arn", expr("module.kms.key_arn"))];
    if needs_auth_token(platform) {
        let remote = platform.secrets.remote(AUTH_SECRET);
        let property = remote.property.map_or(Expression::Null, Expression::from);
        let token = object([("secret", Expression::from(remote.key)), ("property", property)]);
        arguments.push(("generated", object([(AUTH_SECRET, token)])));
    }
    Some(super::call("secrets", arguments))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn platform(secrets: &str, redis: &str) -> Platform {
        let spec = format!(
            "plinth: 1\nname: shop\ncloud: {{ provider: aws, region: us-east-1 }}\nservices:\n  web: {{ image: ghcr.io/s/web, uses: [db, cache], secrets: [JWT_SECRET, API_KEY] }}\n  worker: {{ image: ghcr.io/s/worker, uses: [db], secrets: [API_KEY] }}\ndatastores:\n  db: {{ engine: postgres }}\n  cache: {redis}\nsecrets: {secrets}\nenvironments:\n  production: {{}}\n"
        );
        let compiled = plinth_spec::compile(&spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().next().expect("one environment")
    }

    #[test]
    fn one_secret_per_remote_key_the_services_read() {
        let keys = "{ provider: aws-secrets-manager, prefix: shop/, keys: { DB_PASSWORD: shop/database#password, JWT_SECRET: shop/database#jwt } }";
        let platform = platform(keys, "{ engine: redis }");
        assert_eq!(names(&platform), ["shop/api-key", "shop/database", "shop/redis-password"]);
        let block = call(&platform).expect("a call");
        let generated = block.body.attributes().find(|a| a.key() == "generated").expect("the token").expr.clone();
        let token = object([("secret", Expression::from("shop/redis-password")), ("property", Expression::Null)]);
        assert_eq!(generated, object([(AUTH_SECRET, token)]));
    }

    #[test]
    fn no_token_without_auth_and_no_module_outside_secrets_manager() {
        let platform_open = platform("{ provider: aws-secrets-manager }", "{ engine: redis, auth: false }");
        let block = call(&platform_open).expect("a call");
        assert!(block.body.attributes().all(|a| a.key() != "generated"));
        let vault = platform("{ provider: vault, address: \"https://vault.example.com:8200\" }", "{ engine: redis }");
        assert!(call(&vault).is_none());
    }

    #[test]
    fn no_value_is_ever_written_but_the_generated_token() {
        let text = super::super::super::syntax::file(module().main, &[]);
        assert_eq!(text.matches("secret_string").count(), 2, "{text}"); // the generated version and its ignore_changes
    }
}
