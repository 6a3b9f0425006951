//! Command-line definitions (clap); `--help` text lives here.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// plinth makes an infrastructure document executable: one `plinth.yaml` describes the
/// application; plinth validates it and renders every artifact the platform needs.
#[derive(Debug, Parser)]
#[command(name = "plinth", version, about, propagate_version = true)]
#[command(
    after_help = "Examples:\n  plinth validate examples/business-app/plinth.yaml\n  plinth render examples/business-app/plinth.yaml -o out\n  plinth render --env production --check -o out\n  plinth init --from docker-compose.yml"
)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check a spec and print every error and warning with its line and column.
    #[command(
        after_help = "Exit codes: 0 valid, 2 errors (or warnings with --deny-warnings).\n\nExamples:\n  plinth validate\n  plinth validate examples/codepal/plinth.yaml --deny-warnings\n  plinth validate --output json | jq '.diagnostics[]'"
    )]
    Validate(ValidateArgs),
    /// Render every artifact of every (or the chosen) environment into a directory.
    #[command(
        after_help = "The output directory is replaced atomically: a failure leaves the previous render untouched.\nExit codes: 0 rendered (or up to date with --check), 1 stale with --check, 2 spec errors.\n\nExamples:\n  plinth render -o out\n  plinth render --env staging --env production -o out\n  plinth render --check -o out   # in CI: fail when out/ was edited or not re-rendered"
    )]
    Render(RenderArgs),
    /// Print the JSON Schema of plinth.yaml (for editor completion and validation).
    #[command(after_help = "Example (VS Code YAML extension):\n  plinth schema > .vscode/plinth.schema.json")]
    Schema,
    /// Write a starting plinth.yaml, interactively or from a docker-compose file.
    #[command(
        after_help = "Examples:\n  plinth init                                  # asks on a terminal\n  plinth init --name shop --service web:8080   # no questions\n  plinth init --from docker-compose.yml -o plinth.yaml"
    )]
    Init(InitArgs),
    /// Show how an update of a service would roll out: phases, pods per version, pauses, analyses,
    /// the minimum duration and what a failure does.
    #[command(
        after_help = "Only --dry-run exists for now: the live rollout engine arrives with `plinth up`.\nThe environment defaults to the first one that runs on Kubernetes.\nExit codes: 0 planned, 2 spec errors, an unknown service or environment, or no --dry-run.\n\nExamples:\n  plinth rollout --dry-run kkp-api --env production examples/kkp-website/plinth.yaml\n  plinth rollout --dry-run web\n  plinth rollout --dry-run web --output json | jq '.phases[] | select(.kind == \"set-weight\")'"
    )]
    Rollout(RolloutArgs),
    /// Estimate the monthly cost of every (or the chosen) environment, itemised, with a range where
    /// autoscaling makes one, from a price file with a source for every price.
    #[command(
        after_help = "Prices come from the built-in prices/aws.yaml; --prices layers a file of the same shape over it (same id: replaced; new ids and usage keys: added or replaced).\nMissing prices are reported and left out of the totals, never guessed.\nExit codes: 0 within every budget, 1 an environment's total (top of its range) exceeds its `budget`, 2 spec or price-file errors.\n\nExamples:\n  plinth cost examples/ctoprojects/plinth.yaml\n  plinth cost --env prod --output json | jq '.environments[0].total_usd'\n  plinth cost --output markdown --prices my-prices.yaml > COST.md"
    )]
    Cost(CostArgs),
    /// Check the spec and any Kubernetes, Terraform, compose, GitHub Actions or Dockerfile files
    /// against production rules, with findings at the line and column.
    #[command(
        after_help = "Without a path, checks plinth.yaml (spec rules) and a fresh in-memory render of it, each file under its render path. Directories are walked (.git, target, node_modules and .tools skipped); formats are detected by content. The Kubernetes files of one directory (a kustomization, a rendered environment) are checked together: rules about several objects (a PodDisruptionBudget or NetworkPolicy for a workload, a Service's pods, kustomization.yaml's images:) see all of them.\n\nSuppressions, always with a reason (an expired or reasonless one is a finding):\n  # plinth:ignore PL-K8S-001 reason=\"needs root until #42\" until=2026-06-30   (on the line or the line above)\n  Kubernetes metadata.annotations: plinth.dev/ignore: \"PL-K8S-001,PL-K8S-004\", plinth.dev/ignore-reason: \"…\", plinth.dev/ignore-until: \"2026-06-30\"   (that object)\n  compose services.<name>.labels (a mapping or KEY=VALUE list): the same three keys, plinth.dev/ignore: \"PL-COMPOSE-007\"   (that service, in that file)\n  .plinth-check.yaml: ignore: [{ rule, paths: [glob], reason, until }], disable: [rules], fail_on\n\nJSON output (stable; fields are only added): { files, skipped, findings: [{ path, line, column, rule, severity, message, object }], suppressed: [{ finding, reason }], baselined, errors: [{ path, line, column, message }] }.\nExit codes: 0 clean, 1 findings at or above --fail-on, 2 usage errors or inputs that could not be checked.\n\nExamples:\n  plinth check\n  plinth check k8s/ docker-compose.yml .github/workflows --fail-on error\n  plinth check deploy/ --output sarif > plinth.sarif\n  plinth check deploy/ --write-baseline .plinth-baseline.json\n  plinth check deploy/ --baseline .plinth-baseline.json   # only new findings\n  plinth check --list-rules\n  plinth check --explain PL-SPEC-003"
    )]
    Check(CheckArgs),
    /// Run the demo workload: the stand-in `plinth up` starts for services without a local
    /// command, in the spirit of podinfo (version and colour, toggleable probes, injected errors
    /// and latency that spare the probes, Prometheus metrics, PostgreSQL and Redis round trips).
    #[command(
        after_help = "Settings come from the environment the supervisor injects; flags override them.\nEndpoints (JSON unless noted): GET / (service, version, color, hostname, pid, uptime), GET /version, GET /healthz, GET /readyz, POST /healthz/enable|disable, POST /readyz/enable|disable, GET /status/{code}, GET /delay/{seconds} (at most 30), GET|POST|DELETE /chaos ({\"error_rate\": 0.2, \"latency_ms\": 300}: that share of ordinary requests fails with 500, exactly and evenly, and each waits; the probes, /metrics and /chaos are spared), GET /metrics (Prometheus text: http_requests_total and http_request_duration_seconds by method, route and status), GET /db (DATABASE_URL), GET /cache (REDIS_URL).\nLogs: one JSON line per request on stdout, after a first line {\"msg\": \"listening\", \"address\": …} naming the bound address.\nSIGTERM or Ctrl-C: stop accepting, finish in-flight requests (up to --drain), exit 0.\n\nExamples:\n  plinth demo --port 8080\n  PORT=0 SERVICE_NAME=api VERSION=v2 COLOR=green plinth demo\n  plinth demo --error-rate 0.05 --latency 200ms\n  DATABASE_URL=postgres://postgres@localhost/app REDIS_URL=redis://localhost plinth demo\n  curl -X POST localhost:8080/chaos -d '{\"error_rate\": 0.2, \"latency_ms\": 300}'"
    )]
    Demo(DemoArgs),
    /// Run an environment whose runtime is `local` on this machine, without Docker: PostgreSQL and
    /// Redis from their programs, every service (its `local_command`, or the demo workload), and
    /// the HTTPS gateway in front; stays in the foreground printing the services' logs.
    #[command(
        after_help = "SPEC is a plinth.yaml or a directory holding one. State lives in <spec dir>/.plinth/<env>/ (datastores, secrets.json, logs/gateway.log, admin.json, admin.token); the local CA in <spec dir>/.plinth/ca/, shared by environments.\nHosts: a spec host keeps its labels left of its registrable domain (the last two labels), which becomes <app>.localhost: api.business-app.com → api.business-app.localhost; tenant routes answer *.<that name> with the tenant in X-Tenant.\nServices reach the services they call at their first replica (<CALLEE>_URL=http://127.0.0.1:<port>).\nCtrl-C or SIGTERM (or `plinth down`): the gateway drains, then services and datastores stop in reverse order; exit 0.\nExit codes: 0 stopped cleanly, 1 already running or failed to start, 2 spec errors or an environment that is not local.\n\nExamples:\n  plinth up\n  plinth up examples/business-app --env development\n  plinth up --https-port 8443 --output json\n  curl --cacert .plinth/ca/ca.cert.pem https://api.business-app.localhost:8443/"
    )]
    Up(UpArgs),
    /// Show the replicas of a running environment: state, pid, port, restarts, last exit, URLs.
    #[command(
        after_help = "Exit codes: 0 shown, 1 nothing runs, 2 usage errors.\n\nExamples:\n  plinth status\n  plinth status --env staging --output json | jq '.services[] | {name, ready}'"
    )]
    Status(AdminArgs),
    /// Run N replicas of a service in a running environment; the gateway follows their readiness.
    #[command(
        after_help = "Exit codes: 0 scaled, 1 nothing runs or unknown service, 2 usage errors.\n\nExamples:\n  plinth scale api-gateway 5\n  plinth scale backend 1 --env staging"
    )]
    Scale(ScaleArgs),
    /// Re-read plinth.yaml into a running environment: replica counts, routes and the rate limit
    /// change at once; other changes are listed as needing a restart of `plinth up`.
    #[command(
        after_help = "Exit codes: 0 reloaded, 1 nothing runs, the spec has errors or a change failed (a roll that stops keeps the previous replicas), 2 usage errors.\n\nExamples:\n  plinth reload\n  plinth reload --env staging --output json"
    )]
    Reload(AdminArgs),
    /// Stop a running environment (as Ctrl-C in its `plinth up` would) and wait until it is gone.
    #[command(
        after_help = "Exit codes: 0 stopped, 1 nothing runs or it did not stop in time, 2 usage errors.\n\nExamples:\n  plinth down\n  plinth down --env staging"
    )]
    Down(AdminArgs),
    /// Print the recent output of a running environment's services (all, or one), optionally
    /// following it.
    #[command(
        after_help = "Exit codes: 0 printed, 1 nothing runs or unknown service, 2 usage errors.\n\nExamples:\n  plinth logs\n  plinth logs api-gateway -f\n  plinth logs postgres --output json | jq -r .line"
    )]
    Logs(LogsArgs),
}

