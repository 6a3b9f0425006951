//! Building Terraform files with hcl-rs: expressions, variables, outputs, resources, and the
//! text of a file as `terraform fmt` writes it (hcl-rs serializes the structure; the one thing it
//! does not do is `terraform fmt`'s alignment of `=` in runs of single-line arguments, added here).

use hcl::{Block, BlockBuilder, Body, Expression, ObjectKey};

/// An expression written in HCL (`var.cidr`, `aws_vpc.main.id`, `jsonencode({...})`). Callers pass
/// fixed text from the code; a syntax error there is a bug the render tests catch.
pub fn expr(text: &str) -> Expression {
    text.parse().unwrap_or_else(|err| panic!("invalid HCL expression `{text}`: {err}"))
}

/// A string with `${…}` interpolation (`"${var.name}-nat"`): plain Rust strings become literals, in
/// which hcl-rs escapes `${`.
pub fn template(text: &str) -> Expression {
    expr(&format!("\"{text}\""))
}

/// An object expression from key/value pairs; a key with `${…}` is a template.
pub fn object<K: Into<String>>(pairs: impl IntoIterator<Item = (K, Expression)>) -> Expression {
    let object: hcl::Object<ObjectKey, Expression> = pairs
        .into_iter()
        .map(|(key, value)| {
            let key: String = key.into();
            let key = if key.contains("${") { ObjectKey::Expression(template(&key)) } else { ObjectKey::from(key) };
            (key, value)
        })
        .collect();
    Expression::Object(object)
}

/// A list of strings.
pub fn strings<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expression {
    Expression::Array(items.into_iter().map(|s| Expression::from(s.as_ref())).collect())
}

/// `variable "name" { type = …, description = … }`.
pub fn variable(name: &str, ty: &str, description: &str) -> Block {
    Block::builder("variable")
        .add_label(name)
        .add_attribute(("type", expr(ty)))
        .add_attribute(("description", description))
        .build()
}

/// A variable with a default.
pub fn variable_with_default(name: &str, ty: &str, description: &str, default: impl Into<Expression>) -> Block {
    Block::builder("variable")
        .add_label(name)
        .add_attribute(("type", expr(ty)))
        .add_attribute(("description", description))
        .add_attribute(("default", default.into()))
        .build()
}

/// `output "name" { value = …, description = … }`.
pub fn output(name: &str, value: &str, description: &str) -> Block {
    Block::builder("output")
        .add_label(name)
        .add_attribute(("description", description))
        .add_attribute(("value", expr(value)))
        .build()
}

/// `resource "kind" "name" { … }`, to be filled by the caller.
pub fn resource(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("resource").add_label(kind).add_label(name)
}

/// `data "kind" "name" { … }`.
pub fn data(kind: &str, name: &str) -> BlockBuilder {
    Block::builder("data").add_label(kind).add_label(name)
}

/// A Checkov finding deliberately not fixed, with the reason written next to the resource.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skip {
    /// `aws_s3_bucket.this`.
    pub address: &'static str,
    /// `CKV_AWS_144`.
    pub check: &'static str,
    /// Why it does not apply.
    pub reason: &'static str,
}

/// The text of a `.tf` file holding `blocks`, formatted as `terraform fmt` does, with each skip as
/// a `#checkov:skip` comment on the first line inside its resource.
pub fn file(blocks: Vec<Block>, skips: &[Skip]) -> String {
    let body = Body::from_iter(blocks);
    let text = hcl::to_string(&body).expect("HCL bodies serialize");
    let mut out = String::with_capacity(text.len());
    for line in align(&text).lines().map(empty_block) {
        out.push_str(&line);
        out.push('\n');
        if let Some(address) = resource_address(&line) {
            for skip in skips.iter().filter(|s| s.address == address) {
                out.push_str(&format!("  #checkov:skip={}:{}\n", skip.check, skip.reason));
            }
        }
    }
    out
}

