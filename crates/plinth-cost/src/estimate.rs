//! The estimate of one environment: what its resolved model provisions, line by line, priced from
//! the [`PriceBook`].
//!
//! What is priced, and how many of each:
//! - **EKS**: one control plane for `hours_per_month`.
//! - **Worker nodes**: the on-demand and spot groups of [`capacity::plan`] (at the HPA minimum and
//!   maximum: the range), on demand; the spot group at an `ec2-spot` price when the file has one,
//!   else at the on-demand price (an upper bound, said on the line). Root volumes: `node_volume_gb`
//!   of gp3 per node.
//! - **In-cluster datastores**: their PersistentVolume (`storage.low`) as gp3.
//! - **RDS PostgreSQL**: the class from [`capacity::datastore_class`]; Multi-AZ bills the primary and
//!   the standby (twice the instance-hours and the storage); read replicas are single-AZ instances
//!   with their own storage; gp3 storage at `storage.low`; backup storage beyond the free allowance
//!   (one database size) ≈ retention days × `rds_backup_daily_change` × size.
//! - **ElastiCache Redis**: [`capacity::cache_nodes`] nodes of the class.
//! - **NAT gateways**: one per zone in a multi-AZ production environment, else one; data processed.
//! - **Load balancer** (when a service is exposed): one ALB shared by every Ingress (the rendered
//!   `group.name`) with `alb_lcu` LCUs, or with ingress-nginx one NLB with `nlb_nlcu` NLCUs.
//! - **CloudFront** (with `security.waf` or a `public-read` bucket): transfer to viewers in the
//!   region's own geography; **WAF** (with `security.waf`): a web ACL, `waf_rules` rules and requests.
//! - **Route 53**: one hosted zone per apex domain (the last two labels) of `domains`.
//! - **Secrets Manager** (provider `aws-secrets-manager`): the distinct remote keys of the services'
//!   and alert channels' secrets.
//! - **KMS**: one key for the EKS secrets and one per managed datastore.
//! - **S3**: `s3_storage_gb` per bucket, again in the replication region.
//! - **CloudWatch Logs**: `cloudwatch_logs_gb_per_service` per service.
//!
//! Quantities that depend on traffic come from the file's `usage:` section and their lines say so.
//! A price missing from the book gives a line without an amount (never a guessed one), counted in
//! [`Estimate::missing`]; the totals are the sum of the priced lines, each rounded to the cent.

use std::collections::BTreeSet;

use plinth_spec::capacity::{self, NodePlan};
use plinth_spec::model::{Access, Engine, Hosting, IngressClass, Platform, RedisMode, Runtime, SecretProvider, Stage};
use serde::Serialize;

use crate::prices::{Price, PriceBook, Status};

/// What is not priced, said once under every report.
pub const NOT_COUNTED: &str = "Not counted: data transfer between zones and to the internet (except through CloudFront), \
     EBS and RDS snapshots beyond what is listed, ElastiCache snapshots, ECR storage, Route 53 queries, Secrets Manager \
     and KMS API calls, CloudWatch metrics and alarms, the monitoring stack's volumes, taxes, support plans, and \
     free-tier or reserved-instance discounts.";

/// A monthly amount or a quantity: the same at both ends unless autoscaling makes a range.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Range {
    /// At the HPA minimum.
    pub min: f64,
    /// At the HPA maximum.
    pub max: f64,
}

impl Range {
    /// `value` at both ends.
    pub fn fixed(value: f64) -> Self {
        Range { min: value, max: value }
    }

    /// Whether both ends differ.
    pub fn is_range(&self) -> bool {
        self.min != self.max
    }
}

/// Groups of lines, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Group {
    /// EKS and nodes.
    Compute,
    /// RDS.
    Database,
    /// ElastiCache.
    Cache,
    /// Volumes and buckets.
    Storage,
    /// NAT and load balancers.
    Network,
    /// CloudFront, WAF, Route 53.
    Edge,
    /// Secrets Manager, KMS.
    Security,
    /// CloudWatch.
    Observability,
}

impl Group {
    /// The heading.
    pub fn title(self) -> &'static str {
        match self {
            Group::Compute => "Compute",
            Group::Database => "Database",
            Group::Cache => "Cache",
            Group::Storage => "Storage",
            Group::Network => "Network",
            Group::Edge => "Edge",
            Group::Security => "Security",
            Group::Observability => "Observability",
        }
    }
}

