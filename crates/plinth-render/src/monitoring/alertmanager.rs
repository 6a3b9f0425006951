//! `alertmanager.yml`: alerts grouped by name and service, routed by severity to the receivers of
//! `observability.critical/.warning/.info`, escalation steps as extra routes, warnings inhibited by
//! a critical alert of the same service, and the Watchdog kept off every channel.
//!
//! Credentials are files named after the spec's secret (never values): Slack's `api_url_file`,
//! PagerDuty's `routing_key_file`, e-mail's `auth_password_file`, all under [`SECRETS_DIR`].

use plinth_spec::alerting::AlertSeverity;
use plinth_spec::model::{Channel, ChannelKind, Platform};
use plinth_spec::telemetry::SERVICE_LABEL;
use serde_json::{Value, json};

/// Where Alertmanager finds one file per secret, holding the secret's value.
pub const SECRETS_DIR: &str = "/etc/alertmanager/secrets";
/// The receiver without integrations: alerts routed here are dropped.
pub const NULL_RECEIVER: &str = "null";
/// The SMTP relay e-mail goes through: the spec names none, so a relay on the Alertmanager host.
const SMTP_RELAY: &str = "localhost:25";

/// The header lines explaining the file.
pub const NOTE: &str = "Routing: `severity` picks the receiver (a severity without channels goes to the `null` receiver,\n\
so an environment without channels still has a valid configuration). Escalation steps are extra\n\
critical routes whose `group_wait` is the step's delay: the step's channel hears of a critical alert\n\
only if it is still firing then. Alertmanager alone cannot do more: it does not know whether anyone\n\
acknowledged the page, so an acknowledged alert escalates anyway; acknowledgement-aware escalation\n\
belongs to the paging service (a PagerDuty escalation policy).\n\
Watchdog always fires and goes to `null`: point that route at a dead man's switch to be told when\n\
alerting itself stops.";

/// The receiver name for a severity's channels (`critical`), or [`NULL_RECEIVER`] without channels.
fn severity_receiver(platform: &Platform, severity: AlertSeverity) -> &'static str {
    if channels(platform, severity).is_empty() { NULL_RECEIVER } else { severity.as_str() }
}

fn channels(platform: &Platform, severity: AlertSeverity) -> &[String] {
    let obs = &platform.observability;
    match severity {
        AlertSeverity::Critical => &obs.critical,
        AlertSeverity::Warning => &obs.warning,
        AlertSeverity::Info => &obs.info,
    }
}

/// The receiver name of escalation step `idx` (`escalation-1-oncall-secondary`).
pub fn escalation_receiver(idx: usize, channel: &str) -> String {
    format!("escalation-{}-{channel}", idx + 1)
}

/// The configuration.
pub fn config(platform: &Platform) -> Value {
    let obs = &platform.observability;
    let matcher = |label: &str, value: &str| format!("{label}=\"{value}\"");
    let severity_matcher = |severity: AlertSeverity| matcher("severity", severity.as_str());
    let mut routes = vec![json!({ "matchers": [matcher("alertname", "Watchdog")], "receiver": NULL_RECEIVER })];
    let mut receivers = vec![json!({ "name": NULL_RECEIVER })];
    for severity in AlertSeverity::ALL {
        let receiver = severity_receiver(platform, severity);
        let mut route = json!({ "matchers": [severity_matcher(severity)], "receiver": receiver });
        if severity == AlertSeverity::Critical && !obs.escalation.is_empty() {
            route["continue"] = json!(true);
        }
        routes.push(route);
        if receiver != NULL_RECEIVER {
            receivers.push(receiver_object(platform, receiver, severity, channels(platform, severity)));
        }
        if severity == AlertSeverity::Critical {
            for (idx, (after, channel)) in obs.escalation.iter().enumerate() {
                let name = escalation_receiver(idx, channel);
                routes.push(json!({
                    "matchers": [severity_matcher(severity)],
                    "receiver": name,
                    "group_wait": after.to_string(),
                    "continue": idx + 1 < obs.escalation.len(),
                }));
                receivers.push(receiver_object(platform, &name, severity, std::slice::from_ref(channel)));
            }
        }
    }
    let mut global = json!({ "resolve_timeout": "5m" });
    if let Some(from) = obs.channels.values().find(|c| c.kind == ChannelKind::Email).and_then(sender) {
        global["smtp_smarthost"] = json!(SMTP_RELAY);
        global["smtp_from"] = json!(from);
    }
    json!({
        "global": global,
        "route": {
            "receiver": NULL_RECEIVER,
            "group_by": ["alertname", SERVICE_LABEL],
            "group_wait": "30s",
            "group_interval": "5m",
            "repeat_interval": "4h",
            "routes": routes,
        },
        "receivers": receivers,
        "inhibit_rules": [{
            "source_matchers": [severity_matcher(AlertSeverity::Critical), format!("{SERVICE_LABEL}=~\".+\"")],
            "target_matchers": [severity_matcher(AlertSeverity::Warning)],
            "equal": [SERVICE_LABEL],
        }],
    })
}

/// `alertmanager@<domain>` for an e-mail channel's recipient.
fn sender(channel: &Channel) -> Option<String> {
    let (_, domain) = channel.to.as_deref()?.split_once('@')?;
    Some(format!("alertmanager@{domain}"))
}

/// A receiver sending to every channel in `names`.
fn receiver_object(platform: &Platform, name: &str, severity: AlertSeverity, names: &[String]) -> Value {
    let mut receiver = json!({ "name": name });
    for channel_name in names {
        let Some(channel) = platform.observability.channels.get(channel_name) else { continue };
        // A channel without a secret reads the file named after the channel.
        let secret = format!("{SECRETS_DIR}/{}", channel.secret.as_deref().unwrap_or(channel_name));
        let (key, config) = match channel.kind {
            ChannelKind::Slack => {
                let mut config = json!({ "api_url_file": secret, "send_resolved": true });
                if let Some(slack_channel) = &channel.channel {
                    config["channel"] = json!(slack_channel);
                }
                ("slack_configs", config)
            }
            ChannelKind::Pagerduty => (
                "pagerduty_configs",
                json!({ "routing_key_file": secret, "severity": severity.as_str(), "send_resolved": true }),
            ),
            ChannelKind::Email => {
                let mut config = json!({ "to": channel.to, "send_resolved": true });
                if channel.secret.is_some() {
                    config["auth_username"] = json!(sender(channel));
                    config["auth_password_file"] = json!(secret);
                }
                ("email_configs", config)
            }
        };
        match receiver.get_mut(key).and_then(Value::as_array_mut) {
            Some(list) => list.push(config),
            None => receiver[key] = json!([config]),
        }
    }
    receiver
}
