//! `cdn`: CloudFront in front of the ingress's load balancer, for every exposed host.
//!
//! - The origin is the load balancer the AWS Load Balancer Controller created for the Ingresses
//!   (looked up by its tags once `alb_ready`; see `edge` for the two-phase apply), reached over
//!   HTTPS only (TLS 1.2). Viewers' `Host` header is forwarded (`Managed-AllViewer`), so the load
//!   balancer routes by host and presents the host's certificate; nothing is cached
//!   (`Managed-CachingDisabled`): the services are dynamic.
//! - Viewers: the environment's hosts and tenant wildcards as aliases, the certificate from `dns`
//!   (us-east-1), TLSv1.2_2021 at least, plain HTTP redirected to HTTPS, HTTP/2 and 3, IPv6, and a
//!   response headers policy adding HSTS (two years, subdomains), `nosniff`, `DENY` framing and a
//!   strict referrer policy.
//! - Access logs go to an S3 bucket in us-east-1 (KMS-encrypted, versioned, public access blocked,
//!   TLS-only, expiring after `log_retention_days`). CloudFront's standard logs are delivered with
//!   an ACL grant to its log-delivery account, so that bucket keeps ACLs enabled.
//! - With `security.waf`: a WAFv2 web ACL (scope CLOUDFRONT, in us-east-1) with the AWS managed
//!   rule groups Amazon IP reputation, Anonymous IP (hosting providers only counted), Common (the
//!   8 KB body limit only counted), Known bad inputs (Log4j) and SQL injection, a per-IP
//!   rate-based rule from `security.rate_limit`, and logging to an encrypted `aws-waf-logs-` log
//!   group with the `authorization` and `cookie` headers redacted.
//!
//! **Rate limits.** WAF counts a client's requests over a window of 60, 120, 300 (the default) or
//! 600 seconds. plinth takes the smallest window that holds the spec's own (60 s for `/s` and
//! `/min`, 600 s for `/h`) and scales the count to it, rounding up: `100/min` stays 100 per minute
//! rather than 500 per 5 minutes, which would let a client spend the whole allowance in one
//! minute. An hourly rate is enforced per 10 minutes (a sixth of it), stricter on bursts than the
//! spec. WAF's floor is 10 requests per window.

use hcl::{Block, Expression};
use plinth_spec::model::Platform;
use plinth_spec::units::Rate;

use super::super::Module;
use super::super::syntax::{
    Skip, data, expr, log_group, output, resource, strings, template, variable, variable_with_default,
};
use super::edge::{self, us_east_1};
use super::vpc::cluster_name;

/// The AWS managed rule groups of the web ACL, in priority order after the rate limit, with the
/// rules that only count: the Common set's 8 KB body limit (uploads and API payloads are larger),
/// and the anonymous-IP set's hosting-provider list (server-to-server clients run in clouds).
const MANAGED_RULE_GROUPS: [(&str, &[&str]); 5] = [
    ("AWSManagedRulesAmazonIpReputationList", &[]),
    ("AWSManagedRulesAnonymousIpList", &["HostingProviderIPList"]),
    ("AWSManagedRulesCommonRuleSet", &["SizeRestrictions_BODY"]),
    ("AWSManagedRulesKnownBadInputsRuleSet", &[]),
    ("AWSManagedRulesSQLiRuleSet", &[]),
];

/// The evaluation windows WAF's rate-based rules support, in seconds.
const WAF_WINDOWS: [u32; 4] = [60, 120, 300, 600];
/// WAF's smallest rate limit.
const WAF_MIN_LIMIT: u64 = 10;

/// `(limit, window in seconds)` of the WAF rate-based rule enforcing `rate` (see the module docs).
pub fn waf_rate(rate: Rate) -> (u64, u32) {
    let per_seconds = rate.per_seconds.max(1);
    let window = WAF_WINDOWS.into_iter().find(|w| *w >= per_seconds).unwrap_or(WAF_WINDOWS[3]);
    let limit = (u64::from(rate.requests) * u64::from(window)).div_ceil(u64::from(per_seconds));
    (limit.max(WAF_MIN_LIMIT), window)
}

/// CloudFront's price class for viewers near `region`: North America and Europe, plus Asia, the
/// Middle East and Africa, or every edge (South America).
pub fn price_class(region: &str) -> &'static str {
    match region.split('-').next() {
        Some("us" | "ca" | "eu") => "PriceClass_100",
        Some("sa") => "PriceClass_All",
        _ => "PriceClass_200",
    }
}

