//! Checkov's own skip comments in Terraform, `#checkov:skip=CKV_AWS_157:reason`, inside a resource
//! block: they silence, for that resource, the plinth rules that list the Checkov check among
//! their equivalents, so Terraform already annotated for Checkov needs no second set of comments.

use super::{Scope, Suppression};
use crate::catalog;
use crate::lines::LineIndex;

/// The marker that starts a skip inside a comment.
const MARKER: &str = "checkov:skip=";

/// The suppressions of the `#checkov:skip` comments on the lines of a resource `block` (1-based,
/// first to last) with `address`, each covering the resource (see [`Scope::Block`]); skips of checks no plinth rule implements are
/// left out.
pub fn checkov_skips(path: &str, lines: &LineIndex<'_>, block: (usize, usize), address: &str) -> Vec<Suppression> {
    let (first, last) = block;
    let mut out = Vec::new();
    for number in first..=last {
        let line = lines.line(number);
        let Some(idx) = line.find(MARKER) else { continue };
        if !line[..idx].trim_end().ends_with('#') {
            continue;
        }
        let skip = &line[idx + MARKER.len()..];
        let (check, reason) = skip.split_once(':').unwrap_or((skip, ""));
        let equivalent = format!("checkov:{}", check.trim());
        let rules: Vec<String> = catalog::rules()
            .into_iter()
            .filter(|doc| doc.equivalents.contains(&equivalent.as_str()))
            .map(|doc| doc.id.to_owned())
            .collect();
        if rules.is_empty() {
            continue;
        }
        let reason = reason.trim();
        out.push(Suppression {
            rules,
            reason: (!reason.is_empty()).then(|| reason.to_owned()),
            until: None,
            problem: None,
            scope: Scope::Block(first, last, address.to_owned()),
            at: (path.to_owned(), number, line[..idx].chars().count() + 1),
        });
    }
    out
}
