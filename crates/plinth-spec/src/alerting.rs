//! The alert and recording-rule catalogue of an environment, as data: the Prometheus rule files,
//! the PrometheusRule objects and the runbooks all come from [`rule_groups`] / [`alerts`].
//!
//! Per service: seed 002's `HighErrorRate` (5xx share above 5 % for 5 minutes, critical) and
//! `HighLatency` (p95 above the spec's p95 objective, seed 002's 1 s without one, for 5 minutes,
//! warning); `PodNotReady` (seed 002, Kubernetes) or `ServiceDown` (local: the scrape fails);
//! `MemorySaturation` against the spec's memory limit; with an availability objective,
//! `ErrorBudgetBurn`: the SRE workbook's multi-window multi-burn-rate alerts as Sloth encodes them
//! (research §B.1), one rule per window pair so each can be told apart (label `long`).
//! Per datastore: `DatabaseConnectionFailed` (seed 002's `pg_up == 0` for 1 minute), `RedisDown`,
//! `DatastoreExporterAbsent` (the exporter plinth deploys for it stopped reporting), each only where
//! [`exporter`] deploys one; `BackupTooOld` (last successful backup older than the RPO) for the
//! datastores plinth backs up itself.
//! Platform-wide (no `service` label): `CertificateExpiringSoon` (cert-manager), `VolumeFillingUp`
//! (in-cluster datastores' volumes), `PrometheusStorageFull` (against `observability.storage`),
//! and the always-firing `Watchdog`.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::links::runbook_url;
use crate::model::{Datastore, Engine, Hosting, Issuer, Platform, Runtime, Service};
use crate::telemetry::{BACKUP_LAST_SUCCESS, DATASTORE_LABEL, DURATION, Exporter, REQUESTS, exporter};
use crate::units::Duration;

/// How urgent an alert is; Alertmanager routes on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertSeverity {
    /// Page now.
    Critical,
    /// Look within working hours.
    Warning,
    /// For the record.
    Info,
}

impl AlertSeverity {
    /// Every severity, most urgent first.
    pub const ALL: [AlertSeverity; 3] = [AlertSeverity::Critical, AlertSeverity::Warning, AlertSeverity::Info];

    /// The `severity` label value.
    pub fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Critical => "critical",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Info => "info",
        }
    }
}

/// A named group of rules, evaluated together.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleGroup {
    /// Group name, unique in the environment.
    pub name: String,
    /// Rules in evaluation order.
    pub rules: Vec<Rule>,
}

impl RuleGroup {
    /// The group in Prometheus' rule-file format, which is also a PrometheusRule's `spec.groups[]`.
    pub fn to_json(&self) -> Value {
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|rule| match rule {
                Rule::Record { record, expr, labels } => {
                    let mut rule = json!({ "record": record, "expr": expr });
                    if !labels.is_empty() {
                        rule["labels"] = json!(labels);
                    }
                    rule
                }
                Rule::Alert(alert) => {
                    let mut rule = json!({ "alert": alert.name, "expr": alert.expr });
                    if alert.for_.0 > 0 {
                        rule["for"] = json!(alert.for_.to_string());
                    }
                    rule["labels"] = json!(alert.all_labels());
                    rule["annotations"] = json!(alert.annotations());
                    rule
                }
            })
            .collect();
        json!({ "name": self.name, "rules": rules })
    }
}

/// A recording or an alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Rule {
    /// A recording rule.
    Record {
        /// The series it writes.
        record: String,
        /// PromQL.
        expr: String,
        /// Labels added to the result.
        labels: BTreeMap<String, String>,
    },
    /// An alerting rule.
    Alert(Alert),
}

/// An alerting rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// UpperCamelCase name, stable (runbook sections are per name).
    pub name: String,
    /// PromQL.
    pub expr: String,
    /// How long the expression must hold before the alert fires (zero: at once).
    pub for_: Duration,
    /// Severity.
    pub severity: AlertSeverity,
    /// The plinth service it concerns (label `service`); `None` for datastore and platform alerts.
    pub service: Option<String>,
    /// One line.
    pub summary: String,
    /// What is happening and why it matters.
    pub description: String,
    /// The runbook section: [`runbook_url`].
    pub runbook_url: String,
    /// Labels besides `severity` and `service`.
    pub labels: BTreeMap<String, String>,
}