/// `plinth up`.
#[derive(Debug, Args)]
pub struct UpArgs {
    /// The spec file, or a directory holding plinth.yaml.
    #[arg(default_value = "plinth.yaml")]
    pub spec: PathBuf,
    /// The environment (default: the first whose runtime is local).
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// The gateway's HTTPS port on 127.0.0.1 (default: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub https_port: u16,
    /// The gateway's plain-HTTP port, redirecting to HTTPS (default: a free one).
    #[arg(long, value_name = "PORT", default_value_t = 0)]
    pub http_port: u16,
    /// Logs as `service.N | line` (coloured on a terminal) or as JSON lines.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
    /// How long everything may take to become ready.
    #[arg(long, value_name = "DURATION", default_value = "180s", value_parser = humantime::parse_duration)]
    pub timeout: Duration,
}

/// Where a running environment is found: `<spec dir>/.plinth/<env>/admin.json`.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The spec file, or a directory holding plinth.yaml; its directory holds `.plinth/`.
    #[arg(long = "spec", value_name = "SPEC", default_value = "plinth.yaml")]
    pub spec: PathBuf,
    /// The environment (default: the only one running).
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// `plinth scale`.
#[derive(Debug, Args)]
pub struct ScaleArgs {
    /// The service.
    pub service: String,
    /// How many replicas to run.
    pub replicas: u32,
    #[command(flatten)]
    pub admin: AdminArgs,
}