/// The status of a line's price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PriceStatus {
    /// From a citable source.
    Verified,
    /// From unattributed code.
    Unverified,
    /// Not in the price file: the line has no amount.
    Missing,
}

/// One priced (or unpriceable) item.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Line {
    /// Group.
    pub group: Group,
    /// What is provisioned (`worker nodes`, `postgres (RDS PostgreSQL)`).
    pub resource: String,
    /// Which part of it is billed.
    pub component: String,
    /// Units per month.
    pub quantity: Range,
    /// The unit (the price's).
    pub unit: String,
    /// USD per unit, when priced.
    pub unit_usd: Option<f64>,
    /// USD per month, each end rounded to the cent; `None` when the price is missing.
    pub monthly_usd: Option<Range>,
    /// The price file entry (`service/item/region`): the one used, or the one missing.
    pub price_id: String,
    /// Status of that price.
    pub price_status: PriceStatus,
    /// The usage assumed, for usage-based lines.
    pub usage: Option<String>,
    /// Anything else to know about the line.
    pub note: Option<String>,
    #[serde(skip)]
    cents: Option<(i64, i64)>,
}

impl Line {
    /// The monthly amount in cents at both ends, when priced.
    pub fn cents(&self) -> Option<(i64, i64)> {
        self.cents
    }
}

/// The estimate of one environment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Estimate {
    /// Application.
    pub application: String,
    /// Environment.
    pub environment: String,
    /// Its stage: `development`, `staging` or `production`.
    pub stage: &'static str,
    /// Region.
    pub region: String,
    /// The worker nodes (Kubernetes environments).
    pub nodes: Option<NodePlan>,
    /// Every item.
    pub lines: Vec<Line>,
    /// Sum of the priced lines per month.
    pub total_usd: Range,
    /// The environment's `budget`.
    pub budget_usd: Option<f64>,
    /// Whether the top of the range exceeds the budget.
    pub over_budget: bool,
    /// Lines without a price.
    pub missing: usize,
    /// Lines priced from unverified entries.
    pub unverified: usize,
    /// What else to know.
    pub notes: Vec<String>,
    #[serde(skip)]
    total_cents: (i64, i64),
}

impl Estimate {
    /// The total in cents at both ends.
    pub fn total_cents(&self) -> (i64, i64) {
        self.total_cents
    }

    /// The budget in cents.
    pub fn budget_cents(&self) -> Option<i64> {
        self.budget_usd.map(to_cents)
    }

    /// The `count` lines with the largest monthly maximum, largest first.
    pub fn largest(&self, count: usize) -> Vec<&Line> {
        let mut priced: Vec<&Line> = self.lines.iter().filter(|l| l.cents.is_some()).collect();
        priced.sort_by_key(|l| std::cmp::Reverse(l.cents.map_or(0, |c| c.1)));
        priced.truncate(count);
        priced
    }
}

/// Estimates the monthly cost of `platform` (one environment) with `prices`.
pub fn estimate(platform: &Platform, prices: &PriceBook) -> Estimate {
    let mut builder =
        Builder { prices, region: &platform.cloud.region, hours: prices.hours_per_month(), lines: Vec::new() };
    let mut notes = Vec::new();
    let mut nodes = None;
    if platform.environment.runtime == Runtime::Local {
        notes.push("runs on one machine with `plinth up`: nothing in the cloud to price".to_owned());
    } else {
        let plan = capacity::plan(platform);
        notes.extend(plan.notes.iter().cloned());
        compute(&plan, &mut builder);
        nodes = Some(plan);
        datastores(platform, &mut builder);
        network(platform, &mut builder);
        edge(platform, &mut builder);
        security(platform, &mut builder);
        observability(platform, &mut builder);
    }
    let lines = builder.lines;
    let total_cents = lines.iter().filter_map(|l| l.cents).fold((0, 0), |sum, c| (sum.0 + c.0, sum.1 + c.1));
    let budget_usd = platform.environment.budget;
    Estimate {
        application: platform.name.clone(),
        environment: platform.environment.name.clone(),
        stage: match platform.environment.stage {
            Stage::Development => "development",
            Stage::Staging => "staging",
            Stage::Production => "production",
        },
        region: platform.cloud.region.clone(),
        nodes,
        missing: lines.iter().filter(|l| l.price_status == PriceStatus::Missing).count(),
        unverified: lines.iter().filter(|l| l.price_status == PriceStatus::Unverified).count(),
        total_usd: Range { min: usd(total_cents.0), max: usd(total_cents.1) },
        over_budget: budget_usd.is_some_and(|b| total_cents.1 > to_cents(b)),
        budget_usd,
        lines,
        notes,
        total_cents,
    }
}