impl Alert {
    /// Every label the rule sets: [`Alert::labels`], `severity`, and `service` when set.
    pub fn all_labels(&self) -> BTreeMap<String, String> {
        let mut labels = self.labels.clone();
        labels.insert("severity".to_owned(), self.severity.as_str().to_owned());
        if let Some(service) = &self.service {
            labels.insert(SERVICE.to_owned(), service.clone());
        }
        labels
    }

    /// `summary`, `description` and `runbook_url`.
    pub fn annotations(&self) -> BTreeMap<String, String> {
        BTreeMap::from([
            ("summary".to_owned(), self.summary.clone()),
            ("description".to_owned(), self.description.clone()),
            ("runbook_url".to_owned(), self.runbook_url.clone()),
        ])
    }
}

const SERVICE: &str = crate::telemetry::SERVICE_LABEL;

/// Seed 002's `HighErrorRate`: more than 5 % of requests fail with a 5xx …
pub const ERROR_RATE: f64 = 0.05;
/// … over 5 minutes, for 5 minutes (and the window `HighLatency` measures over).
pub const FIVE_MINUTES: Duration = Duration(300_000);
/// Seed 002's `HighLatency` threshold, used when the spec sets no p95 objective.
pub const DEFAULT_LATENCY_P95: Duration = Duration(1_000);
/// Seed 002's `DatabaseConnectionFailed` holds for 1 minute (`RedisDown` too).
pub const DATASTORE_DOWN_FOR: Duration = Duration(60_000);
/// Share of a memory limit or a volume in use that counts as saturated (not in the seeds).
pub const SATURATION: f64 = 0.9;
/// Share of `observability.storage` Prometheus' blocks and WAL may fill before alerting.
pub const PROMETHEUS_STORAGE: f64 = 0.8;
/// How long a saturation must last.
pub const SATURATION_FOR: Duration = Duration(900_000);
/// Grace after the RPO for a backup in progress to finish.
pub const BACKUP_GRACE: Duration = Duration(1_800_000);

/// One window pair of the multi-window multi-burn-rate alerts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnWindow {
    /// Short window (the alert resets quickly once the burn stops).
    pub short: Duration,
    /// Long window (the budget share is measured over it).
    pub long: Duration,
    /// Share of the whole SLO window's budget consumed over `long`, in percent.
    pub budget_percent: f64,
    /// Page (critical) or ticket (warning).
    pub severity: AlertSeverity,
    /// `for:` (kubernetes-mixin's, research §B.2).
    pub for_: Duration,
}

const MINUTE: u64 = 60_000;
const HOUR: u64 = 60 * MINUTE;

/// The SRE workbook's windows as Sloth encodes them (research §B.1): page at 2 % of the budget in
/// 1 h or 5 % in 6 h, ticket at 10 % in 1 d or 10 % in 3 d.
pub const BURN_WINDOWS: [BurnWindow; 4] = [
    BurnWindow {
        short: Duration(5 * MINUTE),
        long: Duration(HOUR),
        budget_percent: 2.0,
        severity: AlertSeverity::Critical,
        for_: Duration(2 * MINUTE),
    },
    BurnWindow {
        short: Duration(30 * MINUTE),
        long: Duration(6 * HOUR),
        budget_percent: 5.0,
        severity: AlertSeverity::Critical,
        for_: Duration(15 * MINUTE),
    },
    BurnWindow {
        short: Duration(2 * HOUR),
        long: Duration(24 * HOUR),
        budget_percent: 10.0,
        severity: AlertSeverity::Warning,
        for_: Duration(HOUR),
    },
    BurnWindow {
        short: Duration(6 * HOUR),
        long: Duration(72 * HOUR),
        budget_percent: 10.0,
        severity: AlertSeverity::Warning,
        for_: Duration(3 * HOUR),
    },
];

impl BurnWindow {
    /// Sloth's burn factor for an SLO window: (budget % × window hours / 100) / long-window hours,
    /// 14.4 for the first pair over 30 days, 13.44 over 28.
    pub fn factor(&self, slo_window: Duration) -> f64 {
        self.budget_percent * hours(slo_window) / 100.0 / hours(self.long)
    }
}

