//! The datastores' exporters as containers (`<datastore>-exporter`, the pinned images of
//! [`plinth_spec::telemetry`]), so the local Prometheus sees `pg_up` and `redis_up`. Each connects
//! with the credentials its datastore container is given from `.env` and publishes its metrics port
//! on 127.0.0.1 only, for a Prometheus on the host; nothing depends on them.

use plinth_spec::model::{Engine, Platform};
use plinth_spec::telemetry::{self, DATASTORE_LABEL, EXPORTER_PATH, LOCAL_TARGETS};
use serde_json::{Value, json};

use super::datastores::postgres_user;
use super::env::Env;
use super::ports::{HostPorts, loopback};
use super::{Healthcheck, healthy};
use crate::suppression;

/// PL-COMPOSE-007 `healthcheck-missing`, which redis_exporter cannot satisfy.
const HEALTHCHECK_RULE: &str = "PL-COMPOSE-007";
/// Why redis_exporter has no healthcheck.
const UNPROBED_REASON: &str = "redis_exporter's image is built FROM scratch: no shell, wget or health \
     subcommand exists in the container to run a check with; nothing waits for it, and a crash still \
     restarts it (`restart: unless-stopped`)";

/// One exporter container and where the host reaches it.
pub struct ExporterService {
    /// The compose service's name.
    pub name: String,
    /// The compose service.
    pub service: Value,
    /// The datastore it reports on.
    pub datastore: String,
    /// `127.0.0.1:<host port>`.
    pub address: String,
}

/// The exporter of every PostgreSQL and Redis datastore.
pub fn services(platform: &Platform, env: &mut Env, host_ports: &mut HostPorts) -> Vec<ExporterService> {
    let mut out = Vec::new();
    for ds in &platform.datastores {
        let Some(exporter) = telemetry::exporter(platform, ds) else { continue };
        let name = plinth_spec::names::exporter(&ds.name);
        let host_port = host_ports.take(exporter.port);
        let mut service = json!({
            "image": exporter.image,
            "restart": "unless-stopped",
            "ports": [loopback(host_port, exporter.port)],
            "depends_on": { ds.name.clone(): healthy() },
        });
        service["environment"] = match ds.engine {
            Engine::Postgres => json!({
                "DATA_SOURCE_URI": format!("{}:5432/{}?sslmode=disable", ds.name, ds.databases[0]),
                "DATA_SOURCE_USER": postgres_user(platform),
                "DATA_SOURCE_PASS": env.secret("DB_PASSWORD", &name),
            }),
            _ if ds.auth => json!({
                "REDIS_ADDR": format!("redis://{}:6379", ds.name),
                "REDIS_PASSWORD": env.secret("REDIS_PASSWORD", &name),
            }),
            _ => json!({ "REDIS_ADDR": format!("redis://{}:6379", ds.name) }),
        };
        // postgres_exporter's image is busybox-based (wget); redis_exporter's is scratch: no check,
        // and the labels say why.
        if ds.engine == Engine::Postgres {
            let url = format!("http://127.0.0.1:{}{EXPORTER_PATH}", exporter.port);
            let test = json!(["CMD", "wget", "-q", "-O", "/dev/null", url]);
            service["healthcheck"] =
                Healthcheck { test, interval: 30, timeout: 10, retries: 3, start_period: 10 }.value();
        } else {
            service["labels"] = json!(suppression::ignore(&[HEALTHCHECK_RULE], UNPROBED_REASON));
        }
        out.push(ExporterService {
            name,
            service,
            datastore: ds.name.clone(),
            address: format!("127.0.0.1:{host_port}"),
        });
    }
    out
}

/// The compose file's header lines telling the local Prometheus where the exporters answer.
pub fn header_note(exporters: &[ExporterService]) -> Option<String> {
    let targets: Vec<String> = exporters
        .iter()
        .map(|e| format!("  {} ({}=\"{}\"): http://{}{EXPORTER_PATH}", e.name, DATASTORE_LABEL, e.datastore, e.address))
        .collect();
    (!targets.is_empty()).then(|| {
        format!(
            "Datastore exporters for the local Prometheus (a {LOCAL_TARGETS} entry each, with label {DATASTORE_LABEL}):\n{}",
            targets.join("\n")
        )
    })
}