/// The module.
pub fn module() -> Module {
    let mut variables = vec![
        variable("name", "string", "Name prefix of every resource (application-environment)."),
        variable("aliases", "list(string)", "Host names the distribution serves (tenant wildcards included)."),
        variable("certificate_arn", "string", "Validated ACM certificate in us-east-1 covering the aliases."),
        variable_with_default("waf", "bool", "Attach a WAFv2 web ACL (security.waf).", true),
        variable_with_default(
            "rate_limit",
            "number",
            "Requests one client IP may make per `rate_limit_window` before WAF blocks it (null: no rate rule).",
            Expression::Null,
        ),
        variable_with_default(
            "rate_limit_window",
            "number",
            "Seconds WAF counts requests over: 60, 120, 300 or 600.",
            300,
        ),
        variable_with_default(
            "price_class",
            "string",
            "CloudFront edge locations used (PriceClass_100, PriceClass_200 or PriceClass_All).",
            "PriceClass_All",
        ),
        variable_with_default("log_retention_days", "number", "Days access and WAF logs are kept.", 365),
    ];
    variables.extend(edge::lookup_variables());
    let mut main = edge::identity();
    main.extend([
        edge::lookup(),
        data("aws_cloudfront_cache_policy", "caching_disabled")
            .add_attribute(("name", "Managed-CachingDisabled"))
            .build(),
        data("aws_cloudfront_origin_request_policy", "all_viewer").add_attribute(("name", "Managed-AllViewer")).build(),
        data("aws_canonical_user_id", "current").build(),
        data("aws_cloudfront_log_delivery_canonical_user_id", "current").build(),
        edge::log_key("logs", None, &["delivery.logs.amazonaws.com"]),
    ]);
    main.extend(log_bucket());
    main.push(headers_policy());
    main.extend(waf());
    main.push(distribution());
    let outputs = vec![
        output(
            "domain_name",
            "one(aws_cloudfront_distribution.this[*].domain_name)",
            "The distribution's domain name (null before `alb_ready`).",
        ),
        output(
            "hosted_zone_id",
            "one(aws_cloudfront_distribution.this[*].hosted_zone_id)",
            "The distribution's Route 53 zone, for alias records.",
        ),
        output(
            "distribution_id",
            "one(aws_cloudfront_distribution.this[*].id)",
            "The distribution (for invalidations).",
        ),
        output("web_acl_arn", "one(aws_wafv2_web_acl.this[*].arn)", "The WAF web ACL (null without WAF)."),
        output("log_bucket", "aws_s3_bucket.logs.bucket", "Bucket of the access logs."),
    ];
    let skips = vec![
        Skip {
            address: "aws_s3_bucket.logs",
            check: "CKV_AWS_18",
            reason: "this bucket is the access-log destination; logging its own access would log into itself",
        },
        Skip {
            address: "aws_s3_bucket.logs",
            check: "CKV_AWS_144",
            reason: "access logs expire after log_retention_days and are not worth a second region",
        },
        Skip {
            address: "aws_s3_bucket.logs",
            check: "CKV2_AWS_62",
            reason: "nothing consumes log-file events; the logs are read on demand",
        },
        Skip {
            address: "aws_s3_bucket_ownership_controls.logs",
            check: "CKV2_AWS_65",
            reason: "CloudFront standard logging delivers through an ACL grant to its log-delivery account, so ACLs stay enabled (BucketOwnerPreferred); public ACLs are blocked",
        },
        Skip {
            address: "aws_cloudfront_distribution.this",
            check: "CKV_AWS_310",
            reason: "one origin per region; regional failover is Route 53's (dns module, failover records to the standby region)",
        },
        Skip {
            address: "aws_cloudfront_distribution.this",
            check: "CKV_AWS_374",
            reason: "the applications serve every country; plinth.yaml has no geographic restriction to apply",
        },
        Skip {
            address: "aws_cloudfront_distribution.this",
            check: "CKV2_AWS_46",
            reason: "the S3 bucket the distribution references is its log destination; the origin is the load balancer, not S3",
        },
        Skip {
            address: "aws_cloudfront_response_headers_policy.this",
            check: "CKV_AWS_259",
            reason: "HSTS is sent for two years with subdomains; `preload` asks browsers to pin HTTPS for the whole registrable domain, the domain owner's decision, not one application's",
        },
        Skip {
            address: "aws_cloudfront_distribution.this",
            check: "CKV_AWS_305",
            reason: "the origin is an application behind a load balancer that answers `/` itself, not an S3 website",
        },
    ];
    Module { name: "cdn", variables, main, outputs, skips, provider_aliases: vec!["us_east_1"] }
}

