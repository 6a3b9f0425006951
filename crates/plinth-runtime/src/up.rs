//! `plinth up` as a library call: the datastores first, then every service under the supervisor
//! (each waits for what it depends on to be ready).

use std::collections::BTreeMap;
use std::time::Duration;

use plinth_spec::model;

use crate::datastores;
use crate::error::Result;
use crate::plan::{Plan, ServicePlan};
use crate::supervisor::{Check, Probe, Probes, ProcessSpec, RestartPolicy, StopPolicy, Supervisor};

/// How `up` runs things.
#[derive(Debug, Clone)]
pub struct UpOptions {
    /// Restarts of services.
    pub restart: RestartPolicy,
    /// Stopping services.
    pub stop: StopPolicy,
    /// How long each datastore may take to become ready.
    pub datastore_timeout: Duration,
}

impl Default for UpOptions {
    fn default() -> Self {
        Self {
            restart: RestartPolicy::default(),
            stop: StopPolicy::default(),
            datastore_timeout: Duration::from_secs(60),
        }
    }
}

/// Starts `plan` under `supervisor`: returns once the datastores are ready and every service has
/// been handed to the supervisor.
pub async fn up(plan: &Plan, supervisor: &Supervisor, options: &UpOptions) -> Result<()> {
    datastores::start(plan, supervisor, options.datastore_timeout).await?;
    for service in &plan.services {
        supervisor.add(service_process(service, options))?;
    }
    Ok(())
}

/// The supervised process of a service: its probes are HTTP GETs on the replica's port.
pub fn service_process(service: &ServicePlan, options: &UpOptions) -> ProcessSpec {
    let health = &service.health;
    ProcessSpec {
        name: service.name.clone(),
        argv: service.argv.clone(),
        workdir: Some(service.workdir.clone()),
        env: service.env.clone(),
        port_env: Some("PORT".to_owned()),
        ports: service.ports.clone(),
        probes: Probes {
            startup: health.startup.as_ref().map(http_probe),
            // The first readiness probe runs at once: the model resolves an unset delay to seed
            // 002's 5 s, so an explicit delay cannot be told from the default, and a failure
            // before the first success costs nothing (the supervisor retries every 100 ms until
            // then). Startup delays (0 s unless written) and liveness delays are kept.
            readiness: Some(Probe { initial_delay: Duration::ZERO, ..http_probe(&health.readiness) }),
            liveness: Some(http_probe(&health.liveness)),
        },
        depends_on: service.depends_on.clone(),
        user: None,
        restart: options.restart,
        stop: options.stop,
        metrics_path: Some(service.metrics_path.clone()),
        target_labels: BTreeMap::new(),
    }
}

fn http_probe(probe: &model::Probe) -> Probe {
    let secs = |d: plinth_spec::units::Duration| Duration::from_secs(d.seconds());
    Probe {
        check: Check::Http { path: probe.path.clone() },
        initial_delay: secs(probe.initial_delay),
        period: secs(probe.period).max(Duration::from_millis(100)),
        timeout: secs(probe.timeout).max(Duration::from_millis(100)),
        failure_threshold: probe.failure_threshold.max(1),
    }
}