/// hcl-rs writes an empty block as `allow {    }`; `terraform fmt` writes `allow {}`.
fn empty_block(line: &str) -> String {
    match line.strip_suffix('}').and_then(|rest| rest.trim_end().strip_suffix('{')) {
        Some(head) => format!("{head}{{}}"),
        _ => line.to_owned(),
    }
}

/// `resource "aws_s3_bucket" "this" {` → `aws_s3_bucket.this`.
fn resource_address(line: &str) -> Option<String> {
    let rest = line.strip_prefix("resource \"")?.strip_suffix("\" {")?;
    let (kind, name) = rest.split_once("\" \"")?;
    Some(format!("{kind}.{name}"))
}

/// Net bracket depth a line opens, ignoring brackets inside strings.
fn depth_change(line: &str) -> i32 {
    let mut depth = 0;
    let mut in_string = false;
    let mut escaped = false;
    for c in line.chars() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            '#' => break,
            _ => {}
        }
    }
    depth
}

/// `  key = value` with a value complete on the line: `(indent, key)`.
fn single_line_attribute(line: &str) -> Option<(usize, &str)> {
    let indent = line.len() - line.trim_start().len();
    let (key, _) = line.trim_start().split_once(" = ")?;
    // Identifiers, quoted keys, and traversals (`aws.us_east_1` in a module's `providers`).
    let is_key = key.starts_with('"') && key.ends_with('"') && key.len() >= 2
        || !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.');
    (is_key && depth_change(line) == 0).then_some((indent, key))
}

/// `terraform fmt`'s alignment: in each run of consecutive single-line arguments at the same
/// indentation, the `=` signs line up one space after the longest name. A multi-line argument, a
/// blank line, a comment or a nested block ends the run.
fn align(text: &str) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut idx = 0;
    while idx < lines.len() {
        let Some((indent, _)) = single_line_attribute(lines[idx]) else {
            out.push(lines[idx].to_owned());
            idx += 1;
            continue;
        };
        let mut end = idx;
        while end < lines.len() && single_line_attribute(lines[end]).is_some_and(|(i, _)| i == indent) {
            end += 1;
        }
        let width = lines[idx..end].iter().filter_map(|l| single_line_attribute(l)).map(|(_, k)| k.len()).max();
        for line in &lines[idx..end] {
            let (_, key) = single_line_attribute(line).expect("in the run");
            let value = &line.trim_start()[key.len() + 3..];
            out.push(format!("{}{key:<width$} = {value}", " ".repeat(indent), width = width.unwrap_or(0)));
        }
        idx = end;
    }
    let mut text = out.join("\n");
    text.push('\n');
    text
}

/// A `sensitive` variable (its value is redacted from plans and output), with an optional default.
pub fn sensitive_variable(name: &str, ty: &str, description: &str, default: Option<Expression>) -> Block {
    let mut block = Block::builder("variable")
        .add_label(name)
        .add_attribute(("type", expr(ty)))
        .add_attribute(("description", description))
        .add_attribute(("sensitive", true));
    if let Some(default) = default {
        block = block.add_attribute(("default", default));
    }
    block.build()
}

/// A `sensitive` output.
pub fn sensitive_output(name: &str, value: &str, description: &str) -> Block {
    Block::builder("output")
        .add_label(name)
        .add_attribute(("description", description))
        .add_attribute(("value", expr(value)))
        .add_attribute(("sensitive", true))
        .build()
}

/// A list of HCL strings as expression text (`["a", "b"]`); `${…}` in an item is interpolated.
pub fn list_text<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    let items: Vec<String> = items.into_iter().map(|item| format!("\"{}\"", item.as_ref())).collect();
    format!("[{}]", items.join(", "))
}