fn hours(duration: Duration) -> f64 {
    duration.0 as f64 / HOUR as f64
}

/// A window pair that applies to the environment, with its numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BurnRule {
    /// The window pair.
    pub window: BurnWindow,
    /// Burn factor for the SLO window.
    pub factor: f64,
    /// The error ratio both windows must exceed: factor × (1 − objective).
    pub threshold: f64,
}

/// The window pairs that can fire for the environment's availability objective: a pair whose
/// threshold is 1 or more could only fire above a 100 % error ratio (research §B.1: factor ×
/// (1 − objective) < 1), and a long window beyond the SLO window measures more than the budget's
/// period; both are left out. Empty without an availability objective.
pub fn burn_rules(platform: &Platform) -> Vec<BurnRule> {
    let Some(objective) = platform.observability.availability else { return Vec::new() };
    let budget = f64::from(10_000 - objective.0.min(10_000)) / 10_000.0;
    let slo_window = platform.observability.slo_window;
    BURN_WINDOWS
        .iter()
        .filter(|window| window.long <= slo_window)
        .map(|window| {
            let factor = window.factor(slo_window);
            BurnRule { window: *window, factor, threshold: factor * budget }
        })
        .filter(|rule| rule.threshold < 1.0)
        .collect()
}

/// The recorded 5xx share of each service's requests over `window`.
pub fn error_ratio_record(window: Duration) -> String {
    format!("service:http_request_errors_per_requests:ratio_rate{window}")
}

/// The p95 latency `HighLatency` alerts above: the spec's objective, or seed 002's 1 s.
pub fn latency_threshold(platform: &Platform) -> Duration {
    platform.observability.latency_p95.unwrap_or(DEFAULT_LATENCY_P95)
}

/// The names of a service's pods (Deployment and Rollout alike: `<name>-<template hash>-<suffix>`)
/// as an anchored PromQL regex that does not match a service whose name merely starts the same.
pub fn pod_pattern(service: &Service) -> String {
    format!("{}-[a-z0-9]+-[a-z0-9]+", service.name)
}

/// The RPO a datastore's backups must meet: the critical RPO when a critical service uses it.
pub fn datastore_rpo(platform: &Platform, datastore: &Datastore) -> Duration {
    let critical = platform.services.iter().any(|s| s.critical && s.uses.iter().any(|u| u.datastore == datastore.name));
    match platform.recovery.critical {
        Some((rpo, _)) if critical => rpo,
        _ => platform.recovery.rpo,
    }
}

/// Whether plinth's backup agent backs the datastore up (and exports [`BACKUP_LAST_SUCCESS`] for
/// it): in-cluster and local datastores with backups. Managed ones are backed up by the cloud,
/// which reports to its own monitoring, not to Prometheus.
pub fn backed_up_by_plinth(platform: &Platform, datastore: &Datastore) -> bool {
    datastore.backup.is_some()
        && (datastore.hosting == Hosting::Cluster || platform.environment.runtime == Runtime::Local)
}

/// Whether the environment's certificates are cert-manager's (and so reported by it).
pub fn certificates_by_cert_manager(platform: &Platform) -> bool {
    platform.environment.runtime == Runtime::Kubernetes
        && platform.tls.issuer != Issuer::Acm
        && platform.services.iter().any(|s| !s.expose.is_empty())
}

/// Whether any datastore runs in the cluster, on a PersistentVolumeClaim.
pub fn has_volumes(platform: &Platform) -> bool {
    platform.environment.runtime == Runtime::Kubernetes
        && platform.datastores.iter().any(|d| d.hosting == Hosting::Cluster && d.engine != Engine::Bucket)
}

