//! `plinth.yaml` v1 as written: the types the JSON Schema is generated from and serde reads.
//!
//! Every field is optional unless the platform cannot exist without it; the resolver applies the
//! production-safe defaults. Doc comments here become the schema's descriptions.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::Deserialize;

use crate::units::{Bytes, Cpu, Duration, Percent, Range, Rate};

/// A `plinth.yaml` document.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "plinth.yaml", extend("$id" = "https://plinth.dev/schema/v1.json"))]
pub struct Document {
    /// Spec format version; always `1`.
    #[schemars(range(min = 1, max = 1))]
    pub plinth: u32,
    /// The application's name: a DNS label used for namespaces, resource names and tags.
    #[schemars(regex(pattern = r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$"))]
    pub name: String,
    /// One line about the application.
    pub description: Option<String>,
    /// The owning team, used for cost-allocation tags.
    pub owner: Option<String>,
    /// Where the platform runs.
    pub cloud: Option<Cloud>,
    /// Public host names by key; services refer to a key in `expose.domain`.
    #[serde(default)]
    pub domains: BTreeMap<String, String>,
    /// How TLS certificates are obtained.
    pub tls: Option<Tls>,
    /// Cluster-wide Kubernetes settings.
    pub kubernetes: Option<Kubernetes>,
    /// Values merged under every service (a service's own values win).
    pub defaults: Option<Defaults>,
    /// The application's services.
    pub services: BTreeMap<String, Service>,
    /// Databases, caches and buckets.
    #[serde(default)]
    pub datastores: BTreeMap<String, Datastore>,
    /// How new versions are rolled out (services may override).
    pub delivery: Option<Delivery>,
    /// SLOs, alert routing and monitoring storage.
    pub observability: Option<Observability>,
    /// Recovery objectives.
    pub recovery: Option<Recovery>,
    /// Platform security settings.
    pub security: Option<Security>,
    /// Where secret values live (never the values themselves).
    pub secrets: Option<Secrets>,
    /// How CI builds, tests and migrates the application (the rendered GitHub Actions workflows).
    pub build: Option<Build>,
    /// Environments: each is this document plus its overlay.
    pub environments: BTreeMap<String, Environment>,
}

/// Cloud placement.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Cloud {
    /// Cloud provider.
    pub provider: Provider,
    /// Primary region, e.g. `ap-south-1`.
    #[schemars(regex(pattern = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"))]
    pub region: String,
    /// Number of availability zones to spread across (production default 3, others 1).
    #[schemars(range(min = 1, max = 6))]
    pub zones: Option<u8>,
    /// A standby region for disaster recovery (seed 003: us-west-2).
    #[schemars(regex(pattern = r"^[a-z]{2}(-[a-z]+)+-[0-9]$"))]
    pub dr_region: Option<String>,
}

/// Supported clouds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Provider {
    /// Amazon Web Services.
    Aws,
}

/// TLS settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tls {
    /// Who issues certificates: `acm` with the ALB (the default there), `letsencrypt` (default with nginx), `self-signed`.
    pub issuer: Issuer,
    /// ACME account e-mail (Let's Encrypt).
    pub email: Option<String>,
    /// ACME challenge type.
    pub challenge: Option<Challenge>,
    /// Renew this long before expiry (default 30d).
    pub renew_before: Option<Duration>,
}

/// Certificate issuers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Issuer {
    /// Let's Encrypt through cert-manager.
    Letsencrypt,
    /// AWS Certificate Manager on the load balancer.
    Acm,
    /// A local CA (development).
    SelfSigned,
}

/// ACME challenge types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Challenge {
    /// HTTP-01 through the ingress.
    Http01,
    /// DNS-01 through Route 53.
    Dns01,
}

/// Cluster settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Kubernetes {
    /// Kubernetes minor version targeted, e.g. `"1.33"`.
    #[schemars(regex(pattern = r"^1\.[0-9]{2}$"))]
    pub version: Option<String>,
    /// Namespace for the application (default: the name, or `<name>-<env>` outside production).
    #[schemars(regex(pattern = r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$"))]
    pub namespace: Option<String>,
    /// Ingress controller: `alb` (AWS Load Balancer Controller) or `nginx`.
    pub ingress: Option<IngressClass>,
}

