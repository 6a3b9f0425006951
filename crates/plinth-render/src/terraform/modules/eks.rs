//! `eks`: the environment's Kubernetes cluster, its worker nodes, and the IAM roles the cluster's
//! add-ons assume through IRSA.
//!
//! - **Control plane.** Kubernetes `kubernetes.version` on the private subnets; the private endpoint
//!   is on, the public one admits `security.admin_allow`'s public ranges only (its private ranges,
//!   which EKS refuses as public access CIDRs, reach the private endpoint on 443 through the
//!   control plane's security group); with only private ranges the public endpoint is off, and
//!   without `admin_allow` it stays open to every address (authenticated by IAM; a listed Checkov
//!   skip). Secrets are envelope-encrypted with the environment's KMS key; every control-plane log
//!   type goes to a log group encrypted with it and kept a year (`log_retention_days` ≥ 365).
//!   Access entries only (`authentication_mode = "API"`, no `aws-auth` ConfigMap), the creator
//!   gets cluster admin; standard support (`upgrade_policy`), so an old version is upgraded rather
//!   than billed at the extended-support rate `plinth cost` does not price.
//! - **Nodes.** One on-demand managed node group of `nodes.instance_type` on the private subnets
//!   and, when the environment allows spot (`nodes.spot`) and has `interruptible` services, a spot
//!   group of the same type tainted `spot=true:NoSchedule` (the Kubernetes backend gives exactly
//!   those services the matching toleration). Sizes come from [`capacity::plan`], the node plan
//!   `plinth cost` prices: the on-demand group spans `max(nodes.min, plan's minimum)` ..
//!   `max(nodes.max, plan's maximum)` and starts at its minimum; the spot group spans what the
//!   interruptible services need at their HPA minimum and maximum. The cluster autoscaler moves
//!   within those bounds (`desired_size` is left to it after creation). Nodes run Amazon Linux 2023
//!   (ARM for Graviton types), from a launch template requiring IMDSv2 with a hop limit of 1 (pods
//!   cannot reach the node's credentials; they use IRSA) and an encrypted gp3 root volume of
//!   `node_volume_gib` (20 GiB, the size `plinth cost` assumes). Their IAM role has the three AWS
//!   managed policies a node needs: `AmazonEKSWorkerNodePolicy`, `AmazonEKS_CNI_Policy`,
//!   `AmazonEC2ContainerRegistryReadOnly`.
//! - **Security groups.** Nodes carry the cluster security group EKS creates (node ↔ control plane
//!   traffic, egress) and `nodes`, which has no rules: it is the identity RDS and ElastiCache admit
//!   on 5432 and 6379 (`node_security_group_id`). It deliberately lacks the
//!   `kubernetes.io/cluster/<name>` tag, which the AWS Load Balancer Controller expects on exactly
//!   one security group of a target.
//! - **IRSA.** An OIDC provider for the cluster's issuer and one role per add-on, assumable only
//!   by its service account (the [`ServiceAccount`] constants), each with a least-privilege inline
//!   policy scoped to this account, region and cluster: the AWS Load Balancer Controller, External
//!   Secrets (exactly the secrets the `secrets` module creates, when the store is AWS Secrets
//!   Manager), Velero (its bucket, [`velero_bucket`], and EBS snapshots, when
//!   `recovery.cluster_backup` is set), the cluster autoscaler (the node groups tagged for this
//!   cluster), cert-manager (the `_acme-challenge` TXT records of the environment's hosts, with
//!   Let's Encrypt over DNS-01), and the EBS CSI driver (the managed add-on installed here, which
//!   PersistentVolumes and Velero's snapshots need; AWS's `AmazonEBSCSIDriverPolicy`).
//!
//! **Service accounts.** The External Secrets and cert-manager charts name theirs so when installed
//! under their usual release names; the load balancer controller's is the EKS guide's
//! (`serviceAccount.name=aws-load-balancer-controller`); the cluster autoscaler's chart needs
//! `rbac.serviceAccount.name=cluster-autoscaler` and Velero's `serviceAccount.server.name=velero`
//! (the name `velero install` uses). Pods get no IMDS, so the load balancer controller needs its
//! `region` and `vpcId` values.

use std::collections::BTreeSet;
use std::net::IpAddr;

use hcl::{Block, BlockBuilder, Expression};
use plinth_spec::capacity;
use plinth_spec::model::{Challenge, Issuer, Platform, SecretProvider};

use super::super::Module;
use super::super::syntax::{
    Skip, Statement, data, expr, list_text, log_group, output, policy_document, resource, service_trust, strings,
    template, templates, variable, variable_with_default,
};
use super::edge;
use super::vpc::cluster_name;

/// A Kubernetes service account that assumes an IAM role through IRSA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServiceAccount {
    /// The role's label in the module (`velero`); with `-` for `_`, the suffix of its name.
    pub role: &'static str,
    /// Namespace.
    pub namespace: &'static str,
    /// Name.
    pub name: &'static str,
}

impl ServiceAccount {
    /// `system:serviceaccount:<namespace>:<name>`, the subject of its tokens.
    pub fn subject(&self) -> String {
        format!("system:serviceaccount:{}:{}", self.namespace, self.name)
    }
}

/// The AWS Load Balancer Controller.
pub const LOAD_BALANCER_CONTROLLER: ServiceAccount = ServiceAccount {
    role: "aws_load_balancer_controller",
    namespace: "kube-system",
    name: "aws-load-balancer-controller",
};
/// The External Secrets operator (the ClusterSecretStore's `serviceAccountRef`).
pub const EXTERNAL_SECRETS: ServiceAccount =
    ServiceAccount { role: "external_secrets", namespace: "external-secrets", name: "external-secrets" };
/// Velero's server (its Schedules live in `velero`).
pub const VELERO: ServiceAccount = ServiceAccount { role: "velero", namespace: "velero", name: "velero" };
/// The cluster autoscaler.
pub const CLUSTER_AUTOSCALER: ServiceAccount =
    ServiceAccount { role: "cluster_autoscaler", namespace: "kube-system", name: "cluster-autoscaler" };
/// cert-manager (DNS-01 through Route 53).
pub const CERT_MANAGER: ServiceAccount =
    ServiceAccount { role: "cert_manager", namespace: "cert-manager", name: "cert-manager" };
/// The EBS CSI driver's controller (the EKS add-on's service account).
pub const EBS_CSI_DRIVER: ServiceAccount =
    ServiceAccount { role: "ebs_csi_driver", namespace: "kube-system", name: "ebs-csi-controller-sa" };

/// Every control-plane log type.
const LOG_TYPES: [&str; 5] = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/// The AWS managed policies of the node role.
const NODE_POLICIES: [&str; 3] =
    ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"];

