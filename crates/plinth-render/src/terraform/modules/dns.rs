//! `dns`: Route 53 and the certificates validated through it.
//!
//! - One public hosted zone per apex of the domains, signed with DNSSEC (a key-signing key in
//!   us-east-1, as Route 53 requires; the DS record to give the registrar is an output) and with
//!   query logging to an encrypted log group (in us-east-1, as Route 53 requires). Environments
//!   share apexes (staging's `staging.codepal.com` lives in production's `codepal.com`), so the
//!   zones are created by the production environment and looked up by the others: apply
//!   production first.
//! - The certificates: the regional one the ALB ingress discovers by host (ACM issuer), and
//!   CloudFront's in us-east-1. Both validate through the same DNS records (ACM's validation
//!   record of a name is the same for every certificate of the account), so this module owns them
//!   once, and `cdn` receives its certificate ARN.
//! - Alias records (A, and AAAA for CloudFront's IPv6) for every host, to CloudFront or, without a
//!   CDN, to the ingress's load balancer (with target health evaluated).
//! - An HTTPS health check on every public host (the readiness path of the service at `/`).
//! - Failover with a standby region (`cloud.dr_region`): once `secondary_alb_dns_name` is set, the
//!   records become PRIMARY (CloudFront or the load balancer) and SECONDARY (the standby region's
//!   load balancer). The PRIMARY's health check is a TCP check of the primary load balancer by its
//!   own name: a check of the public host would resolve through the failover records themselves
//!   and flap back as soon as the secondary answered.
//!
//! The records and health checks wait for the load balancer (`alb_ready`; see `edge`).

use hcl::{Block, Expression};
use plinth_spec::model::{Issuer, Platform, Stage};

use super::super::Module;
use super::super::syntax::{
    Skip, data, expr, log_group, object, output, resource, strings, template, variable, variable_with_default,
};
use super::edge::{self, Host, us_east_1};
use super::vpc::cluster_name;

/// The module.
pub fn module() -> Module {
    let mut variables = vec![
        variable("name", "string", "Name prefix of every resource (application-environment)."),
        variable("zones", "list(string)", "Apex domains, one public hosted zone each."),
        variable_with_default(
            "create_zones",
            "bool",
            "Create the zones (the production environment), or look them up (the environments sharing them).",
            true,
        ),
        variable("hosts", "map(string)", "Public host (or `*.` tenant wildcard) → the apex zone it belongs to."),
        variable_with_default(
            "health_check_paths",
            "map(string)",
            "Public host → the path its HTTPS health check requests.",
            Expression::Object(hcl::Object::new()),
        ),
        variable_with_default(
            "regional_certificate",
            "bool",
            "Issue the regional ACM certificate for the hosts, which the ALB ingress discovers by host.",
            false,
        ),
        variable_with_default(
            "cdn",
            "bool",
            "The hosts are served through CloudFront: issue its certificate in us-east-1 and point the records at it.",
            true,
        ),
        variable_with_default(
            "cdn_domain_name",
            "string",
            "The CloudFront distribution's domain name.",
            Expression::Null,
        ),
        variable_with_default(
            "cdn_hosted_zone_id",
            "string",
            "The CloudFront distribution's hosted zone.",
            Expression::Null,
        ),
        variable_with_default(
            "load_balancer_type",
            "string",
            "`application` (ALB ingress) or `network` (ingress-nginx's NLB).",
            "application",
        ),
        variable_with_default("dr_region", "string", "The standby region.", Expression::Null),
        variable_with_default(
            "secondary_alb_dns_name",
            "string",
            "DNS name of the standby region's load balancer: with it, the records fail over to it.",
            Expression::Null,
        ),
        variable_with_default("log_retention_days", "number", "Days query logs are kept.", 365),
    ];
    variables.extend(edge::lookup_variables());
    let mut main = edge::identity();
    main.extend([edge::lookup(), locals(), zone(), data_zone()]);
    main.extend(dnssec());
    main.extend(query_logging());
    main.extend(certificates());
    main.extend(records());
    main.extend(health_checks());
    let outputs = vec![
        output("zone_ids", "local.zone_ids", "Hosted zone ID of every apex."),
        output(
            "name_servers",
            "zipmap(keys(aws_route53_zone.this), values(aws_route53_zone.this)[*].name_servers)",
            "Name servers to delegate each created zone to at the registrar.",
        ),
        output(
            "ds_records",
            "zipmap(keys(aws_route53_key_signing_key.this), values(aws_route53_key_signing_key.this)[*].ds_record)",
            "DS record to give the registrar for each created zone, completing the DNSSEC chain of trust.",
        ),
        output(
            "regional_certificate_arn",
            "one(aws_acm_certificate_validation.regional[*].certificate_arn)",
            "The validated regional certificate (null without one).",
        ),
        output(
            "cdn_certificate_arn",
            "one(aws_acm_certificate_validation.cdn[*].certificate_arn)",
            "The validated CloudFront certificate in us-east-1 (null without a CDN).",
        ),
        output(
            "health_check_ids",
            "zipmap(keys(aws_route53_health_check.host), values(aws_route53_health_check.host)[*].id)",
            "Health check of every public host.",
        ),
    ];
    Module { name: "dns", variables, main, outputs, skips: Vec::<Skip>::new(), provider_aliases: vec!["us_east_1"] }
}