fn bucket_resource(kind: &str) -> hcl::BlockBuilder {
    us_east_1(kind, "logs").add_attribute(("bucket", expr("aws_s3_bucket.logs.id")))
}

fn log_bucket() -> Vec<Block> {
    vec![
        us_east_1("aws_s3_bucket", "logs")
            .add_attribute(("bucket", template("${var.name}-cdn-logs-${data.aws_caller_identity.current.account_id}")))
            .build(),
        bucket_resource("aws_s3_bucket_ownership_controls")
            .add_block(Block::builder("rule").add_attribute(("object_ownership", "BucketOwnerPreferred")).build())
            .build(),
        bucket_resource("aws_s3_bucket_acl")
            .add_block(
                Block::builder("access_control_policy")
                    .add_block(grant("data.aws_canonical_user_id.current.id"))
                    .add_block(grant("data.aws_cloudfront_log_delivery_canonical_user_id.current.id"))
                    .add_block(Block::builder("owner").add_attribute(("id", expr("data.aws_canonical_user_id.current.id"))).build())
                    .build(),
            )
            .add_attribute(("depends_on", expr("[aws_s3_bucket_ownership_controls.logs]")))
            .build(),
        bucket_resource("aws_s3_bucket_public_access_block")
            .add_attribute(("block_public_acls", true))
            .add_attribute(("block_public_policy", true))
            .add_attribute(("ignore_public_acls", true))
            .add_attribute(("restrict_public_buckets", true))
            .build(),
        bucket_resource("aws_s3_bucket_server_side_encryption_configuration")
            .add_block(
                Block::builder("rule")
                    .add_block(
                        Block::builder("apply_server_side_encryption_by_default")
                            .add_attribute(("sse_algorithm", "aws:kms"))
                            .add_attribute(("kms_master_key_id", expr("aws_kms_key.logs.arn")))
                            .build(),
                    )
                    .add_attribute(("bucket_key_enabled", true))
                    .build(),
            )
            .build(),
        bucket_resource("aws_s3_bucket_versioning")
            .add_block(Block::builder("versioning_configuration").add_attribute(("status", "Enabled")).build())
            .build(),
        bucket_resource("aws_s3_bucket_lifecycle_configuration")
            .add_block(
                Block::builder("rule")
                    .add_attribute(("id", "expire-logs"))
                    .add_attribute(("status", "Enabled"))
                    .add_block(Block::builder("filter").build())
                    .add_block(Block::builder("expiration").add_attribute(("days", expr("var.log_retention_days"))).build())
                    .add_block(
                        Block::builder("noncurrent_version_expiration").add_attribute(("noncurrent_days", 30)).build(),
                    )
                    .add_block(
                        Block::builder("abort_incomplete_multipart_upload")
                            .add_attribute(("days_after_initiation", 7))
                            .build(),
                    )
                    .build(),
            )
            .build(),
        bucket_resource("aws_s3_bucket_policy")
            .add_attribute((
                "policy",
                expr(
                    r#"jsonencode({ Version = "2012-10-17", Statement = [{ Sid = "TlsOnly", Effect = "Deny", Principal = "*", Action = "s3:*", Resource = [aws_s3_bucket.logs.arn, "${aws_s3_bucket.logs.arn}/*"], Condition = { Bool = { "aws:SecureTransport" = "false" } } }] })"#,
                ),
            ))
            .add_attribute(("depends_on", expr("[aws_s3_bucket_public_access_block.logs]")))
            .build(),
    ]
}

fn grant(id: &str) -> Block {
    Block::builder("grant")
        .add_block(
            Block::builder("grantee").add_attribute(("id", expr(id))).add_attribute(("type", "CanonicalUser")).build(),
        )
        .add_attribute(("permission", "FULL_CONTROL"))
        .build()
}

fn headers_policy() -> Block {
    let header = |name: &str, attributes: Vec<(&str, Expression)>| {
        let mut block = Block::builder(name);
        for attribute in attributes {
            block = block.add_attribute(attribute);
        }
        block.add_attribute(("override", true)).build()
    };
    resource("aws_cloudfront_response_headers_policy", "this")
        .add_attribute(("name", template("${var.name}-security-headers")))
        .add_block(
            Block::builder("security_headers_config")
                .add_block(header(
                    "strict_transport_security",
                    vec![
                        ("access_control_max_age_sec", Expression::from(63_072_000)),
                        ("include_subdomains", Expression::from(true)),
                        ("preload", Expression::from(false)),
                    ],
                ))
                .add_block(header("content_type_options", vec![]))
                .add_block(header("frame_options", vec![("frame_option", Expression::from("DENY"))]))
                .add_block(header(
                    "referrer_policy",
                    vec![("referrer_policy", Expression::from("strict-origin-when-cross-origin"))],
                ))
                .build(),
        )
        .build()
}