/// `plinth logs`.
#[derive(Debug, Args)]
pub struct LogsArgs {
    /// Only this service (or datastore).
    pub service: Option<String>,
    /// Keep printing new lines until interrupted.
    #[arg(short, long)]
    pub follow: bool,
    #[command(flatten)]
    pub admin: AdminArgs,
}

/// Options shared by commands that read a spec.
#[derive(Debug, Args)]
pub struct SpecArgs {
    /// The spec file.
    #[arg(default_value = "plinth.yaml")]
    pub file: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub output: Format,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people; colours on a terminal.
    Text,
    /// For scripts.
    Json,
}

/// `plinth validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Fail (exit 2) on warnings too.
    #[arg(long)]
    pub deny_warnings: bool,
}

/// `plinth render`.
#[derive(Debug, Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub spec: SpecArgs,
    /// Only these environments (repeatable); default all.
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Output directory.
    #[arg(short = 'o', long = "out", default_value = "out")]
    pub out: PathBuf,
    /// Write nothing; exit 1 if the directory differs from a fresh render.
    #[arg(long)]
    pub check: bool,
}

/// `plinth rollout`.
#[derive(Debug, Args)]
pub struct RolloutArgs {
    /// The service to roll out.
    pub service: String,
    #[command(flatten)]
    pub spec: SpecArgs,
    /// The environment (default: the first that runs on Kubernetes, else the first).
    #[arg(long, value_name = "ENV")]
    pub env: Option<String>,
    /// Print the plan and change nothing. Required for now: the live rollout engine arrives with
    /// `plinth up`.
    #[arg(long)]
    pub dry_run: bool,
}