fn to_cents(usd: f64) -> i64 {
    // Amounts here are far below i64's range; the cast saturates anyway.
    #[allow(clippy::cast_possible_truncation)]
    let cents = (usd * 100.0).round() as i64;
    cents
}

#[allow(clippy::cast_precision_loss)]
fn usd(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// What a line asks the price book for.
struct Want<'a> {
    service: &'a str,
    item: &'a str,
    /// `None`: the environment's region.
    region: Option<&'a str>,
    /// The unit the quantity counts; a price in another unit cannot be used.
    unit: &'a str,
}

fn want<'a>(service: &'a str, item: &'a str, unit: &'a str) -> Want<'a> {
    Want { service, item, region: None, unit }
}

struct Builder<'a> {
    prices: &'a PriceBook,
    region: &'a str,
    hours: f64,
    lines: Vec<Line>,
}

impl Builder<'_> {
    fn find(&self, want: &Want<'_>) -> Result<&Price, String> {
        let region = want.region.unwrap_or(self.region);
        match self.prices.find(want.service, want.item, region) {
            Some(price) if price.unit == want.unit => Ok(price),
            _ => Err(format!("{}/{}/{region}", want.service, want.item)),
        }
    }

    /// A usage assumption: its value and how a line describes it.
    fn usage(&self, key: &str) -> (f64, String) {
        match self.prices.usage(key) {
            Some(usage) => {
                (usage.value, format!("{} {} (usage.{key}: {})", number(usage.value), usage.unit, usage.why))
            }
            None => (0.0, format!("usage.{key} is not in the price file: counted as 0")),
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        group: Group,
        resource: impl Into<String>,
        component: impl Into<String>,
        quantity: Range,
        price: Result<&Price, String>,
        unit: &str,
        usage: Option<String>,
        note: Option<String>,
    ) {
        let (unit_usd, cents, price_id, price_status) = match price {
            Ok(price) => (
                Some(price.usd),
                Some((to_cents(quantity.min * price.usd), to_cents(quantity.max * price.usd))),
                price.id.clone(),
                match price.status {
                    Status::Verified => PriceStatus::Verified,
                    Status::Unverified => PriceStatus::Unverified,
                },
            ),
            Err(id) => (None, None, id, PriceStatus::Missing),
        };
        self.lines.push(Line {
            group,
            resource: resource.into(),
            component: component.into(),
            quantity,
            unit: unit.to_owned(),
            unit_usd,
            monthly_usd: cents.map(|(min, max)| Range { min: usd(min), max: usd(max) }),
            price_id,
            price_status,
            usage,
            note,
            cents,
        });
    }

    /// A line priced by `want` in the environment's region (or `want.region`).
    fn priced(&mut self, group: Group, resource: &str, component: String, quantity: Range, want: &Want<'_>) {
        let price = self.find(want).cloned();
        self.line(group, resource, component, quantity, price.as_ref().map_err(Clone::clone), want.unit, None, None);
    }

    /// A usage-based line: `per` × the usage `key`.
    fn usage_based(&mut self, group: Group, resource: &str, component: String, per: f64, key: &str, want: &Want<'_>) {
        let (value, described) = self.usage(key);
        let price = self.find(want).cloned();
        let quantity = Range::fixed(per * value);
        self.line(
            group,
            resource,
            component,
            quantity,
            price.as_ref().map_err(Clone::clone),
            want.unit,
            Some(described),
            None,
        );
    }
}