fn visibility(metric: &str) -> Block {
    Block::builder("visibility_config")
        .add_attribute(("cloudwatch_metrics_enabled", true))
        .add_attribute(("metric_name", template(metric)))
        .add_attribute(("sampled_requests_enabled", true))
        .build()
}

/// A rule running an AWS managed rule group, its own actions kept except for the rules in
/// `counted`, which only count.
fn managed_rule(group: &str, priority: u32, counted: &[&str]) -> Block {
    let mut statement = Block::builder("managed_rule_group_statement")
        .add_attribute(("name", group))
        .add_attribute(("vendor_name", "AWS"));
    for rule in counted {
        statement = statement.add_block(
            Block::builder("rule_action_override")
                .add_attribute(("name", *rule))
                .add_block(Block::builder("action_to_use").add_block(Block::builder("count").build()).build())
                .build(),
        );
    }
    Block::builder("rule")
        .add_attribute(("name", group))
        .add_attribute(("priority", priority))
        .add_block(Block::builder("override_action").add_block(Block::builder("none").build()).build())
        .add_block(Block::builder("statement").add_block(statement.build()).build())
        .add_block(visibility(&format!("${{var.name}}-{group}")))
        .build()
}

fn waf() -> Vec<Block> {
    let rate_rule = Block::builder("dynamic")
        .add_label("rule")
        .add_attribute(("for_each", expr("var.rate_limit == null ? [] : [var.rate_limit]")))
        .add_block(
            Block::builder("content")
                .add_attribute(("name", "rate-limit"))
                .add_attribute(("priority", 0))
                .add_block(Block::builder("action").add_block(Block::builder("block").build()).build())
                .add_block(
                    Block::builder("statement")
                        .add_block(
                            Block::builder("rate_based_statement")
                                .add_attribute(("limit", expr("rule.value")))
                                .add_attribute(("evaluation_window_sec", expr("var.rate_limit_window")))
                                .add_attribute(("aggregate_key_type", "IP"))
                                .build(),
                        )
                        .build(),
                )
                .add_block(visibility("${var.name}-rate-limit"))
                .build(),
        )
        .build();
    let mut acl = us_east_1("aws_wafv2_web_acl", "this")
        .add_attribute(("count", expr("var.waf ? 1 : 0")))
        .add_attribute(("name", expr("var.name")))
        .add_attribute(("description", template("${var.name}: managed rule groups and a per-IP rate limit")))
        .add_attribute(("scope", "CLOUDFRONT"))
        .add_block(Block::builder("default_action").add_block(Block::builder("allow").build()).build())
        .add_block(rate_rule);
    for (priority, (group, counted)) in (1..).zip(MANAGED_RULE_GROUPS) {
        acl = acl.add_block(managed_rule(group, priority, counted));
    }
    let redacted = |header: &str| {
        Block::builder("redacted_fields")
            .add_block(Block::builder("single_header").add_attribute(("name", header)).build())
            .build()
    };
    vec![
        acl.add_block(visibility("${var.name}-waf")).build(),
        log_group(
            us_east_1("aws_cloudwatch_log_group", "waf").add_attribute(("count", expr("var.waf ? 1 : 0"))),
            "aws-waf-logs-${var.name}",
            "var.log_retention_days",
            "aws_kms_key.logs.arn",
        ),
        us_east_1("aws_wafv2_web_acl_logging_configuration", "this")
            .add_attribute(("count", expr("var.waf ? 1 : 0")))
            .add_attribute(("resource_arn", expr("aws_wafv2_web_acl.this[count.index].arn")))
            .add_attribute(("log_destination_configs", expr("[aws_cloudwatch_log_group.waf[count.index].arn]")))
            .add_block(redacted("authorization"))
            .add_block(redacted("cookie"))
            .build(),
    ]
}