/// `plinth init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Import a docker-compose file: services (image, port, env, depends_on, healthcheck) and
    /// postgres/redis/minio containers as datastores; secret-looking variables become references.
    #[arg(long, value_name = "COMPOSE_FILE")]
    pub from: Option<PathBuf>,
    /// Application name (default: the name of the compose file's, or else the output's, directory).
    #[arg(long)]
    pub name: Option<String>,
    /// AWS region, e.g. ap-south-1 (default: us-east-1).
    #[arg(long)]
    pub region: Option<String>,
    /// A service as NAME:PORT (repeatable); without --from and off a terminal at least one is needed.
    #[arg(long = "service", value_name = "NAME:PORT")]
    pub services: Vec<String>,
    /// Where to write the spec.
    #[arg(short = 'o', long = "out", default_value = "plinth.yaml")]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}

/// `plinth cost`.
#[derive(Debug, Args)]
pub struct CostArgs {
    /// The spec file.
    #[arg(default_value = "plinth.yaml")]
    pub file: PathBuf,
    /// Only these environments (repeatable); default all.
    #[arg(long = "env", value_name = "ENV")]
    pub envs: Vec<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CostFormat::Table)]
    pub output: CostFormat,
    /// A price file layered over the built-in prices (see prices/aws.yaml for the shape).
    #[arg(long, value_name = "FILE")]
    pub prices: Option<PathBuf>,
}

/// Output formats of `plinth cost`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CostFormat {
    /// Aligned tables for people.
    Table,
    /// For scripts.
    Json,
    /// Markdown tables (as in REPORT.md).
    Markdown,
}

/// `plinth check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: plinth.yaml and a fresh render of it).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Human)]
    pub output: CheckFormat,
    /// The lowest severity that fails the run with exit code 1 (default: the config's `fail_on`, else warning).
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub fail_on: Option<FailOn>,
    /// Report only findings not in this baseline file.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write the current findings to this baseline file and exit 0.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// The config file (default: .plinth-check.yaml when it exists).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// List every rule: id, severity, target, name, summary.
    #[arg(long, conflicts_with_all = ["paths", "explain"])]
    pub list_rules: bool,
    /// Print a rule's documentation.
    #[arg(long, value_name = "RULE", conflicts_with = "paths")]
    pub explain: Option<String>,
}

/// Output formats of `plinth check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// rustc-style findings with the source line, and a summary; colours on a terminal.
    Human,
    /// The report as JSON (see the format above).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
}

/// Severities for `--fail-on`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// Any finding fails.
    Info,
    /// Warnings and errors fail.
    Warning,
    /// Only errors fail.
    Error,
}

/// `plinth demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The address to listen on.
    #[arg(long, env = "HOST", default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// The port to listen on; 0 picks a free one (the first log line names it).
    #[arg(long, env = "PORT", default_value_t = 8080)]
    pub port: u16,
    /// The service this instance stands in for [default: demo].
    #[arg(long, env = "SERVICE_NAME")]
    pub service: Option<String>,
    /// The version it reports [default: plinth's].
    #[arg(long = "app-version", env = "VERSION", value_name = "VERSION")]
    pub app_version: Option<String>,
    /// A colour telling versions apart [default: blue].
    #[arg(long, env = "COLOR")]
    pub color: Option<String>,
    /// PostgreSQL for /db: a postgres:// URL or key=value connection string.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    pub database_url: Option<String>,
    /// Redis for /cache: redis://[:password@]host:port[/db].
    #[arg(long, env = "REDIS_URL", hide_env_values = true, value_name = "URL")]
    pub redis_url: Option<String>,
    /// The share (0 to 1) of ordinary requests that fail with 500 from the start (see /chaos).
    #[arg(long, env = "ERROR_RATE", default_value_t = 0.0, value_name = "RATE")]
    pub error_rate: f64,
    /// The delay every ordinary request gets from the start: 300ms, 1s, or milliseconds.
    #[arg(long, env = "LATENCY", value_parser = plinth_demo::parse_latency, default_value = "0")]
    pub latency: Duration,
    /// How long in-flight requests may take to finish after SIGTERM [default: 5s].
    #[arg(long, value_parser = plinth_demo::parse_latency, value_name = "DURATION")]
    pub drain: Option<Duration>,
}
