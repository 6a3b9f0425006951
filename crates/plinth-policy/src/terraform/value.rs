//! Literal values of HCL expressions, and the resource addresses an expression refers to.

use hcl_edit::expr::{Expression, ObjectKey, Traversal, TraversalOperator};
use hcl_edit::template::Element;
use hcl_edit::visit::{Visit, visit_traversal};

/// A literal boolean (`true`, or the string `"true"` Terraform converts); `None` when unknown.
pub fn boolean(expr: &Expression) -> Option<bool> {
    match expr {
        Expression::Bool(value) => Some(*value.value()),
        Expression::String(value) => value.parse().ok(),
        _ => None,
    }
}

/// A literal string; `None` when unknown.
pub fn string(expr: &Expression) -> Option<&str> {
    expr.as_str()
}

/// A literal number (or a string holding one); `None` when unknown.
pub fn number(expr: &Expression) -> Option<f64> {
    match expr {
        Expression::Number(value) => value.value().as_f64(),
        Expression::String(value) => value.parse().ok(),
        _ => None,
    }
}

/// A literal list of literal strings; `None` when any part is unknown.
pub fn strings(expr: &Expression) -> Option<Vec<&str>> {
    expr.as_array()?.iter().map(string).collect()
}

/// The text of a string, a string template or a heredoc, each interpolation and directive
/// written as `${}` (its value unknown); `None` for any other expression.
pub fn text(expr: &Expression) -> Option<String> {
    let template = match expr {
        Expression::String(value) => return Some(value.value().clone()),
        Expression::StringTemplate(template) => &**template,
        Expression::HeredocTemplate(heredoc) => &heredoc.template,
        _ => return None,
    };
    Some(
        template
            .iter()
            .map(|element| match element {
                Element::Literal(literal) => literal.as_str(),
                Element::Interpolation(_) | Element::Directive(_) => "${}",
            })
            .collect(),
    )
}

/// The entries of a literal object (`{ NAME = "value" }`) whose keys are identifiers or literal
/// strings, with their value expressions; `None` when `expr` is not an object.
pub fn entries(expr: &Expression) -> Option<Vec<(&str, &Expression)>> {
    let object = expr.as_object()?;
    Some(
        object
            .iter()
            .filter_map(|(key, value)| {
                let key = match key {
                    ObjectKey::Ident(ident) => ident.as_str(),
                    ObjectKey::Expression(expr) => string(expr)?,
                };
                Some((key, value.expr()))
            })
            .collect(),
    )
}

/// Every address an expression refers to, as its first two names: `aws_s3_bucket.x` for
/// `aws_s3_bucket.x[0].id`, `var.name`, `each.value`, `count.index`.
pub fn references(expr: &Expression) -> Vec<String> {
    let mut collector = Collector(Vec::new());
    collector.visit_expr(expr);
    collector.0
}

/// Collects the addresses of the traversals it visits.
struct Collector(Vec<String>);

impl Visit for Collector {
    fn visit_traversal(&mut self, node: &Traversal) {
        if let (Expression::Variable(root), Some(TraversalOperator::GetAttr(name))) =
            (&node.expr, node.operators.first().map(|op| op.value()))
        {
            self.0.push(format!("{}.{}", root.as_str(), name.as_str()));
        }
        visit_traversal(self, node);
    }
}

#[cfg(test)]
mod tests {
    use super::{boolean, entries, number, references, strings, text};

    fn expr(text: &str) -> hcl_edit::expr::Expression {
        hcl_edit::parser::parse_expr(text).expect("expression")
    }

    #[test]
    fn literals_and_references() {
        assert_eq!(boolean(&expr("true")), Some(true));
        assert_eq!(boolean(&expr("\"false\"")), Some(false));
        assert_eq!(boolean(&expr("var.enabled")), None);
        assert_eq!(number(&expr("7")), Some(7.0));
        assert_eq!(strings(&expr("[\"a\", \"b\"]")), Some(vec!["a", "b"]));
        assert_eq!(strings(&expr("[\"a\", var.b]")), None);
        assert_eq!(text(&expr("\"pw=${var.pw} x\"")).as_deref(), Some("pw=${} x"));
        assert_eq!(text(&expr("<<EOT\nA=b\nEOT")).as_deref(), Some("A=b\n"));
        let object = expr("{ A = \"x\", \"B\" = var.b }");
        let keys: Vec<&str> = entries(&object).expect("object").into_iter().map(|(key, _)| key).collect();
        assert_eq!(keys, ["A", "B"]);
        assert_eq!(
            references(&expr("concat([aws_s3_bucket.x[0].id], each.value.arn, \"${var.name}-x\")")),
            ["aws_s3_bucket.x", "each.value", "var.name"]
        );
    }
}