/// Ingress controllers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum IngressClass {
    /// AWS Load Balancer Controller.
    Alb,
    /// ingress-nginx.
    Nginx,
}

/// Defaults for all services.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// Merged under every service.
    pub service: Option<Service>,
}

/// One service.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Container image without tag (the tag is the release version).
    pub image: Option<String>,
    /// How `plinth up` runs it locally (default: the built-in demo workload).
    pub local: Option<Local>,
    /// The main HTTP port.
    #[schemars(range(min = 1, max = 65535))]
    pub port: Option<u16>,
    /// Extra named ports (`metrics: 9090`).
    pub ports: Option<BTreeMap<String, u16>>,
    /// Replica count (before the environment's scale).
    #[schemars(range(min = 0, max = 1000))]
    pub replicas: Option<u32>,
    /// Requests..limits.
    pub resources: Option<Resources>,
    /// Health checks: a path, or probes in detail.
    pub health: Option<Health>,
    /// Plain environment variables.
    pub env: Option<BTreeMap<String, String>>,
    /// Names of secrets injected as environment variables (values live in the secret store).
    pub secrets: Option<Vec<String>>,
    /// Datastores used: `postgres`, `postgres/auth_service` (one database), `redis`, `assets`.
    pub uses: Option<Vec<String>>,
    /// Services this one calls.
    pub calls: Option<Vec<String>>,
    /// Public exposure through the edge.
    pub expose: Option<OneOrMany<Expose>>,
    /// Horizontal autoscaling.
    pub autoscale: Option<Autoscale>,
    /// Per-service delivery override.
    pub delivery: Option<Delivery>,
    /// Per-service security overrides (each weakening is reported).
    pub security: Option<ServiceSecurity>,
    /// Prometheus scraping.
    pub metrics: Option<Metrics>,
    /// Tier label (seed 002 uses `backend`).
    pub tier: Option<String>,
    /// A critical service gets the critical recovery objectives.
    pub critical: Option<bool>,
    /// Can run on interruptible (spot) capacity.
    pub interruptible: Option<bool>,
}

/// One value or a list.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum OneOrMany<T> {
    /// A single value.
    One(T),
    /// A list.
    Many(Vec<T>),
}

impl<T: Clone> OneOrMany<T> {
    /// The values as a list.
    pub fn to_vec(&self) -> Vec<T> {
        match self {
            OneOrMany::One(one) => vec![one.clone()],
            OneOrMany::Many(many) => many.clone(),
        }
    }
}

/// Local run settings.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Local {
    /// Shell command started with `PORT` and the datastore URLs in its environment.
    pub command: String,
    /// Working directory, relative to plinth.yaml.
    pub workdir: Option<String>,
}

/// CPU and memory.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Resources {
    /// `request..limit` (`100m..500m`).
    pub cpu: Option<Range<Cpu>>,
    /// `request..limit` (`256Mi..512Mi`).
    pub memory: Option<Range<Bytes>>,
}

/// Health checks: a path for both probes, or each probe in detail.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Health {
    /// One HTTP path for liveness and readiness.
    Path(String),
    /// Probes in detail.
    Detailed(Box<HealthDetail>),
}

/// Detailed health checks.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HealthDetail {
    /// Default HTTP path for every probe.
    pub path: Option<String>,
    /// Port (default: the main port).
    pub port: Option<u16>,
    /// Restart the container when this fails.
    pub liveness: Option<Probe>,
    /// Take the pod out of rotation when this fails.
    pub readiness: Option<Probe>,
    /// Hold the other probes until this succeeds (slow starters).
    pub startup: Option<Probe>,
}

/// One probe.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Probe {
    /// HTTP path (default: the health path).
    pub path: Option<String>,
    /// Wait before the first check.
    pub initial_delay: Option<Duration>,
    /// Time between checks.
    pub period: Option<Duration>,
    /// Time a check may take.
    pub timeout: Option<Duration>,
    /// Consecutive failures that count as down.
    #[schemars(range(min = 1, max = 100))]
    pub failure_threshold: Option<u32>,
}

