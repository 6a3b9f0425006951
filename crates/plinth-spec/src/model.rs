//! The resolved model: one environment of the spec with every default applied and every reference
//! resolved. Backends only ever see this.

use std::collections::BTreeMap;

pub use crate::input::{
    Access, Challenge, ChannelKind, Engine, Hosting, IngressClass, Issuer, LifecycleTarget, NetworkPolicyMode,
    Persistence, PodSecurity, Provider, RedisMode, Runtime, SecretProvider, Stage, Strategy,
};
use crate::units::{Bytes, Cpu, Duration, Percent, Range, Rate};

/// One environment of the application, fully explicit.
#[derive(Debug, Clone, PartialEq)]
pub struct Platform {
    /// Application name.
    pub name: String,
    /// One line about it.
    pub description: Option<String>,
    /// Owning team (cost-allocation tag).
    pub owner: String,
    /// The environment this model is for.
    pub environment: Environment,
    /// Cloud placement.
    pub cloud: Cloud,
    /// Host names by key.
    pub domains: BTreeMap<String, String>,
    /// Certificates.
    pub tls: Tls,
    /// Cluster settings.
    pub kubernetes: Kubernetes,
    /// Services, sorted by name.
    pub services: Vec<Service>,
    /// Datastores, sorted by name.
    pub datastores: Vec<Datastore>,
    /// Monitoring and alerting.
    pub observability: Observability,
    /// Recovery objectives.
    pub recovery: Recovery,
    /// Security settings.
    pub security: Security,
    /// The secret store.
    pub secrets: SecretStore,
    /// CI settings.
    pub build: Build,
}

impl Platform {
    /// The service called `name`.
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    /// The datastore called `name`.
    pub fn datastore(&self, name: &str) -> Option<&Datastore> {
        self.datastores.iter().find(|d| d.name == name)
    }

    /// Services in start order: every service after the services it calls (ties by name).
    pub fn start_order(&self) -> Vec<&Service> {
        let mut ordered: Vec<&Service> = Vec::with_capacity(self.services.len());
        while ordered.len() < self.services.len() {
            let before = ordered.len();
            for service in &self.services {
                let placed = |name: &str| ordered.iter().any(|s| s.name == name);
                if !placed(&service.name) && service.calls.iter().all(|c| placed(c)) {
                    ordered.push(service);
                }
            }
            if ordered.len() == before {
                // Cycles are rejected by the resolver; this only keeps the function total.
                let rest: Vec<&Service> =
                    self.services.iter().filter(|s| !ordered.iter().any(|o| o.name == s.name)).collect();
                ordered.extend(rest);
            }
        }
        ordered
    }
}

/// Environment settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Environment {
    /// Name (`staging`).
    pub name: String,
    /// Development, staging or production.
    pub stage: Stage,
    /// Local or Kubernetes.
    pub runtime: Runtime,
    /// Scale applied to replica counts.
    pub scale: Percent,
    /// Monthly budget in USD.
    pub budget: Option<f64>,
    /// Deploys need approval.
    pub approval: bool,
    /// Spread over several zones.
    pub multi_az: bool,
    /// Git branch that deploys here.
    pub branch: Option<String>,
    /// Worker nodes.
    pub nodes: Nodes,
}

/// Worker nodes.
#[derive(Debug, Clone, PartialEq)]
pub struct Nodes {
    /// Minimum.
    pub min: u32,
    /// Maximum.
    pub max: u32,
    /// Instance type.
    pub instance_type: String,
    /// A spot pool for interruptible services.
    pub spot: bool,
}

/// Cloud placement.
#[derive(Debug, Clone, PartialEq)]
pub struct Cloud {
    /// Provider.
    pub provider: Provider,
    /// Region.
    pub region: String,
    /// Availability zones used (`ap-south-1a`, …).
    pub zones: Vec<String>,
    /// Standby region.
    pub dr_region: Option<String>,
    /// VPC CIDR.
    pub cidr: String,
}

/// Certificates.
#[derive(Debug, Clone, PartialEq)]
pub struct Tls {
    /// Issuer.
    pub issuer: Issuer,
    /// ACME e-mail.
    pub email: Option<String>,
    /// ACME challenge.
    pub challenge: Challenge,
    /// Renewal lead time.
    pub renew_before: Duration,
}

/// Cluster settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Kubernetes {
    /// Minor version (`1.33`).
    pub version: String,
    /// Namespace.
    pub namespace: String,
    /// Ingress controller.
    pub ingress: IngressClass,
}

