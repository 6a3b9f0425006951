//! What several Terraform rules share: an attribute that must hold a good literal value, the S3
//! bucket settings that can be written inline or as a separate resource pointing at the bucket,
//! and the security group rules of a module in their three styles.

use std::ops::Range;

use hcl_edit::expr::Expression;
use hcl_edit::structure::{Block, Body};

use crate::terraform::{Found, Module, Resource, TerraformHit, boolean, find, span, string, strings};

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

/// The attribute names of one style of security group rule.
pub struct Style {
    /// The list of IPv4 and IPv6 ranges, or the single range.
    cidrs: [&'static str; 2],
    /// The protocol.
    protocol: &'static str,
}

/// `ingress` and `egress` blocks, and `aws_security_group_rule`.
const CLASSIC: Style = Style { cidrs: ["cidr_blocks", "ipv6_cidr_blocks"], protocol: "protocol" };
/// `aws_vpc_security_group_ingress_rule` and `aws_vpc_security_group_egress_rule`.
const VPC: Style = Style { cidrs: ["cidr_ipv4", "cidr_ipv6"], protocol: "ip_protocol" };

/// One security group rule of a module, whichever way it is written.
pub struct GroupRule<'a> {
    /// The resource that holds it: the group (for a nested block) or the rule resource.
    pub resource: Resource<'a>,
    /// The nested block, or the rule resource's block.
    pub block: &'a Block,
    /// How its attributes are named.
    pub style: &'static Style,
}

impl<'a> GroupRule<'a> {
    /// The body of the rule.
    pub fn body(&self) -> &'a Body {
        &self.block.body
    }

    /// The first of `0.0.0.0/0` and `::/0` the rule names as a literal range, if it names either.
    pub fn any_address(&self) -> Option<&'a str> {
        let body = self.body();
        self.style.cidrs.iter().filter_map(|key| body.get_attribute(key)).find_map(|attribute| {
            let cidrs = strings(&attribute.value).or_else(|| string(&attribute.value).map(|cidr| vec![cidr]))?;
            cidrs.into_iter().find(|cidr| matches!(*cidr, "0.0.0.0/0" | "::/0"))
        })
    }

    /// Whether the rule covers every protocol (and so every port): protocol `-1` or `all`.
    pub fn every_protocol(&self) -> bool {
        let protocol = self.body().get_attribute(self.style.protocol).and_then(|a| string(&a.value));
        matches!(protocol, Some("-1" | "all"))
    }

    /// A hit about the rule's resource at the rule.
    pub fn hit(&self, message: &str) -> TerraformHit {
        self.resource.hit(span(self.block), message)
    }
}

/// The direction of a security group rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Traffic into the group.
    Ingress,
    /// Traffic out of the group.
    Egress,
}

/// Every security group rule of `direction` in the module: the nested `ingress` or `egress`
/// blocks of `aws_security_group`s, the `aws_security_group_rule`s of that `type`, and the
/// `aws_vpc_security_group_ingress_rule`s or `aws_vpc_security_group_egress_rule`s.
pub fn group_rules<'a>(module: &Module<'a>, direction: Direction) -> Vec<GroupRule<'a>> {
    let (ident, vpc_kind): (&str, &'static [&'static str]) = match direction {
        Direction::Ingress => ("ingress", &["aws_vpc_security_group_ingress_rule"]),
        Direction::Egress => ("egress", &["aws_vpc_security_group_egress_rule"]),
    };
    let mut rules = Vec::new();
    for group in module.resources(&["aws_security_group"]) {
        rules.extend(group.block.body.get_blocks(ident).map(|block| GroupRule {
            resource: *group,
            block,
            style: &CLASSIC,
        }));
    }
    for rule in module.resources(&["aws_security_group_rule"]) {
        if rule.attribute("type").and_then(|a| string(&a.value)) == Some(ident) {
            rules.push(GroupRule { resource: *rule, block: rule.block, style: &CLASSIC });
        }
    }
    for rule in module.resources(vpc_kind) {
        rules.push(GroupRule { resource: *rule, block: rule.block, style: &VPC });
    }
    rules
}
