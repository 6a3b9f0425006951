//! `vpc`: the network across the environment's zones (seed 001's three-tier VPC, seed 002's two
//! public and two private subnets): public subnets tagged for internet-facing load balancers,
//! private subnets for nodes and databases tagged for internal ones, an internet gateway, NAT in
//! every zone or one shared, route tables, flow logs to an encrypted log group, and a default
//! security group that allows nothing.

use hcl::{Block, Expression};
use plinth_spec::model::{Platform, Stage};

use super::super::Module;
use super::super::syntax::{
    Skip, expr, log_group, object, output, resource, service_trust, strings, template, variable, variable_with_default,
};
use super::call as module_call;

/// The EKS cluster name of an environment (subnet discovery tags name it; the deploy workflow
/// connects to it), shared through plinth-spec.
pub use plinth_spec::names::cluster_name;

fn tags(extra: &[(&str, &str)], name: &str) -> Expression {
    let mut pairs: Vec<(String, Expression)> = vec![("Name".to_owned(), expr(name))];
    pairs.extend(extra.iter().map(|(k, v)| ((*k).to_owned(), expr(v))));
    object(pairs)
}

/// The module.
pub fn module() -> Module {
    let variables = vec![
        variable("name", "string", "Name prefix of every resource (application-environment)."),
        variable("cidr", "string", "The VPC's IPv4 range."),
        variable("azs", "list(string)", "Availability zones, one public and one private subnet each."),
        variable("cluster_name", "string", "EKS cluster whose load balancers use these subnets."),
        variable_with_default(
            "single_nat_gateway",
            "bool",
            "One NAT gateway for all zones (not for production).",
            true,
        ),
        variable("kms_key_arn", "string", "KMS key encrypting the flow-log group."),
        variable_with_default("flow_log_retention_days", "number", "Days flow logs are kept.", 365),
    ];
    let main = vec![
        resource("aws_vpc", "this")
            .add_attribute(("cidr_block", expr("var.cidr")))
            .add_attribute(("enable_dns_support", true))
            .add_attribute(("enable_dns_hostnames", true))
            .add_attribute(("tags", tags(&[], "var.name")))
            .build(),
        resource("aws_default_security_group", "this").add_attribute(("vpc_id", expr("aws_vpc.this.id"))).build(),
        resource("aws_internet_gateway", "this")
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_attribute(("tags", tags(&[], "var.name")))
            .build(),
        resource("aws_subnet", "public")
            .add_attribute(("count", expr("length(var.azs)")))
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_attribute(("cidr_block", expr("cidrsubnet(var.cidr, 4, count.index)")))
            .add_attribute(("availability_zone", expr("var.azs[count.index]")))
            .add_attribute(("map_public_ip_on_launch", false))
            .add_attribute((
                "tags",
                tags(
                    &[("kubernetes.io/role/elb", "\"1\""), ("kubernetes.io/cluster/${var.cluster_name}", "\"shared\"")],
                    "\"${var.name}-public-${var.azs[count.index]}\"",
                ),
            ))
            .build(),
        resource("aws_subnet", "private")
            .add_attribute(("count", expr("length(var.azs)")))
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_attribute(("cidr_block", expr("cidrsubnet(var.cidr, 4, count.index + 8)")))
            .add_attribute(("availability_zone", expr("var.azs[count.index]")))
            .add_attribute((
                "tags",
                tags(
                    &[
                        ("kubernetes.io/role/internal-elb", "\"1\""),
                        ("kubernetes.io/cluster/${var.cluster_name}", "\"shared\""),
                    ],
                    "\"${var.name}-private-${var.azs[count.index]}\"",
                ),
            ))
            .build(),
        resource("aws_eip", "nat")
            .add_attribute(("count", expr("var.single_nat_gateway ? 1 : length(var.azs)")))
            .add_attribute(("domain", "vpc"))
            .add_attribute(("tags", tags(&[], "\"${var.name}-nat-${count.index}\"")))
            .build(),
        resource("aws_nat_gateway", "this")
            .add_attribute(("count", expr("var.single_nat_gateway ? 1 : length(var.azs)")))
            .add_attribute(("allocation_id", expr("aws_eip.nat[count.index].id")))
            .add_attribute(("subnet_id", expr("aws_subnet.public[count.index].id")))
            .add_attribute(("tags", tags(&[], "\"${var.name}-nat-${count.index}\"")))
            .add_attribute(("depends_on", expr("[aws_internet_gateway.this]")))
            .build(),
        resource("aws_route_table", "public")
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_block(
                Block::builder("route")
                    .add_attribute(("cidr_block", "0.0.0.0/0"))
                    .add_attribute(("gateway_id", expr("aws_internet_gateway.this.id")))
                    .build(),
            )
            .add_attribute(("tags", tags(&[], "\"${var.name}-public\"")))
            .build(),
        resource("aws_route_table_association", "public")
            .add_attribute(("count", expr("length(var.azs)")))
            .add_attribute(("subnet_id", expr("aws_subnet.public[count.index].id")))
            .add_attribute(("route_table_id", expr("aws_route_table.public.id")))
            .build(),
        resource("aws_route_table", "private")
            .add_attribute(("count", expr("length(var.azs)")))
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_block(
                Block::builder("route")
                    .add_attribute(("cidr_block", "0.0.0.0/0"))
                    .add_attribute((
                        "nat_gateway_id",
                        expr("aws_nat_gateway.this[var.single_nat_gateway ? 0 : count.index].id"),
                    ))
                    .build(),
            )
            .add_attribute(("tags", tags(&[], "\"${var.name}-private-${var.azs[count.index]}\"")))
            .build(),
        resource("aws_route_table_association", "private")
            .add_attribute(("count", expr("length(var.azs)")))
            .add_attribute(("subnet_id", expr("aws_subnet.private[count.index].id")))
            .add_attribute(("route_table_id", expr("aws_route_table.private[count.index].id")))
            .build(),
        log_group(resource("aws_cloudwatch_log_group", "flow_logs"), "/aws/vpc/${var.name}/flow-logs", "var.flow_log_retention_days", "var.kms_key_arn"),
        resource("aws_iam_role", "flow_logs")
            .add_attribute(("name", template("${var.name}-vpc-flow-logs")))
            .add_attribute(("assume_role_policy", service_trust("vpc-flow-logs.amazonaws.com")))
            .build(),
        resource("aws_iam_role_policy", "flow_logs")
            .add_attribute(("role", expr("aws_iam_role.flow_logs.id")))
            .add_attribute((
                "policy",
                expr(
                    r#"jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource = "${aws_cloudwatch_log_group.flow_logs.arn}:*" }] })"#,
                ),
            ))
            .build(),
        resource("aws_flow_log", "this")
            .add_attribute(("vpc_id", expr("aws_vpc.this.id")))
            .add_attribute(("traffic_type", "ALL"))
            .add_attribute(("log_destination", expr("aws_cloudwatch_log_group.flow_logs.arn")))
            .add_attribute(("iam_role_arn", expr("aws_iam_role.flow_logs.arn")))
            .build(),
    ];
    let outputs = vec![
        output("vpc_id", "aws_vpc.this.id", "The VPC."),
        output("cidr", "aws_vpc.this.cidr_block", "The VPC's range."),
        output("public_subnet_ids", "aws_subnet.public[*].id", "Public subnets, one per zone."),
        output("private_subnet_ids", "aws_subnet.private[*].id", "Private subnets, one per zone."),
        output("nat_public_ips", "aws_eip.nat[*].public_ip", "Addresses outbound traffic leaves from."),
    ];
    Module { name: "vpc", variables, main, outputs, skips: Vec::<Skip>::new(), provider_aliases: Vec::new() }
}

/// The environment's VPC: its zones, one NAT per zone in production, one elsewhere.
pub fn call(platform: &Platform) -> Option<Block> {
    let production = platform.environment.stage == Stage::Production;
    Some(module_call(
        "vpc",
        vec![
            ("name", Expression::from(cluster_name(platform))),
            ("cidr", Expression::from(platform.cloud.cidr.as_str())),
            ("azs", strings(&platform.cloud.zones)),
            ("cluster_name", Expression::from(cluster_name(platform))),
            ("single_nat_gateway", Expression::from(!production)),
            ("kms_key_arn", expr("module.kms.key_arn")),
        ],
    ))
}
