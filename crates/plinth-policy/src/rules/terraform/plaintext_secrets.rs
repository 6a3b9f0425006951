//! PL-TF-032 `plaintext-secrets`: no credential is written in EC2 user data, Lambda or ECS
//! environments, or the AWS provider.

use hcl_edit::expr::Expression;
use serde_json::Value;

use crate::secrets::{is_reference, leak};
use crate::terraform::{Module, Resource, TerraformHit, TerraformRule, entries, span, string, text};
use crate::{RuleDoc, Severity, Target};

/// Credentials come from Secrets Manager, SSM or IAM roles, never from literals.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-032",
        name: "plaintext-secrets",
        severity: Severity::Error,
        target: Target::Terraform,
        summary: "No credential is written in user data, Lambda or ECS environments or the AWS provider",
        doc: r#"No literal credential in:
- the `user_data` of an `aws_instance`, `aws_launch_template` or `aws_launch_configuration`
  (a string or heredoc, also inside `base64encode(…)`): an AWS access key id (`AKIA…`, `ASIA…`),
  or a `NAME=value` or `NAME: value` line whose name marks a credential;
- the `environment { variables = { … } }` of an `aws_lambda_function`;
- the `environment` of a container in the `container_definitions` of an
  `aws_ecs_task_definition` (written with `jsonencode` or as JSON text);
- the `access_key` and `secret_key` of a `provider "aws"` block (values shaped like AWS keys).

A name marks a credential as in the other plinth rules (PL-K8S-036, PL-COMPOSE-005):
`PASSWORD`, `SECRET`, `TOKEN`, `API_KEY`, `PRIVATE_KEY`…, but not `…_FILE`, `…_URL`, `…_ARN` and
other names about one; any value holding a URL with a password counts whatever its name. Values taken from variables, resources or shell
variables (`${…}`, `$NAME`) are not literals and pass.

## Why
Terraform sources live in Git; user data is readable by anyone with `ec2:DescribeInstanceAttribute`
and by every process on the instance through the metadata service; Lambda and ECS environments
are shown in the console and returned by `GetFunctionConfiguration` and `DescribeTaskDefinition`;
and all of it is stored in clear text in the Terraform state. A credential there is shared with
everyone who can read any of these, and cannot be rotated without a change and an apply.

## Fix
Give the workload an IAM role, and read secrets at run time from Secrets Manager or SSM
Parameter Store (ECS injects them with `secrets`/`valueFrom`):

```hcl
resource "aws_ecs_task_definition" "api" {
  container_definitions = jsonencode([{
    name  = "api"
    image = "example/api:1.2.0"
    secrets = [{
      name      = "DB_PASSWORD"
      valueFrom = aws_secretsmanager_secret.db.arn
    }]
  }])
}
```

## References
- AWS Prescriptive Guidance, "Hardcoded credentials" (Secrets Manager, IAM roles)
- Amazon ECS Developer Guide, "Pass sensitive data to an Amazon ECS container"
"#,
        equivalents: &[
            "checkov:CKV_AWS_46",
            "checkov:CKV_AWS_45",
            "checkov:CKV_AWS_41",
            "trivy:AWS-0029",
            "trivy:AWS-0036",
        ],
    },
    check,
};

/// Flags literal credentials in user data, environments and the AWS provider.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for instance in module.resources(&["aws_instance", "aws_launch_template", "aws_launch_configuration"]) {
        let Some(attribute) = instance.attribute("user_data") else { continue };
        if let Some(what) = unwrap_base64(&attribute.value).and_then(text).and_then(|script| script_leak(&script)) {
            hits.push(instance.hit(span(attribute), &format!("writes a literal {what} in its user_data")));
        }
    }
    for function in module.resources(&["aws_lambda_function"]) {
        for environment in function.blocks("environment") {
            let Some(variables) = environment.body.get_attribute("variables") else { continue };
            for (name, value) in entries(&variables.value).unwrap_or_default() {
                if let Some(what) = text(value).and_then(|value| value_leak(name, &value)) {
                    let message = format!("sets {name} to a literal {what} in its environment");
                    hits.push(function.hit(span(value), &message));
                }
            }
        }
    }
    for task in module.resources(&["aws_ecs_task_definition"]) {
        if let Some(definitions) = task.attribute("container_definitions") {
            container_environments(task, &definitions.value, hits);
        }
    }
    for provider in module.providers("aws") {
        for (key, shape) in [("access_key", ACCESS_KEY), ("secret_key", SECRET_KEY)] {
            let Some(attribute) = provider.attribute(key) else { continue };
            if string(&attribute.value).is_some_and(|value| key_shaped(value, shape)) {
                hits.push(provider.hit(span(attribute), &format!("sets {key} to a literal AWS key")));
            }
        }
    }
}

