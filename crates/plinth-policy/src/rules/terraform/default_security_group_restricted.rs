//! PL-TF-027 `default-security-group-restricted`: every VPC's default security group admits
//! nothing.

use crate::terraform::{Module, TerraformHit, TerraformRule, span};
use crate::{RuleDoc, Severity, Target};

/// Each VPC's default group is managed, and managed empty.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-027",
        name: "default-security-group-restricted",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "The default security group of every VPC allows no traffic",
        doc: r#"Every `aws_vpc` is named by the `vpc_id` of an `aws_default_security_group`, and no
`aws_default_security_group` has an `ingress` or `egress` block or is the `security_group_id` of
an `aws_security_group_rule`, `aws_vpc_security_group_ingress_rule` or
`aws_vpc_security_group_egress_rule`. Terraform removes the rules of a default group it manages,
so an empty `aws_default_security_group` closes it.

## Why
AWS creates every VPC with a default security group that admits all traffic between its members
and all traffic out. Anything launched without an explicit group — a quick test instance, a
Lambda or endpoint created by hand — lands in it, next to whatever else landed there, with every
port open between them. Closing it makes forgetting the security group fail safe.

## Fix
```hcl
resource "aws_default_security_group" "default" {
  vpc_id = aws_vpc.main.id
}
```

## References
- CIS AWS Foundations Benchmark 5.4
- Amazon VPC User Guide, "Default security groups for your VPCs"
"#,
        equivalents: &["checkov:CKV2_AWS_12", "trivy:AWS-0173"],
    },
    check,
};

/// The default security groups.
const DEFAULT: &[&str] = &["aws_default_security_group"];

/// The rule resources that add to a group.
const RULE_KINDS: [&str; 3] =
    ["aws_security_group_rule", "aws_vpc_security_group_ingress_rule", "aws_vpc_security_group_egress_rule"];

/// Flags VPCs whose default group is unmanaged, and default groups given rules.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for vpc in module.resources(&["aws_vpc"]) {
        if module.referencing("aws_default_security_group", "vpc_id", vpc).is_empty() {
            hits.push(vpc.hit_here("leaves its default security group open (no aws_default_security_group)"));
        }
    }
    for group in module.resources(DEFAULT) {
        for block in group.blocks("ingress").chain(group.blocks("egress")) {
            hits.push(group.hit(span(block), "allows traffic in the default security group"));
        }
        for kind in RULE_KINDS {
            for rule in module.referencing(kind, "security_group_id", group) {
                let message = format!("adds a rule to the default security group {}", group.address());
                hits.push(rule.hit_here(&message));
            }
        }
    }
}