/// A named container port.
#[derive(Debug, Clone, PartialEq)]
pub struct Port {
    /// Name (`http` for the main port).
    pub name: String,
    /// Number.
    pub number: u16,
}

/// A service.
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    /// Name.
    pub name: String,
    /// Image without tag.
    pub image: String,
    /// Local command for `plinth up` (`None`: the built-in demo workload).
    pub local_command: Option<String>,
    /// Working directory of the local command.
    pub local_workdir: Option<String>,
    /// Ports; the first is the main HTTP port named `http`.
    pub ports: Vec<Port>,
    /// Replicas after the environment's scale.
    pub replicas: u32,
    /// CPU request..limit.
    pub cpu: Range<Cpu>,
    /// Memory request..limit.
    pub memory: Range<Bytes>,
    /// Probes.
    pub health: Health,
    /// Plain environment variables.
    pub env: BTreeMap<String, String>,
    /// Secret names injected as environment variables, including those datastores need.
    pub secrets: Vec<String>,
    /// Datastores used.
    pub uses: Vec<Use>,
    /// Services called.
    pub calls: Vec<String>,
    /// Public routes.
    pub expose: Vec<Route>,
    /// Autoscaling after the environment's scale.
    pub autoscale: Option<Autoscale>,
    /// Delivery strategy.
    pub delivery: Delivery,
    /// Container security.
    pub security: ContainerSecurity,
    /// Metrics scraping.
    pub metrics: Metrics,
    /// Tier label.
    pub tier: Option<String>,
    /// Gets the critical recovery objectives.
    pub critical: bool,
    /// May run on spot capacity.
    pub interruptible: bool,
}

impl Service {
    /// The main HTTP port.
    pub fn port(&self) -> u16 {
        self.ports[0].number
    }

    /// The replica floor the platform keeps: the autoscaler's minimum, or the replica count.
    pub fn min_replicas(&self) -> u32 {
        self.autoscale.as_ref().map_or(self.replicas, |a| a.min)
    }
}

/// A datastore a service uses.
#[derive(Debug, Clone, PartialEq)]
pub struct Use {
    /// Datastore name.
    pub datastore: String,
    /// Its engine.
    pub engine: Engine,
    /// One database of a postgres datastore.
    pub database: Option<String>,
}

/// A public route.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Domain key.
    pub domain: String,
    /// Host name.
    pub host: String,
    /// Path prefix.
    pub path: String,
    /// Wildcard tenant subdomains.
    pub tenants: bool,
    /// Cookie stickiness.
    pub sticky: bool,
}

/// Probes.
#[derive(Debug, Clone, PartialEq)]
pub struct Health {
    /// Port probed.
    pub port: u16,
    /// Liveness.
    pub liveness: Probe,
    /// Readiness.
    pub readiness: Probe,
    /// Startup, if any.
    pub startup: Option<Probe>,
}

/// One HTTP probe.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    /// Path.
    pub path: String,
    /// Initial delay.
    pub initial_delay: Duration,
    /// Period.
    pub period: Duration,
    /// Timeout.
    pub timeout: Duration,
    /// Failure threshold.
    pub failure_threshold: u32,
}

/// Autoscaling bounds and targets.
#[derive(Debug, Clone, PartialEq)]
pub struct Autoscale {
    /// Minimum replicas.
    pub min: u32,
    /// Maximum replicas.
    pub max: u32,
    /// CPU target.
    pub cpu: Option<Percent>,
    /// Memory target.
    pub memory: Option<Percent>,
}

/// A count or a percentage.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum IntOrPercent {
    /// Count.
    Int(u32),
    /// Percentage.
    Percent(Percent),
}

/// Delivery, every field explicit.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    /// Strategy.
    pub strategy: Strategy,
    /// Surge.
    pub max_surge: IntOrPercent,
    /// Unavailable.
    pub max_unavailable: IntOrPercent,
    /// Blue-green auto promotion.
    pub auto_promote: bool,
    /// Blue-green promotion delay.
    pub auto_promote_after: Option<Duration>,
    /// Blue-green scale-down delay.
    pub scale_down_delay: Duration,
    /// Smoke checks (`GET /health`).
    pub smoke: Vec<String>,
    /// Canary steps.
    pub steps: Vec<Step>,
    /// Analyses.
    pub analysis: Analysis,
    /// Progress deadline.
    pub progress_deadline: Duration,
    /// Recent revisions a redeploy returns to without the steps.
    pub rollback_window: u32,
}

