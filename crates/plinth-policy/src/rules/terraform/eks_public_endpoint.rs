//! PL-TF-014 `eks-public-endpoint`: EKS API endpoints are not open to the whole internet.

use super::common::is_false;
use crate::terraform::{Found, Module, TerraformHit, TerraformRule, span, strings};
use crate::{RuleDoc, Severity, Target};

/// The public endpoint must be off, or restricted with `public_access_cidrs`.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-014",
        name: "eks-public-endpoint",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EKS API endpoints are private or restricted to known address ranges",
        doc: r#"Every `aws_eks_cluster` either sets `vpc_config { endpoint_public_access = false }` or
lists in `public_access_cidrs` the ranges allowed to reach the public endpoint, without
`0.0.0.0/0`. The endpoint is public and open to every address by default.

## Why
The Kubernetes API authenticates every request, but an endpoint reachable from anywhere is exposed
to every vulnerability of the API server and to stolen credentials used from anywhere. A private
endpoint (reached over the VPC, a VPN or a bastion) or an allow-list removes that exposure.

## Fix
```hcl
resource "aws_eks_cluster" "main" {
  vpc_config {
    endpoint_private_access = true
    endpoint_public_access  = true
    public_access_cidrs     = ["203.0.113.0/24"]
  }
}
```

## References
- Amazon EKS User Guide, "Control network access to cluster API server endpoint"
"#,
        equivalents: &["checkov:CKV_AWS_39", "checkov:CKV_AWS_38", "trivy:AWS-0040", "trivy:AWS-0041"],
    },
    check,
};

/// Flags public endpoints without an allow-list, or with `0.0.0.0/0` in it.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for cluster in module.resources(&["aws_eks_cluster"]) {
        let public = match cluster.find(&["vpc_config", "endpoint_public_access"]) {
            Found::Attribute(attribute) => is_false(&attribute.value) == Some(false),
            Found::Missing(_) => true,
            Found::Dynamic => false,
        };
        if !public {
            continue;
        }
        match cluster.find(&["vpc_config", "public_access_cidrs"]) {
            Found::Attribute(attribute) => {
                if strings(&attribute.value).is_some_and(|cidrs| cidrs.contains(&"0.0.0.0/0")) {
                    hits.push(cluster.hit(span(attribute), "admits 0.0.0.0/0 to its public API endpoint"));
                }
            }
            Found::Missing(at) => hits.push(cluster.hit(at, "has a public API endpoint open to any address")),
            Found::Dynamic => {}
        }
    }
}