fn compute(plan: &NodePlan, b: &mut Builder<'_>) {
    let hours = b.hours;
    b.priced(
        Group::Compute,
        "EKS cluster",
        "control plane (standard support)".to_owned(),
        Range::fixed(hours),
        &want("eks", "cluster", "hour"),
    );
    let instance = plan.instance_type.as_str();
    let group_hours = |min: u32, max: u32| Range { min: f64::from(min) * hours, max: f64::from(max) * hours };
    let od = &plan.on_demand;
    b.priced(
        Group::Compute,
        "worker nodes",
        format!("{instance} on demand, {}", count_range(od.min_nodes, od.max_nodes, "node")),
        group_hours(od.min_nodes, od.max_nodes),
        &want("ec2", instance, "hour"),
    );
    if let Some(spot) = &plan.spot {
        let component = format!(
            "{instance} spot, {} for interruptible services",
            count_range(spot.min_nodes, spot.max_nodes, "node")
        );
        let quantity = group_hours(spot.min_nodes, spot.max_nodes);
        match b.find(&want("ec2-spot", instance, "hour")) {
            Ok(price) => {
                let price = price.clone();
                b.line(Group::Compute, "worker nodes", component, quantity, Ok(&price), "hour", None, None);
            }
            Err(_) => {
                let price = b.find(&want("ec2", instance, "hour")).cloned();
                let note = "no spot price in the price file: priced on demand, an upper bound".to_owned();
                b.line(
                    Group::Compute,
                    "worker nodes",
                    component,
                    quantity,
                    price.as_ref().map_err(Clone::clone),
                    "hour",
                    None,
                    Some(note),
                );
            }
        }
    }
    let (per_node, described) = b.usage("node_volume_gb");
    let (min, max) = (plan.min_nodes(), plan.max_nodes());
    let price = b.find(&want("ebs", "gp3", "GB-month")).cloned();
    b.line(
        Group::Compute,
        "worker nodes",
        format!("gp3 root volumes, {}", count_range(min, max, "node")),
        Range { min: f64::from(min) * per_node, max: f64::from(max) * per_node },
        price.as_ref().map_err(Clone::clone),
        "GB-month",
        Some(described),
        None,
    );
}

fn datastores(platform: &Platform, b: &mut Builder<'_>) {
    let hours = b.hours;
    for ds in &platform.datastores {
        let gib = ds.storage.low.gib();
        #[allow(clippy::cast_precision_loss)]
        let gb = gib as f64;
        match (ds.engine, ds.hosting) {
            (Engine::Bucket, _) => {
                let resource = format!("{} (S3)", ds.name);
                b.usage_based(
                    Group::Storage,
                    &resource,
                    "Standard storage".to_owned(),
                    1.0,
                    "s3_storage_gb",
                    &want("s3", "standard-storage", "GB-month"),
                );
                if let Some(to) = &ds.replicate_to {
                    let replica = Want { region: Some(to), ..want("s3", "standard-storage", "GB-month") };
                    b.usage_based(
                        Group::Storage,
                        &resource,
                        format!("replica in {to} (cross-region replication)"),
                        1.0,
                        "s3_storage_gb",
                        &replica,
                    );
                }
            }
            (engine, Hosting::Cluster) => {
                let kind = if engine == Engine::Postgres { "PostgreSQL" } else { "Redis" };
                b.priced(
                    Group::Storage,
                    &format!("{} (in-cluster {kind})", ds.name),
                    format!("PersistentVolume, {gib} GiB gp3"),
                    Range::fixed(gb),
                    &want("ebs", "gp3", "GB-month"),
                );
            }
            (Engine::Postgres, Hosting::Managed) => {
                let class = capacity::datastore_class(ds).unwrap_or_default();
                let resource = format!("{} (RDS PostgreSQL)", ds.name);
                let copies = if ds.multi_az { 2 } else { 1 };
                let placement = if ds.multi_az { "Multi-AZ: primary and standby" } else { "Single-AZ" };
                b.priced(
                    Group::Database,
                    &resource,
                    format!("{class}, {placement}"),
                    Range::fixed(f64::from(copies) * hours),
                    &want("rds-postgres", &class, "hour"),
                );
                if ds.replicas > 0 {
                    b.priced(
                        Group::Database,
                        &resource,
                        format!("{class}, {}", count_range(ds.replicas, ds.replicas, "read replica")),
                        Range::fixed(f64::from(ds.replicas) * hours),
                        &want("rds-postgres", &class, "hour"),
                    );
                }
                let volumes = copies + ds.replicas;
                let which = match (ds.multi_az, ds.replicas) {
                    (false, 0) => String::new(),
                    (true, 0) => " × 2 (primary and standby)".to_owned(),
                    (false, r) => format!(" × {volumes} (primary and {})", count_range(r, r, "replica")),
                    (true, r) => format!(" × {volumes} (primary, standby and {})", count_range(r, r, "replica")),
                };
                b.priced(
                    Group::Database,
                    &resource,
                    format!("gp3 storage, {gib} GiB{which}"),
                    Range::fixed(gb * f64::from(volumes)),
                    &want("rds", "gp3-storage", "GB-month"),
                );
                if let Some(backup) = &ds.backup {
                    #[allow(clippy::cast_precision_loss)]
                    let days = backup.keep.seconds() as f64 / 86_400.0;
                    let (change, _) = b.usage("rds_backup_daily_change");
                    let billable = (days * change * gb).round();
                    if billable > 0.0 {
                        let usage = format!(
                            "{}% of {gib} GB changed a day × {} days kept; the first {gib} GB are free (usage.rds_backup_daily_change)",
                            number(change * 100.0),
                            number(days)
                        );
                        let price = b.find(&want("rds", "backup-storage", "GB-month")).cloned();
                        b.line(
                            Group::Database,
                            &resource,
                            "backup storage beyond the free allowance".to_owned(),
                            Range::fixed(billable),
                            price.as_ref().map_err(Clone::clone),
                            "GB-month",
                            Some(usage),
                            None,
                        );
                    }
                }
            }
            (Engine::Redis, Hosting::Managed) => {
                let class = capacity::datastore_class(ds).unwrap_or_default();
                let nodes = capacity::cache_nodes(ds);
                let shape = match ds.mode {
                    RedisMode::Standalone => "standalone".to_owned(),
                    RedisMode::Replication => format!("primary and {}", count_range(nodes - 1, nodes - 1, "replica")),
                    RedisMode::Cluster => format!(
                        "{} × (primary and {})",
                        count_range(ds.shards, ds.shards, "shard"),
                        count_range(nodes / ds.shards.max(1) - 1, nodes / ds.shards.max(1) - 1, "replica")
                    ),
                };
                let multi_az = if ds.multi_az { ", Multi-AZ" } else { "" };
                let note = (ds.multi_az && ds.mode != RedisMode::Standalone && ds.replicas == 0)
                    .then(|| "Multi-AZ failover needs a replica: one is counted".to_owned());
                let price = b.find(&want("elasticache-redis", &class, "hour")).cloned();
                b.line(
                    Group::Cache,
                    format!("{} (ElastiCache Redis)", ds.name),
                    format!("{class} × {} ({shape}{multi_az})", count_range(nodes, nodes, "node")),
                    Range::fixed(f64::from(nodes) * hours),
                    price.as_ref().map_err(Clone::clone),
                    "hour",
                    None,
                    note,
                );
            }
        }
    }
}

