//! `alerts.md`: one `## <AlertName>` section per alert of the environment (the catalogue of
//! `plinth_spec::alerting`), so that every alert's `runbook_url` lands on a heading: severity and
//! response time, what it covers and its rules, likely causes, first commands with the real names,
//! and the runbook to continue with.

use std::collections::BTreeSet;

use plinth_spec::alerting::{Alert, AlertSeverity, Rule, rule_groups};
use plinth_spec::model::{Platform, Runtime};
use plinth_spec::telemetry::DATASTORE_LABEL;

use super::commands::{compose_logs, datastore_heading, logs, ns, pods, service_heading};
use super::incident::ESCALATION;
use super::markdown::{Markdown, code, link};
use super::{INCIDENT, RESTORE, ROLLBACK, TROUBLESHOOTING, title};

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let mut doc = Markdown::new(&title(platform, "Alerts"));
    doc.para(&format!(
        "One section per alert; each alert's `runbook_url` points here. Severities, response times and escalation: {}.",
        link("incident response", INCIDENT, Some(ESCALATION))
    ));
    let rules = alert_rules(platform);
    let names: BTreeSet<&str> = rules.iter().map(|alert| alert.name.as_str()).collect();
    for name in names {
        let instances: Vec<&Alert> = rules.iter().filter(|alert| alert.name == name).collect();
        section(platform, name, &instances, &mut doc);
    }
    doc.finish()
}

/// Every alerting rule of the environment, one per service, datastore or window pair.
pub fn alert_rules(platform: &Platform) -> Vec<Alert> {
    rule_groups(platform)
        .into_iter()
        .flat_map(|group| group.rules)
        .filter_map(|rule| match rule {
            Rule::Alert(alert) => Some(alert),
            Rule::Record { .. } => None,
        })
        .collect()
}

fn section(platform: &Platform, name: &str, instances: &[&Alert], doc: &mut Markdown) {
    let obs = &platform.observability;
    let first = instances[0];
    let severities: BTreeSet<AlertSeverity> = instances.iter().map(|alert| alert.severity).collect();
    let response: Vec<String> = severities
        .iter()
        .map(|severity| match severity {
            AlertSeverity::Critical => format!("critical: acknowledge within {}", obs.response_critical),
            AlertSeverity::Warning => format!("warning: look within {}", obs.response_warning),
            AlertSeverity::Info => "info: no response expected".to_owned(),
        })
        .collect();
    let services: BTreeSet<&str> = instances.iter().filter_map(|alert| alert.service.as_deref()).collect();
    let datastores: BTreeSet<&str> =
        instances.iter().filter_map(|alert| alert.labels.get(DATASTORE_LABEL).map(String::as_str)).collect();
    let summary = if instances.len() == 1 { format!("**{}** — ", first.summary) } else { String::new() };
    doc.heading(2, name).para(&format!("{summary}{}.", response.join("; ")));
    let (meaning, causes) = guidance(name);
    doc.para(meaning.unwrap_or(&first.description));
    let mut covers = Vec::new();
    if !services.is_empty() {
        covers.push(format!("services {}", services.iter().map(|s| code(s)).collect::<Vec<_>>().join(", ")));
    }
    if !datastores.is_empty() {
        covers.push(format!("datastores {}", datastores.iter().map(|d| code(d)).collect::<Vec<_>>().join(", ")));
    }
    if !covers.is_empty() {
        doc.para(&format!("Covers {}.", covers.join(" and ")));
    }
    let mut exprs: Vec<String> =
        instances.iter().map(|alert| format!("{}    # for {}", alert.expr, alert.for_)).collect();
    exprs.dedup();
    doc.code("promql", exprs);
    if !causes.is_empty() {
        doc.para("Likely causes:").bullets(causes);
    }
    let commands = first_commands(platform, name, &services, &datastores);
    if !commands.is_empty() {
        doc.para("First commands:").code("bash", commands);
    }
    let mut next = Vec::new();
    next.extend(services.iter().map(|s| link(&service_heading(s), TROUBLESHOOTING, Some(&service_heading(s)))));
    next.extend(datastores.iter().map(|d| link(&datastore_heading(d), TROUBLESHOOTING, Some(&datastore_heading(d)))));
    if matches!(name, "HighErrorRate" | "HighLatency" | "ErrorBudgetBurn" | "PodNotReady") {
        next.extend(services.iter().map(|s| format!("roll back: {}", link(s, ROLLBACK, Some(&service_heading(s))))));
    }
    if matches!(name, "DatabaseConnectionFailed" | "RedisDown" | "BackupTooOld" | "VolumeFillingUp") {
        next.extend(datastores.iter().map(|d| format!("restore: {}", link(d, RESTORE, Some(&datastore_heading(d))))));
    }
    if next.is_empty() {
        next.push(link("troubleshooting", TROUBLESHOOTING, None));
    }
    doc.para("Continue with:").bullets(next);
}

