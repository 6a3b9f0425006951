//! PL-TF-031 `load-balancer-https`: load balancer listeners serve HTTPS with TLS 1.2 or later,
//! and plain HTTP only to redirect to it.

use crate::terraform::{Found, Module, Resource, TerraformHit, TerraformRule, find, span, string};
use crate::{RuleDoc, Severity, Target};

/// Listeners use TLS with a modern policy, or redirect HTTP to HTTPS.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-031",
        name: "load-balancer-https",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "Load balancer listeners use HTTPS with TLS 1.2 or later, and HTTP only redirects",
        doc: r#"Every `aws_lb_listener` and `aws_alb_listener`:
- with protocol `HTTP` (the default, except on a gateway load balancer) has a `default_action` of
  type `redirect` whose `redirect` sets `protocol = "HTTPS"`;
- with protocol `HTTPS` or `TLS` sets an `ssl_policy` that refuses TLS 1.0 and 1.1 (a name
  starting with `ELBSecurityPolicy-TLS13-1-2`, `ELBSecurityPolicy-TLS13-1-3`,
  `ELBSecurityPolicy-TLS-1-2` or `ELBSecurityPolicy-FS-1-2`; when it is left out AWS applies
  `ELBSecurityPolicy-2016-08`, which accepts TLS 1.0).

TCP, UDP and `TCP_UDP` listeners pass-through what they carry and are not checked.

## Why
Plain HTTP sends session cookies, credentials and personal data readable and alterable by anyone
on the path — public Wi-Fi, a compromised router, an ISP injecting content. TLS 1.0 and 1.1 have
known weaknesses, are deprecated by RFC 8996 and are refused by PCI DSS; serving them only keeps
outdated clients on broken cryptography.

## Fix
```hcl
resource "aws_lb_listener" "https" {
  load_balancer_arn = aws_lb.main.arn
  port              = 443
  protocol          = "HTTPS"
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  certificate_arn   = aws_acm_certificate.main.arn
}

resource "aws_lb_listener" "http" {
  load_balancer_arn = aws_lb.main.arn
  port              = 80
  protocol          = "HTTP"
  default_action {
    type = "redirect"
    redirect {
      port        = "443"
      protocol    = "HTTPS"
      status_code = "HTTP_301"
    }
  }
}
```

## References
- Elastic Load Balancing, "Security policies for your Application Load Balancer"
- RFC 8996, "Deprecating TLS 1.0 and TLS 1.1"
"#,
        equivalents: &[
            "checkov:CKV_AWS_2",
            "checkov:CKV_AWS_103",
            "checkov:CKV2_AWS_20",
            "trivy:AWS-0054",
            "trivy:AWS-0047",
        ],
    },
    check,
};

/// The prefixes of the security policies that refuse TLS 1.0 and 1.1.
const MODERN_POLICIES: [&str; 4] = [
    "ELBSecurityPolicy-TLS13-1-2",
    "ELBSecurityPolicy-TLS13-1-3",
    "ELBSecurityPolicy-TLS-1-2",
    "ELBSecurityPolicy-FS-1-2",
];

/// Flags plain HTTP listeners that do not redirect, and TLS listeners with an old policy.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for listener in module.resources(&["aws_lb_listener", "aws_alb_listener"]) {
        let protocol = match listener.attribute("protocol") {
            Some(attribute) => match string(&attribute.value) {
                Some(protocol) => protocol,
                None => continue,
            },
            None if gateway(module, listener) => continue,
            None => "HTTP",
        };
        match protocol.to_ascii_uppercase().as_str() {
            "HTTP" if !redirects(listener) => {
                let at = listener.attribute("protocol").map_or_else(|| span(listener.block), span);
                hits.push(listener.hit(at, "serves plain HTTP without redirecting to HTTPS"));
            }
            "HTTPS" | "TLS" => {
                let (at, policy) = match listener.attribute("ssl_policy") {
                    Some(attribute) => match string(&attribute.value) {
                        Some(policy) => (span(attribute), policy),
                        None => continue,
                    },
                    None => (span(listener.block), "ELBSecurityPolicy-2016-08 (the default)"),
                };
                if !MODERN_POLICIES.iter().any(|prefix| policy.starts_with(prefix)) {
                    hits.push(listener.hit(at, &format!("accepts TLS older than 1.2 (ssl_policy {policy})")));
                }
            }
            _ => {}
        }
    }
}

/// Whether the listener's load balancer is a gateway load balancer (whose listeners have no
/// protocol).
fn gateway(module: &Module<'_>, listener: &Resource<'_>) -> bool {
    module
        .referenced(listener, "load_balancer_arn", &["aws_lb", "aws_alb"])
        .iter()
        .any(|lb| lb.attribute("load_balancer_type").and_then(|a| string(&a.value)) == Some("gateway"))
}

/// Whether the listener's default action redirects to HTTPS, or is not known not to.
fn redirects(listener: &Resource<'_>) -> bool {
    // The value at `path` in upper case, `?` when unknown (not a literal, or generated).
    let literal = |path: &[&str]| match find(listener.block, path) {
        Found::Attribute(attribute) => {
            Some(string(&attribute.value).map_or_else(|| "?".to_owned(), str::to_ascii_uppercase))
        }
        Found::Dynamic => Some("?".to_owned()),
        Found::Missing(_) => None,
    };
    match literal(&["default_action", "type"]).as_deref() {
        Some("REDIRECT") => {
            matches!(literal(&["default_action", "redirect", "protocol"]).as_deref(), Some("HTTPS" | "?"))
        }
        Some("?") => true,
        _ => false,
    }
}