/// Public exposure.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expose {
    /// A key of `domains`.
    pub domain: String,
    /// Path prefix (default `/`).
    pub path: Option<String>,
    /// Also serve `*.<domain>` and pass the tenant subdomain to the service.
    pub tenants: Option<bool>,
    /// Keep a client on one replica by cookie.
    pub sticky: Option<bool>,
}

/// Autoscaling.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Autoscale {
    /// Minimum replicas (default: `replicas`).
    #[schemars(range(min = 1, max = 1000))]
    pub min: Option<u32>,
    /// Maximum replicas.
    #[schemars(range(min = 1, max = 1000))]
    pub max: u32,
    /// Target average CPU utilisation.
    pub cpu: Option<Percent>,
    /// Target average memory utilisation.
    pub memory: Option<Percent>,
}

/// Security overrides for one service.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceSecurity {
    /// Run as this UID (default 10001).
    pub run_as_user: Option<u32>,
    /// Mount the root filesystem read-only (default true).
    pub read_only_root_filesystem: Option<bool>,
    /// Writable scratch directories (emptyDir); `/tmp` is always writable.
    pub writable: Option<Vec<String>>,
    /// Linux capabilities to add back after dropping all.
    pub capabilities: Option<Vec<String>>,
    /// Mount a service-account token (default false).
    pub service_account_token: Option<bool>,
}

/// Prometheus scraping of a service.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// Metrics path (default `/metrics`).
    pub path: Option<String>,
    /// Port name or number (default: the main port).
    pub port: Option<u16>,
}

/// Delivery strategy.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Delivery {
    /// `rolling`, `blue-green` or `canary`.
    pub strategy: Strategy,
    /// Rolling/canary: extra pods during an update (`1` or `25%`).
    pub max_surge: Option<IntOrPercent>,
    /// Rolling/canary: pods that may be unavailable during an update.
    pub max_unavailable: Option<IntOrPercent>,
    /// Blue-green: promote without a human (default false).
    pub auto_promote: Option<bool>,
    /// Blue-green: promote automatically after this long.
    pub auto_promote_after: Option<Duration>,
    /// Blue-green: keep the old version this long after the switch (default 30s).
    pub scale_down_delay: Option<Duration>,
    /// Smoke checks against the new version before traffic moves (`GET /health`).
    pub smoke: Option<Vec<String>>,
    /// Canary: the steps.
    pub steps: Option<Vec<Step>>,
    /// Analysis run around promotion.
    pub analysis: Option<Analysis>,
    /// Fail the rollout when it makes no progress for this long (default 10m).
    pub progress_deadline: Option<Duration>,
    /// Blue-green/canary: redeploying one of this many recent revisions skips the steps (default 3).
    #[schemars(range(min = 0, max = 10))]
    pub rollback_window: Option<u32>,
}

/// Rollout strategies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Strategy {
    /// Kubernetes rolling update.
    Rolling,
    /// Two full versions, switch at once.
    BlueGreen,
    /// Gradual traffic shift.
    Canary,
}

/// A pod count or a percentage.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum IntOrPercent {
    /// Absolute count.
    Int(u32),
    /// Percentage of replicas.
    Percent(Percent),
}

/// One canary step: exactly one of `weight`, `pause`, `analysis`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// Send this share of traffic to the new version.
    #[schemars(range(min = 0, max = 100))]
    pub weight: Option<u32>,
    /// Wait this long, or `manual` to wait for a promotion.
    pub pause: Option<String>,
    /// Run these analyses and stop on failure (`success-rate`, `latency`).
    pub analysis: Option<Vec<String>>,
}

/// Analysis around promotion.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Analysis {
    /// Blue-green: before the switch, against the preview.
    pub pre_promotion: Option<Vec<String>>,
    /// Blue-green: after the switch.
    pub post_promotion: Option<Vec<String>>,
    /// Canary: throughout the rollout.
    pub background: Option<Vec<String>>,
    /// Time between measurements (default 1m).
    pub interval: Option<Duration>,
    /// Measurements per analysis (default 5).
    pub count: Option<u32>,
    /// Failed measurements tolerated (default 1).
    pub failure_limit: Option<u32>,
}

/// Datastore engines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// PostgreSQL.
    Postgres,
    /// Redis.
    Redis,
    /// Object storage (S3).
    Bucket,
}