fn network(platform: &Platform, b: &mut Builder<'_>) {
    let hours = b.hours;
    let zones = u32::try_from(platform.cloud.zones.len()).unwrap_or(1).max(1);
    let per_zone = platform.environment.stage == Stage::Production && platform.environment.multi_az;
    let gateways = if per_zone { zones } else { 1 };
    let why = if per_zone { "one per zone" } else { "one for the environment" };
    b.priced(
        Group::Network,
        "NAT gateways",
        format!("{} ({why})", count_range(gateways, gateways, "gateway")),
        Range::fixed(f64::from(gateways) * hours),
        &want("nat", "gateway", "hour"),
    );
    b.usage_based(
        Group::Network,
        "NAT gateways",
        "data processed".to_owned(),
        f64::from(gateways),
        "nat_data_processed_gb",
        &want("nat", "data-processed", "GB"),
    );
    if platform.services.iter().any(|s| !s.expose.is_empty()) {
        let (resource, lb, unit, key, what) = match platform.kubernetes.ingress {
            IngressClass::Alb => {
                ("load balancer (ALB)", "alb", ("lcu", "LCU-hour"), "alb_lcu", "one ALB shared by every Ingress")
            }
            IngressClass::Nginx => {
                ("load balancer (NLB)", "nlb", ("nlcu", "NLCU-hour"), "nlb_nlcu", "one NLB in front of ingress-nginx")
            }
        };
        b.priced(Group::Network, resource, what.to_owned(), Range::fixed(hours), &want(lb, "hour", "hour"));
        b.usage_based(Group::Network, resource, "capacity units".to_owned(), hours, key, &want(lb, unit.0, unit.1));
    }
}

