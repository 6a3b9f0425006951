//! The Terraform rules, run once per unit over the `.tf` files of its directory (one Terraform
//! module), each hit reported in the file and at the line of what it is about. Suppressions
//! inside a resource (or module) block cover the whole block: Checkov's `#checkov:skip=CKV_…:reason` (for the
//! rules with that Checkov equivalent) and `# plinth:ignore`.

use hcl_edit::structure::Body;
use rayon::prelude::*;

use super::Options;
use super::file::Checked;
use crate::finding::Finding;
use crate::lines::LineIndex;
use crate::rules::terraform::RULES;
use crate::suppression::{Scope, Suppression, checkov_skips};
use crate::terraform::{Module, span};

/// Runs the enabled Terraform rules over the Terraform files of `files`, adds their findings to
/// the files they are in, and scopes the suppressions written inside resource and module blocks to
/// them.
pub fn check(files: &mut [Checked<'_>], options: &Options) {
    // The Terraform files, by their index in `files`.
    let owners: Vec<usize> = (0..files.len()).filter(|&f| files[f].terraform.is_some()).collect();
    if owners.is_empty() {
        return;
    }
    let view: &[Checked<'_>] = files;
    let bodies: Vec<_> = owners.iter().filter_map(|&f| view[f].terraform.as_ref()).collect();
    let module = Module::new(&bodies);
    let found: Vec<(usize, Finding)> = RULES
        .par_iter()
        .filter(|rule| !options.config.disabled(rule.doc.id))
        .flat_map_iter(|rule| {
            let mut hits = Vec::new();
            (rule.check)(&module, &mut hits);
            hits.into_iter().map(|hit| {
                let file = &view[owners[hit.file]];
                let (line, column) = file.lines.position(hit.span.start);
                let finding = Finding {
                    path: file.path.to_owned(),
                    line,
                    column,
                    rule: rule.doc.id,
                    severity: rule.doc.severity,
                    message: hit.message,
                    object: hit.address,
                };
                (owners[hit.file], finding)
            })
        })
        .collect();
    for (f, finding) in found {
        files[f].located.push((finding, None));
    }
    for f in owners.iter().copied() {
        let file = &mut files[f];
        let Some(body) = &file.terraform else { continue };
        let skips = scope_blocks(file.path, &file.lines, body, &mut file.suppressions);
        for skip in skips {
            file.suppress(skip, options);
        }
    }
    // A block's suppressions also cover findings about its resource placed in the module's other
    // files (a bucket's skip and its separate versioning resource); shared without re-reporting
    // their own problems, which the file declaring them already reports.
    let shared: Vec<Suppression> = owners
        .iter()
        .flat_map(|&f| files[f].suppressions.iter().filter(|s| matches!(s.scope, Scope::Block(..))).cloned())
        .collect();
    for &f in &owners {
        let path = files[f].path;
        files[f].suppressions.extend(shared.iter().filter(|s| s.at.0 != path).cloned());
    }
}

/// Scopes the line suppressions of a Terraform file written inside a `resource` or `module` block
/// to the whole block (see [`Scope::Block`]), and returns the `#checkov:skip` comments of those
/// blocks. A module block's address is `module.<name>`.
pub fn scope_blocks(
    path: &str,
    lines: &LineIndex<'_>,
    body: &Body,
    suppressions: &mut [Suppression],
) -> Vec<Suppression> {
    let mut skips = Vec::new();
    for block in body.blocks() {
        let labels: Vec<&str> = block.labels.iter().map(|label| label.as_str()).collect();
        let address = match (block.ident.as_str(), labels.as_slice()) {
            ("resource", [kind, name]) => format!("{kind}.{name}"),
            ("module", [name]) => format!("module.{name}"),
            _ => continue,
        };
        let at = span(block);
        let (first, last) = (lines.position(at.start).0, lines.position(at.end.saturating_sub(1)).0);
        for suppression in suppressions.iter_mut() {
            if matches!(suppression.scope, Scope::Line(line) if first < line && line < last) {
                suppression.scope = Scope::Block(first, last, address.clone());
            }
        }
        skips.extend(checkov_skips(path, lines, (first, last), &address));
    }
    skips
}
