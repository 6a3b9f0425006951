//! Grafana's provisioning files: the Prometheus data source the dashboards name by `uid`, and a
//! file provider loading every dashboard JSON from where [`DASHBOARDS_MOUNT`] says.

use plinth_spec::model::{Platform, Runtime};
use plinth_spec::telemetry::PROMETHEUS_URL;
use serde_json::{Value, json};

use super::DATASOURCE_UID;

/// Where Grafana reads provisioning files: the `provisioning/` directory is mounted here.
pub const PROVISIONING_MOUNT: &str = "/etc/grafana/provisioning";
/// Where the `dashboards/` directory is mounted; the file provider's path.
pub const DASHBOARDS_MOUNT: &str = "/var/lib/grafana/dashboards";
/// The Prometheus of a local environment: on the developer's machine at Prometheus' default port,
/// reached by a Grafana on the same machine.
pub const LOCAL_PROMETHEUS_URL: &str = "http://127.0.0.1:9090";

/// The header both files carry: what renders them and how they are mounted.
fn header(platform: &Platform) -> String {
    format!(
        "Rendered by plinth from plinth.yaml (application {}, environment {}).\n\
         Mount monitoring/grafana/provisioning at {PROVISIONING_MOUNT} and monitoring/grafana/dashboards at {DASHBOARDS_MOUNT}.",
        platform.name, platform.environment.name
    )
}

/// The Prometheus URL Grafana queries: the platform's Prometheus in Kubernetes environments, the
/// local one otherwise.
pub fn prometheus_url(platform: &Platform) -> &'static str {
    match platform.environment.runtime {
        Runtime::Kubernetes => PROMETHEUS_URL,
        Runtime::Local => LOCAL_PROMETHEUS_URL,
    }
}

/// `provisioning/datasources/prometheus.yaml`: `(header, document)`.
pub fn datasource(platform: &Platform) -> (String, Value) {
    let document = json!({
        "apiVersion": 1,
        "datasources": [{
            "name": "Prometheus",
            "uid": DATASOURCE_UID,
            "type": "prometheus",
            "access": "proxy",
            "url": prometheus_url(platform),
            "isDefault": true,
            "editable": false,
            "jsonData": {
                // `$__rate_interval` is four scrape intervals: tell Grafana the real one.
                "timeInterval": platform.observability.scrape_interval.to_string(),
                "httpMethod": "POST",
            },
        }],
    });
    (header(platform), document)
}

/// `provisioning/dashboards/plinth.yaml`: `(header, document)`.
pub fn dashboards(platform: &Platform) -> (String, Value) {
    let document = json!({
        "apiVersion": 1,
        "providers": [{
            "name": "plinth",
            "orgId": 1,
            "folder": format!("{} ({})", platform.name, platform.environment.name),
            "type": "file",
            "disableDeletion": true,
            "allowUiUpdates": false,
            "updateIntervalSeconds": 60,
            "options": { "path": DASHBOARDS_MOUNT, "foldersFromFilesStructure": false },
        }],
    });
    (header(platform), document)
}