fn edge(platform: &Platform, b: &mut Builder<'_>) {
    let public_bucket =
        platform.datastores.iter().any(|d| d.engine == Engine::Bucket && d.access == Access::PublicRead);
    if platform.security.waf || public_bucket {
        let region = platform.cloud.region.as_str();
        let (item, viewers) = if region.starts_with("us-") || region.starts_with("ca-") {
            ("transfer-out-us".to_owned(), "US, Mexico, Canada".to_owned())
        } else if region.starts_with("ap-south-") {
            ("transfer-out-india".to_owned(), "India".to_owned())
        } else {
            (format!("transfer-out-{region}"), format!("near {region}"))
        };
        b.usage_based(
            Group::Edge,
            "CloudFront",
            format!("data transfer to viewers ({viewers})"),
            1.0,
            "cloudfront_transfer_gb",
            &Want { region: Some("global"), ..want("cloudfront", &item, "GB") },
        );
    }
    if platform.security.waf {
        // A web ACL for CloudFront is created in us-east-1 whatever the application's region.
        let at = |item: &'static str, unit: &'static str| Want { region: Some("us-east-1"), ..want("waf", item, unit) };
        b.priced(
            Group::Edge,
            "WAF",
            "web ACL (CloudFront scope)".to_owned(),
            Range::fixed(1.0),
            &at("web-acl", "month"),
        );
        b.usage_based(Group::Edge, "WAF", "rules".to_owned(), 1.0, "waf_rules", &at("rule", "rule-month"));
        b.usage_based(
            Group::Edge,
            "WAF",
            "requests".to_owned(),
            1.0,
            "waf_requests_millions",
            &at("requests", "million requests"),
        );
    }
    let zones: BTreeSet<String> = platform.domains.values().map(|host| apex(host)).collect();
    if !zones.is_empty() {
        let count = u32::try_from(zones.len()).unwrap_or(u32::MAX);
        b.priced(
            Group::Edge,
            "Route 53",
            format!(
                "{}: {}",
                count_range(count, count, "hosted zone"),
                zones.into_iter().collect::<Vec<_>>().join(", ")
            ),
            Range::fixed(f64::from(count)),
            &Want { region: Some("global"), ..want("route53", "hosted-zone", "zone-month") },
        );
    }
}

/// The zone a host lives in: its last two labels (`api.example.com` → `example.com`).
fn apex(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').collect();
    labels[labels.len().saturating_sub(2)..].join(".")
}

fn security(platform: &Platform, b: &mut Builder<'_>) {
    if platform.secrets.provider == SecretProvider::AwsSecretsManager {
        let names = platform
            .services
            .iter()
            .flat_map(|s| s.secrets.iter())
            .chain(platform.observability.channels.values().filter_map(|c| c.secret.as_ref()));
        let keys: BTreeSet<String> = names.map(|name| platform.secrets.remote(name).key).collect();
        if !keys.is_empty() {
            let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
            b.priced(
                Group::Security,
                "Secrets Manager",
                format!("{} (services' and alert channels' secrets)", count_range(count, count, "secret")),
                Range::fixed(f64::from(count)),
                &want("secretsmanager", "secret", "secret-month"),
            );
        }
    }
    let mut keys = vec!["EKS secrets".to_owned()];
    keys.extend(
        platform
            .datastores
            .iter()
            .filter(|d| d.hosting == Hosting::Managed || d.engine == Engine::Bucket)
            .map(|d| d.name.clone()),
    );
    let count = u32::try_from(keys.len()).unwrap_or(u32::MAX);
    b.priced(
        Group::Security,
        "KMS",
        format!("{} ({})", count_range(count, count, "customer-managed key"), keys.join(", ")),
        Range::fixed(f64::from(count)),
        &want("kms", "key", "key-month"),
    );
}

fn observability(platform: &Platform, b: &mut Builder<'_>) {
    let services = u32::try_from(platform.services.len()).unwrap_or(u32::MAX);
    b.usage_based(
        Group::Observability,
        "CloudWatch Logs",
        format!("ingestion, {}", count_range(services, services, "service")),
        f64::from(services),
        "cloudwatch_logs_gb_per_service",
        &want("cloudwatch", "logs-ingestion", "GB"),
    );
}

/// `3 nodes`, `1 node`, `3–6 nodes`.
fn count_range(min: u32, max: u32, noun: &str) -> String {
    let plural = |n: u32| if n == 1 { noun.to_owned() } else { format!("{noun}s") };
    if min == max { format!("{min} {}", plural(min)) } else { format!("{min}–{max} {}", plural(max)) }
}

