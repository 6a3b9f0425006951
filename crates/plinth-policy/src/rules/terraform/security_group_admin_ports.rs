//! PL-TF-011 `security-group-admin-ports`: security groups do not open SSH, RDP or every port to
//! the internet.

use super::common::{Direction, GroupRule, group_rules};
use crate::terraform::{Module, TerraformHit, TerraformRule, number};
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

/// Flags every ingress rule open to any address on an administration port or on all ports.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for rule in group_rules(module, Direction::Ingress) {
        if let Some(problem) = open(&rule) {
            hits.push(rule.hit(&problem));
        }
    }
}

/// What an ingress rule opens to any address, if it opens an administration port or every port.
fn open(rule: &GroupRule<'_>) -> Option<String> {
    let any = rule.any_address()?;
    if rule.every_protocol() {
        return Some(format!("admits {any} on every port"));
    }
    let port = |key| rule.body().get_attribute(key).and_then(|a| number(&a.value));
    let (from, to) = (port("from_port")?, port("to_port")?);
    let admin = ADMIN_PORTS.into_iter().find(|p| from <= *p && *p <= to)?;
    Some(format!("admits {any} on port {admin}"))
}
