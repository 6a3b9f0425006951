//! What `cdn` and `dns` share: the public hosts and their zones from the model, the lookup of the
//! load balancer the ingress controller creates, the root variables of the two-phase apply, and
//! the KMS key encrypting the log groups that must live in us-east-1.
//!
//! **Two-phase apply.** The load balancer in front of the services is not Terraform's: the AWS Load
//! Balancer Controller creates it from the Kubernetes Ingresses (ALB; or, with ingress-nginx, the
//! NLB of the controller's Service). Everything that points at it (the CloudFront origin, the DNS
//! records, the health checks) is gated by the root variable `alb_ready` (default `false`): the
//! first `terraform apply` builds the network, the cluster, the zones and the certificates; once
//! the manifests are deployed and the load balancer exists, `terraform apply -var alb_ready=true`
//! adds the CDN and the records. A lookup that silently found nothing would destroy the CDN when
//! the load balancer is replaced; with the variable, a missing load balancer is an error instead.

use std::collections::{BTreeMap, BTreeSet};

use hcl::{Block, Expression};
use plinth_spec::model::{IngressClass, Platform};

use super::super::syntax::{data, expr, object, resource, variable, variable_with_default};
use super::vpc::cluster_name;

/// The namespace and name of ingress-nginx's controller Service (the chart's defaults), whose
/// `LoadBalancer` the AWS Load Balancer Controller provisions as an NLB.
const INGRESS_NGINX_SERVICE: &str = "ingress-nginx/ingress-nginx-controller";

/// One public host: a route's host, or the `*.` wildcard of a route with tenant subdomains.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Host {
    /// `api.example.com` or `*.directory.example.com`.
    pub name: String,
    /// The apex of its hosted zone (`example.com`).
    pub zone: String,
    /// The path Route 53 health-checks, for hosts that are not wildcards.
    pub health_path: Option<String>,
}

/// The hosted zone a host belongs to: its last two labels (`api.staging.codepal.com` →
/// `codepal.com`), as `plinth cost` counts zones. Public suffixes of two labels (`co.uk`) are not
/// recognised.
pub fn apex(host: &str) -> String {
    let labels: Vec<&str> = host.trim_start_matches("*.").split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

/// Every host the services are exposed on, sorted, with the wildcard of tenant routes. A host's
/// health path is the readiness probe of the service routed at `/`, or else the shortest route
/// prefix on it (a service behind `/api` answers under `/api`).
pub fn hosts(platform: &Platform) -> Vec<Host> {
    let mut shortest: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    let mut wildcards = BTreeSet::new();
    for service in &platform.services {
        for route in &service.expose {
            let health = if route.path == "/" { service.health.readiness.path.as_str() } else { route.path.as_str() };
            let entry = shortest.entry(route.host.as_str()).or_insert((route.path.as_str(), health));
            if route.path.len() < entry.0.len() {
                *entry = (route.path.as_str(), health);
            }
            if route.tenants {
                wildcards.insert(format!("*.{}", route.host));
            }
        }
    }
    let mut hosts: Vec<Host> = shortest
        .into_iter()
        .map(|(name, (_, health))| Host {
            name: name.to_owned(),
            zone: apex(name),
            health_path: Some(health.to_owned()),
        })
        .collect();
    hosts.extend(wildcards.into_iter().map(|name| Host { zone: apex(&name), name, health_path: None }));
    hosts.sort();
    hosts
}

/// The apex zones of the environment's domains.
pub fn zones(platform: &Platform) -> Vec<String> {
    let zones: BTreeSet<String> = platform.domains.values().map(|host| apex(host)).collect();
    zones.into_iter().collect()
}

/// Whether the environment serves anything publicly (and so has a CDN and DNS records).
pub fn exposed(platform: &Platform) -> bool {
    platform.services.iter().any(|service| !service.expose.is_empty())
}

/// The tags the AWS Load Balancer Controller puts on the load balancer in front of the ingress:
/// the cluster, and the stack (the IngressGroup, named after the application, for the ALB; the
/// controller's Service for ingress-nginx).
pub fn load_balancer_tags(platform: &Platform) -> Expression {
    let stack = match platform.kubernetes.ingress {
        IngressClass::Alb => ("ingress.k8s.aws/stack", platform.name.clone()),
        IngressClass::Nginx => ("service.k8s.aws/stack", INGRESS_NGINX_SERVICE.to_owned()),
    };
    object([("elbv2.k8s.aws/cluster", Expression::from(cluster_name(platform))), (stack.0, Expression::from(stack.1))])
}

/// `application` (the ALB) or `network` (ingress-nginx's NLB).
pub fn load_balancer_type(platform: &Platform) -> &'static str {
    match platform.kubernetes.ingress {
        IngressClass::Alb => "application",
        IngressClass::Nginx => "network",
    }
}