impl Delivery {
    /// The canary step after which the new version first takes traffic (the first `weight`): smoke
    /// checks run right after it, and background analysis starts there.
    pub fn first_weight_step(&self) -> Option<usize> {
        self.steps.iter().position(|step| matches!(step, Step::Weight(_)))
    }
}

/// A canary step.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Traffic share.
    Weight(u32),
    /// Timed pause, or `None` for a manual one.
    Pause(Option<Duration>),
    /// Inline analysis.
    Analysis(Vec<String>),
}

/// Analysis settings.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    /// Before promotion.
    pub pre_promotion: Vec<String>,
    /// After promotion.
    pub post_promotion: Vec<String>,
    /// Background.
    pub background: Vec<String>,
    /// Interval.
    pub interval: Duration,
    /// Measurements.
    pub count: u32,
    /// Failures tolerated.
    pub failure_limit: u32,
}

/// The analysis templates plinth derives from SLOs.
pub const ANALYSES: [&str; 2] = ["success-rate", "latency"];

/// Container security settings.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerSecurity {
    /// UID.
    pub run_as_user: u32,
    /// Read-only root filesystem.
    pub read_only_root_filesystem: bool,
    /// Writable directories besides `/tmp`.
    pub writable: Vec<String>,
    /// Capabilities added back.
    pub capabilities: Vec<String>,
    /// Mount a service-account token.
    pub service_account_token: bool,
}

/// Metrics scraping.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Path.
    pub path: String,
    /// Port.
    pub port: u16,
}

/// A datastore.
#[derive(Debug, Clone, PartialEq)]
pub struct Datastore {
    /// Name.
    pub name: String,
    /// Engine.
    pub engine: Engine,
    /// Engine version.
    pub version: String,
    /// Managed or in-cluster.
    pub hosting: Hosting,
    /// Instance class or size word.
    pub size: String,
    /// Postgres databases.
    pub databases: Vec<String>,
    /// Storage initial..maximum.
    pub storage: Range<Bytes>,
    /// Multi-AZ standby.
    pub multi_az: bool,
    /// Read replicas / replicas per shard.
    pub replicas: u32,
    /// Connection pooler.
    pub pooler: bool,
    /// Backups.
    pub backup: Option<Backup>,
    /// WAL archiving / PITR.
    pub pitr: bool,
    /// Redis mode.
    pub mode: RedisMode,
    /// Redis shards.
    pub shards: u32,
    /// Redis AUTH.
    pub auth: bool,
    /// Redis persistence.
    pub persistence: Persistence,
    /// Redis eviction policy.
    pub eviction: String,
    /// Bucket versioning.
    pub versioning: bool,
    /// Bucket lifecycle.
    pub lifecycle: Vec<Lifecycle>,
    /// Bucket replication region.
    pub replicate_to: Option<String>,
    /// Bucket access.
    pub access: Access,
    /// In-cluster pod CPU request..limit.
    pub cpu: Range<Cpu>,
    /// In-cluster pod memory request..limit.
    pub memory: Range<Bytes>,
}

impl Datastore {
    /// The TCP port clients use.
    pub fn port(&self) -> Option<u16> {
        match self.engine {
            Engine::Postgres => Some(5432),
            Engine::Redis => Some(6379),
            Engine::Bucket => None,
        }
    }
}

/// Backups.
#[derive(Debug, Clone, PartialEq)]
pub struct Backup {
    /// Interval.
    pub every: Duration,
    /// Retention.
    pub keep: Duration,
    /// Window start, UTC `HH:MM`.
    pub window: String,
}

/// A lifecycle rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Lifecycle {
    /// Age.
    pub after: Duration,
    /// Target.
    pub to: LifecycleTarget,
    /// Prefix.
    pub prefix: Option<String>,
}

/// Observability.
#[derive(Debug, Clone, PartialEq)]
pub struct Observability {
    /// Availability objective.
    pub availability: Option<Percent>,
    /// p95 latency objective.
    pub latency_p95: Option<Duration>,
    /// p99 latency objective.
    pub latency_p99: Option<Duration>,
    /// SLO window.
    pub slo_window: Duration,
    /// Channels for critical alerts.
    pub critical: Vec<String>,
    /// Channels for warnings.
    pub warning: Vec<String>,
    /// Channels for info.
    pub info: Vec<String>,
    /// Channels by name.
    pub channels: BTreeMap<String, Channel>,
    /// Escalation steps.
    pub escalation: Vec<(Duration, String)>,
    /// Retention.
    pub retention: Duration,
    /// Storage.
    pub storage: Bytes,
    /// Prometheus replicas.
    pub replicas: u32,
    /// Scrape interval.
    pub scrape_interval: Duration,
    /// Acknowledge critical alerts within.
    pub response_critical: Duration,
    /// Look at warnings within.
    pub response_warning: Duration,
    /// Base URL of the runbooks (`None`: paths relative to the rendered output).
    pub runbooks: Option<String>,
}

