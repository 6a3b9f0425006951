//! What several Terraform rules share: an attribute that must hold a good literal value, and the
//! S3 bucket settings that can be written inline or as a separate resource pointing at the bucket.

use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::Block;

use crate::terraform::{Found, Module, Resource, TerraformHit, boolean, find, span};

/// Flags every resource of `kinds` whose `path` (nested blocks, then an attribute) holds a literal
/// that `good` rejects (at the attribute) or, unless `missing_ok`, is missing (at the deepest block
/// of the path present). `good` returns `None` for values it cannot judge (not literals), which
/// pass. `problem` follows the resource's address in the message.
pub fn require(
    module: &Module<'_>,
    kinds: &'static [&'static str],
    path: &[&str],
    missing_ok: bool,
    good: fn(&Expression) -> Option<bool>,
    problem: &str,
    hits: &mut Vec<TerraformHit>,
) {
    for resource in module.resources(kinds) {
        if let Some(at) = violation(resource.block, path, missing_ok, good) {
            hits.push(resource.hit(at, problem));
        }
    }
}

/// Where `block` breaks the requirement of [`require`], if it does.
pub fn violation(
    block: &Block,
    path: &[&str],
    missing_ok: bool,
    good: fn(&Expression) -> Option<bool>,
) -> Option<Range<usize>> {
    match find(block, path) {
        Found::Attribute(attribute) => (good(&attribute.value) == Some(false)).then(|| span(attribute)),
        Found::Missing(at) => (!missing_ok).then_some(at),
        Found::Dynamic => None,
    }
}

/// Accepts a literal `true`.
pub fn is_true(expr: &Expression) -> Option<bool> {
    boolean(expr)
}

/// Accepts a literal `false`.
pub fn is_false(expr: &Expression) -> Option<bool> {
    boolean(expr).map(|value| !value)
}

/// A setting of an `aws_s3_bucket` with the resource that holds it: the bucket's own nested block
/// `inline` (the AWS provider v3 style), or the first resource of `kind` whose `bucket` refers to
/// the bucket (provider v4 and later) with its body.
pub fn bucket_setting<'a>(
    module: &Module<'a>,
    bucket: &Resource<'a>,
    inline: &'a str,
    kind: &'a str,
) -> Option<(Resource<'a>, &'a Block)> {
    if let Some(block) = bucket.blocks(inline).next() {
        return Some((*bucket, block));
    }
    module.referencing(kind, "bucket", bucket).first().map(|r| (**r, r.block))
}

/// The S3 buckets of a module.
pub const BUCKETS: &[&str] = &["aws_s3_bucket"];