fn locals() -> Block {
    Block::builder("locals")
        .add_attribute((
            "zone_ids",
            expr(
                "var.create_zones ? zipmap(keys(aws_route53_zone.this), values(aws_route53_zone.this)[*].zone_id) : zipmap(keys(data.aws_route53_zone.this), values(data.aws_route53_zone.this)[*].zone_id)",
            ),
        ))
        .add_attribute(("failover", expr("var.secondary_alb_dns_name != null")))
        .add_attribute((
            "target",
            expr(
                "var.cdn ? { name = var.cdn_domain_name, zone_id = var.cdn_hosted_zone_id, evaluate = false } : { name = one(data.aws_lb.ingress[*].dns_name), zone_id = one(data.aws_lb.ingress[*].zone_id), evaluate = true }",
            ),
        ))
        .add_attribute(("record_pairs", expr(r#"var.alb_ready ? setproduct(keys(var.hosts), var.cdn ? ["A", "AAAA"] : ["A"]) : []"#)))
        .add_attribute((
            "records",
            expr(
                r#"zipmap([for pair in local.record_pairs : join(" ", pair)], [for pair in local.record_pairs : { name = pair[0], type = pair[1], zone = var.hosts[pair[0]] }])"#,
            ),
        ))
        .add_attribute((
            "validation_names",
            expr(
                r#"var.regional_certificate || var.cdn ? toset([for host in keys(var.hosts) : trimprefix(host, "*.")]) : toset([])"#,
            ),
        ))
        .add_attribute((
            "validation_options",
            expr(
                "flatten([for certificate in concat(aws_acm_certificate.regional, aws_acm_certificate.cdn) : tolist(certificate.domain_validation_options)])",
            ),
        ))
        // One record per name: a wildcard and its base name share it, and so do both certificates
        // (zipmap keeps the last of duplicate keys).
        .add_attribute((
            "validation",
            expr(r#"zipmap([for option in local.validation_options : trimprefix(option.domain_name, "*.")], local.validation_options)"#),
        ))
        .build()
}

fn zone() -> Block {
    resource("aws_route53_zone", "this")
        .add_attribute(("for_each", expr("var.create_zones ? toset(var.zones) : toset([])")))
        .add_attribute(("name", expr("each.key")))
        .add_attribute(("comment", template("${var.name}: public zone")))
        .build()
}

fn data_zone() -> Block {
    data("aws_route53_zone", "this")
        .add_attribute(("for_each", expr("var.create_zones ? toset([]) : toset(var.zones)")))
        .add_attribute(("name", expr("each.key")))
        .add_attribute(("private_zone", false))
        .build()
}

/// The signing key (asymmetric, in us-east-1, usable by Route 53's DNSSEC service only for this
/// account), one key-signing key per zone, and signing turned on.
fn dnssec() -> Vec<Block> {
    vec![
        us_east_1("aws_kms_key", "dnssec")
            .add_attribute(("count", expr("var.create_zones ? 1 : 0")))
            .add_attribute(("description", template("${var.name} DNSSEC key-signing key")))
            .add_attribute(("customer_master_key_spec", "ECC_NIST_P256"))
            .add_attribute(("key_usage", "SIGN_VERIFY"))
            .add_attribute(("deletion_window_in_days", 30))
            .add_attribute((
                "policy",
                expr(
                    r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "Account", Effect = "Allow", Principal = { AWS = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root" }, Action = "kms:*", Resource = "*" }, { Sid = "Route53DNSSEC", Effect = "Allow", Principal = { Service = "dnssec-route53.amazonaws.com" }, Action = ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"], Resource = "*", Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } } }, { Sid = "Route53DNSSECGrant", Effect = "Allow", Principal = { Service = "dnssec-route53.amazonaws.com" }, Action = "kms:CreateGrant", Resource = "*", Condition = { Bool = { "kms:GrantIsForAWSResource" = true } } }] })"#,
                ),
            ))
            .build(),
        resource("aws_route53_key_signing_key", "this")
            .add_attribute(("for_each", expr("aws_route53_zone.this")))
            .add_attribute(("hosted_zone_id", expr("each.value.id")))
            .add_attribute(("key_management_service_arn", expr("aws_kms_key.dnssec[0].arn")))
            .add_attribute(("name", expr(r#"replace(each.key, "/[^a-zA-Z0-9_]/", "_")"#)))
            .build(),
        resource("aws_route53_hosted_zone_dnssec", "this")
            .add_attribute(("for_each", expr("aws_route53_key_signing_key.this")))
            .add_attribute(("hosted_zone_id", expr("each.value.hosted_zone_id")))
            .build(),
    ]
}

/// Query logs of every created zone, to log groups in us-east-1 that Route 53 may write to.
fn query_logging() -> Vec<Block> {
    vec![
        edge::log_key("logs", Some("var.create_zones ? 1 : 0"), &[]),
        log_group(us_east_1("aws_cloudwatch_log_group", "query_logs")
            .add_attribute(("for_each", expr("aws_route53_zone.this"))), "/aws/route53/${each.key}", "var.log_retention_days", "aws_kms_key.logs[0].arn"),
        us_east_1("aws_cloudwatch_log_resource_policy", "query_logs")
            .add_attribute(("count", expr("var.create_zones ? 1 : 0")))
            .add_attribute(("policy_name", template("${var.name}-route53-query-logs")))
            .add_attribute((
                "policy_document",
                expr(
                    r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { Service = "route53.amazonaws.com" }, Action = ["logs:CreateLogStream", "logs:PutLogEvents"], Resource = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.global.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/route53/*", Condition = { StringEquals = { "aws:SourceAccount" = data.aws_caller_identity.current.account_id } } }] })"#,
                ),
            ))
            .build(),
        resource("aws_route53_query_log", "this")
            .add_attribute(("for_each", expr("aws_route53_zone.this")))
            .add_attribute(("zone_id", expr("each.value.zone_id")))
            .add_attribute(("cloudwatch_log_group_arn", expr("aws_cloudwatch_log_group.query_logs[each.key].arn")))
            .add_attribute(("depends_on", expr("[aws_cloudwatch_log_resource_policy.query_logs]")))
            .build(),
    ]
}

/// A certificate for every host, validated by DNS; `provider` is `None` for the default region.
fn certificate(name: &str, condition: &str, provider: Option<&str>) -> [Block; 2] {
    let with_provider = |kind: &str, label: &str| match provider {
        Some(alias) => resource(kind, label).add_attribute(("provider", expr(alias))),
        None => resource(kind, label),
    };
    [
        with_provider("aws_acm_certificate", name)
            .add_attribute(("count", expr(&format!("{condition} ? 1 : 0"))))
            .add_attribute(("domain_name", expr("keys(var.hosts)[0]")))
            .add_attribute(("subject_alternative_names", expr("slice(keys(var.hosts), 1, length(var.hosts))")))
            .add_attribute(("validation_method", "DNS"))
            .add_attribute(("key_algorithm", "EC_prime256v1"))
            .add_block(Block::builder("lifecycle").add_attribute(("create_before_destroy", true)).build())
            .build(),
        with_provider("aws_acm_certificate_validation", name)
            .add_attribute(("count", expr(&format!("{condition} ? 1 : 0"))))
            .add_attribute(("certificate_arn", expr(&format!("aws_acm_certificate.{name}[0].arn"))))
            .add_attribute((
                "validation_record_fqdns",
                expr("[for record in aws_route53_record.validation : record.fqdn]"),
            ))
            .build(),
    ]
}

fn certificates() -> Vec<Block> {
    let mut blocks = Vec::new();
    blocks.extend(certificate("regional", "var.regional_certificate", None));
    blocks.extend(certificate("cdn", "var.cdn", Some("aws.us_east_1")));
    blocks.push(
        resource("aws_route53_record", "validation")
            .add_attribute(("for_each", expr("local.validation_names")))
            .add_attribute((
                "zone_id",
                expr(r#"local.zone_ids[var.hosts[contains(keys(var.hosts), each.key) ? each.key : "*.${each.key}"]]"#),
            ))
            .add_attribute(("name", expr("local.validation[each.key].resource_record_name")))
            .add_attribute(("type", expr("local.validation[each.key].resource_record_type")))
            .add_attribute(("records", expr("[local.validation[each.key].resource_record_value]")))
            .add_attribute(("ttl", 300))
            .add_attribute(("allow_overwrite", true))
            .build(),
    );
    blocks
}

fn alias(name: &str, zone_id: &str, evaluate: &str) -> Block {
    Block::builder("alias")
        .add_attribute(("name", expr(name)))
        .add_attribute(("zone_id", expr(zone_id)))
        .add_attribute(("evaluate_target_health", expr(evaluate)))
        .build()
}

fn records() -> Vec<Block> {
    vec![
        data("aws_lb_hosted_zone_id", "secondary")
            .add_attribute(("count", expr("local.failover ? 1 : 0")))
            .add_attribute(("region", expr("var.dr_region")))
            .add_attribute(("load_balancer_type", expr("var.load_balancer_type")))
            .build(),
        resource("aws_route53_record", "host")
            .add_attribute(("for_each", expr("local.records")))
            .add_attribute(("zone_id", expr("local.zone_ids[each.value.zone]")))
            .add_attribute(("name", expr("each.value.name")))
            .add_attribute(("type", expr("each.value.type")))
            .add_attribute(("set_identifier", expr(r#"local.failover ? "primary" : null"#)))
            .add_attribute(("health_check_id", expr("local.failover ? aws_route53_health_check.primary[0].id : null")))
            .add_block(alias("local.target.name", "local.target.zone_id", "local.target.evaluate"))
            .add_block(
                Block::builder("dynamic")
                    .add_label("failover_routing_policy")
                    .add_attribute(("for_each", expr(r#"local.failover ? ["PRIMARY"] : []"#)))
                    .add_block(
                        Block::builder("content")
                            .add_attribute(("type", expr("failover_routing_policy.value")))
                            .build(),
                    )
                    .build(),
            )
            .build(),
        resource("aws_route53_record", "secondary")
            .add_attribute(("for_each", expr("local.failover ? local.records : {}")))
            .add_attribute(("zone_id", expr("local.zone_ids[each.value.zone]")))
            .add_attribute(("name", expr("each.value.name")))
            .add_attribute(("type", expr("each.value.type")))
            .add_attribute(("set_identifier", "secondary"))
            .add_block(alias("var.secondary_alb_dns_name", "data.aws_lb_hosted_zone_id.secondary[0].id", "true"))
            .add_block(Block::builder("failover_routing_policy").add_attribute(("type", "SECONDARY")).build())
            .build(),
    ]
}

fn health_checks() -> Vec<Block> {
    vec![
        resource("aws_route53_health_check", "host")
            .add_attribute(("for_each", expr("var.alb_ready ? var.health_check_paths : {}")))
            .add_attribute(("fqdn", expr("each.key")))
            .add_attribute(("type", "HTTPS"))
            .add_attribute(("port", 443))
            .add_attribute(("resource_path", expr("each.value")))
            .add_attribute(("failure_threshold", 3))
            .add_attribute(("request_interval", 30))
            .add_attribute(("tags", object([("Name", template("${var.name} ${each.key}"))])))
            .build(),
        resource("aws_route53_health_check", "primary")
            .add_attribute(("count", expr("local.failover && var.alb_ready ? 1 : 0")))
            .add_attribute(("fqdn", expr("data.aws_lb.ingress[0].dns_name")))
            .add_attribute(("type", "TCP"))
            .add_attribute(("port", 443))
            .add_attribute(("failure_threshold", 3))
            .add_attribute(("request_interval", 10))
            .add_attribute(("tags", object([("Name", template("${var.name} primary load balancer"))])))
            .build(),
    ]
}

/// The environment's zones, certificates, records and health checks; `None` when nothing is
/// exposed.
pub fn call(platform: &Platform) -> Option<Block> {
    if !edge::exposed(platform) {
        return None;
    }
    let hosts = edge::hosts(platform);
    let mut arguments = vec![
        ("name", Expression::from(cluster_name(platform))),
        ("zones", strings(edge::zones(platform))),
        ("create_zones", Expression::from(platform.environment.stage == Stage::Production)),
        ("hosts", object(hosts.iter().map(|h| (h.name.clone(), Expression::from(h.zone.as_str()))))),
        ("health_check_paths", health_check_paths(&hosts)),
        ("regional_certificate", Expression::from(platform.tls.issuer == Issuer::Acm)),
        ("cdn", Expression::from(true)),
        ("cdn_domain_name", expr("module.cdn.domain_name")),
        ("cdn_hosted_zone_id", expr("module.cdn.hosted_zone_id")),
        ("load_balancer_type", Expression::from(edge::load_balancer_type(platform))),
        ("alb_ready", expr("var.alb_ready")),
        ("load_balancer_tags", edge::load_balancer_tags(platform)),
    ];
    if let Some(region) = &platform.cloud.dr_region {
        arguments.push(("dr_region", Expression::from(region.as_str())));
        arguments.push(("secondary_alb_dns_name", expr("var.secondary_alb_dns_name")));
    }
    Some(super::call_with_providers("dns", &["us_east_1"], arguments))
}

fn health_check_paths(hosts: &[Host]) -> Expression {
    object(hosts.iter().filter_map(|h| Some((h.name.clone(), Expression::from(h.health_path.as_deref()?)))))
}
