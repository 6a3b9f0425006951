//! Terraform as the rules see it: the `.tf` files of one module directory, parsed with hcl-edit
//! (every node keeps its byte span), and their resources by address. A module directory is the
//! unit Terraform itself plans, so a rule sees every resource of every file of the directory: an
//! `aws_s3_bucket` and the separate `aws_s3_bucket_versioning` that points at it with
//! `bucket = aws_s3_bucket.x.id`, wherever each is written ([`Module::referencing`]).
//!
//! Values are read only when they are literals: an attribute set from a variable, a local, a
//! function or a condition is unknown, and rules pass what they cannot know rather than guess.

mod value;

use std::ops::Range;

use hcl_edit::Span;
use hcl_edit::structure::{Attribute, Block, Body};

use crate::rule::RuleDoc;
pub use value::{boolean, entries, number, references, string, strings, text};

/// A rule over the resources of one Terraform module directory.
#[derive(Debug, Clone, Copy)]
pub struct TerraformRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`TerraformHit`] per violation found in the module.
    pub check: fn(&Module<'_>, &mut Vec<TerraformHit>),
}

/// One place a Terraform rule found broken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TerraformHit {
    /// The index of the file in the module (as given to [`Module::new`]).
    pub file: usize,
    /// The byte range in that file: the offending attribute, or the block that lacks one.
    pub span: Range<usize>,
    /// The address of the resource it is about (`aws_s3_bucket.logs`).
    pub address: String,
    /// What is wrong.
    pub message: String,
}

/// Parses one `.tf` file. Errors give the 1-based line and column and a message.
pub fn parse(text: &str) -> Result<Body, (usize, usize, String)> {
    hcl_edit::parser::parse_body(text).map_err(|error| {
        let location = error.location();
        (location.line(), location.column(), error.message().to_owned())
    })
}

/// A `resource` block of a module.
#[derive(Debug, Clone, Copy)]
pub struct Resource<'a> {
    /// The index of its file in the module.
    pub file: usize,
    /// Its type (`aws_s3_bucket`).
    pub kind: &'a str,
    /// Its name (`logs`).
    pub name: &'a str,
    /// The block itself.
    pub block: &'a Block,
}

/// Where a path of nested blocks and an attribute leads in a resource ([`Resource::find`]).
#[derive(Debug, Clone)]
pub enum Found<'a> {
    /// The attribute.
    Attribute(&'a Attribute),
    /// Missing: the span of the deepest block of the path that exists (the resource when none).
    Missing(Range<usize>),
    /// Produced by a `dynamic` block, so unknown.
    Dynamic,
}

impl<'a> Resource<'a> {
    /// Its address (`aws_s3_bucket.logs`).
    pub fn address(&self) -> String {
        format!("{}.{}", self.kind, self.name)
    }

    /// The top-level attribute `key` of its body.
    pub fn attribute(&self, key: &str) -> Option<&'a Attribute> {
        self.block.body.get_attribute(key)
    }

    /// The nested blocks `ident` of its body.
    pub fn blocks(&self, ident: &'a str) -> impl Iterator<Item = &'a Block> + 'a {
        self.block.body.get_blocks(ident)
    }

    /// Follows `path` into its body (see [`find`]).
    pub fn find(&self, path: &[&str]) -> Found<'a> {
        find(self.block, path)
    }

    /// A hit about this resource at `span`: `message` follows its address.
    pub fn hit(&self, span: Range<usize>, message: &str) -> TerraformHit {
        let address = self.address();
        TerraformHit { file: self.file, span, message: format!("{address} {message}"), address }
    }

    /// A hit at the resource's header.
    pub fn hit_here(&self, message: &str) -> TerraformHit {
        self.hit(span(self.block), message)
    }
}

/// The byte range of a node (empty at the start of the file when the parser gave none).
pub fn span(node: &impl Span) -> Range<usize> {
    node.span().unwrap_or(0..0)
}