/// A number as PromQL reads it: up to 12 decimals, without trailing zeros (`0.0144`, `1`).
pub fn number(value: f64) -> String {
    let text = format!("{value:.12}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" { "0".to_owned() } else { text.to_owned() }
}

/// The rule groups of the environment, recording rules first.
pub fn rule_groups(platform: &Platform) -> Vec<RuleGroup> {
    let app = &platform.name;
    let burns = burn_rules(platform);
    let mut groups = vec![
        RuleGroup { name: format!("{app}-recording"), rules: recording_rules(platform, &burns) },
        RuleGroup {
            name: format!("{app}-services"),
            rules: platform.services.iter().flat_map(|svc| service_alerts(platform, svc)).map(Rule::Alert).collect(),
        },
        RuleGroup {
            name: format!("{app}-slo"),
            rules: platform
                .services
                .iter()
                .flat_map(|svc| burns.iter().map(|burn| burn_alert(platform, svc, burn)))
                .map(Rule::Alert)
                .collect(),
        },
        RuleGroup {
            name: format!("{app}-datastores"),
            rules: platform.datastores.iter().flat_map(|ds| datastore_alerts(platform, ds)).map(Rule::Alert).collect(),
        },
        RuleGroup {
            name: format!("{app}-platform"),
            rules: platform_alerts(platform).into_iter().map(Rule::Alert).collect(),
        },
    ];
    groups.retain(|group| !group.rules.is_empty());
    groups
}

/// Every alert of the environment, one per name (sorted): what the runbooks have a section for.
pub fn alerts(platform: &Platform) -> Vec<Alert> {
    let mut alerts: Vec<Alert> = rule_groups(platform)
        .into_iter()
        .flat_map(|group| group.rules)
        .filter_map(|rule| match rule {
            Rule::Alert(alert) => Some(alert),
            Rule::Record { .. } => None,
        })
        .collect();
    alerts.sort_by(|a, b| a.name.cmp(&b.name));
    alerts.dedup_by(|a, b| a.name == b.name);
    alerts
}

fn alert(platform: &Platform, name: &str, severity: AlertSeverity, for_: Duration, expr: String) -> Alert {
    Alert {
        name: name.to_owned(),
        expr,
        for_,
        severity,
        service: None,
        summary: String::new(),
        description: String::new(),
        runbook_url: runbook_url(platform, name),
        labels: BTreeMap::new(),
    }
}

impl Alert {
    fn about(mut self, summary: String, description: String) -> Self {
        self.summary = summary;
        self.description = description;
        self
    }

    fn for_service(mut self, service: &Service) -> Self {
        self.service = Some(service.name.clone());
        self
    }

    fn label(mut self, name: &str, value: impl Into<String>) -> Self {
        self.labels.insert(name.to_owned(), value.into());
        self
    }
}

/// The 5xx ratio of every service over the windows the alerts read: 5 minutes always, and the
/// burn-rate windows.
fn recording_rules(platform: &Platform, burns: &[BurnRule]) -> Vec<Rule> {
    if platform.services.is_empty() {
        return Vec::new();
    }
    let names: Vec<&str> = platform.services.iter().map(|s| s.name.as_str()).collect();
    let services = format!(r#"{SERVICE}=~"{}""#, names.join("|"));
    let mut windows = vec![FIVE_MINUTES];
    windows.extend(burns.iter().flat_map(|burn| [burn.window.short, burn.window.long]));
    windows.sort();
    windows.dedup();
    windows
        .into_iter()
        .map(|window| Rule::Record {
            record: error_ratio_record(window),
            expr: format!(
                r#"sum by ({SERVICE}) (rate({REQUESTS}{{{services},status=~"5.."}}[{window}])) / sum by ({SERVICE}) (rate({REQUESTS}{{{services}}}[{window}]))"#
            ),
            labels: BTreeMap::new(),
        })
        .collect()
}

fn service_alerts(platform: &Platform, svc: &Service) -> Vec<Alert> {
    let name = &svc.name;
    let only = format!(r#"{SERVICE}="{name}""#);
    let latency = latency_threshold(platform);
    let mut alerts = vec![
        alert(
            platform,
            "HighErrorRate",
            AlertSeverity::Critical,
            FIVE_MINUTES,
            format!("{}{{{only}}} > {}", error_ratio_record(FIVE_MINUTES), number(ERROR_RATE)),
        )
        .for_service(svc)
        .about(
            format!("High error rate on {name}"),
            format!(
                "More than {}% of {name}'s requests failed with a 5xx over 5 minutes, for {FIVE_MINUTES}.",
                number(ERROR_RATE * 100.0)
            ),
        ),
        alert(
            platform,
            "HighLatency",
            AlertSeverity::Warning,
            FIVE_MINUTES,
            format!(
                "histogram_quantile(0.95, sum by ({SERVICE}, le) (rate({DURATION}_bucket{{{only}}}[{FIVE_MINUTES}]))) > {}",
                number(latency.0 as f64 / 1000.0)
            ),
        )
        .for_service(svc)
        .about(
            format!("High latency on {name}"),
            format!("The 95th percentile of {name}'s request durations has been above {latency} for {FIVE_MINUTES}."),
        ),
    ];
    let limit = svc.memory.high.0;
    match platform.environment.runtime {
        Runtime::Kubernetes => {
            let namespace = &platform.kubernetes.namespace;
            let pods = format!(r#"namespace="{namespace}",pod=~"{}""#, pod_pattern(svc));
            alerts.push(
                alert(
                    platform,
                    "PodNotReady",
                    AlertSeverity::Critical,
                    FIVE_MINUTES,
                    format!(r#"kube_pod_status_ready{{{pods},condition="false"}} == 1"#),
                )
                .for_service(svc)
                .about(
                    format!("A pod of {name} is not ready"),
                    format!(
                        "A pod of {name} in namespace {namespace} has failed its readiness probe for {FIVE_MINUTES}."
                    ),
                ),
            );
            alerts.push(
                alert(
                    platform,
                    "MemorySaturation",
                    AlertSeverity::Warning,
                    SATURATION_FOR,
                    format!(
                        r#"max by (namespace, pod) (container_memory_working_set_bytes{{{pods},container="{name}"}}) / {limit} > {}"#,
                        number(SATURATION)
                    ),
                )
                .for_service(svc)
                .about(format!("{name} is close to its memory limit"), memory_description(svc)),
            );
        }
        Runtime::Local => {
            alerts.push(
                alert(platform, "ServiceDown", AlertSeverity::Critical, FIVE_MINUTES, format!("up{{{only}}} == 0"))
                    .for_service(svc)
                    .about(
                        format!("{name} is down"),
                        format!("Prometheus has not been able to scrape {name} for {FIVE_MINUTES}."),
                    ),
            );
            alerts.push(
                alert(
                    platform,
                    "MemorySaturation",
                    AlertSeverity::Warning,
                    SATURATION_FOR,
                    format!("process_resident_memory_bytes{{{only}}} / {limit} > {}", number(SATURATION)),
                )
                .for_service(svc)
                .about(format!("{name} is close to its memory limit"), memory_description(svc)),
            );
        }
    }
    alerts
}

fn memory_description(svc: &Service) -> String {
    format!(
        "{} has used more than {}% of its {} memory limit for {SATURATION_FOR}; at the limit it is killed.",
        svc.name,
        number(SATURATION * 100.0),
        svc.memory.high
    )
}

fn burn_alert(platform: &Platform, svc: &Service, burn: &BurnRule) -> Alert {
    let name = &svc.name;
    let BurnWindow { short, long, budget_percent, severity, for_ } = burn.window;
    let threshold = number(burn.threshold);
    let only = format!(r#"{SERVICE}="{name}""#);
    let objective = platform.observability.availability.map(|a| a.to_string()).unwrap_or_default();
    let slo_window = platform.observability.slo_window;
    alert(
        platform,
        "ErrorBudgetBurn",
        severity,
        for_,
        format!(
            "{}{{{only}}} > {threshold} and {}{{{only}}} > {threshold}",
            error_ratio_record(long),
            error_ratio_record(short)
        ),
    )
    .for_service(svc)
    .label("long", long.to_string())
    .label("short", short.to_string())
    .about(
        format!("{name} is burning its error budget fast ({long} window)"),
        format!(
            "{name}'s 5xx ratio has been above {threshold} over {long} and {short}: {} times the rate its {objective} \
             availability objective allows over {slo_window}, spending {}% of the error budget within {long}.",
            number(burn.factor),
            number(budget_percent)
        ),
    )
}

fn datastore_alerts(platform: &Platform, ds: &Datastore) -> Vec<Alert> {
    let name = &ds.name;
    let only = format!(r#"{DATASTORE_LABEL}="{name}""#);
    let mut alerts = Vec::new();
    // Only where plinth deploys an exporter: elsewhere `absent` would fire from day one.
    if let Some(Exporter { up: metric, name: exporter, .. }) = exporter(platform, ds) {
        let (alert_name, summary) = match ds.engine {
            Engine::Postgres => ("DatabaseConnectionFailed", format!("Cannot connect to PostgreSQL {name}")),
            _ => ("RedisDown", format!("Cannot connect to Redis {name}")),
        };
        alerts.push(
            alert(
                platform,
                alert_name,
                AlertSeverity::Critical,
                DATASTORE_DOWN_FOR,
                format!("{metric}{{{only}}} == 0"),
            )
            .label(DATASTORE_LABEL, name.clone())
            .about(
                summary,
                format!("{exporter} has not been able to reach the datastore {name} for {DATASTORE_DOWN_FOR}."),
            ),
        );
        alerts.push(
            alert(
                platform,
                "DatastoreExporterAbsent",
                AlertSeverity::Warning,
                SATURATION_FOR,
                format!("absent({metric}{{{only}}})"),
            )
            .label(DATASTORE_LABEL, name.clone())
            .about(
                format!("Nothing reports on {name}"),
                format!(
                    "No {metric} series labelled {only} for {SATURATION_FOR}: {exporter} is not running or not \
                     scraped, so a failure of {name} would go unnoticed."
                ),
            ),
        );
    }
    if backed_up_by_plinth(platform, ds) {
        let rpo = datastore_rpo(platform, ds);
        alerts.push(
            alert(
                platform,
                "BackupTooOld",
                AlertSeverity::Critical,
                BACKUP_GRACE,
                format!("time() - {BACKUP_LAST_SUCCESS}{{{only}}} > {}", rpo.seconds()),
            )
            .label(DATASTORE_LABEL, name.clone())
            .about(
                format!("The last backup of {name} is older than the RPO"),
                format!(
                    "The last successful backup of {name} is more than {rpo} old (the recovery point objective), \
                     and has been for {BACKUP_GRACE}: a restore now would lose more data than promised."
                ),
            ),
        );
    }
    alerts
}

fn platform_alerts(platform: &Platform) -> Vec<Alert> {
    let namespace = &platform.kubernetes.namespace;
    let mut alerts = Vec::new();
    if certificates_by_cert_manager(platform) {
        let lead = Duration(platform.tls.renew_before.0 / 2);
        alerts.push(
            alert(
                platform,
                "CertificateExpiringSoon",
                AlertSeverity::Warning,
                Duration(HOUR),
                format!(
                    r#"certmanager_certificate_expiration_timestamp_seconds{{namespace="{namespace}"}} - time() < {}"#,
                    lead.seconds()
                ),
            )
            .about(
                "A certificate expires soon".to_owned(),
                format!(
                    "A certificate in namespace {namespace} expires within {lead}, though cert-manager renews {} \
                     before expiry: renewal is failing.",
                    platform.tls.renew_before
                ),
            ),
        );
    }
    if has_volumes(platform) {
        alerts.push(
            alert(
                platform,
                "VolumeFillingUp",
                AlertSeverity::Warning,
                SATURATION_FOR,
                format!(
                    r#"kubelet_volume_stats_available_bytes{{namespace="{namespace}"}} / kubelet_volume_stats_capacity_bytes{{namespace="{namespace}"}} < {}"#,
                    number(1.0 - SATURATION)
                ),
            )
            .about(
                "A volume is almost full".to_owned(),
                format!(
                    "A PersistentVolumeClaim in namespace {namespace} has been more than {}% full for {SATURATION_FOR}.",
                    number(SATURATION * 100.0)
                ),
            ),
        );
    }
    let storage = platform.observability.storage;
    alerts.push(
        alert(
            platform,
            "PrometheusStorageFull",
            AlertSeverity::Warning,
            SATURATION_FOR,
            format!(
                "(prometheus_tsdb_storage_blocks_bytes + prometheus_tsdb_wal_storage_size_bytes) / {} > {}",
                storage.0,
                number(PROMETHEUS_STORAGE)
            ),
        )
        .about(
            "Prometheus' storage is filling up".to_owned(),
            format!(
                "Prometheus' blocks and WAL use more than {}% of its {storage}: the size limit will cut history \
                 short of the {} retention.",
                number(PROMETHEUS_STORAGE * 100.0),
                platform.observability.retention
            ),
        ),
    );
    alerts.push(
        alert(platform, "Watchdog", AlertSeverity::Info, Duration(0), "vector(1)".to_owned()).about(
            "Alerting pipeline heartbeat".to_owned(),
            "Always firing, to prove Prometheus evaluates rules and Alertmanager receives them; its absence \
             downstream (a dead man's switch) means alerting is broken."
                .to_owned(),
        ),
    );
    alerts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn factors_follow_sloth_for_30_and_28_days() {
        let days = |d: u64| Duration(d * 24 * HOUR);
        let factors: Vec<f64> = BURN_WINDOWS.iter().map(|w| w.factor(days(30))).collect();
        for (got, want) in factors.iter().zip([14.4, 6.0, 3.0, 1.0]) {
            assert!(close(*got, want), "{factors:?}");
        }
        let factors: Vec<f64> = BURN_WINDOWS.iter().map(|w| w.factor(days(28))).collect();
        for (got, want) in factors.iter().zip([13.44, 5.6, 2.8, 28.0 / 30.0]) {
            assert!(close(*got, want), "{factors:?}");
        }
    }

    fn platform(slo: &str) -> Platform {
        let yaml = format!(
            "plinth: 1\nname: shop\nservices:\n  web:\n    image: ghcr.io/shop/web\nobservability:\n  slo: {slo}\n\
             environments:\n  production: {{}}\n"
        );
        let compiled = crate::compile(&yaml);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platform("production").unwrap().clone()
    }

    fn longs(platform: &Platform) -> Vec<String> {
        burn_rules(platform).iter().map(|rule| rule.window.long.to_string()).collect()
    }

    #[test]
    fn only_window_pairs_that_can_fire_are_kept() {
        // 99.9 %: every pair, at 14.4 × 0.001 … 1 × 0.001.
        let all = platform("{ availability: 99.9% }");
        let thresholds: Vec<f64> = burn_rules(&all).iter().map(|rule| rule.threshold).collect();
        assert_eq!(thresholds.len(), 4);
        for (got, want) in thresholds.iter().zip([0.0144, 0.006, 0.003, 0.001]) {
            assert!(close(*got, want), "{thresholds:?}");
        }
        // 90 %: 14.4 × 0.1 = 1.44 cannot be exceeded by an error ratio; 6 × 0.1 = 0.6 can.
        assert_eq!(longs(&platform("{ availability: 90% }")), ["6h", "1d", "3d"]);
        // 50 %: only 1 × 0.5 stays below 1.
        assert_eq!(longs(&platform("{ availability: 50% }")), ["3d"]);
        // A 1-day SLO window has no 3-day pair; factors scale: 2 % × 24 h / 1 h = 0.48.
        let day = platform("{ availability: 99%, window: 1d }");
        assert_eq!(longs(&day), ["1h", "6h", "1d"]);
        assert!(close(burn_rules(&day)[0].factor, 0.48));
        // No objective, no burn rules, no recorded windows beyond 5 minutes.
        let none = platform("{ latency: { p95: 300ms } }");
        assert!(burn_rules(&none).is_empty());
        assert_eq!(latency_threshold(&none), Duration(300));
        let records: Vec<String> = rule_groups(&none)[0]
            .rules
            .iter()
            .filter_map(|rule| match rule {
                Rule::Record { record, .. } => Some(record.clone()),
                Rule::Alert(_) => None,
            })
            .collect();
        assert_eq!(records, ["service:http_request_errors_per_requests:ratio_rate5m"]);
    }

    #[test]
    fn alerts_are_one_per_name_with_their_runbook() {
        let all = alerts(&platform("{ availability: 99.9% }"));
        let names: Vec<&str> = all.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(
            names,
            [
                "ErrorBudgetBurn",
                "HighErrorRate",
                "HighLatency",
                "MemorySaturation",
                "PodNotReady",
                "PrometheusStorageFull",
                "Watchdog"
            ]
        );
        assert!(all[1].runbook_url.ends_with("runbooks/alerts.md#higherrorrate"), "{}", all[1].runbook_url);
    }

    #[test]
    fn numbers_read_as_promql_writes_them() {
        assert_eq!(number(14.4 * 0.001), "0.0144");
        assert_eq!(number(1.0), "1");
        assert_eq!(number(0.05), "0.05");
        assert_eq!(number(1.0 / 3.0 * 0.0001), "0.000033333333");
    }
}
