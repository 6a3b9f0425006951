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
    for line in align(&text).lines() {
        out.push_str(line);
        out.push('\n');
        if let Some(address) = resource_address(line) {
            for skip in skips.iter().filter(|s| s.address == address) {
                out.push_str(&format!("  #checkov:skip={}:{}\n", skip.check, skip.reason));
            }
        }
    }
    out
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
    let is_key = key.starts_with('"') && key.ends_with('"') && key.len() >= 2
        || !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
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
    fn skips_go_inside_their_resource() {
        let block = resource("aws_s3_bucket", "this").add_attribute(("bucket", "b")).build();
        let skip = Skip { address: "aws_s3_bucket.this", check: "CKV_AWS_144", reason: "single region" };
        assert_eq!(
            file(vec![block], &[skip]),
            "resource \"aws_s3_bucket\" \"this\" {\n  #checkov:skip=CKV_AWS_144:single region\n  bucket = \"b\"\n}\n"
        );
    }
}