/// SHA-1 of the root CA of the EKS OIDC issuers' certificates. IAM verifies those issuers against
/// its own trusted CAs and ignores the thumbprint, but AWS provider 5.80 still requires one;
/// hard-coding it spares the `tls` provider.
const EKS_OIDC_THUMBPRINT: &str = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/// ARN prefixes of this account and region (`local.*` of the module).
const EC2: &str = "arn:${local.partition}:ec2:${local.region}:${local.account_id}";
const SNAPSHOTS: &str = "arn:${local.partition}:ec2:${local.region}::snapshot/*";
const ELB: &str = "arn:${local.partition}:elasticloadbalancing:${local.region}:${local.account_id}";

/// The Checkov findings not fixed.
const SKIPS: [Skip; 2] = [
    Skip {
        address: "aws_eks_cluster.this",
        check: "CKV_AWS_39",
        reason: "the public endpoint admits only security.admin_allow's public ranges (off when it lists only private ones); operators and CI outside the VPC need it, and every request is authenticated by IAM",
    },
    Skip {
        address: "aws_eks_cluster.this",
        check: "CKV_AWS_38",
        reason: "public_access_cidrs is security.admin_allow's public ranges; a spec without admin_allow keeps the endpoint reachable from any address (requests still need IAM credentials): set admin_allow to restrict it",
    },
];

/// A resource block with `count = <count>` when given.
fn counted(kind: &str, label: &str, count: Option<&str>) -> BlockBuilder {
    let block = resource(kind, label);
    match count {
        Some(count) => block.add_attribute(("count", expr(count))),
        None => block,
    }
}

