//! PL-TF-011 `security-group-admin-ports`: security groups do not open SSH, RDP or every port to
//! the internet.

use hcl_edit::structure::Body;

use crate::terraform::{Module, TerraformHit, TerraformRule, number, span, string, strings};
use crate::{RuleDoc, Severity, Target};

/// Ingress from `0.0.0.0/0` or `::/0` must not reach port 22, port 3389 or all ports.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-011",
        name: "security-group-admin-ports",
        severity: Severity::Error,
        target: Target::Terraform,
        summary: "Security groups do not admit SSH, RDP or all ports from any address",
        doc: r#"No ingress rule — an `ingress` block of an `aws_security_group`, an
`aws_security_group_rule` of type `ingress`, or an `aws_vpc_security_group_ingress_rule` — admits
`0.0.0.0/0` or `::/0` to a port range that includes 22 (SSH) or 3389 (RDP), or to every port
(protocol `-1`).

## Why
Administration ports open to the internet are scanned within minutes of creation and brute-forced
continuously; one weak or leaked credential, or one unpatched daemon, gives a shell on the host.
Reach instances through SSM Session Manager, a VPN or a bastion restricted to known ranges.

## Fix
```hcl
resource "aws_vpc_security_group_ingress_rule" "ssh" {
  security_group_id = aws_security_group.bastion.id
  cidr_ipv4         = "203.0.113.0/24"
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
}
```

## References
- CIS AWS Foundations Benchmark 5.2, 5.3
"#,
        equivalents: &["checkov:CKV_AWS_24", "checkov:CKV_AWS_25", "checkov:CKV_AWS_277", "trivy:AWS-0107"],
    },
    check,
};

/// The ports an administrator reaches hosts by.
const ADMIN_PORTS: [f64; 2] = [22.0, 3389.0];

/// The attribute names of one style of ingress rule.
struct Style {
    /// The list of IPv4 and IPv6 ranges, or the single range.
    cidrs: [&'static str; 2],
    /// The protocol.
    protocol: &'static str,
}

/// `ingress` blocks and `aws_security_group_rule`.
const CLASSIC: Style = Style { cidrs: ["cidr_blocks", "ipv6_cidr_blocks"], protocol: "protocol" };
/// `aws_vpc_security_group_ingress_rule`.
const VPC: Style = Style { cidrs: ["cidr_ipv4", "cidr_ipv6"], protocol: "ip_protocol" };

/// Flags every ingress rule open to any address on an administration port or on all ports.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for group in module.resources(&["aws_security_group"]) {
        for ingress in group.blocks("ingress") {
            if let Some(problem) = open(&ingress.body, &CLASSIC) {
                hits.push(group.hit(span(ingress), &problem));
            }
        }
    }
    for rule in module.resources(&["aws_security_group_rule"]) {
        let ingress = rule.attribute("type").and_then(|a| string(&a.value)) == Some("ingress");
        if let Some(problem) = open(&rule.block.body, &CLASSIC).filter(|_| ingress) {
            hits.push(rule.hit_here(&problem));
        }
    }
    for rule in module.resources(&["aws_vpc_security_group_ingress_rule"]) {
        if let Some(problem) = open(&rule.block.body, &VPC) {
            hits.push(rule.hit_here(&problem));
        }
    }
}

/// What an ingress rule written in `body` opens to any address, if it opens an administration
/// port or every port.
fn open(body: &Body, style: &Style) -> Option<String> {
    let any = style.cidrs.iter().filter_map(|key| body.get_attribute(key)).find_map(|attribute| {
        let cidrs = strings(&attribute.value).or_else(|| string(&attribute.value).map(|cidr| vec![cidr]))?;
        cidrs.into_iter().find(|cidr| matches!(*cidr, "0.0.0.0/0" | "::/0"))
    })?;
    let protocol = body.get_attribute(style.protocol).and_then(|a| string(&a.value));
    if matches!(protocol, Some("-1" | "all")) {
        return Some(format!("admits {any} on every port"));
    }
    let port = |key| body.get_attribute(key).and_then(|a| number(&a.value));
    let (from, to) = (port("from_port")?, port("to_port")?);
    let admin = ADMIN_PORTS.into_iter().find(|p| from <= *p && *p <= to)?;
    Some(format!("admits {any} on port {admin}"))
}
