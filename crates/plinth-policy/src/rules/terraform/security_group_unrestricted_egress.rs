//! PL-TF-026 `security-group-unrestricted-egress`: security groups do not let everything out to
//! any address.

use super::common::{Direction, group_rules};
use crate::terraform::{Module, TerraformHit, TerraformRule};
use crate::{RuleDoc, Severity, Target};

/// No egress rule allows every protocol to `0.0.0.0/0` or `::/0`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-026",
        name: "security-group-unrestricted-egress",
        severity: Severity::Info,
        target: Target::Terraform,
        summary: "Security groups do not allow all traffic out to any address",
        doc: r#"No egress rule — an `egress` block of an `aws_security_group`, an `aws_security_group_rule`
of type `egress`, or an `aws_vpc_security_group_egress_rule` — allows every protocol (`-1`) to
`0.0.0.0/0` or `::/0`. This is AWS's own default and the usual choice, hence Info: it is worth
narrowing where the workload's destinations are known.

## Why
Unrestricted egress is what lets a compromised host download its tooling, reach a command-and-
control server and exfiltrate data over any port. Limiting egress to the ports and ranges a
workload needs (HTTPS to the internet through the NAT, the database port to the database's
security group) turns those steps into visible, blocked connections.

## Fix
```hcl
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "0.0.0.0/0"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
}
```

## References
- AWS Well-Architected Framework, Security Pillar SEC05-BP02 "Control traffic flow within your
  network layers"
"#,
        equivalents: &["checkov:CKV_AWS_382", "trivy:AWS-0104"],
    },
    check,
};

/// Flags every egress rule open to any address on every protocol.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for rule in group_rules(module, Direction::Egress) {
        if let Some(any) = rule.any_address().filter(|_| rule.every_protocol()) {
            hits.push(rule.hit(&format!("allows all traffic out to {any}")));
        }
    }
}