/// What an alert of the catalogue means in general and its usual causes; `None` for an alert this
/// runbook does not know yet (its own description is used).
fn guidance(name: &str) -> (Option<&'static str>, &'static [&'static str]) {
    match name {
        "HighErrorRate" => (
            Some("A service answers too many requests with a 5xx: users see failures now."),
            &[
                "a deployment that just went out",
                "a datastore or a called service failing",
                "resource exhaustion (memory, connections)",
            ],
        ),
        "HighLatency" => (
            Some("A service's p95 latency is above its objective: users wait."),
            &[
                "saturation: CPU throttling, too few replicas",
                "slow queries or a slow dependency",
                "a deployment that just went out",
            ],
        ),
        "ErrorBudgetBurn" => (
            Some(
                "A service spends its error budget faster than its availability objective allows; the `long`/`short` labels say over which windows. Page-level burns exhaust the budget within days, ticket-level ones within the SLO window.",
            ),
            &[
                "a sustained error rate below HighErrorRate's threshold",
                "a partial outage (one zone, one route)",
                "a bad deployment",
            ],
        ),
        "PodNotReady" => (
            Some("A pod fails its readiness probe and receives no traffic."),
            &[
                "the application cannot reach a datastore or a secret",
                "crash loops (see restarts)",
                "an image that cannot be pulled",
            ],
        ),
        "ServiceDown" => (
            Some("Prometheus cannot scrape a service: it is not running or not listening."),
            &["the process exited", "it listens on another port"],
        ),
        "MemorySaturation" => (
            Some("A service runs close to its memory limit and will be killed when it reaches it."),
            &["a memory leak", "a limit too small for the load"],
        ),
        "DatabaseConnectionFailed" | "RedisDown" => (
            Some("The exporter cannot reach the datastore: the services cannot either."),
            &[
                "the instance is down, failing over or out of connections",
                "network policy or security group changes",
                "credentials rotated",
            ],
        ),
        "DatastoreExporterAbsent" => (
            Some("Nothing reports on a datastore, so its failure would go unnoticed."),
            &["the exporter is not deployed or crashed", "the scrape configuration lost it"],
        ),
        "BackupTooOld" => (
            Some(
                "The last successful backup is older than the RPO allows: a failure now would lose more data than the objective.",
            ),
            &["the backup job fails or is not scheduled", "the backup target is full or unreachable"],
        ),
        "CertificateExpiringSoon" => (
            Some("A certificate nears expiry and cert-manager has not renewed it."),
            &["the ACME challenge fails (DNS or HTTP-01)", "rate limits at the issuer"],
        ),
        "VolumeFillingUp" => (
            Some("A datastore's volume is nearly full; at 100 % the datastore stops accepting writes."),
            &["data growth beyond the volume", "WAL or logs not cleaned up"],
        ),
        "PrometheusStorageFull" => (
            Some("Prometheus' storage is nearly full: it will drop data and alerts may stop."),
            &["retention too long for the volume", "a cardinality explosion"],
        ),
        "Watchdog" => (
            Some(
                "Always firing, by design: it proves the alerting pipeline works. Worry when it stops arriving (a dead man's switch).",
            ),
            &[],
        ),
        _ => (None, &[]),
    }
}

/// The first commands for an alert, with the environment's names.
fn first_commands(
    platform: &Platform,
    name: &str,
    services: &BTreeSet<&str>,
    datastores: &BTreeSet<&str>,
) -> Vec<String> {
    let service = |s: &str| platform.service(s);
    match platform.environment.runtime {
        Runtime::Kubernetes => {
            let mut lines: Vec<String> = services
                .iter()
                .filter_map(|s| service(s))
                .flat_map(|svc| [pods(platform, svc), logs(platform, svc)])
                .collect();
            match name {
                "MemorySaturation" | "HighLatency" => {
                    lines.push(format!("kubectl top pods {} --containers", ns(platform)))
                }
                "CertificateExpiringSoon" => lines.push(format!("kubectl get certificates {}", ns(platform))),
                "VolumeFillingUp" => lines.push(format!("kubectl get pvc {}", ns(platform))),
                "PrometheusStorageFull" | "Watchdog" => lines.push("kubectl get pods -n monitoring".to_owned()),
                _ => {}
            }
            lines
        }
        Runtime::Local => {
            let mut lines = vec!["docker-compose ps".to_owned()];
            lines.extend(services.iter().chain(datastores).map(|name| compose_logs(name)));
            lines
        }
    }
}