/// The argument of `base64encode(…)`, or the expression itself.
fn unwrap_base64(expr: &Expression) -> Option<&Expression> {
    match expr {
        Expression::FuncCall(call) if call.name.name.as_str() == "base64encode" => call.args.iter().next(),
        Expression::FuncCall(_) => None,
        _ => Some(expr),
    }
}

/// What a user-data script leaks, if anything: an access key id, or an assignment
/// (`NAME=value`, `export NAME="value"`, `NAME: value`) of a credential.
fn script_leak(script: &str) -> Option<&'static str> {
    if access_key_id(script) {
        return Some("AWS access key id");
    }
    script.lines().find_map(|line| {
        let line = line.trim().trim_start_matches("export ").trim_start();
        let (name, value) = line.split_once('=').or_else(|| line.split_once(": "))?;
        let name = name.trim();
        let valid = !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        valid.then(|| value_leak(name, value.trim().trim_matches(['"', '\'']))).flatten()
    })
}

/// What a literal `value` under `name` leaks, if anything; values that read a variable (`$…`,
/// including Terraform's `${…}`) are not literals.
fn value_leak(name: &str, value: &str) -> Option<&'static str> {
    if is_reference(value) {
        return None;
    }
    if access_key_id(value) {
        return Some("AWS access key id");
    }
    leak(name, value)
}

/// The prefixes of AWS access key ids.
const KEY_PREFIXES: [&str; 9] = ["AKIA", "ASIA", "AGPA", "AIDA", "AROA", "AIPA", "ANPA", "ANVA", "A3T"];

/// Whether `text` holds an AWS access key id: a prefix and upper-case letters and digits, 20 in all.
fn access_key_id(text: &str) -> bool {
    let bytes = text.as_bytes();
    let key = |b: &u8| b.is_ascii_uppercase() || b.is_ascii_digit();
    bytes
        .windows(20)
        .any(|window| KEY_PREFIXES.iter().any(|prefix| window.starts_with(prefix.as_bytes())) && window.iter().all(key))
}

/// The characters and length of an access key (Checkov's pattern for the provider).
const ACCESS_KEY: (fn(u8) -> bool, usize) = (|b| b.is_ascii_uppercase() || b.is_ascii_digit(), 20);
/// The characters and length of a secret access key.
const SECRET_KEY: (fn(u8) -> bool, usize) = (|b| b.is_ascii_alphanumeric() || b"/+=".contains(&b), 40);

/// Whether `value` starts with a run of exactly `len` characters of the key's alphabet.
fn key_shaped(value: &str, (alphabet, len): (fn(u8) -> bool, usize)) -> bool {
    value.bytes().take_while(|b| alphabet(*b)).count() == len
}

/// Flags the literal credentials of every container `environment` in `definitions`.
fn container_environments(task: &Resource<'_>, definitions: &Expression, hits: &mut Vec<TerraformHit>) {
    let mut found = Vec::new();
    match definitions {
        Expression::FuncCall(call) if call.name.name.as_str() == "jsonencode" => {
            call.args.iter().for_each(|arg| json_environments(&to_json(arg), &mut found));
        }
        _ => {
            if let Some(json) = text(definitions).and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
                json_environments(&json, &mut found);
            }
        }
    }
    for (name, what) in found {
        let message = format!("sets {name} to a literal {what} in a container environment");
        hits.push(task.hit(span(definitions), &message));
    }
}

/// The JSON an HCL value given to `jsonencode` produces, each value that is not a literal
/// written as the string `${}`.
fn to_json(expr: &Expression) -> Value {
    match expr {
        Expression::Array(items) => Value::Array(items.iter().map(to_json).collect()),
        Expression::Object(_) => {
            let map =
                entries(expr).unwrap_or_default().into_iter().map(|(key, value)| (key.to_owned(), to_json(value)));
            Value::Object(map.collect())
        }
        Expression::Bool(value) => Value::Bool(*value.value()),
        _ => Value::String(text(expr).unwrap_or_else(|| "${}".to_owned())),
    }
}

/// The `(name, what)` leaks of the `environment` lists in JSON container definitions.
fn json_environments(json: &Value, found: &mut Vec<(String, &'static str)>) {
    match json {
        Value::Array(items) => items.iter().for_each(|item| json_environments(item, found)),
        Value::Object(map) => {
            for (key, value) in map {
                if key == "environment" {
                    for variable in value.as_array().into_iter().flatten() {
                        let name = variable.get("name").and_then(Value::as_str);
                        let value = variable.get("value").and_then(Value::as_str);
                        if let (Some(name), Some(value)) = (name, value)
                            && let Some(what) = value_leak(name, value)
                        {
                            found.push((name.to_owned(), what));
                        }
                    }
                } else {
                    json_environments(value, found);
                }
            }
        }
        _ => {}
    }
}