/// A datastore. Which fields apply depends on `engine`.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Datastore {
    /// `postgres`, `redis` or `bucket`.
    pub engine: Engine,
    /// Engine version (`"15"`, `"7"`).
    pub version: Option<String>,
    /// `managed` (RDS/ElastiCache) or `cluster` (a StatefulSet, seed 003).
    pub hosting: Option<Hosting>,
    /// Instance class (`db.r6g.large`) or a size word: `small`, `medium`, `large`, `xlarge`.
    pub size: Option<String>,
    /// Postgres: databases to create.
    pub databases: Option<Vec<String>>,
    /// Postgres/redis: storage size or `initial..maximum` growth.
    pub storage: Option<Range<Bytes>>,
    /// Standby in a second zone with automatic failover.
    pub multi_az: Option<bool>,
    /// Read replicas (postgres) or replicas per shard (redis).
    #[schemars(range(min = 0, max = 15))]
    pub replicas: Option<u32>,
    /// Postgres: connection pooling (PgBouncer, seed 004).
    pub pooler: Option<bool>,
    /// Backups.
    pub backup: Option<Backup>,
    /// Postgres: continuous WAL archiving for point-in-time recovery.
    pub pitr: Option<bool>,
    /// Redis: `standalone`, `replication` or `cluster`.
    pub mode: Option<RedisMode>,
    /// Redis: number of shards in cluster mode.
    #[schemars(range(min = 1, max = 500))]
    pub shards: Option<u32>,
    /// Redis: require AUTH (default true).
    pub auth: Option<bool>,
    /// Redis: `none`, `rdb`, `aof` or `rdb+aof`.
    pub persistence: Option<Persistence>,
    /// Redis: eviction policy (`allkeys-lru`).
    pub eviction: Option<String>,
    /// Bucket: keep object versions.
    pub versioning: Option<bool>,
    /// Bucket: storage-class transitions and expiry.
    pub lifecycle: Option<Vec<LifecycleRule>>,
    /// Bucket: replicate to this region.
    pub replicate_to: Option<String>,
    /// Bucket: `private` (default) or `public-read` (through the CDN).
    pub access: Option<Access>,
    /// In-cluster hosting: CPU and memory of the datastore's pod (seed 003's resource table).
    pub resources: Option<Resources>,
}

/// Where a datastore runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Hosting {
    /// The cloud's managed service.
    Managed,
    /// Inside the Kubernetes cluster.
    Cluster,
}

/// Redis topologies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RedisMode {
    /// One node.
    Standalone,
    /// A primary with replicas.
    Replication,
    /// Sharded cluster.
    Cluster,
}

/// Redis persistence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
pub enum Persistence {
    /// Memory only.
    #[serde(rename = "none")]
    None,
    /// Snapshots.
    #[serde(rename = "rdb")]
    Rdb,
    /// Append-only file.
    #[serde(rename = "aof")]
    Aof,
    /// Both.
    #[serde(rename = "rdb+aof")]
    RdbAof,
}

/// Bucket access.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Only the platform.
    Private,
    /// Readable by anyone (served through the CDN).
    PublicRead,
}

/// Backup schedule.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Backup {
    /// Interval between full backups (`24h`).
    pub every: Duration,
    /// How long backups are kept (`30d`).
    pub keep: Duration,
    /// Daily window start, UTC `HH:MM` (default `03:00`).
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub window: Option<String>,
}

/// A lifecycle transition.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LifecycleRule {
    /// Age at which the rule applies.
    pub after: Duration,
    /// `infrequent-access`, `glacier` or `expire`.
    pub to: LifecycleTarget,
    /// Only objects under this prefix.
    pub prefix: Option<String>,
}

/// Lifecycle targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum LifecycleTarget {
    /// S3 Standard-IA.
    InfrequentAccess,
    /// S3 Glacier.
    Glacier,
    /// Delete.
    Expire,
}