/// How a role gets its permissions.
enum Permissions {
    /// An inline policy of these statements.
    Inline(Vec<Statement>),
    /// An AWS managed policy (`service-role/AmazonEBSCSIDriverPolicy`).
    Managed(&'static str),
}

/// The IRSA role of `account`, assumable only with its tokens (`sub` and `aud`), and its
/// permissions; `count` makes them conditional.
fn irsa(account: ServiceAccount, count: Option<&str>, permissions: Permissions) -> Vec<Block> {
    let label = account.role;
    let index = if count.is_some() { "[0]" } else { "" };
    let trust = Statement::allow("ServiceAccount", &["sts:AssumeRoleWithWebIdentity"])
        .to("Federated", expr("[aws_iam_openid_connect_provider.this.arn]"))
        .when("StringEquals", "${local.oidc_issuer}:sub", strings([account.subject()]))
        .when("StringEquals", "${local.oidc_issuer}:aud", strings(["sts.amazonaws.com"]));
    let mut blocks = vec![
        policy_document(&format!("{label}_trust"), count, vec![trust]),
        counted("aws_iam_role", label, count)
            .add_attribute(("name", template(&format!("${{var.name}}-{}", label.replace('_', "-")))))
            .add_attribute(("description", format!("IRSA: {}/{}", account.namespace, account.name)))
            .add_attribute((
                "assume_role_policy",
                expr(&format!("data.aws_iam_policy_document.{label}_trust{index}.json")),
            ))
            .build(),
    ];
    let role = format!("aws_iam_role.{label}{index}");
    match permissions {
        Permissions::Inline(statements) => blocks.extend([
            policy_document(label, count, statements),
            counted("aws_iam_role_policy", label, count)
                .add_attribute(("name", label.replace('_', "-")))
                .add_attribute(("role", expr(&format!("{role}.id"))))
                .add_attribute(("policy", expr(&format!("data.aws_iam_policy_document.{label}{index}.json"))))
                .build(),
        ]),
        Permissions::Managed(name) => blocks.push(
            counted("aws_iam_role_policy_attachment", label, count)
                .add_attribute(("role", expr(&format!("{role}.name"))))
                .add_attribute(("policy_arn", template(&format!("arn:${{local.partition}}:iam::aws:policy/{name}"))))
                .build(),
        ),
    }
    blocks
}

/// ARNs under `prefix` (`arn:…:ec2:<region>:<account>`), one per suffix.
fn arns(prefix: &str, suffixes: &[&str]) -> Expression {
    templates(suffixes.iter().map(|suffix| format!("{prefix}:{suffix}")))
}

/// `["*"]`: for actions without resource-level permissions.
fn any() -> Expression {
    strings(["*"])
}

/// The AWS Load Balancer Controller's permissions: a least-privilege subset of the upstream
/// `docs/install/iam_policy.json` (kubernetes-sigs/aws-load-balancer-controller) for what plinth's
/// Ingresses use (ALB or NLB, ACM certificate discovery, target type `ip`; no Cognito, Shield
/// Advanced or WAF association: the WAF sits at CloudFront, so only the controller's WAF and Shield
/// reads remain). Narrower than upstream: ARNs of this account and region, the cluster's own tag
/// value (`elbv2.k8s.aws/cluster = <cluster>`) where upstream checks the tag's mere presence,
/// security groups created in the cluster's VPC only, and rules added to the targets' security
/// group only when EKS tagged it for this cluster.
fn load_balancer_controller() -> Vec<Statement> {
    let balancers = ["loadbalancer/app/*/*", "loadbalancer/net/*/*"];
    let groups_and_balancers = ["targetgroup/*/*", "loadbalancer/app/*/*", "loadbalancer/net/*/*"];
    let listeners = [
        "loadbalancer/app/*/*",
        "loadbalancer/net/*/*",
        "listener/app/*/*/*",
        "listener/net/*/*/*",
        "listener-rule/app/*/*/*/*",
        "listener-rule/net/*/*/*/*",
    ];
    let cluster_tag = "elbv2.k8s.aws/cluster";
    let ours = |statement: Statement| {
        statement.when("StringEquals", &format!("aws:ResourceTag/{cluster_tag}"), expr("[var.name]"))
    };
    let tagged_for_us = |statement: Statement| {
        statement.when("StringEquals", &format!("aws:RequestTag/{cluster_tag}"), expr("[var.name]"))
    };
    // The request does not touch the cluster tag (a resource cannot move to another cluster).
    let keeps_tag =
        |statement: Statement| statement.when("Null", &format!("aws:RequestTag/{cluster_tag}"), strings(["true"]));
    vec![
        Statement::allow("ServiceLinkedRole", &["iam:CreateServiceLinkedRole"])
            .on(templates(["arn:${local.partition}:iam::${local.account_id}:role/aws-service-role/elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"]))
            .when("StringEquals", "iam:AWSServiceName", strings(["elasticloadbalancing.amazonaws.com"])),
        Statement::allow(
            "Describe",
            &[
                "ec2:DescribeAccountAttributes",
                "ec2:DescribeAddresses",
                "ec2:DescribeAvailabilityZones",
                "ec2:DescribeInternetGateways",
                "ec2:DescribeVpcs",
                "ec2:DescribeVpcPeeringConnections",
                "ec2:DescribeSubnets",
                "ec2:DescribeSecurityGroups",
                "ec2:DescribeInstances",
                "ec2:DescribeNetworkInterfaces",
                "ec2:DescribeTags",
                "ec2:DescribeRouteTables",
                "elasticloadbalancing:DescribeLoadBalancers",
                "elasticloadbalancing:DescribeLoadBalancerAttributes",
                "elasticloadbalancing:DescribeListeners",
                "elasticloadbalancing:DescribeListenerAttributes",
                "elasticloadbalancing:DescribeListenerCertificates",
                "elasticloadbalancing:DescribeSSLPolicies",
                "elasticloadbalancing:DescribeRules",
                "elasticloadbalancing:DescribeTargetGroups",
                "elasticloadbalancing:DescribeTargetGroupAttributes",
                "elasticloadbalancing:DescribeTargetHealth",
                "elasticloadbalancing:DescribeTags",
                "elasticloadbalancing:DescribeTrustStores",
                "elasticloadbalancing:DescribeCapacityReservation",
                "acm:ListCertificates",
                "shield:GetSubscriptionState",
            ],
        )
        .on(any()),
        Statement::allow("VpcSecurityGroups", &["ec2:GetSecurityGroupsForVpc"])
            .on(templates([format!("{EC2}:vpc/${{var.vpc_id}}"), format!("{EC2}:security-group/*")])),
        Statement::allow("Certificates", &["acm:DescribeCertificate"])
            .on(templates(["arn:${local.partition}:acm:${local.region}:${local.account_id}:certificate/*"])),
        Statement::allow("WebAclReads", &["wafv2:GetWebACLForResource", "waf-regional:GetWebACLForResource"])
            .on(arns(ELB, &balancers)),
        Statement::allow("CreateSecurityGroup", &["ec2:CreateSecurityGroup"])
            .on(templates([format!("{EC2}:security-group/*"), format!("{EC2}:vpc/${{var.vpc_id}}")])),
        tagged_for_us(
            Statement::allow("TagNewSecurityGroup", &["ec2:CreateTags"])
                .on(arns(EC2, &["security-group/*"]))
                .when("StringEquals", "ec2:CreateAction", strings(["CreateSecurityGroup"])),
        ),
        keeps_tag(ours(
            Statement::allow(
                "OwnSecurityGroups",
                &[
                    "ec2:CreateTags",
                    "ec2:DeleteTags",
                    "ec2:AuthorizeSecurityGroupIngress",
                    "ec2:RevokeSecurityGroupIngress",
                    "ec2:DeleteSecurityGroup",
                ],
            )
            .on(arns(EC2, &["security-group/*"])),
        )),
        // Rules from the load balancers into the targets: the cluster security group, which EKS
        // tags `kubernetes.io/cluster/<cluster> = owned`.
        Statement::allow(
            "TargetSecurityGroupRules",
            &["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
        )
        .on(arns(EC2, &["security-group/*"]))
        .when("StringEquals", "aws:ResourceTag/kubernetes.io/cluster/${var.name}", strings(["owned"])),
        tagged_for_us(
            Statement::allow(
                "Create",
                &["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            )
            .on(arns(ELB, &groups_and_balancers)),
        ),
        tagged_for_us(
            Statement::allow("TagOnCreate", &["elasticloadbalancing:AddTags"])
                .on(arns(ELB, &groups_and_balancers))
                .when(
                    "StringEquals",
                    "elasticloadbalancing:CreateAction",
                    strings(["CreateTargetGroup", "CreateLoadBalancer"]),
                ),
        ),
        keeps_tag(ours(
            Statement::allow("Retag", &["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"])
                .on(arns(ELB, &groups_and_balancers)),
        )),
        ours(
            Statement::allow(
                "Modify",
                &[
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                    "elasticloadbalancing:SetIpAddressType",
                    "elasticloadbalancing:SetSecurityGroups",
                    "elasticloadbalancing:SetSubnets",
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:ModifyTargetGroup",
                    "elasticloadbalancing:ModifyTargetGroupAttributes",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:ModifyCapacityReservation",
                ],
            )
            .on(arns(ELB, &groups_and_balancers)),
        ),
        Statement::allow(
            "Targets",
            &["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
        )
        .on(arns(ELB, &["targetgroup/*/*"])),
        Statement::allow(
            "ListenersAndRules",
            &[
                "elasticloadbalancing:CreateListener",
                "elasticloadbalancing:DeleteListener",
                "elasticloadbalancing:CreateRule",
                "elasticloadbalancing:DeleteRule",
                "elasticloadbalancing:ModifyListener",
                "elasticloadbalancing:ModifyListenerAttributes",
                "elasticloadbalancing:AddListenerCertificates",
                "elasticloadbalancing:RemoveListenerCertificates",
                "elasticloadbalancing:ModifyRule",
                "elasticloadbalancing:SetRulePriorities",
                "elasticloadbalancing:AddTags",
                "elasticloadbalancing:RemoveTags",
            ],
        )
        .on(arns(ELB, &listeners)),
    ]
}

/// External Secrets: read the secrets named in `var.secret_names` (`-??????` is the random suffix
/// of a secret's ARN), and decrypt them with the environment's key through Secrets Manager only.
fn external_secrets() -> Vec<Statement> {
    vec![
        Statement::allow("ReadSecrets", &["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]).on(expr(
            "[for name in var.secret_names : \"arn:${local.partition}:secretsmanager:${local.region}:${local.account_id}:secret:${name}-??????\"]",
        )),
        Statement::allow("DecryptThroughSecretsManager", &["kms:Decrypt"])
            .on(expr("[var.kms_key_arn]"))
            .when("StringEquals", "kms:ViaService", templates(["secretsmanager.${local.region}.amazonaws.com"])),
    ]
}

/// Velero (velero-plugin-for-aws): EBS snapshots of the volumes, deleted only when Velero tagged
/// them (`velero.io/backup`), and the objects of its bucket (encrypted with the environment's key).
fn velero() -> Vec<Statement> {
    let bucket = "arn:${local.partition}:s3:::${var.velero_bucket}";
    let volumes_and_snapshots = || templates([format!("{EC2}:volume/*"), SNAPSHOTS.to_owned()]);
    vec![
        Statement::allow("Describe", &["ec2:DescribeVolumes", "ec2:DescribeSnapshots"]).on(any()),
        Statement::allow("Snapshot", &["ec2:CreateSnapshot"]).on(volumes_and_snapshots()),
        Statement::allow("Restore", &["ec2:CreateVolume"]).on(volumes_and_snapshots()),
        Statement::allow("TagOnCreate", &["ec2:CreateTags"]).on(volumes_and_snapshots()).when(
            "StringEquals",
            "ec2:CreateAction",
            strings(["CreateSnapshot", "CreateVolume"]),
        ),
        Statement::allow("DeleteOwnSnapshots", &["ec2:DeleteSnapshot"]).on(templates([SNAPSHOTS])).when(
            "Null",
            "aws:ResourceTag/velero.io/backup",
            strings(["false"]),
        ),
        Statement::allow(
            "Objects",
            &[
                "s3:GetObject",
                "s3:PutObject",
                "s3:DeleteObject",
                "s3:AbortMultipartUpload",
                "s3:ListMultipartUploadParts",
            ],
        )
        .on(templates([format!("{bucket}/*")])),
        Statement::allow("Bucket", &["s3:ListBucket"]).on(templates([bucket])),
        Statement::allow("BucketKey", &["kms:Decrypt", "kms:GenerateDataKey"]).on(expr("[var.kms_key_arn]")).when(
            "StringEquals",
            "kms:ViaService",
            templates(["s3.${local.region}.amazonaws.com"]),
        ),
    ]
}

/// The cluster autoscaler (the minimal policy of its `cloudprovider/aws` README): reads, and
/// scaling only the Auto Scaling groups EKS tags `k8s.io/cluster-autoscaler/<cluster> = owned`.
fn cluster_autoscaler() -> Vec<Statement> {
    vec![
        Statement::allow(
            "Describe",
            &[
                "autoscaling:DescribeAutoScalingGroups",
                "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations",
                "autoscaling:DescribeScalingActivities",
                "autoscaling:DescribeTags",
                "ec2:DescribeImages",
                "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions",
                "ec2:GetInstanceTypesFromInstanceRequirements",
            ],
        )
        .on(any()),
        Statement::allow("NodeGroups", &["eks:DescribeNodegroup"])
            .on(templates(["arn:${local.partition}:eks:${local.region}:${local.account_id}:nodegroup/${var.name}/*/*"])),
        Statement::allow("Scale", &["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"])
            .on(templates([
                "arn:${local.partition}:autoscaling:${local.region}:${local.account_id}:autoScalingGroup:*:autoScalingGroupName/*",
            ]))
            .when("StringEquals", "aws:ResourceTag/k8s.io/cluster-autoscaler/${var.name}", strings(["owned"])),
    ]
}

/// cert-manager's DNS-01 solver: TXT records named in `var.acme_record_names` only.
fn cert_manager() -> Vec<Statement> {
    let zones = || templates(["arn:${local.partition}:route53:::hostedzone/*"]);
    vec![
        Statement::allow("Changes", &["route53:GetChange"])
            .on(templates(["arn:${local.partition}:route53:::change/*"])),
        Statement::allow("ChallengeRecords", &["route53:ChangeResourceRecordSets"])
            .on(zones())
            .when(
                "ForAllValues:StringEquals",
                "route53:ChangeResourceRecordSetsNormalizedRecordNames",
                expr("var.acme_record_names"),
            )
            .when("ForAllValues:StringEquals", "route53:ChangeResourceRecordSetsRecordTypes", strings(["TXT"])),
        Statement::allow("ListRecords", &["route53:ListResourceRecordSets"]).on(zones()),
        Statement::allow("FindZones", &["route53:ListHostedZonesByName"]).on(any()),
    ]
}

/// `scaling_config { … }` from variables `<prefix>min_size`, … (or fields of an object).
fn scaling(min: &str, desired: &str, max: &str) -> Block {
    Block::builder("scaling_config")
        .add_attribute(("min_size", expr(min)))
        .add_attribute(("desired_size", expr(desired)))
        .add_attribute(("max_size", expr(max)))
        .build()
}

/// A managed node group of `capacity_type` from the launch template.
fn node_group(label: &str, capacity_type: &str, count: Option<&str>, sizes: [&str; 3]) -> BlockBuilder {
    counted("aws_eks_node_group", label, count)
        .add_attribute(("cluster_name", expr("aws_eks_cluster.this.name")))
        .add_attribute(("node_group_name", template(&format!("${{var.name}}-{}", label.replace('_', "-")))))
        .add_attribute(("node_role_arn", expr("aws_iam_role.nodes.arn")))
        .add_attribute(("subnet_ids", expr("var.subnet_ids")))
        .add_attribute(("capacity_type", capacity_type))
        .add_attribute(("ami_type", expr("var.ami_type")))
        .add_attribute(("instance_types", expr("[var.node_instance_type]")))
        .add_block(scaling(sizes[0], sizes[1], sizes[2]))
        .add_block(Block::builder("update_config").add_attribute(("max_unavailable", 1)).build())
        .add_block(
            Block::builder("launch_template")
                .add_attribute(("id", expr("aws_launch_template.nodes.id")))
                .add_attribute(("version", expr("aws_launch_template.nodes.latest_version")))
                .build(),
        )
}

/// The end of a node group: the autoscaler owns `desired_size` after creation; the node role's
/// policies outlive the nodes.
fn node_group_end(block: BlockBuilder) -> Block {
    block
        .add_block(
            Block::builder("lifecycle")
                .add_attribute(("ignore_changes", expr("[scaling_config[0].desired_size]")))
                .build(),
        )
        .add_attribute(("depends_on", expr("[aws_iam_role_policy_attachment.nodes]")))
        .build()
}

fn variables() -> Vec<Block> {
    let spot = "object({ min_size = number, desired_size = number, max_size = number })";
    vec![
        variable("name", "string", "Cluster name (application-environment), prefix of every resource."),
        variable("kubernetes_version", "string", "Kubernetes minor version (`1.33`)."),
        variable("vpc_id", "string", "The VPC."),
        variable("subnet_ids", "list(string)", "Private subnets of the control plane's interfaces and the nodes."),
        variable(
            "kms_key_arn",
            "string",
            "KMS key encrypting Secrets and the control-plane logs; its policy must let logs.<region>.amazonaws.com use it.",
        ),
        variable(
            "public_access_cidrs",
            "list(string)",
            "Public ranges admitted to the public API endpoint (security.admin_allow); empty: no public endpoint.",
        ),
        variable_with_default(
            "private_access_cidrs",
            "list(string)",
            "Private ranges (VPN, peered networks) admitted to the private API endpoint on 443.",
            Expression::Array(Vec::new()),
        ),
        Block::builder("variable")
            .add_label("log_retention_days")
            .add_attribute(("type", expr("number")))
            .add_attribute(("description", "Days the control-plane logs are kept (at least a year)."))
            .add_attribute(("default", 365))
            .add_block(
                Block::builder("validation")
                    .add_attribute(("condition", expr("var.log_retention_days >= 365")))
                    .add_attribute(("error_message", "Control-plane logs are kept at least 365 days."))
                    .build(),
            )
            .build(),
        variable("node_instance_type", "string", "EC2 instance type of every node (`m6i.large`)."),
        variable_with_default(
            "ami_type",
            "string",
            "EKS AMI of the nodes (AL2023_ARM_64_STANDARD for Graviton types).",
            "AL2023_x86_64_STANDARD",
        ),
        variable("node_min_size", "number", "Fewest on-demand nodes."),
        variable("node_desired_size", "number", "On-demand nodes at creation (the autoscaler owns it afterwards)."),
        variable("node_max_size", "number", "Most on-demand nodes."),
        variable_with_default(
            "spot",
            spot,
            "Sizes of the spot group for interruptible services (tainted spot=true:NoSchedule); null: none.",
            Expression::Null,
        ),
        variable_with_default("node_volume_gib", "number", "Size of every node's gp3 root volume.", 20),
        variable_with_default(
            "secret_names",
            "list(string)",
            "Secrets Manager secrets External Secrets may read (`business-app/jwt-secret`); empty: no External Secrets role.",
            Expression::Array(Vec::new()),
        ),
        variable_with_default(
            "velero_bucket",
            "string",
            "Bucket Velero writes its backups to; null: no Velero role.",
            Expression::Null,
        ),
        variable_with_default(
            "acme_record_names",
            "list(string)",
            "DNS-01 challenge records cert-manager may write (`_acme-challenge.example.com`); empty: no cert-manager role.",
            Expression::Array(Vec::new()),
        ),
    ]
}

fn cluster() -> Vec<Block> {
    let log_types = list_text(LOG_TYPES);
    vec![
        log_group(resource("aws_cloudwatch_log_group", "cluster"), "/aws/eks/${var.name}/cluster", "var.log_retention_days", "var.kms_key_arn"),
        resource("aws_iam_role", "cluster")
            .add_attribute(("name", template("${var.name}-cluster")))
            .add_attribute(("assume_role_policy", service_trust("eks.amazonaws.com")))
            .build(),
        resource("aws_iam_role_policy_attachment", "cluster")
            .add_attribute(("role", expr("aws_iam_role.cluster.name")))
            .add_attribute(("policy_arn", template("arn:${local.partition}:iam::aws:policy/AmazonEKSClusterPolicy")))
            .build(),
        policy_document(
            "cluster_encryption",
            None,
            vec![
                Statement::allow("SecretsEncryption", &["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"])
                    .on(expr("[var.kms_key_arn]")),
            ],
        ),
        resource("aws_iam_role_policy", "cluster_encryption")
            .add_attribute(("name", "secrets-encryption"))
            .add_attribute(("role", expr("aws_iam_role.cluster.id")))
            .add_attribute(("policy", expr("data.aws_iam_policy_document.cluster_encryption.json")))
            .build(),
        resource("aws_security_group", "control_plane")
            .add_attribute(("name", template("${var.name}-control-plane")))
            .add_attribute(("description", "Private ranges admitted to the private API endpoint"))
            .add_attribute(("vpc_id", expr("var.vpc_id")))
            .add_block(
                Block::builder("dynamic")
                    .add_label("ingress")
                    .add_attribute(("for_each", expr("var.private_access_cidrs")))
                    .add_block(
                        Block::builder("content")
                            .add_attribute(("description", template("Kubernetes API from ${ingress.value}")))
                            .add_attribute(("from_port", 443))
                            .add_attribute(("to_port", 443))
                            .add_attribute(("protocol", "tcp"))
                            .add_attribute(("cidr_blocks", expr("[ingress.value]")))
                            .build(),
                    )
                    .build(),
            )
            .add_attribute(("tags", expr("{ Name = \"${var.name}-control-plane\" }")))
            .build(),
        resource("aws_eks_cluster", "this")
            .add_attribute(("name", expr("var.name")))
            .add_attribute(("version", expr("var.kubernetes_version")))
            .add_attribute(("role_arn", expr("aws_iam_role.cluster.arn")))
            .add_attribute(("enabled_cluster_log_types", expr(&log_types)))
            .add_block(
                Block::builder("vpc_config")
                    .add_attribute(("subnet_ids", expr("var.subnet_ids")))
                    .add_attribute(("security_group_ids", expr("[aws_security_group.control_plane.id]")))
                    .add_attribute(("endpoint_private_access", true))
                    .add_attribute(("endpoint_public_access", expr("length(var.public_access_cidrs) > 0")))
                    .add_attribute((
                        "public_access_cidrs",
                        expr("length(var.public_access_cidrs) > 0 ? var.public_access_cidrs : null"),
                    ))
                    .build(),
            )
            .add_block(
                Block::builder("encryption_config")
                    .add_attribute(("resources", expr("[\"secrets\"]")))
                    .add_block(Block::builder("provider").add_attribute(("key_arn", expr("var.kms_key_arn"))).build())
                    .build(),
            )
            .add_block(
                Block::builder("access_config")
                    .add_attribute(("authentication_mode", "API"))
                    .add_attribute(("bootstrap_cluster_creator_admin_permissions", true))
                    .build(),
            )
            .add_block(Block::builder("upgrade_policy").add_attribute(("support_type", "STANDARD")).build())
            .add_attribute((
                "depends_on",
                expr(
                    "[aws_cloudwatch_log_group.cluster, aws_iam_role_policy_attachment.cluster, aws_iam_role_policy.cluster_encryption]",
                ),
            ))
            .build(),
        resource("aws_iam_openid_connect_provider", "this")
            .add_attribute(("url", expr("aws_eks_cluster.this.identity[0].oidc[0].issuer")))
            .add_attribute(("client_id_list", expr("[\"sts.amazonaws.com\"]")))
            .add_attribute(("thumbprint_list", strings([EKS_OIDC_THUMBPRINT])))
            .build(),
    ]
}

fn nodes() -> Vec<Block> {
    vec![
        resource("aws_iam_role", "nodes")
            .add_attribute(("name", template("${var.name}-nodes")))
            .add_attribute(("assume_role_policy", service_trust("ec2.amazonaws.com")))
            .build(),
        resource("aws_iam_role_policy_attachment", "nodes")
            .add_attribute(("for_each", expr(&format!("toset({})", list_text(NODE_POLICIES)))))
            .add_attribute(("role", expr("aws_iam_role.nodes.name")))
            .add_attribute(("policy_arn", template("arn:${local.partition}:iam::aws:policy/${each.value}")))
            .build(),
        resource("aws_security_group", "nodes")
            .add_attribute(("name", template("${var.name}-nodes")))
            .add_attribute((
                "description",
                "EKS worker nodes: what RDS and ElastiCache admit; traffic rules are the cluster security group's",
            ))
            .add_attribute(("vpc_id", expr("var.vpc_id")))
            .add_attribute(("tags", expr("{ Name = \"${var.name}-nodes\" }")))
            .build(),
        resource("aws_launch_template", "nodes")
            .add_attribute(("name_prefix", template("${var.name}-nodes-")))
            .add_attribute(("description", "EKS managed nodes: IMDSv2 only, encrypted gp3 root volume"))
            .add_attribute(("update_default_version", true))
            .add_attribute((
                "vpc_security_group_ids",
                expr("[aws_eks_cluster.this.vpc_config[0].cluster_security_group_id, aws_security_group.nodes.id]"),
            ))
            .add_block(
                Block::builder("metadata_options")
                    .add_attribute(("http_endpoint", "enabled"))
                    .add_attribute(("http_tokens", "required"))
                    .add_attribute(("http_put_response_hop_limit", 1))
                    .build(),
            )
            .add_block(
                Block::builder("block_device_mappings")
                    .add_attribute(("device_name", "/dev/xvda"))
                    .add_block(
                        Block::builder("ebs")
                            .add_attribute(("volume_size", expr("var.node_volume_gib")))
                            .add_attribute(("volume_type", "gp3"))
                            .add_attribute(("encrypted", true))
                            .add_attribute(("delete_on_termination", true))
                            .build(),
                    )
                    .build(),
            )
            .add_block(
                Block::builder("tag_specifications")
                    .add_attribute(("resource_type", "instance"))
                    .add_attribute(("tags", expr("{ Name = \"${var.name}-node\" }")))
                    .build(),
            )
            .add_block(
                Block::builder("tag_specifications")
                    .add_attribute(("resource_type", "volume"))
                    .add_attribute(("tags", expr("{ Name = \"${var.name}-node\" }")))
                    .build(),
            )
            .build(),
        node_group_end(node_group(
            "on_demand",
            "ON_DEMAND",
            None,
            ["var.node_min_size", "var.node_desired_size", "var.node_max_size"],
        )),
        node_group_end(
            node_group(
                "spot",
                "SPOT",
                Some("var.spot == null ? 0 : 1"),
                ["var.spot.min_size", "var.spot.desired_size", "var.spot.max_size"],
            )
            .add_block(
                Block::builder("taint")
                    .add_attribute(("key", "spot"))
                    .add_attribute(("value", "true"))
                    .add_attribute(("effect", "NO_SCHEDULE"))
                    .build(),
            ),
        ),
    ]
}

/// The module.
pub fn module() -> Module {
    let mut main = vec![
        data("aws_caller_identity", "current").build(),
        data("aws_partition", "current").build(),
        data("aws_region", "current").build(),
        Block::builder("locals")
            .add_attribute(("partition", expr("data.aws_partition.current.partition")))
            .add_attribute(("region", expr("data.aws_region.current.name")))
            .add_attribute(("account_id", expr("data.aws_caller_identity.current.account_id")))
            .add_attribute((
                "oidc_issuer",
                expr("replace(aws_eks_cluster.this.identity[0].oidc[0].issuer, \"https://\", \"\")"),
            ))
            .build(),
    ];
    main.extend(cluster());
    main.extend(nodes());
    main.extend(irsa(LOAD_BALANCER_CONTROLLER, None, Permissions::Inline(load_balancer_controller())));
    main.extend(irsa(
        EXTERNAL_SECRETS,
        Some("length(var.secret_names) > 0 ? 1 : 0"),
        Permissions::Inline(external_secrets()),
    ));
    main.extend(irsa(VELERO, Some("var.velero_bucket == null ? 0 : 1"), Permissions::Inline(velero())));
    main.extend(irsa(CLUSTER_AUTOSCALER, None, Permissions::Inline(cluster_autoscaler())));
    main.extend(irsa(
        CERT_MANAGER,
        Some("length(var.acme_record_names) > 0 ? 1 : 0"),
        Permissions::Inline(cert_manager()),
    ));
    main.extend(irsa(EBS_CSI_DRIVER, None, Permissions::Managed("service-role/AmazonEBSCSIDriverPolicy")));
    main.push(
        resource("aws_eks_addon", "ebs_csi_driver")
            .add_attribute(("cluster_name", expr("aws_eks_cluster.this.name")))
            .add_attribute(("addon_name", "aws-ebs-csi-driver"))
            .add_attribute(("service_account_role_arn", expr("aws_iam_role.ebs_csi_driver.arn")))
            .add_attribute(("depends_on", expr("[aws_eks_node_group.on_demand]")))
            .build(),
    );
    let outputs = vec![
        output("cluster_name", "aws_eks_cluster.this.name", "The cluster."),
        output("cluster_endpoint", "aws_eks_cluster.this.endpoint", "URL of the Kubernetes API."),
        output(
            "cluster_certificate_authority",
            "aws_eks_cluster.this.certificate_authority[0].data",
            "Base64 CA certificate of the Kubernetes API.",
        ),
        output("oidc_provider_arn", "aws_iam_openid_connect_provider.this.arn", "The IAM OIDC provider of IRSA."),
        output(
            "cluster_security_group_id",
            "aws_eks_cluster.this.vpc_config[0].cluster_security_group_id",
            "Security group EKS created for the control plane and the nodes.",
        ),
        output(
            "node_security_group_id",
            "aws_security_group.nodes.id",
            "Security group of the nodes, the only clients RDS and ElastiCache admit.",
        ),
        output("node_role_arn", "aws_iam_role.nodes.arn", "IAM role of the nodes."),
        output(
            "aws_load_balancer_controller_role_arn",
            "aws_iam_role.aws_load_balancer_controller.arn",
            "IRSA role of kube-system/aws-load-balancer-controller.",
        ),
        output(
            "external_secrets_role_arn",
            "one(aws_iam_role.external_secrets[*].arn)",
            "IRSA role of external-secrets/external-secrets (null without AWS Secrets Manager).",
        ),
        output(
            "velero_role_arn",
            "one(aws_iam_role.velero[*].arn)",
            "IRSA role of velero/velero (null without cluster backups).",
        ),
        output(
            "cluster_autoscaler_role_arn",
            "aws_iam_role.cluster_autoscaler.arn",
            "IRSA role of kube-system/cluster-autoscaler.",
        ),
        output(
            "cert_manager_role_arn",
            "one(aws_iam_role.cert_manager[*].arn)",
            "IRSA role of cert-manager/cert-manager (null without DNS-01).",
        ),
        output(
            "ebs_csi_driver_role_arn",
            "aws_iam_role.ebs_csi_driver.arn",
            "IRSA role of kube-system/ebs-csi-controller-sa.",
        ),
    ];
    Module { name: "eks", variables: variables(), main, outputs, skips: SKIPS.to_vec(), provider_aliases: Vec::new() }
}

/// The bounds and starting size of a node group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupSize {
    /// Fewest nodes.
    pub min: u32,
    /// Nodes at creation.
    pub desired: u32,
    /// Most nodes.
    pub max: u32,
}

/// The node groups of an environment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NodeSizing {
    /// The on-demand group.
    pub on_demand: GroupSize,
    /// The spot group, when the environment allows spot and has interruptible services.
    pub spot: Option<GroupSize>,
}

/// The node groups from [`capacity::plan`] (see the module documentation): the on-demand group
/// never below the spec's bounds, the spot group as the interruptible services need.
pub fn node_sizing(platform: &Platform) -> NodeSizing {
    let plan = capacity::plan(platform);
    let nodes = &platform.environment.nodes;
    let min = plan.on_demand.min_nodes.max(nodes.min);
    let max = plan.on_demand.max_nodes.max(nodes.max).max(min);
    let spot = plan.spot.map(|group| GroupSize {
        min: group.min_nodes,
        desired: group.min_nodes,
        max: group.max_nodes.max(group.min_nodes),
    });
    NodeSizing { on_demand: GroupSize { min, desired: min, max }, spot }
}

/// The EKS AMI of an instance type: ARM for Graviton families (a `g` after the generation digit:
/// `m6g`, `t4g`, `c7gn`), x86-64 otherwise.
pub fn ami_type(instance_type: &str) -> &'static str {
    let family = instance_type.split('.').next().unwrap_or_default();
    let suffix =
        family.trim_start_matches(|c: char| c.is_ascii_alphabetic()).trim_start_matches(|c: char| c.is_ascii_digit());
    if suffix.contains('g') { "AL2023_ARM_64_STANDARD" } else { "AL2023_x86_64_STANDARD" }
}

/// `security.admin_allow` split into `(public, private)` ranges: private IPv4 ranges (RFC 1918)
/// reach the private endpoint, the rest the public one. Without `admin_allow`, the public endpoint
/// is open to all (`0.0.0.0/0`).
pub fn access_cidrs(platform: &Platform) -> (Vec<String>, Vec<String>) {
    let allow = &platform.security.admin_allow;
    if allow.is_empty() {
        return (vec!["0.0.0.0/0".to_owned()], Vec::new());
    }
    let private = |cidr: &String| {
        cidr.split('/').next().and_then(|ip| ip.parse::<IpAddr>().ok()).is_some_and(|ip| match ip {
            IpAddr::V4(ip) => ip.is_private(),
            IpAddr::V6(_) => false,
        })
    };
    let (private, public): (Vec<String>, Vec<String>) = allow.iter().cloned().partition(private);
    (public, private)
}

/// The bucket Velero backs the cluster up to: `<application>-<environment>-velero`.
pub fn velero_bucket(platform: &Platform) -> String {
    format!("{}-{}-velero", platform.name, platform.environment.name)
}

/// The secrets External Secrets reads: those the `secrets` module creates (every secret a service
/// uses, by its remote key), when the store is AWS Secrets Manager.
pub fn secret_names(platform: &Platform) -> Vec<String> {
    if platform.secrets.provider != SecretProvider::AwsSecretsManager {
        return Vec::new();
    }
    super::secrets::names(platform)
}

/// The DNS-01 challenge records of the environment's hosts (`_acme-challenge.<host>`, a wildcard's
/// on its base name), when Let's Encrypt validates over DNS-01; lower case, as IAM normalises them.
pub fn acme_record_names(platform: &Platform) -> Vec<String> {
    if platform.tls.issuer != Issuer::Letsencrypt || platform.tls.challenge != Challenge::Dns01 {
        return Vec::new();
    }
    let names: BTreeSet<String> = edge::hosts(platform)
        .iter()
        .map(|host| format!("_acme-challenge.{}", host.name.trim_start_matches("*.").to_lowercase()))
        .collect();
    names.into_iter().collect()
}

/// The environment's cluster.
pub fn call(platform: &Platform) -> Option<Block> {
    let (public, private) = access_cidrs(platform);
    let sizing = node_sizing(platform);
    let nodes = &platform.environment.nodes;
    let mut arguments = vec![
        ("name", Expression::from(cluster_name(platform))),
        ("kubernetes_version", Expression::from(platform.kubernetes.version.as_str())),
        ("vpc_id", expr("module.vpc.vpc_id")),
        ("subnet_ids", expr("module.vpc.private_subnet_ids")),
        ("kms_key_arn", expr("module.kms.key_arn")),
        ("public_access_cidrs", strings(&public)),
        ("private_access_cidrs", strings(&private)),
        ("node_instance_type", Expression::from(nodes.instance_type.as_str())),
        ("ami_type", Expression::from(ami_type(&nodes.instance_type))),
        ("node_min_size", Expression::from(sizing.on_demand.min)),
        ("node_desired_size", Expression::from(sizing.on_demand.desired)),
        ("node_max_size", Expression::from(sizing.on_demand.max)),
    ];
    if let Some(spot) = sizing.spot {
        let sizes = format!("{{ min_size = {}, desired_size = {}, max_size = {} }}", spot.min, spot.desired, spot.max);
        arguments.push(("spot", expr(&sizes)));
    }
    let secrets = secret_names(platform);
    if !secrets.is_empty() {
        arguments.push(("secret_names", strings(&secrets)));
    }
    if platform.recovery.cluster_backup.is_some() {
        arguments.push(("velero_bucket", Expression::from(velero_bucket(platform))));
    }
    let records = acme_record_names(platform);
    if !records.is_empty() {
        arguments.push(("acme_record_names", strings(&records)));
    }
    Some(super::call("eks", arguments))
}

#[cfg(test)]
mod tests {
    use super::super::super::syntax::file;
    use super::*;

    const SPEC: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1 }\ndomains: { app: shop.example.com }\ntls: { issuer: letsencrypt, email: ops@example.com, challenge: dns01 }\nkubernetes: { ingress: nginx }\nservices:\n  web:\n    image: ghcr.io/shop/web\n    resources: { cpu: 1..2, memory: 2Gi..4Gi }\n    autoscale: { min: 4, max: 12, cpu: 70% }\n    expose: { domain: app, path: /, tenants: true }\n    secrets: [API_KEY]\n  batch: { image: ghcr.io/shop/batch, interruptible: true }\nrecovery: { rpo: 1h, rto: 4h, cluster_backup: { at: \"02:00\", keep: 30d, location: aws-s3 } }\nsecurity: { admin_allow: [10.0.0.0/8, 203.0.113.0/24] }\nsecrets: { provider: aws-secrets-manager }\nenvironments:\n  production: { nodes: { min: 2, max: 5, instance_type: m6i.large, spot: true } }\n";

    fn platforms(spec: &str) -> Vec<Platform> {
        let compiled = plinth_spec::compile(spec);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms
    }

    /// Every Kubernetes manifest the platforms render, concatenated.
    fn manifests(platforms: &[Platform]) -> String {
        let artifacts = crate::render(platforms);
        artifacts.iter().filter(|(path, _)| path.ends_with(".yaml")).map(|(_, text)| text).collect()
    }

    fn call_text(platform: &Platform) -> String {
        file(vec![call(platform).expect("every environment has a cluster")], &[])
    }

    #[test]
    fn node_groups_follow_the_capacity_plan_and_never_undercut_the_spec() {
        let platform = &platforms(SPEC)[0];
        let plan = capacity::plan(platform);
        let sizing = node_sizing(platform);
        // An m6i.large leaves 1,805m CPU to pods (2,000m − 70m kube-reserved − 125m DaemonSets), so
        // the four 1-CPU web pods of the HPA minimum take a node each: 4 nodes, above `nodes.min: 2`.
        // The twelve of the maximum would need 12; the group stops at `nodes.max: 5`, as the plan.
        assert_eq!(sizing.on_demand, GroupSize { min: 4, desired: 4, max: 5 });
        assert_eq!(sizing.on_demand.min, plan.on_demand.min_nodes.max(2));
        assert_eq!(sizing.on_demand.max, plan.on_demand.max_nodes.max(5));
        let spot = sizing.spot.expect("an interruptible service on a spot-enabled environment");
        assert_eq!(spot.min, plan.spot.as_ref().unwrap().min_nodes);
        let text = call_text(platform);
        assert!(text.contains(&format!("node_min_size      = {}", sizing.on_demand.min)), "{text}");
        assert!(text.contains(&format!("spot = {{\n    min_size     = {}", spot.min)), "{text}");
    }

    #[test]
    fn small_workloads_keep_the_spec_bounds_and_no_spot_without_interruptible_services() {
        let spec = SPEC.replace("interruptible: true", "interruptible: false");
        let platform = &platforms(&spec)[0];
        let sizing = node_sizing(platform);
        assert!(sizing.spot.is_none());
        assert!(sizing.on_demand.max >= 5);
        assert!(!call_text(platform).contains("spot"));
    }

    #[test]
    fn the_spot_taint_is_what_the_interruptible_services_tolerate() {
        let platforms = platforms(SPEC);
        let manifests = manifests(&platforms);
        assert!(manifests.contains("key: spot") && manifests.contains("effect: NoSchedule"), "no toleration");
        let main = file(module().main, &[]);
        assert!(main.contains("key    = \"spot\"\n    value  = \"true\"\n    effect = \"NO_SCHEDULE\""), "{main}");
    }

    /// The documents of one rendered Kubernetes file of the production environment.
    fn documents(platforms: &[Platform], file: &str) -> Vec<serde_json::Value> {
        use serde::Deserialize;
        let artifacts = crate::render(platforms);
        let text = artifacts.get(&format!("environments/production/kubernetes/{file}")).expect("rendered");
        serde_yaml_ng::Deserializer::from_str(text).map(|doc| serde_json::Value::deserialize(doc).unwrap()).collect()
    }

    #[test]
    fn irsa_subjects_are_the_service_accounts_the_kubernetes_backend_uses() {
        let platforms = platforms(SPEC);
        let store = documents(&platforms, "secret-store.yaml");
        let store = store.iter().find(|doc| doc["kind"] == "ClusterSecretStore").expect("a ClusterSecretStore");
        let account = &store["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"];
        assert_eq!(
            (account["namespace"].as_str(), account["name"].as_str()),
            (Some("external-secrets"), Some("external-secrets"))
        );
        assert_eq!((EXTERNAL_SECRETS.namespace, EXTERNAL_SECRETS.name), ("external-secrets", "external-secrets"));
        let schedule = documents(&platforms, "backup-schedule.yaml");
        let schedule = schedule.iter().find(|doc| doc["kind"] == "Schedule").expect("a Velero Schedule");
        assert_eq!(schedule["metadata"]["namespace"].as_str(), Some(VELERO.namespace));
        let main = file(module().main, &[]);
        for account in
            [LOAD_BALANCER_CONTROLLER, EXTERNAL_SECRETS, VELERO, CLUSTER_AUTOSCALER, CERT_MANAGER, EBS_CSI_DRIVER]
        {
            assert!(main.contains(&format!("\"{}\"", account.subject())), "no role for {}", account.subject());
        }
    }

    #[test]
    fn conditional_roles_get_their_inputs_from_the_model() {
        let platform = &platforms(SPEC)[0];
        assert_eq!(secret_names(platform), ["shop/api-key"]);
        assert_eq!(velero_bucket(platform), "shop-production-velero");
        // The wildcard's challenge record is its base name's.
        assert_eq!(acme_record_names(platform), ["_acme-challenge.shop.example.com"]);
        let text = call_text(platform);
        assert!(text.contains("= \"shop-production-velero\""), "{text}");

        let other = SPEC
            .replace("challenge: dns01", "challenge: http01")
            .replace(", tenants: true", "")
            .replace("provider: aws-secrets-manager", "provider: kubernetes")
            .replace(", cluster_backup: { at: \"02:00\", keep: 30d, location: aws-s3 }", "");
        let platform = &platforms(&other)[0];
        assert!(secret_names(platform).is_empty());
        assert!(acme_record_names(platform).is_empty());
        let text = call_text(platform);
        assert!(!text.contains("secret_names") && !text.contains("acme_record_names"), "{text}");
    }

    #[test]
    fn admin_ranges_split_between_the_public_and_the_private_endpoint() {
        let platform = &platforms(SPEC)[0];
        assert_eq!(access_cidrs(platform), (vec!["203.0.113.0/24".to_owned()], vec!["10.0.0.0/8".to_owned()]));
        let open = platforms(&SPEC.replace("security: { admin_allow: [10.0.0.0/8, 203.0.113.0/24] }\n", ""));
        assert_eq!(access_cidrs(&open[0]), (vec!["0.0.0.0/0".to_owned()], Vec::new()));
        let private = platforms(&SPEC.replace("10.0.0.0/8, 203.0.113.0/24", "192.168.0.0/16"));
        assert_eq!(access_cidrs(&private[0]), (Vec::new(), vec!["192.168.0.0/16".to_owned()]));
    }

    #[test]
    fn graviton_types_get_the_arm_image() {
        assert_eq!(ami_type("m6i.large"), "AL2023_x86_64_STANDARD");
        assert_eq!(ami_type("g5.xlarge"), "AL2023_x86_64_STANDARD");
        assert_eq!(ami_type("m6g.large"), "AL2023_ARM_64_STANDARD");
        assert_eq!(ami_type("t4g.medium"), "AL2023_ARM_64_STANDARD");
        assert_eq!(ami_type("c7gn.2xlarge"), "AL2023_ARM_64_STANDARD");
    }
}
