//! The services dashboard: seed 002's three panels — request rate, error ratio and p95 latency by
//! service — over the series of the telemetry contract, with the SLO objectives drawn as thresholds.

use plinth_spec::model::Platform;
use plinth_spec::telemetry::{DURATION, REQUESTS, SERVICE_LABEL};

use super::dashboard::{Dashboard, Panel, RATE_INTERVAL, series, target};
use super::{error_budget, seconds, service_matcher, service_variable};

/// The dashboard.
pub fn dashboard(platform: &Platform) -> Dashboard {
    let obs = &platform.observability;
    let sel = service_matcher();
    let rate = |extra: &str| format!("sum by ({SERVICE_LABEL}) (rate({REQUESTS}{{{sel}{extra}}}[{RATE_INTERVAL}]))");
    let quantile = |q: f64| {
        format!(
            "histogram_quantile({q}, sum by (le, {SERVICE_LABEL}) (rate({DURATION}_bucket{{{sel}}}[{RATE_INTERVAL}])))"
        )
    };

    let mut errors = Panel::timeseries(
        "Error ratio",
        "Share of requests answered with a 5xx, by service; the threshold is the error budget (1 − availability objective).",
        "percentunit",
    )
    .target(target(format!("{} / {}", rate(r#",status=~"5..""#), rate("")), series(SERVICE_LABEL)))
    .range(Some(0.0), None);
    if let Some(availability) = obs.availability {
        errors = errors.threshold(error_budget(availability), "red");
    }

    let mut latency = Panel::timeseries(
        "Response time (p95)",
        "95th percentile of request durations by service; the threshold is the p95 objective.",
        "s",
    )
    .target(target(quantile(0.95), format!("p95 {}", series(SERVICE_LABEL))))
    .range(Some(0.0), None);
    if let Some(p95) = obs.latency_p95 {
        latency = latency.threshold(seconds(p95.0), "red");
    }
    if obs.latency_p99.is_some() {
        latency = latency.target(target(quantile(0.99), format!("p99 {}", series(SERVICE_LABEL))));
    }

    let traffic = vec![
        Panel::timeseries("Request rate", "Requests per second by service.", "reqps")
            .target(target(rate(""), series(SERVICE_LABEL)))
            .range(Some(0.0), None),
        errors,
        latency,
        Panel::timeseries(
            "Requests by status",
            "Requests per second of the selected services by HTTP status class.",
            "reqps",
        )
        .targets((1..=5).map(|class| {
            target(
                format!(r#"sum(rate({REQUESTS}{{{sel},status=~"{class}.."}}[{RATE_INTERVAL}]))"#),
                format!("{class}xx"),
            )
        }))
        .range(Some(0.0), None),
    ];

    let mut dashboard = Dashboard::new(
        platform,
        "services",
        "Services",
        "Request rate, errors and latency of every service (RED), from the services' own http_requests_total and http_request_duration_seconds.",
    );
    dashboard.variable(service_variable(platform, true));
    dashboard.row("Traffic, errors, latency", traffic);
    dashboard
}