/// The module variables of the load-balancer lookup.
pub fn lookup_variables() -> Vec<Block> {
    vec![
        // True here, so that the module read on its own (by Checkov) is complete; the root's
        // variable, which its call passes, defaults to false.
        variable_with_default(
            "alb_ready",
            "bool",
            "The ingress controller has created the load balancer (the root's `alb_ready`, false on the first apply).",
            true,
        ),
        variable(
            "load_balancer_tags",
            "map(string)",
            "Tags the AWS Load Balancer Controller puts on the ingress's load balancer (cluster and stack).",
        ),
    ]
}

/// `data "aws_lb" "ingress"`: the ingress's load balancer, once `alb_ready`.
pub fn lookup() -> Block {
    data("aws_lb", "ingress")
        .add_attribute(("count", expr("var.alb_ready ? 1 : 0")))
        .add_attribute(("tags", expr("var.load_balancer_tags")))
        .build()
}

/// The root variables the calls of `cdn` and `dns` read.
pub fn root_variables(platform: &Platform) -> Vec<Block> {
    if !exposed(platform) {
        return Vec::new();
    }
    let mut variables = vec![variable_with_default(
        "alb_ready",
        "bool",
        "Second phase of the apply: the Kubernetes manifests are deployed and the ingress controller's load balancer exists; adds the CDN, the DNS records and the health checks.",
        false,
    )];
    if platform.cloud.dr_region.is_some() {
        variables.push(variable_with_default(
            "secondary_alb_dns_name",
            "string",
            "DNS name of the standby region's load balancer (cloud.dr_region): the SECONDARY target of the failover records, written once it is set.",
            Expression::Null,
        ));
    }
    variables
}

/// `resource "kind" "name"` in us-east-1 (`provider = aws.us_east_1`).
pub fn us_east_1(kind: &str, name: &str) -> hcl::BlockBuilder {
    resource(kind, name).add_attribute(("provider", expr("aws.us_east_1")))
}

/// `data "aws_caller_identity"`, `data "aws_partition"` and `data "aws_region" "global"` (us-east-1):
/// what the key policies and log ARNs name.
pub fn identity() -> Vec<Block> {
    vec![
        data("aws_caller_identity", "current").build(),
        data("aws_partition", "current").build(),
        data("aws_region", "global").add_attribute(("provider", expr("aws.us_east_1"))).build(),
    ]
}

/// A KMS key in us-east-1 (rotated) for the log groups there (CloudFront's and Route 53's logs must
/// live in that region, where the environment's own key may not), usable by CloudWatch Logs and by
/// the `extra_services` (`delivery.logs.amazonaws.com` for CloudFront's log files).
pub fn log_key(name: &str, count: Option<&str>, extra_services: &[&str]) -> Block {
    let mut statements = vec![
        r#"{ Sid = "Account", Effect = "Allow", Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" }"#.to_owned(),
        r#"{ Sid = "CloudWatchLogs", Effect = "Allow", Principal = { Service = "logs.${data.aws_region.global.name}.amazonaws.com" }, Action = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"], Resource = "*", Condition = { ArnLike = { "kms:EncryptionContext:aws:logs:arn" = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.global.name}:${data.aws_caller_identity.current.account_id}:log-group:*" } } }"#.to_owned(),
    ];
    for (idx, service) in extra_services.iter().enumerate() {
        statements.push(format!(
            r#"{{ Sid = "Delivery{idx}", Effect = "Allow", Principal = {{ Service = "{service}" }}, Action = ["kms:GenerateDataKey*", "kms:Decrypt"], Resource = "*" }}"#
        ));
    }
    let mut block = us_east_1("aws_kms_key", name);
    if let Some(count) = count {
        block = block.add_attribute(("count", expr(count)));
    }
    block
        .add_attribute(("description", expr(r#""${var.name} logs in ${data.aws_region.global.name}""#)))
        .add_attribute(("enable_key_rotation", true))
        .add_attribute(("deletion_window_in_days", 30))
        .add_attribute((
            "policy",
            expr(&format!(r#"jsonencode({{ Version = "2012-10-17", Statement = [{}] }})"#, statements.join(", "))),
        ))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_apex_is_the_last_two_labels() {
        assert_eq!(apex("api.staging.codepal.com"), "codepal.com");
        assert_eq!(apex("*.directory.example.com"), "example.com");
        assert_eq!(apex("example.com"), "example.com");
    }
}