/// Observability.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Observability {
    /// Service-level objectives.
    pub slo: Option<Slo>,
    /// Channels by severity: `critical: [pagerduty]`.
    pub notify: Option<Notify>,
    /// Notification channels by name.
    pub channels: Option<BTreeMap<String, Channel>>,
    /// Escalation steps for unacknowledged critical alerts.
    pub escalation: Option<Vec<Escalation>>,
    /// Metrics retention (default 15d).
    pub retention: Option<Duration>,
    /// Metrics storage size.
    pub storage: Option<Bytes>,
    /// Prometheus replicas.
    pub replicas: Option<u32>,
    /// Scrape and evaluation interval (default 15s).
    pub scrape_interval: Option<Duration>,
    /// How fast each severity must be answered (default critical 15m, warning 4h).
    pub response: Option<Response>,
    /// Base URL alerts link their runbooks under (default: paths relative to the rendered output).
    pub runbooks: Option<String>,
}

/// Response-time targets per alert severity.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Response {
    /// Critical alerts: acknowledged within (default 15m).
    pub critical: Option<Duration>,
    /// Warnings: looked at within (default 4h, business hours).
    pub warning: Option<Duration>,
}

/// CI settings: the commands the rendered workflows run.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Build {
    /// Language and version of the toolchain CI sets up (`node@20`, `python@3.12`, `go@1.23`, `java@21`, `rust@1.85`).
    #[schemars(regex(pattern = r"^(node|python|go|java|rust)@[0-9][0-9.]*$"))]
    pub toolchain: Option<String>,
    /// Installs dependencies (`npm ci`).
    pub install: Option<String>,
    /// Lints.
    pub lint: Option<String>,
    /// Runs the tests.
    pub test: Option<String>,
    /// Coverage report the tests write (`coverage/lcov.info`), uploaded as an artifact.
    pub coverage: Option<String>,
    /// Docker build context (default `.`).
    pub context: Option<String>,
    /// Dockerfile path; `{service}` is replaced by the service name (default `{service}/Dockerfile`).
    pub dockerfile: Option<String>,
    /// Database migration commands for the manual migration workflow.
    pub migrate: Option<Migrate>,
    /// GitHub repository `owner/name` (scopes the cloud role CI assumes through OIDC).
    #[schemars(regex(pattern = r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$"))]
    pub repository: Option<String>,
}

/// Database migration commands.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Migrate {
    /// Applies pending migrations.
    pub up: String,
    /// Reverts the last migration.
    pub down: String,
}

/// Channel names per alert severity.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notify {
    /// Page now.
    pub critical: Option<Vec<String>>,
    /// Look within business hours.
    pub warning: Option<Vec<String>>,
    /// For trends.
    pub info: Option<Vec<String>>,
}

/// Service-level objectives.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Slo {
    /// Share of non-5xx responses (`99.9%`).
    pub availability: Option<Percent>,
    /// Latency objectives by percentile.
    pub latency: Option<Latency>,
    /// SLO window (default 30d).
    pub window: Option<Duration>,
}

/// Latency objectives.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Latency {
    /// 95th percentile.
    pub p95: Option<Duration>,
    /// 99th percentile.
    pub p99: Option<Duration>,
}

/// A notification channel; credentials are secret references.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Channel {
    /// `slack`, `pagerduty` or `email`.
    #[serde(rename = "type")]
    pub kind: ChannelKind,
    /// Slack channel (`#alerts`).
    pub channel: Option<String>,
    /// E-mail recipient.
    pub to: Option<String>,
    /// Name of the secret holding the webhook URL or routing key.
    pub secret: Option<String>,
}

/// Channel kinds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum ChannelKind {
    /// Slack webhook.
    Slack,
    /// PagerDuty Events v2.
    Pagerduty,
    /// E-mail.
    Email,
}

/// One escalation step.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Unacknowledged for this long.
    pub after: Duration,
    /// Then notify this channel.
    pub notify: String,
}

/// Recovery objectives.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Recovery {
    /// Maximum tolerated data loss.
    pub rpo: Duration,
    /// Maximum tolerated downtime.
    pub rto: Duration,
    /// Tighter objectives for services marked `critical: true`.
    pub critical: Option<CriticalRecovery>,
    /// Velero backups of the cluster state (Kubernetes environments; default daily at 02:00, kept 30 days).
    pub cluster_backup: Option<ClusterBackup>,
}

