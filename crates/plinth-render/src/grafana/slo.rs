//! The SLO dashboard of one service at a time: error budget remaining over the SLO window
//! (`observability.slo_window`) and the error ratio against the budget, from the telemetry
//! contract's [`success_ratio`]; the burn rates of every window pair `ErrorBudgetBurn` alerts on
//! ([`burn_rules`]: the SRE workbook's pairs as Sloth encodes them), from the monitoring rules'
//! recorded error ratios, with the factor at which each fires; and p95 latency against its
//! objective ([`latency_quantile`]).

use plinth_spec::alerting::{BurnRule, BurnWindow, burn_rules, error_ratio_record, number};
use plinth_spec::model::Platform;
use plinth_spec::telemetry::{SERVICE_LABEL, latency_quantile, selector, success_ratio};

use super::dashboard::{Dashboard, GRID_WIDTH, Panel, RATE_INTERVAL, target};
use super::{error_budget, seconds, service_variable};

/// The dashboard, or `None` without an availability objective.
pub fn dashboard(platform: &Platform) -> Option<Dashboard> {
    let obs = &platform.observability;
    let objective = obs.availability?;
    let budget = error_budget(objective);
    let sel = selector("$service", ".*");
    let error_ratio = |window: &str| format!("(1 - ({}))", success_ratio(&sel, window));
    let window = obs.slo_window.to_string();

    let mut dashboard = Dashboard::new(
        platform,
        "slo",
        "SLO",
        format!(
            "Availability objective {objective} over {window} (error budget {:.2} % of requests) for one service: budget left, burn rates, errors and latency.",
            budget * 100.0
        ),
    );
    dashboard.variable(service_variable(platform, false));
    dashboard.row(
        "Error budget",
        vec![
            Panel::stat(
                format!("Budget remaining ({window})"),
                format!("Share of the {window} error budget not yet spent: 1 − error ratio over {window} ÷ budget."),
                "percentunit",
            )
            .target(target(format!("1 - {} / {budget}", error_ratio(&window)), "remaining"))
            .base("red")
            .threshold(0.25, "orange")
            .threshold(0.5, "green"),
            Panel::stat(
                format!("Availability ({window})"),
                format!("Requests that did not fail with a 5xx over {window}; the objective is {objective}."),
                "percentunit",
            )
            .target(target(success_ratio(&sel, &window), "availability"))
            .base("red")
            .threshold(objective.ratio(), "green"),
            Panel::timeseries(
                "Error ratio against the budget",
                "5xx share of requests; the line is the error budget.",
                "percentunit",
            )
            .target(target(error_ratio(RATE_INTERVAL), "error ratio"))
            .range(Some(0.0), None)
            .threshold(budget, "red"),
        ],
    );
    let burns = burn_rules(platform);
    if !burns.is_empty() {
        dashboard.row("Burn rates", burns.iter().map(|burn| burn_panel(burn, budget, &window)).collect());
    }
    let mut latency = Panel::timeseries("Latency p95", "95th percentile of request durations.", "s")
        .width(24)
        .target(target(latency_quantile(0.95, &sel, RATE_INTERVAL), "p95"))
        .range(Some(0.0), None);
    if let Some(p95) = obs.latency_p95 {
        latency = latency.threshold(seconds(p95.0), "red");
    }
    dashboard.row("Latency", vec![latency]);
    Some(dashboard)
}

/// One window pair of the burn-rate alerts: the error ratio over its long and its short window,
/// recorded by the monitoring rules, divided by the budget; the alert fires while both are above
/// the pair's factor.
fn burn_panel(burn: &BurnRule, budget: f64, slo_window: &str) -> Panel {
    let BurnWindow { short, long, budget_percent, severity, .. } = burn.window;
    let ratio = |window| format!(r#"{}{{{SERVICE_LABEL}="$service"}} / {budget}"#, error_ratio_record(window));
    Panel::timeseries(
        format!("Burn rate {long} / {short} ({})", severity.as_str()),
        format!(
            "Error ratio ÷ budget over {long} and {short}: 1 spends the budget exactly over {slo_window}; above {} on both, {} % of the budget goes in {long} and ErrorBudgetBurn fires.",
            number(burn.factor),
            number(budget_percent)
        ),
        "short",
    )
    .width(GRID_WIDTH / 4)
    .target(target(ratio(long), long.to_string()))
    .target(target(ratio(short), short.to_string()))
    .range(Some(0.0), None)
    .threshold(burn.factor, "red")
}
