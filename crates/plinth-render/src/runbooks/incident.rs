//! `incident.md`: seed 001's incident response runbook — severities with their response times and
//! channels, escalation, and the five steps from identification to post-incident review — with a
//! plain statement of what Alertmanager cannot do: it does not know whether anyone acknowledged an
//! alert, so escalation on non-acknowledgement belongs to PagerDuty's escalation policy.

use std::collections::BTreeSet;

use plinth_spec::alerting::AlertSeverity;
use plinth_spec::model::{ChannelKind, Platform};

use super::alerts::alert_rules;
use super::markdown::{Markdown, link};
use super::{RESTORE, ROLLBACK, TROUBLESHOOTING, alerts_file, title};

/// The heading of the escalation section.
pub const ESCALATION: &str = "Escalation";

/// The runbook.
pub fn render(platform: &Platform) -> String {
    let obs = &platform.observability;
    let mut doc = Markdown::new(&title(platform, "Incident response"));
    let catalogue = alert_rules(platform);
    let alerts_file = alerts_file(platform);
    let rows: Vec<Vec<String>> = AlertSeverity::ALL
        .iter()
        .map(|severity| {
            let (response, channels) = match severity {
                AlertSeverity::Critical => (format!("acknowledge within {}", obs.response_critical), &obs.critical),
                AlertSeverity::Warning => (format!("look within {}", obs.response_warning), &obs.warning),
                AlertSeverity::Info => ("none: trend review".to_owned(), &obs.info),
            };
            let names: BTreeSet<&str> =
                catalogue.iter().filter(|alert| alert.severity == *severity).map(|alert| alert.name.as_str()).collect();
            let names: Vec<String> = names.into_iter().map(|name| link(name, &alerts_file, Some(name))).collect();
            vec![
                severity.as_str().to_owned(),
                response,
                channel_list(platform, channels),
                if names.is_empty() { "—".to_owned() } else { names.join(", ") },
            ]
        })
        .collect();
    doc.heading(2, "Severities").table(&["severity", "response", "notified", "alerts"], &rows);

    doc.heading(2, ESCALATION);
    let mut steps = vec![format!("At once: {}.", channel_list(platform, &obs.critical))];
    steps.extend(obs.escalation.iter().map(|(after, channel)| {
        format!("After {after} without acknowledgement: {}.", channel_list(platform, std::slice::from_ref(channel)))
    }));
    doc.para("Critical alerts:").steps(&steps);
    doc.para(
        "Alertmanager alone cannot escalate on non-acknowledgement: it does not know whether anyone acknowledged \
         an alert, and its `group_wait` only delays the first notification of a group (its maintainers call \
         escalation \"the responsibility of an incident management system\").",
    );
    let pagerduty: Vec<&String> = obs
        .escalation
        .iter()
        .map(|(_, channel)| channel)
        .filter(|channel| obs.channels.get(*channel).is_some_and(|c| c.kind == ChannelKind::Pagerduty))
        .collect();
    if obs.escalation.is_empty() {
        doc.para("The spec sets no escalation steps (`observability.escalation`).");
    } else if pagerduty.is_empty() {
        doc.para(
            "None of the escalation channels is PagerDuty: the steps above are a manual procedure for the primary responder.",
        );
    } else {
        let rules: Vec<String> = escalation_rules(platform);
        doc.para("Configure the steps as the PagerDuty escalation policy of the service the critical channel's routing key belongs to (PagerDuty escalates an incident that is not acknowledged):")
            .steps(&rules);
    }

    doc.heading(2, "Response");
    doc.steps([
        format!(
            "**Identify and classify.** Open the alert's section in {}; confirm the severity above; acknowledge it so escalation stops.",
            link("the alert runbook", &alerts_file, None)
        ),
        format!(
            "**Communicate.** Post in {} what is affected, since when, and who leads; update it as you learn more.",
            channel_list(platform, &chat(platform))
        ),
        format!("**Investigate.** Follow the {}.", link("troubleshooting runbook", TROUBLESHOOTING, None)),
        format!(
            "**Resolve.** Roll back a bad deployment ({}) or restore data ({}); fix forward only when that is faster.",
            link("rollback", ROLLBACK, None),
            link("restore", RESTORE, None)
        ),
        "**Review.** Within a week: timeline, impact, root cause, what detected it, action items with owners.".to_owned(),
    ]);
    doc.finish()
}

/// The PagerDuty escalation rules equivalent to the spec's steps: each rule's delay is the time
/// from the previous step to the next.
fn escalation_rules(platform: &Platform) -> Vec<String> {
    let obs = &platform.observability;
    let mut rules = Vec::new();
    let mut previous = 0;
    let first: Vec<&String> = obs.critical.iter().filter(|c| is_pagerduty(platform, c)).collect();
    let mut targets: Vec<String> = first.iter().map(|c| (*c).clone()).collect();
    for (after, channel) in &obs.escalation {
        let minutes = after.seconds() / 60;
        rules.push(format!(
            "Notify {}; escalate after {} minutes (`escalation_delay_in_minutes = {}`).",
            if targets.is_empty() { "the primary on-call".to_owned() } else { targets.join(", ") },
            minutes - previous,
            minutes - previous
        ));
        previous = minutes;
        targets = vec![channel.clone()];
    }
    rules.push(format!("Notify {}.", targets.join(", ")));
    rules
}

/// Where people talk during an incident: the critical channels that are not pagers (all of them
/// when every one is).
fn chat(platform: &Platform) -> Vec<String> {
    let critical = &platform.observability.critical;
    let chat: Vec<String> = critical.iter().filter(|c| !is_pagerduty(platform, c)).cloned().collect();
    if chat.is_empty() { critical.clone() } else { chat }
}

fn is_pagerduty(platform: &Platform, channel: &str) -> bool {
    platform.observability.channels.get(channel).is_some_and(|c| c.kind == ChannelKind::Pagerduty)
}

/// `oncall-primary (PagerDuty), slack (Slack #alerts)`.
fn channel_list(platform: &Platform, names: &[String]) -> String {
    if names.is_empty() {
        return "nobody (no channel configured)".to_owned();
    }
    names
        .iter()
        .map(|name| match platform.observability.channels.get(name) {
            Some(channel) => {
                let detail = match channel.kind {
                    ChannelKind::Pagerduty => "PagerDuty".to_owned(),
                    ChannelKind::Slack => {
                        format!("Slack {}", channel.channel.as_deref().unwrap_or("")).trim().to_owned()
                    }
                    ChannelKind::Email => format!("e-mail {}", channel.to.as_deref().unwrap_or("")).trim().to_owned(),
                };
                format!("{name} ({detail})")
            }
            None => name.clone(),
        })
        .collect::<Vec<_>>()
        .join(", ")
}
