//! PL-TF-025 `eks-control-plane-logging`: EKS clusters send every control-plane log to CloudWatch.

use crate::terraform::{Module, TerraformHit, TerraformRule, span, strings};
use crate::{RuleDoc, Severity, Target};

/// `enabled_cluster_log_types` lists the five log types.
pub const RULE: TerraformRule = TerraformRule {
    doc: RuleDoc {
        id: "PL-TF-025",
        name: "eks-control-plane-logging",
        severity: Severity::Warning,
        target: Target::Terraform,
        summary: "EKS clusters log every control-plane component",
        doc: r#"Every `aws_eks_cluster` lists `api`, `audit`, `authenticator`, `controllerManager` and
`scheduler` in `enabled_cluster_log_types` (by default none is sent).

## Why
The audit log is the only record of who did what through the Kubernetes API: which identity read
a Secret, created a privileged pod or changed RBAC. The authenticator log maps those requests to
IAM principals. Without them an incident cannot be investigated, and the API, scheduler and
controller-manager logs are what explain a control-plane problem.

## Fix
```hcl
resource "aws_eks_cluster" "main" {
  enabled_cluster_log_types = ["api", "audit", "authenticator", "controllerManager", "scheduler"]
}
```

## References
- Amazon EKS User Guide, "Send control plane logs to CloudWatch Logs"
- CIS Amazon EKS Benchmark 2.1.1
"#,
        equivalents: &["checkov:CKV_AWS_37", "trivy:AWS-0038"],
    },
    check,
};

/// The control-plane log types.
const LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/// Flags clusters that leave a log type out.
fn check(module: &Module<'_>, hits: &mut Vec<TerraformHit>) {
    for cluster in module.resources(&["aws_eks_cluster"]) {
        let (at, enabled) = match cluster.attribute("enabled_cluster_log_types") {
            Some(attribute) => match strings(&attribute.value) {
                Some(enabled) => (span(attribute), enabled),
                None => continue,
            },
            None => (span(cluster.block), Vec::new()),
        };
        let missing: Vec<&str> = LOG_TYPES.into_iter().filter(|t| !enabled.contains(t)).collect();
        if !missing.is_empty() {
            let message = format!("does not log {} (enabled_cluster_log_types)", missing.join(", "));
            hits.push(cluster.hit(at, &message));
        }
    }
}