/// An `Allow` statement of a policy, as HCL object text for [`policy`]: `actions` on `resource`
/// (expression text: a quoted template, a [`list_text`], a reference), then the `extra` members
/// verbatim (`Principal = { … }`, `Condition = { … }`).
pub fn allow(sid: &str, actions: &[&str], resource: &str, extra: &[&str]) -> String {
    let mut members = vec![
        format!("Sid = \"{sid}\""),
        "Effect = \"Allow\"".to_owned(),
        format!("Action = {}", list_text(actions)),
        format!("Resource = {resource}"),
    ];
    members.extend(extra.iter().map(|member| (*member).to_owned()));
    format!("{{ {} }}", members.join(", "))
}

/// `jsonencode({ Version = "2012-10-17", Statement = [...] })`: an IAM, key or resource policy from
/// its statements, each HCL object text (see [`allow`]).
pub fn policy<S: AsRef<str>>(statements: impl IntoIterator<Item = S>) -> Expression {
    let statements: Vec<String> = statements.into_iter().map(|s| s.as_ref().to_owned()).collect();
    expr(&format!(r#"jsonencode({{ Version = "2012-10-17", Statement = [{}] }})"#, statements.join(", ")))
}

/// The trust policy letting the AWS service `service` (`eks.amazonaws.com`) assume a role.
pub fn service_trust(service: &str) -> Expression {
    policy([format!(r#"{{ Effect = "Allow", Action = "sts:AssumeRole", Principal = {{ Service = "{service}" }} }}"#)])
}

/// A list of strings with `${…}` interpolation (see [`template`]).
pub fn templates<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> Expression {
    Expression::Array(items.into_iter().map(|item| template(item.as_ref())).collect())
}

/// One `Allow` statement of a [`policy_document`].
#[derive(Debug, Clone)]
pub struct Statement {
    sid: String,
    actions: Vec<String>,
    resources: Option<Expression>,
    principals: Vec<(String, Expression)>,
    conditions: Vec<(String, String, Expression)>,
}

impl Statement {
    /// Allows `actions`.
    pub fn allow(sid: &str, actions: &[&str]) -> Self {
        Statement {
            sid: sid.to_owned(),
            actions: actions.iter().map(|action| (*action).to_owned()).collect(),
            resources: None,
            principals: Vec::new(),
            conditions: Vec::new(),
        }
    }

    /// On `resources` ([`templates`], or an expression such as `[var.kms_key_arn]`).
    pub fn on(mut self, resources: Expression) -> Self {
        self.resources = Some(resources);
        self
    }

    /// To the principals of `kind` (`AWS`, `Service`, `Federated`) in `identifiers`.
    pub fn to(mut self, kind: &str, identifiers: Expression) -> Self {
        self.principals.push((kind.to_owned(), identifiers));
        self
    }

    /// When `test` (`StringEquals`) holds between `variable` (a [`template`]) and `values`.
    pub fn when(mut self, test: &str, variable: &str, values: Expression) -> Self {
        self.conditions.push((test.to_owned(), variable.to_owned(), values));
        self
    }

    fn block(self) -> Block {
        let actions: Vec<Expression> = self.actions.into_iter().map(Expression::from).collect();
        let mut block = Block::builder("statement")
            .add_attribute(("sid", self.sid))
            .add_attribute(("effect", "Allow"))
            .add_attribute(("actions", Expression::Array(actions)));
        if let Some(resources) = self.resources {
            block = block.add_attribute(("resources", resources));
        }
        for (kind, identifiers) in self.principals {
            block = block.add_block(
                Block::builder("principals")
                    .add_attribute(("type", kind))
                    .add_attribute(("identifiers", identifiers))
                    .build(),
            );
        }
        for (test, variable, values) in self.conditions {
            block = block.add_block(
                Block::builder("condition")
                    .add_attribute(("test", test))
                    .add_attribute(("variable", template(&variable)))
                    .add_attribute(("values", values))
                    .build(),
            );
        }
        block.build()
    }
}

/// `data "aws_iam_policy_document" "<label>" { statement { … } … }`, with `count` when given; the
/// policy is its `json`. Written as blocks, a long policy reads one argument a line (a policy in
/// `jsonencode` is printed on one line: hcl-rs writes function arguments compactly).
pub fn policy_document(label: &str, count: Option<&str>, statements: Vec<Statement>) -> Block {
    let mut block = data("aws_iam_policy_document", label);
    if let Some(count) = count {
        block = block.add_attribute(("count", expr(count)));
    }
    for statement in statements {
        block = block.add_block(statement.block());
    }
    block.build()
}

/// Completes `block` (an `aws_cloudwatch_log_group`, already given its provider, count or
/// for_each) with the name template, the retention and the KMS key every log group carries.
pub fn log_group(block: BlockBuilder, name: &str, retention_days: &str, kms_key: &str) -> Block {
    block
        .add_attribute(("name", template(name)))
        .add_attribute(("retention_in_days", expr(retention_days)))
        .add_attribute(("kms_key_id", expr(kms_key)))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_of_single_line_arguments_align_and_multi_line_ones_stand_alone() {
        let text = "resource \"a\" \"b\" {\n  x = 1\n  longer = \"{\"\n  tags = {\n    \"Name\" = \"x\"\n    k = 2\n  }\n  y = [1]\n}\n";
        assert_eq!(
            align(text),
            "resource \"a\" \"b\" {\n  x      = 1\n  longer = \"{\"\n  tags = {\n    \"Name\" = \"x\"\n    k      = 2\n  }\n  y = [1]\n}\n"
        );
    }

    #[test]
    fn empty_blocks_close_on_their_line_and_traversal_keys_align() {
        let block = Block::builder("default_action").add_block(Block::builder("allow").build()).build();
        assert_eq!(file(vec![block], &[]), "default_action {\n  allow {}\n}\n");
        let text = "providers = {\n  aws = aws\n  aws.us_east_1 = aws.us_east_1\n}\n";
        assert_eq!(align(text), "providers = {\n  aws           = aws\n  aws.us_east_1 = aws.us_east_1\n}\n");
    }

    #[test]
    fn skips_go_inside_their_resource() {
        let block = resource("aws_s3_bucket", "this").add_attribute(("bucket", "b")).build();
        let skip = Skip { address: "aws_s3_bucket.this", check: "CKV_AWS_144", reason: "single region" };
        assert_eq!(
            file(vec![block], &[skip]),
            "resource \"aws_s3_bucket\" \"this\" {\n  #checkov:skip=CKV_AWS_144:single region\n  bucket = \"b\"\n}\n"
        );
    }

    #[test]
    fn policies_interpolate_their_resources_and_conditions() {
        let statement = Statement::allow("Read", &["s3:GetObject"])
            .on(templates(["${var.arn}/*"]))
            .to("Service", strings(["logs.amazonaws.com"]))
            .when("StringEquals", "${local.issuer}:sub", strings(["system:serviceaccount:a:b"]));
        let text = file(vec![policy_document("read", Some("var.on ? 1 : 0"), vec![statement])], &[]);
        assert!(text.starts_with("data \"aws_iam_policy_document\" \"read\" {\n  count = var.on ? 1 : 0\n"), "{text}");
        assert!(text.contains("resources = [\n      \"${var.arn}/*\"\n    ]"), "{text}");
        assert!(text.contains("variable = \"${local.issuer}:sub\""), "{text}");
        let inline = file(
            vec![
                resource("aws_iam_role", "r")
                    .add_attribute(("assume_role_policy", service_trust("ec2.amazonaws.com")))
                    .build(),
            ],
            &[],
        );
        assert!(inline.contains(r#"Principal = { Service = "ec2.amazonaws.com" }"#), "{inline}");
        assert_eq!(
            allow("A", &["kms:*"], "\"*\"", &["Principal = { AWS = \"${x}\" }"]),
            r#"{ Sid = "A", Effect = "Allow", Action = ["kms:*"], Resource = "*", Principal = { AWS = "${x}" } }"#
        );
    }
}