/// Velero backups of the application namespace.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClusterBackup {
    /// Take them (default true on Kubernetes).
    pub enabled: Option<bool>,
    /// Daily start, UTC `HH:MM` (default `02:00`).
    #[schemars(regex(pattern = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"))]
    pub at: Option<String>,
    /// Retention (default `30d`).
    pub keep: Option<Duration>,
    /// Velero BackupStorageLocation (default `default`).
    pub location: Option<String>,
}

/// Objectives for critical services.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CriticalRecovery {
    /// Maximum data loss.
    pub rpo: Duration,
    /// Maximum downtime.
    pub rto: Duration,
}

/// Platform security.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Security {
    /// `strict` (default deny, exact allows), `namespace` (allow within the namespace) or `none`.
    pub network_policy: Option<NetworkPolicyMode>,
    /// Pod Security Standard enforced on the namespace (default `restricted`).
    pub pod_security: Option<PodSecurity>,
    /// Per-IP rate limit at the edge (`100/min`).
    pub rate_limit: Option<Rate>,
    /// CIDRs allowed to reach admin paths.
    pub admin_allow: Option<Vec<String>>,
    /// Path prefixes that are admin-only (default `/admin`).
    pub admin_paths: Option<Vec<String>>,
    /// Web application firewall at the CDN (default true on AWS).
    pub waf: Option<bool>,
}

/// Network policy modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkPolicyMode {
    /// Default deny; only declared paths.
    Strict,
    /// Anything inside the namespace.
    Namespace,
    /// No policies.
    None,
}

/// Pod Security Standards levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum PodSecurity {
    /// Hardened.
    Restricted,
    /// Minimally restrictive.
    Baseline,
    /// Unrestricted.
    Privileged,
}

/// The secret store.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Secrets {
    /// `aws-secrets-manager`, `vault` or `kubernetes`.
    pub provider: SecretProvider,
    /// Remote key prefix (default `<name>/`; `<name>-` for `kubernetes`, whose keys are Secret names).
    pub prefix: Option<String>,
    /// Remote locations for specific names: `DB_PASSWORD: business-app/database#password`.
    pub keys: Option<BTreeMap<String, String>>,
    /// Vault: the server address (`https://vault.example.com:8200`); required for `vault`.
    pub address: Option<String>,
    /// Vault: the KV v2 mount (default `secret`).
    pub mount: Option<String>,
    /// Vault: the Kubernetes auth role External Secrets logs in with (default the application name).
    pub role: Option<String>,
}

/// Secret stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SecretProvider {
    /// AWS Secrets Manager.
    AwsSecretsManager,
    /// HashiCorp Vault.
    Vault,
    /// Plain Kubernetes Secrets created out of band.
    Kubernetes,
}

/// One environment.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Environment {
    /// `development`, `staging` or `production` (default: guessed from the name).
    pub stage: Option<Stage>,
    /// `kubernetes` (default) or `local` (`plinth up`).
    pub runtime: Option<Runtime>,
    /// Scale replicas and autoscaling bounds (`50%`).
    pub scale: Option<Percent>,
    /// Monthly budget in USD.
    #[schemars(range(min = 0))]
    pub budget: Option<f64>,
    /// Deploys need a human approval.
    pub approval: Option<bool>,
    /// Spread across zones (default: true in production).
    pub multi_az: Option<bool>,
    /// Git branch that deploys here.
    pub branch: Option<String>,
    /// Worker nodes.
    pub nodes: Option<Nodes>,
    /// Any field of the document, merged over the base (maps merge, everything else replaces).
    pub overrides: Option<serde_json::Map<String, serde_json::Value>>,
}

/// Environment stages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Developers' machines or a shared dev cluster.
    Development,
    /// Pre-production.
    Staging,
    /// Live users.
    Production,
}

/// Runtimes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Runtime {
    /// One machine, `plinth up`.
    Local,
    /// A Kubernetes cluster.
    Kubernetes,
}

/// Worker node pool.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Nodes {
    /// Minimum nodes.
    #[schemars(range(min = 1, max = 1000))]
    pub min: Option<u32>,
    /// Maximum nodes.
    #[schemars(range(min = 1, max = 1000))]
    pub max: Option<u32>,
    /// Instance type (`t3.medium`).
    pub instance_type: Option<String>,
    /// Add a spot pool for interruptible services.
    pub spot: Option<bool>,
}