/// Follows `path` (nested block identifiers, then an attribute key) into `block`, through the
/// first block of each identifier.
pub fn find<'a>(block: &'a Block, path: &[&str]) -> Found<'a> {
    let Some((key, blocks)) = path.split_last() else { return Found::Missing(span(block)) };
    let mut block = block;
    for ident in blocks {
        match block.body.blocks().find(|inner| inner.has_ident(ident)) {
            Some(inner) => block = inner,
            None if dynamic(&block.body, ident) => return Found::Dynamic,
            None => return Found::Missing(span(block)),
        }
    }
    match block.body.get_attribute(key) {
        Some(attribute) => Found::Attribute(attribute),
        None => Found::Missing(span(block)),
    }
}

/// Whether `body` has a `dynamic "<ident>"` block.
fn dynamic(body: &Body, ident: &str) -> bool {
    body.get_blocks("dynamic").any(|block| block.labels.first().is_some_and(|label| label.as_str() == ident))
}

/// The `.tf` files of one module directory.
#[derive(Debug, Default)]
pub struct Module<'a> {
    resources: Vec<Resource<'a>>,
    providers: Vec<Resource<'a>>,
}

impl<'a> Module<'a> {
    /// The module made of `files`, parsed, in the order their hits will index them.
    pub fn new(files: &[&'a Body]) -> Self {
        let mut resources = Vec::new();
        let mut providers = Vec::new();
        for (file, body) in files.iter().enumerate() {
            for block in body.get_blocks("resource") {
                if let [kind, name] = block.labels.as_slice() {
                    resources.push(Resource { file, kind: kind.as_str(), name: name.as_str(), block });
                }
            }
            for block in body.get_blocks("provider") {
                if let [name] = block.labels.as_slice() {
                    providers.push(Resource { file, kind: "provider", name: name.as_str(), block });
                }
            }
        }
        Module { resources, providers }
    }

    /// Every `provider "<name>"` block, in file order, as a [`Resource`] of kind `provider`
    /// (address `provider.aws`).
    pub fn providers(&self, name: &'a str) -> impl Iterator<Item = &Resource<'a>> + '_ {
        self.providers.iter().filter(move |p| p.name == name)
    }

    /// The resources of any of `kinds` that the attribute `key` of `from` refers to
    /// (`parameter_group_name = aws_db_parameter_group.x.name`).
    pub fn referenced(&self, from: &Resource<'_>, key: &str, kinds: &[&str]) -> Vec<&Resource<'a>> {
        let Some(attribute) = from.attribute(key) else { return Vec::new() };
        let found = references(&attribute.value);
        self.resources.iter().filter(|r| kinds.contains(&r.kind) && found.contains(&r.address())).collect()
    }

    /// Every resource of any of `kinds`, in file order.
    pub fn resources(&self, kinds: &'a [&'a str]) -> impl Iterator<Item = &Resource<'a>> + '_ {
        self.resources.iter().filter(move |r| kinds.contains(&r.kind))
    }

    /// The resources of `kind` whose attribute `key` refers to `target` (`aws_s3_bucket.x.id`,
    /// `aws_s3_bucket.x[0].id`), directly or through their `for_each` or `count` when `key` reads
    /// `each.value`, `each.key` or `count.index`.
    pub fn referencing(&self, kind: &'a str, key: &str, target: &Resource<'_>) -> Vec<&Resource<'a>> {
        let address = target.address();
        self.resources
            .iter()
            .filter(|r| r.kind == kind)
            .filter(|r| {
                let Some(attribute) = r.attribute(key) else { return false };
                let mut found = references(&attribute.value);
                if found.iter().any(|a| a.starts_with("each.") || a.starts_with("count.")) {
                    for meta in ["for_each", "count"] {
                        found.extend(r.attribute(meta).map(|a| references(&a.value)).unwrap_or_default());
                    }
                }
                found.contains(&address)
            })
            .collect()
    }
}
