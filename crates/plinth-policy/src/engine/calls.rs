//! Module inputs: a Terraform rule run on a module directory alone passes a setting written
//! `multi_az = var.multi_az` (unknown), while a root calling the module with `multi_az = false`
//! deploys the weaker value. For every `module` block of the tree whose relative `source` is a
//! checked directory, each literal argument replaces the module's attributes written exactly
//! `var.<name>`, the rules run again, and what now fails at a replaced attribute is reported at the
//! argument in the calling root: `module.rds (modules/rds aws_db_instance.this) runs in a single
//! availability zone (multi_az = false passed here)`. Suppressions at the call site (in the module
//! block, or on the argument's line) and in the module's resource block both apply.

use std::collections::BTreeMap;
use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::expr::{Expression, Traversal, TraversalOperator};
use hcl_edit::structure::{AttributeMut, Block, Body};
use hcl_edit::visit_mut::{VisitMut, visit_attr_mut};

use super::Options;
use super::terraform::scope_blocks;
use crate::finding::Finding;
use crate::lines::LineIndex;
use crate::report::{Report, Suppressed};
use crate::rules::terraform::RULES;
use crate::suppression::{Suppression, comments};
use crate::terraform::{Module, TerraformHit, parse, span, string};

/// One parsed `.tf` file of the tree, with its suppressions.
struct File<'a> {
    path: &'a str,
    text: &'a str,
    lines: LineIndex<'a>,
    body: Body,
    suppressions: Vec<Suppression>,
}

/// Reports, at the calling roots, what the rules find in the modules of `files` (the tree's
/// `(path, contents)`; files other than `.tf` and files that do not parse are left to the units,
/// which report them) with the literal arguments of each call in place of the module's inputs.
pub fn check_module_calls(files: &[(String, String)], options: &Options) -> Report {
    let mut directories: BTreeMap<&str, Vec<File<'_>>> = BTreeMap::new();
    for (path, text) in files.iter().filter(|(path, _)| path.ends_with(".tf")) {
        let Ok(body) = parse(text) else { continue };
        let lines = LineIndex::new(text);
        let mut suppressions = comments(path, &lines);
        let skips = scope_blocks(path, &lines, &body, &mut suppressions);
        suppressions.extend(skips);
        directories.entry(directory(path)).or_default().push(File { path, text, lines, body, suppressions });
    }
    let mut report = Report::default();
    for root in directories.values().flatten() {
        for call in root.body.get_blocks("module") {
            let Some(source) = call.body.get_attribute("source").and_then(|a| string(&a.value)) else { continue };
            let Some(dir) = join(directory(root.path), source).filter(|dir| dir != directory(root.path)) else {
                continue;
            };
            let Some(module) = directories.get(dir.as_str()) else { continue };
            for Found { here, there } in found(root, call, source, module, options) {
                let by = root
                    .suppressions
                    .iter()
                    .chain(&options.config.ignore)
                    .find(|s| s.active(options.today) && s.covers(&here, None))
                    .or_else(|| {
                        let mut own = module.iter().flat_map(|m| &m.suppressions);
                        own.find(|s| s.active(options.today) && s.covers(&there, None))
                    });
                match by {
                    Some(s) => report
                        .suppressed
                        .push(Suppressed { finding: here, reason: s.reason.clone().unwrap_or_default() }),
                    None => report.findings.push(here),
                }
            }
        }
    }
    report
}

/// The directories the `module` blocks of `files` call by a relative `source`, for callers that
/// check a tree one directory at a time: each calling directory and the directories it names are
/// what [`check_module_calls`] needs together.
pub fn called_modules(files: &[(String, String)]) -> Vec<String> {
    let mut called: Vec<String> = files
        .iter()
        .filter(|(path, text)| {
            path.ends_with(".tf") && text.lines().any(|line| line.trim_start().starts_with("module "))
        })
        .filter_map(|(path, text)| Some((path, parse(text).ok()?)))
        .flat_map(|(path, body)| {
            body.get_blocks("module")
                .filter_map(|call| string(&call.body.get_attribute("source")?.value))
                .filter_map(|source| join(directory(path), source))
                .filter(|dir| dir != directory(path))
                .collect::<Vec<_>>()
        })
        .collect();
    called.sort();
    called.dedup();
    called
}

/// A literal argument of a module call.
struct Argument<'a> {
    /// Its name, the module's input.
    key: &'a str,
    /// Where it is written in the root.
    at: Range<usize>,
    /// Its value as written.
    written: &'a str,
    /// Its value, without the root's spans.
    value: Expression,
}

/// A finding of a call: at the argument in the root, and where the module would carry it (the
/// replaced attribute, which the module's own suppressions may cover).
struct Found {
    here: Finding,
    there: Finding,
}