/// The distribution, like the lookup and the web ACL, has at most one instance, so `count.index` is
/// 0 in its references to them (Checkov follows references by `count.index`, not by `[0]`).
fn distribution() -> Block {
    resource("aws_cloudfront_distribution", "this")
        .add_attribute(("count", expr("var.alb_ready ? 1 : 0")))
        .add_attribute(("enabled", true))
        .add_attribute(("comment", expr("var.name")))
        .add_attribute(("aliases", expr("var.aliases")))
        .add_attribute(("price_class", expr("var.price_class")))
        .add_attribute(("http_version", "http2and3"))
        .add_attribute(("is_ipv6_enabled", true))
        .add_attribute(("web_acl_id", expr("var.waf ? aws_wafv2_web_acl.this[count.index].arn : null")))
        .add_block(
            Block::builder("origin")
                .add_attribute(("origin_id", "ingress"))
                .add_attribute(("domain_name", expr("data.aws_lb.ingress[count.index].dns_name")))
                .add_block(
                    Block::builder("custom_origin_config")
                        .add_attribute(("http_port", 80))
                        .add_attribute(("https_port", 443))
                        .add_attribute(("origin_protocol_policy", "https-only"))
                        .add_attribute(("origin_ssl_protocols", strings(["TLSv1.2"])))
                        .build(),
                )
                .build(),
        )
        .add_block(
            Block::builder("default_cache_behavior")
                .add_attribute(("target_origin_id", "ingress"))
                .add_attribute(("viewer_protocol_policy", "redirect-to-https"))
                .add_attribute((
                    "allowed_methods",
                    strings(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]),
                ))
                .add_attribute(("cached_methods", strings(["GET", "HEAD"])))
                .add_attribute(("compress", true))
                .add_attribute(("cache_policy_id", expr("data.aws_cloudfront_cache_policy.caching_disabled.id")))
                .add_attribute((
                    "origin_request_policy_id",
                    expr("data.aws_cloudfront_origin_request_policy.all_viewer.id"),
                ))
                .add_attribute(("response_headers_policy_id", expr("aws_cloudfront_response_headers_policy.this.id")))
                .build(),
        )
        .add_block(
            Block::builder("viewer_certificate")
                .add_attribute(("acm_certificate_arn", expr("var.certificate_arn")))
                .add_attribute(("ssl_support_method", "sni-only"))
                .add_attribute(("minimum_protocol_version", "TLSv1.2_2021"))
                .build(),
        )
        .add_block(
            Block::builder("restrictions")
                .add_block(Block::builder("geo_restriction").add_attribute(("restriction_type", "none")).build())
                .build(),
        )
        .add_block(
            Block::builder("logging_config")
                .add_attribute(("bucket", expr("aws_s3_bucket.logs.bucket_domain_name")))
                .add_attribute(("prefix", "cloudfront/"))
                .add_attribute(("include_cookies", false))
                .build(),
        )
        .add_attribute(("depends_on", expr("[aws_s3_bucket_acl.logs]")))
        .build()
}

/// The environment's CDN; `None` when nothing is exposed.
pub fn call(platform: &Platform) -> Option<Block> {
    if !edge::exposed(platform) {
        return None;
    }
    let hosts = edge::hosts(platform);
    let mut arguments = vec![
        ("name", Expression::from(cluster_name(platform))),
        ("aliases", strings(hosts.iter().map(|h| h.name.as_str()))),
        ("certificate_arn", expr("module.dns.cdn_certificate_arn")),
        ("waf", Expression::from(platform.security.waf)),
    ];
    if let (true, Some(rate)) = (platform.security.waf, platform.security.rate_limit) {
        let (limit, window) = waf_rate(rate);
        arguments.push(("rate_limit", Expression::from(limit)));
        arguments.push(("rate_limit_window", Expression::from(window)));
    }
    arguments.extend([
        ("price_class", Expression::from(price_class(&platform.cloud.region))),
        ("alb_ready", expr("var.alb_ready")),
        ("load_balancer_tags", edge::load_balancer_tags(platform)),
    ]);
    Some(super::call_with_providers("cdn", &["us_east_1"], arguments))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_keep_their_window_when_waf_has_it() {
        // 100/min: one minute, 100 requests.
        assert_eq!(waf_rate(Rate { requests: 100, per_seconds: 60 }), (100, 60));
        // 10/s: 600 per minute.
        assert_eq!(waf_rate(Rate { requests: 10, per_seconds: 1 }), (600, 60));
        // 1000/h: per 10 minutes, 1000 × 600 / 3600 = 166.7, rounded up.
        assert_eq!(waf_rate(Rate { requests: 1000, per_seconds: 3600 }), (167, 600));
        // Below WAF's floor of 10.
        assert_eq!(waf_rate(Rate { requests: 5, per_seconds: 60 }), (10, 60));
    }

    #[test]
    fn price_classes_follow_the_region() {
        assert_eq!(price_class("us-east-1"), "PriceClass_100");
        assert_eq!(price_class("ap-south-1"), "PriceClass_200");
        assert_eq!(price_class("sa-east-1"), "PriceClass_All");
    }
}