/// CI settings, defaults applied.
#[derive(Debug, Clone, PartialEq)]
pub struct Build {
    /// Toolchain language (`node`) and version (`20`).
    pub toolchain: Option<(String, String)>,
    /// Dependency install command.
    pub install: Option<String>,
    /// Lint command.
    pub lint: Option<String>,
    /// Test command.
    pub test: Option<String>,
    /// Coverage report path.
    pub coverage: Option<String>,
    /// Docker build context.
    pub context: String,
    /// Dockerfile path pattern with `{service}`.
    pub dockerfile: String,
    /// Migration commands (up, down).
    pub migrate: Option<(String, String)>,
    /// GitHub `owner/name`.
    pub repository: Option<String>,
}

impl Build {
    /// The Dockerfile of service `name`.
    pub fn dockerfile_for(&self, name: &str) -> String {
        self.dockerfile.replace("{service}", name)
    }
}

/// A notification channel.
#[derive(Debug, Clone, PartialEq)]
pub struct Channel {
    /// Kind.
    pub kind: ChannelKind,
    /// Slack channel.
    pub channel: Option<String>,
    /// E-mail recipient.
    pub to: Option<String>,
    /// Secret holding the credential.
    pub secret: Option<String>,
}

/// Recovery objectives.
#[derive(Debug, Clone, PartialEq)]
pub struct Recovery {
    /// RPO.
    pub rpo: Duration,
    /// RTO.
    pub rto: Duration,
    /// Critical services' RPO and RTO.
    pub critical: Option<(Duration, Duration)>,
    /// Velero backups of the namespace (Kubernetes environments).
    pub cluster_backup: Option<ClusterBackup>,
}

/// A daily Velero backup of the application namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterBackup {
    /// Start, UTC `HH:MM`.
    pub at: String,
    /// Retention.
    pub keep: Duration,
    /// BackupStorageLocation.
    pub location: String,
}

/// Security.
#[derive(Debug, Clone, PartialEq)]
pub struct Security {
    /// Network policy mode.
    pub network_policy: NetworkPolicyMode,
    /// Pod security level.
    pub pod_security: PodSecurity,
    /// Edge rate limit per IP.
    pub rate_limit: Option<Rate>,
    /// Admin CIDRs.
    pub admin_allow: Vec<String>,
    /// Admin paths.
    pub admin_paths: Vec<String>,
    /// WAF at the CDN.
    pub waf: bool,
}

/// The secret store.
#[derive(Debug, Clone, PartialEq)]
pub struct SecretStore {
    /// Provider.
    pub provider: SecretProvider,
    /// Remote key prefix for names without an explicit location (`business-app/`).
    pub prefix: String,
    /// Remote references by secret name.
    pub keys: BTreeMap<String, RemoteRef>,
    /// Vault address, mount and role.
    pub vault: Option<Vault>,
}

impl SecretStore {
    /// Where the value of secret `name` lives: its explicit location, or `<prefix><name in kebab case>`
    /// (a plain-string secret in AWS Secrets Manager; property `value` of a Vault entry or a Kubernetes Secret).
    pub fn remote(&self, name: &str) -> RemoteRef {
        self.keys.get(name).cloned().unwrap_or_else(|| RemoteRef {
            key: format!("{}{}", self.prefix, name.to_lowercase().replace('_', "-")),
            property: (self.provider != SecretProvider::AwsSecretsManager).then(|| "value".to_owned()),
        })
    }
}

/// A Vault KV v2 store reached with Kubernetes auth.
#[derive(Debug, Clone, PartialEq)]
pub struct Vault {
    /// Server URL.
    pub address: String,
    /// KV v2 mount.
    pub mount: String,
    /// Kubernetes auth role.
    pub role: String,
}

/// Where a secret value lives.
#[derive(Debug, Clone, PartialEq)]
pub struct RemoteRef {
    /// Remote key (`business-app/database`).
    pub key: String,
    /// Property inside it (`password`).
    pub property: Option<String>,
}