/// What the rules find in `module` once the literal arguments of `call` replace its inputs.
fn found(root: &File<'_>, call: &Block, source: &str, module: &[File<'_>], options: &Options) -> Vec<Found> {
    let name = call.labels.first().map_or("", |label| label.as_str());
    let arguments: Vec<Argument<'_>> = call
        .body
        .attributes()
        .filter_map(|a| {
            let written = root.text.get(span(&a.value)).unwrap_or_default().trim();
            Some(Argument { key: a.key.as_str(), at: span(a), written, value: literal(&a.value)? })
        })
        .collect();
    let mut replaced = Vec::new();
    let bodies: Vec<Body> = module
        .iter()
        .enumerate()
        .map(|(file, m)| {
            let mut body = m.body.clone();
            Substitute { file, arguments: &arguments, replaced: &mut replaced }.visit_body_mut(&mut body);
            body
        })
        .collect();
    if replaced.is_empty() {
        return Vec::new();
    }
    let original = Module::new(&module.iter().map(|m| &m.body).collect::<Vec<_>>());
    let substituted = Module::new(&bodies.iter().collect::<Vec<_>>());
    // The module's directory as the source names it, without the climb (`modules/rds`).
    let shown: Vec<&str> = source.split('/').skip_while(|part| matches!(*part, "." | "..")).collect();
    let shown = shown.join("/");
    let mut out = Vec::new();
    for rule in RULES.iter().filter(|rule| !options.config.disabled(rule.doc.id)) {
        let hits = |module: &Module<'_>| {
            let mut hits = Vec::new();
            (rule.check)(module, &mut hits);
            hits
        };
        let before: Vec<TerraformHit> = hits(&original);
        for hit in hits(&substituted).into_iter().filter(|hit| !before.contains(hit)) {
            let Some(&(_, _, argument)) =
                replaced.iter().find(|(file, at, _)| *file == hit.file && at.contains(&hit.span.start))
            else {
                continue;
            };
            let Argument { key, at, written, .. } = &arguments[argument];
            // The rule's problem without its resource and its parenthesis naming the attribute.
            let problem = hit.message.strip_prefix(&hit.address).unwrap_or(&hit.message).trim();
            let problem = problem.rsplit_once(" (").map_or(problem, |(problem, _)| problem);
            let (line, column) = root.lines.position(at.start);
            let here = Finding {
                path: root.path.to_owned(),
                line,
                column,
                rule: rule.doc.id,
                severity: rule.doc.severity,
                message: format!("module.{name} ({shown} {}) {problem} ({key} = {written} passed here)", hit.address),
                object: format!("module.{name}"),
            };
            let inner = &module[hit.file];
            let (line, column) = inner.lines.position(hit.span.start);
            let there = Finding { path: inner.path.to_owned(), line, column, object: hit.address, ..here.clone() };
            out.push(Found { here, there });
        }
    }
    out
}

/// Replaces the attributes written exactly `var.<argument>` with the argument's literal, noting
/// `(file, attribute span, argument index)` of each.
struct Substitute<'a> {
    file: usize,
    arguments: &'a [Argument<'a>],
    replaced: &'a mut Vec<(usize, Range<usize>, usize)>,
}

impl VisitMut for Substitute<'_> {
    fn visit_attr_mut(&mut self, mut node: AttributeMut) {
        let input = variable(&node.value);
        match input.and_then(|input| self.arguments.iter().position(|argument| argument.key == input)) {
            Some(argument) => {
                self.replaced.push((self.file, node.span().unwrap_or(0..0), argument));
                *node.value_mut() = self.arguments[argument].value.clone();
            }
            None => visit_attr_mut(self, node),
        }
    }
}

/// The input `name` of an expression written exactly `var.<name>`.
fn variable(expr: &Expression) -> Option<&str> {
    let Expression::Traversal(traversal) = expr else { return None };
    let Traversal { expr: root, operators, .. } = &**traversal;
    match (root, operators.as_slice()) {
        (Expression::Variable(var), [operator]) if var.as_str() == "var" => match operator.value() {
            TraversalOperator::GetAttr(name) => Some(name.as_str()),
            _ => None,
        },
        _ => None,
    }
}

/// A fresh copy (without the caller's spans) of a literal boolean, number or string.
fn literal(expr: &Expression) -> Option<Expression> {
    match expr {
        Expression::Bool(value) => Some(Expression::from(*value.value())),
        Expression::Number(value) => Some(Expression::from(*value.value())),
        Expression::String(value) => Some(Expression::from(value.value().as_str())),
        _ => None,
    }
}

/// The directory of a path (`""` for a file at the top).
fn directory(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(directory, _)| directory)
}

/// The directory a relative module `source` (`./x`, `../../modules/rds`) names from `directory`;
/// `None` for a registry or remote source, or one that climbs above the tree.
fn join(directory: &str, source: &str) -> Option<String> {
    if !(source.starts_with("./") || source.starts_with("../")) {
        return None;
    }
    let mut parts: Vec<&str> = directory.split('/').filter(|part| !part.is_empty()).collect();
    for part in source.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    let joined = parts.join("/");
    Some(if directory.starts_with('/') { format!("/{joined}") } else { joined })
}

#[cfg(test)]
mod tests {
    use super::join;

    #[test]
    fn relative_sources_resolve_from_the_calling_directory() {
        assert_eq!(join("envs/staging", "../../modules/rds").as_deref(), Some("modules/rds"));
        assert_eq!(join("infra", "./modules/rds/").as_deref(), Some("infra/modules/rds"));
        assert_eq!(join("/tmp/t/envs/prod", "../../modules/x").as_deref(), Some("/tmp/t/modules/x"));
        assert_eq!(join("envs", "../../outside"), None);
        assert_eq!(join("envs", "terraform-aws-modules/rds/aws"), None);
    }
}