/// A number without trailing zeros: `100`, `0.5`, `2.25`.
pub fn number(value: f64) -> String {
    let text = format!("{value:.4}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use plinth_spec::compile;

    use crate::BUILT_IN_PRICES as BUILT_IN;

    fn estimate_of(yaml: &str, env: &str) -> Estimate {
        let compiled = compile(yaml);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        estimate(compiled.platform(env).unwrap(), &PriceBook::parse(BUILT_IN).unwrap())
    }

    fn line<'a>(estimate: &'a Estimate, resource: &str, component: &str) -> &'a Line {
        estimate
            .lines
            .iter()
            .find(|l| l.resource == resource && l.component.starts_with(component))
            .unwrap_or_else(|| panic!("no line {resource} / {component} in {:#?}", estimate.lines))
    }

    const SHOP: &str = "plinth: 1\nname: shop\ncloud: { provider: aws, region: us-east-1, zones: 3 }\ndomains: { web: www.shop.com, api: api.shop.com }\nkubernetes: { ingress: alb }\nsecrets: { provider: aws-secrets-manager }\nservices:\n  web:\n    image: ghcr.io/shop/web\n    replicas: 2\n    resources: { cpu: 500m, memory: 1Gi }\n    autoscale: { max: 6, cpu: 70% }\n    expose: { domain: web, path: / }\n    uses: [db]\n    secrets: [JWT_SECRET]\ndatastores:\n  db:\n    engine: postgres\n    size: db.t3.large\n    storage: 100Gi\n    multi_az: true\n    backup: { every: 24h, keep: 30d }\nenvironments:\n  production:\n    nodes: { min: 1, max: 6, instance_type: t3.medium }\n    budget: 100\n";

    #[test]
    fn rds_multi_az_doubles_instance_hours_and_storage() {
        let estimate = estimate_of(SHOP, "production");
        // db.t3.large in us-east-1: $0.145/h; Multi-AZ: 2 × 0.145 × 730 = $211.70.
        let instance = line(&estimate, "db (RDS PostgreSQL)", "db.t3.large, Multi-AZ");
        assert_eq!(instance.quantity, Range::fixed(1460.0));
        assert_eq!(instance.monthly_usd, Some(Range::fixed(211.70)));
        assert_eq!(instance.price_id, "rds-postgres/db.t3.large/us-east-1");
        // gp3: 100 GiB × 2 × $0.115 = $23.00.
        let storage = line(&estimate, "db (RDS PostgreSQL)", "gp3 storage, 100 GiB × 2");
        assert_eq!(storage.monthly_usd, Some(Range::fixed(23.00)));
        // Backups: 30 days × 3 % × 100 GB = 90 GB beyond the free 100 GB, × $0.095 = $8.55.
        let backup = line(&estimate, "db (RDS PostgreSQL)", "backup storage");
        assert_eq!((backup.quantity.min, backup.monthly_usd), (90.0, Some(Range::fixed(8.55))));
        assert!(backup.usage.as_deref().unwrap().contains("3% of 100 GB changed a day × 30 days"));
    }

    #[test]
    fn eks_nat_and_load_balancer() {
        let estimate = estimate_of(SHOP, "production");
        // EKS: 0.10 × 730 = $73.00.
        assert_eq!(line(&estimate, "EKS cluster", "control plane").monthly_usd, Some(Range::fixed(73.00)));
        // Production, multi-AZ (the default there), 3 zones: 3 NAT gateways × 730 h × $0.045 = $98.55;
        // 3 × 100 GB × $0.045 = $13.50.
        let nat = line(&estimate, "NAT gateways", "3 gateways (one per zone)");
        assert_eq!(nat.monthly_usd, Some(Range::fixed(98.55)));
        let data = line(&estimate, "NAT gateways", "data processed");
        assert_eq!((data.quantity.min, data.monthly_usd), (300.0, Some(Range::fixed(13.50))));
        assert!(data.usage.is_some());
        // ALB: 730 × 0.0225 = $16.43 (16.425 rounded); 1 LCU × 730 × 0.008 = $5.84.
        assert_eq!(line(&estimate, "load balancer (ALB)", "one ALB").monthly_usd, Some(Range::fixed(16.43)));
        assert_eq!(line(&estimate, "load balancer (ALB)", "capacity units").monthly_usd, Some(Range::fixed(5.84)));
        // Two hosts, one apex: one zone, $0.50. Two secrets (JWT_SECRET and the database's
        // credentials, which the model adds to the service), $0.80. KMS: EKS + db = $2.00.
        assert_eq!(line(&estimate, "Route 53", "1 hosted zone: shop.com").monthly_usd, Some(Range::fixed(0.50)));
        assert_eq!(line(&estimate, "Secrets Manager", "2 secrets").monthly_usd, Some(Range::fixed(0.80)));
        assert_eq!(line(&estimate, "KMS", "2 customer-managed keys").monthly_usd, Some(Range::fixed(2.00)));
    }

    #[test]
    fn nodes_make_a_range_and_the_total_adds_the_lines() {
        let estimate = estimate_of(SHOP, "production");
        // web 2..6 × (500m, 1 GiB) + CoreDNS on t3.medium (3 per node): 1 node at the minimum but 3 zones → 3;
        // 6 webs → 2 nodes, still 3. Range from zones only: 3 × 730 × $0.0416 = $91.10 at both ends.
        let nodes = line(&estimate, "worker nodes", "t3.medium on demand, 3 nodes");
        assert_eq!(nodes.monthly_usd, Some(Range::fixed(91.10)));
        let sum = estimate.lines.iter().filter_map(Line::cents).fold((0, 0), |s, c| (s.0 + c.0, s.1 + c.1));
        assert_eq!(sum, estimate.total_cents());
        assert_eq!(estimate.missing, 0);
        assert!(estimate.over_budget, "budget 100 < {:?}", estimate.total_usd);
        assert_eq!(estimate.largest(1)[0].component, "db.t3.large, Multi-AZ: primary and standby");
    }

    #[test]
    fn autoscaling_makes_a_node_range() {
        let spec = SHOP.replace("autoscale: { max: 6", "autoscale: { max: 30");
        let estimate = estimate_of(&spec, "production");
        // 30 webs at 3 per t3.medium → 10 nodes, capped by `nodes.max: 6`.
        let nodes = line(&estimate, "worker nodes", "t3.medium on demand, 3–6 nodes");
        assert_eq!(nodes.quantity, Range { min: 2190.0, max: 4380.0 });
        assert_eq!(nodes.monthly_usd, Some(Range { min: 91.10, max: 182.21 }));
        assert!(estimate.total_usd.is_range());
        assert!(estimate.notes.iter().any(|n| n.contains("`nodes.max` is 6")));
    }

    #[test]
    fn missing_prices_are_reported_not_invented() {
        let spec = SHOP.replace("region: us-east-1", "region: ap-south-1");
        let estimate = estimate_of(&spec, "production");
        let eks = line(&estimate, "EKS cluster", "control plane");
        assert_eq!(
            (eks.price_status, eks.monthly_usd, eks.price_id.as_str()),
            (PriceStatus::Missing, None, "eks/cluster/ap-south-1")
        );
        let nodes = line(&estimate, "worker nodes", "t3.medium");
        assert_eq!(nodes.price_status, PriceStatus::Unverified);
        assert!(estimate.missing >= 5 && estimate.unverified >= 3, "{} {}", estimate.missing, estimate.unverified);
        let sum: i64 = estimate.lines.iter().filter_map(Line::cents).map(|c| c.0).sum();
        assert_eq!(sum, estimate.total_cents().0);
    }

    #[test]
    fn spot_without_a_spot_price_is_priced_on_demand_and_said() {
        let spec = SHOP
            .replace(
                "nodes: { min: 1, max: 6, instance_type: t3.medium }",
                "nodes: { min: 1, max: 6, instance_type: t3.medium, spot: true }",
            )
            .replace(
                "datastores:",
                "  batch: { image: ghcr.io/shop/batch, replicas: 2, interruptible: true }\ndatastores:",
            );
        let estimate = estimate_of(&spec, "production");
        let spot = line(&estimate, "worker nodes", "t3.medium spot");
        assert_eq!(spot.price_id, "ec2/t3.medium/us-east-1");
        assert!(spot.note.as_deref().unwrap().contains("upper bound"));
    }

    #[test]
    fn local_environments_cost_nothing() {
        let spec = SHOP.replace("  production:\n", "  development: { runtime: local }\n  production:\n");
        let estimate = estimate_of(&spec, "development");
        assert!(estimate.lines.is_empty() && estimate.total_cents() == (0, 0) && !estimate.over_budget);
    }
}
