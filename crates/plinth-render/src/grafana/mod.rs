//! The Grafana backend: dashboards as JSON under `environments/<env>/monitoring/grafana/dashboards/`
//! — services (rate, errors, p95), saturation, PostgreSQL, Redis, SLO burn — and the provisioning
//! files (`provisioning/datasources/prometheus.yaml`, `provisioning/dashboards/plinth.yaml`) that
//! load them into Grafana against the environment's Prometheus. Every query follows the telemetry
//! contract (`plinth_spec::telemetry`); every name and threshold comes from the model.

mod dashboard;
mod postgres;
mod provisioning;
mod redis;
mod saturation;
mod services;
mod slo;

use plinth_spec::model::{Datastore, Engine, Platform};
use plinth_spec::telemetry::{DATASTORE_LABEL, SERVICE_LABEL};
use plinth_spec::units::Percent;
use serde_json::Value;

pub use dashboard::SCHEMA_VERSION;
pub use provisioning::{DASHBOARDS_MOUNT, LOCAL_PROMETHEUS_URL, PROVISIONING_MOUNT};

use crate::Artifacts;

/// The `uid` of the provisioned Prometheus data source, which every panel and query names.
pub const DATASOURCE_UID: &str = "prometheus";

/// Renders `environments/<env>/monitoring/grafana/` for `platform`.
pub fn render(platform: &Platform, artifacts: &mut Artifacts) {
    let dir = format!("environments/{}/monitoring/grafana", platform.environment.name);
    let mut dashboards = vec![services::dashboard(platform), saturation::dashboard(platform)];
    dashboards.extend(postgres::dashboard(platform));
    dashboards.extend(redis::dashboard(platform));
    dashboards.extend(slo::dashboard(platform));
    for dashboard in &dashboards {
        artifacts.add(format!("{dir}/dashboards/{}.json", dashboard.slug), dashboard.to_json(platform));
    }
    let (header, datasource) = provisioning::datasource(platform);
    artifacts.add_yaml(format!("{dir}/provisioning/datasources/prometheus.yaml"), &header, &[datasource]);
    let (header, provider) = provisioning::dashboards(platform);
    artifacts.add_yaml(format!("{dir}/provisioning/dashboards/plinth.yaml"), &header, &[provider]);
}

/// The `service` variable: the spec's services; several at once (and "All") when `multi`.
fn service_variable(platform: &Platform, multi: bool) -> Value {
    let names: Vec<String> = platform.services.iter().map(|svc| svc.name.clone()).collect();
    dashboard::variable("service", "Service", &names, multi)
}

/// The matcher of the services the `service` variable selects.
fn service_matcher() -> String {
    format!(r#"{SERVICE_LABEL}=~"$service""#)
}

/// The environment's datastores of `engine`.
fn datastores(platform: &Platform, engine: Engine) -> Vec<&Datastore> {
    platform.datastores.iter().filter(|ds| ds.engine == engine).collect()
}

/// The `datastore` variable over `datastores`, several at once.
fn datastore_variable(datastores: &[&Datastore]) -> Value {
    let names: Vec<String> = datastores.iter().map(|ds| ds.name.clone()).collect();
    dashboard::variable("datastore", "Datastore", &names, true)
}

/// The matcher of the datastores the `datastore` variable selects.
fn datastore_matcher() -> String {
    format!(r#"{DATASTORE_LABEL}=~"$datastore""#)
}

/// The error budget of an availability objective as a ratio, exact to its hundredths of a percent
/// (0.001 for 99.9 %, not `1 - 0.999`).
fn error_budget(availability: Percent) -> f64 {
    f64::from(10_000_u32.saturating_sub(availability.0)) / 10_000.0
}

/// A duration's milliseconds in seconds.
fn seconds(millis: u64) -> f64 {
    millis as f64 / 1000.0
}
