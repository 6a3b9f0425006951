//! A running environment: the plan under the supervisor, the gateway in front of it (its backends
//! follow readiness through [`Supervisor::changes`]), and what the admin API does to it: status,
//! scale, reload (rolling changed services without downtime, adding and removing services), down.

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plinth_gateway::{AccessLog, Addrs, Config, Gateway, Listeners, TlsConfig};
use plinth_spec::model::Platform;
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::edge;
use crate::error::{Error, Result};
use crate::plan::{self, CalleeUrls, Plan, PlanOptions, ServicePlan};
use crate::secrets::Secrets;
use crate::supervisor::{Exit, ReplicaState, ReplicaStatus, Supervisor};
use crate::up::{UpOptions, service_process, up};

/// Re-reads and compiles the spec for `POST /v1/reload`: the environment's new model, or the
/// diagnostics as text.
pub type Reloader = Box<dyn Fn() -> std::result::Result<Platform, String> + Send + Sync>;

/// Where the gateway listens and keeps its files.
#[derive(Debug, Clone)]
pub struct EdgeOptions {
    /// HTTPS (port 0: a free one).
    pub https: SocketAddr,
    /// Plain HTTP, redirecting to HTTPS.
    pub http: SocketAddr,
    /// The gateway's metrics listener.
    pub metrics: SocketAddr,
    /// The local CA's directory (`.plinth/ca/`, shared by environments).
    pub ca_dir: PathBuf,
    /// Where access-log lines go.
    pub access_log: AccessLog,
}

/// A running environment.
pub struct Environment {
    platform: Mutex<Platform>,
    plan: Mutex<Plan>,
    /// The plan's options; `callee_urls` names each service's internal gateway listener.
    plan_options: Mutex<PlanOptions>,
    secrets: Mutex<Secrets>,
    up_options: UpOptions,
    /// Held by a reload, so that reloads apply one after the other.
    reloading: tokio::sync::Mutex<()>,
    supervisor: Supervisor,
    gateway: Mutex<Option<Gateway>>,
    addrs: Addrs,
    ca_dir: PathBuf,
    follower: Mutex<Option<JoinHandle<()>>>,
    down: watch::Sender<bool>,
    reloader: Reloader,
}

impl Environment {
    /// Plans `platform` (secrets generated into `secrets` and saved to the state directory, ports
    /// from `supervisor`'s allocator), starts the plan (datastores ready, services handed to
    /// `supervisor`) and the gateway, whose backends from then on follow the replicas' readiness.
    pub async fn start(
        platform: Platform,
        mut plan_options: PlanOptions,
        mut secrets: Secrets,
        supervisor: Supervisor,
        edge_options: EdgeOptions,
        up_options: UpOptions,
        reloader: Reloader,
    ) -> Result<Arc<Self>> {
        // The gateway comes first: callers reach their callees through its internal listeners.
        let config = Config {
            listeners: Listeners {
                http: Some(edge_options.http),
                https: Some(edge_options.https),
                admin: Some(edge_options.metrics),
            },
            tls: Some(TlsConfig { ca_dir: edge_options.ca_dir.clone(), extra_hosts: vec!["localhost".to_owned()] }),
            rate_limit: platform.security.rate_limit.map(edge::rate_limit),
            redirect_https: true,
            access_log: edge_options.access_log,
            ..Config::default()
        };
        let started = Gateway::start(config).await.map_err(Error::from).and_then(|gateway| {
            let mut urls = BTreeMap::new();
            open_internal_listeners(&gateway, &platform, &mut urls)?;
            plan_options.callee_urls = CalleeUrls::Given(urls);
            let plan = plan::plan(&platform, &plan_options, &mut secrets, &mut &supervisor)?;
            secrets.save(&plan_options.state_dir)?;
            Ok((gateway, plan))
        });
        let (gateway, plan) = match started {
            Ok(started) => started,
            Err(err) => {
                supervisor.shutdown().await;
                return Err(err);
            }
        };
        let environment = Arc::new(Self {
            platform: Mutex::new(platform),
            plan: Mutex::new(plan.clone()),
            plan_options: Mutex::new(plan_options),
            secrets: Mutex::new(secrets),
            up_options,
            reloading: tokio::sync::Mutex::default(),
            addrs: gateway.addrs(),
            supervisor,
            gateway: Mutex::new(Some(gateway)),
            ca_dir: edge_options.ca_dir,
            follower: Mutex::default(),
            down: watch::channel(false).0,
            reloader,
        });
        let follower = tokio::spawn(follow(Arc::clone(&environment)));
        *environment.follower.lock().expect("follower lock") = Some(follower);
        environment.refresh_edge();
        if let Err(err) = up(&plan, &environment.supervisor, &environment.up_options).await {
            environment.shutdown(Duration::ZERO).await;
            return Err(err);
        }
        Ok(environment)
    }

    /// The supervisor (logs, snapshots).
    pub fn supervisor(&self) -> &Supervisor {
        &self.supervisor
    }

    /// The gateway's bound addresses.
    pub fn addrs(&self) -> Addrs {
        self.addrs
    }

    /// The exposed routes' URLs.
    pub fn urls(&self) -> Vec<edge::ExposedUrl> {
        let port = self.addrs.https.map_or(0, |a| a.port());
        edge::urls(&self.platform.lock().expect("platform lock"), port)
    }

    /// Waits until every replica is ready; how long that took.
    pub async fn wait_all_ready(&self, timeout: Duration) -> Result<Duration> {
        let started = Instant::now();
        let mut changes = self.supervisor.changes();
        let all_ready = async {
            loop {
                let snapshot = self.supervisor.snapshot();
                if !snapshot.is_empty() && snapshot.iter().all(ReplicaStatus::is_ready) {
                    return;
                }
                if changes.changed().await.is_err() {
                    return;
                }
            }
        };
        let not_ready = || {
            let names: Vec<String> =
                self.supervisor.snapshot().into_iter().filter(|s| !s.is_ready()).map(|s| replica_name(&s)).collect();
            Error::NotReady(names.join(", "))
        };
        tokio::time::timeout(timeout, all_ready).await.map_err(|_| not_ready())?;
        Ok(started.elapsed())
    }

    /// What `GET /v1/status` answers.
    pub fn status(&self) -> Value {
        let snapshot = self.supervisor.snapshot();
        let replicas =
            |name: &str| -> Vec<Value> { snapshot.iter().filter(|s| s.process == name).map(replica_json).collect() };
        let urls = self.urls();
        let call_urls = match &self.plan_options.lock().expect("plan options lock").callee_urls {
            CalleeUrls::Given(urls) => urls.clone(),
            CalleeUrls::FirstReplica => BTreeMap::new(),
        };
        let platform = self.platform.lock().expect("platform lock");
        let plan = self.plan.lock().expect("plan lock");
        let services: Vec<Value> = plan
            .services
            .iter()
            .map(|svc| {
                let own: Vec<&edge::ExposedUrl> = urls.iter().filter(|u| u.service == svc.name).collect();
                let local: Vec<&str> = own.iter().map(|u| u.local.as_str()).collect();
                let spec: Vec<&str> = own.iter().map(|u| u.spec.as_str()).collect();
                let replicas = replicas(&svc.name);
                let ready = replicas.iter().filter(|r| r["state"] == "ready").count();
                json!({
                    "name": svc.name,
                    "ready": ready,
                    "urls": local,
                    "spec_urls": spec,
                    "call_url": call_urls.get(&svc.name),
                    "replicas": replicas,
                })
            })
            .collect();
        let datastores: Vec<Value> =
            plan.datastores.iter().map(|ds| json!({ "name": ds.name(), "replicas": replicas(ds.name()) })).collect();
        let addr = |a: Option<SocketAddr>| a.map(|a| a.to_string());
        json!({
            "application": platform.name,
            "environment": plan.environment,
            "pid": std::process::id(),
            "gateway": {
                "https": addr(self.addrs.https),
                "http": addr(self.addrs.http),
                "metrics": addr(self.addrs.admin),
                "ca": self.ca_dir.join("ca.cert.pem"),
            },
            "services": services,
            "datastores": datastores,
        })
    }

    /// Runs `replicas` replicas of service `service`; the gateway follows their readiness.
    pub async fn scale(&self, service: &str, replicas: u32) -> Result<()> {
        if self.plan.lock().expect("plan lock").service(service).is_none() {
            return Err(Error::UnknownProcess(service.to_owned()));
        }
        self.supervisor.scale(service, replicas).await
    }

    /// Re-reads the spec and applies what can change while running: services whose command,
    /// environment, working directory, probes or dependencies changed are rolled replica by
    /// replica without downtime (callers keep their `<CALLEE>_URL`, the callee's internal gateway
    /// listener), new services are started, removed ones stopped, replica
    /// counts, routes and the edge's rate limit applied. Returns what was applied, what failed
    /// (a roll that stopped keeps the previous replicas running) and what needs a restart of
    /// `plinth up` (datastores).
    pub async fn reload(&self) -> Result<Value> {
        let _one_at_a_time = self.reloading.lock().await;
        let new = (self.reloader)().map_err(Error::Admin)?;
        let old = self.platform.lock().expect("platform lock").clone();
        let running = self.plan.lock().expect("plan lock").clone();
        let options = self.options_for(&new)?;
        let mut outcome = Outcome::default();
        let mut services: Vec<ServicePlan> = Vec::with_capacity(new.services.len());
        for svc in new.start_order() {
            let current = running.service(&svc.name);
            if let Some(missing) = svc.uses.iter().find(|u| running.datastore(&u.datastore).is_none()) {
                outcome
                    .restart
                    .push(format!("{}: uses datastore `{}`, which does not run yet", svc.name, missing.datastore));
                services.extend(current.cloned());
                continue;
            }
            let ports = match current {
                Some(current) => current.ports.clone(),
                None => plan::replica_ports(svc, &mut &self.supervisor)?,
            };
            let planned = {
                let mut secrets = self.secrets.lock().expect("secrets lock");
                plan::service(svc, &options, &running.datastores, &services, &mut secrets, ports)
            };
            let planned = match current {
                None => self.add_service(planned, &mut outcome).await?,
                Some(current) => self.roll_service(current, planned, &mut outcome).await,
            };
            if old.service(&svc.name).is_some_and(|prev| prev.replicas != svc.replicas) {
                self.supervisor.scale(&svc.name, svc.replicas).await?;
                outcome.applied.push(format!("{}: {} replicas", svc.name, svc.replicas));
            }
            if old.service(&svc.name).is_some_and(|prev| prev.expose != svc.expose) {
                outcome.applied.push(format!("{}: routes", svc.name));
            }
            services.push(planned);
        }
        for gone in running.services.iter().rev().filter(|s| new.service(&s.name).is_none()) {
            let replicas = self.supervisor.replica_ports(&gone.name).len();
            self.supervisor.stop(&gone.name).await?;
            outcome.applied.push(format!("{}: removed (stopped {replicas} replicas)", gone.name));
        }
        self.secrets.lock().expect("secrets lock").save(&options.state_dir)?;
        if old.datastores != new.datastores {
            outcome.restart.push("datastores".to_owned());
        }
        if old.security.rate_limit != new.security.rate_limit {
            outcome.applied.push("rate limit".to_owned());
        }
        self.plan.lock().expect("plan lock").services = services;
        *self.platform.lock().expect("platform lock") = new;
        self.refresh_edge();
        Ok(json!({ "applied": outcome.applied, "failed": outcome.failed, "needs_restart": outcome.restart }))
    }

    /// The plan options for `platform`: an internal gateway listener opened for each service that
    /// has none yet, so that its callers get a `<CALLEE>_URL`.
    fn options_for(&self, platform: &Platform) -> Result<PlanOptions> {
        let mut options = self.plan_options.lock().expect("plan options lock");
        let CalleeUrls::Given(urls) = &mut options.callee_urls else { return Ok(options.clone()) };
        let gateway = self.gateway.lock().expect("gateway lock");
        if let Some(gateway) = gateway.as_ref() {
            open_internal_listeners(gateway, platform, urls)?;
        }
        Ok(options.clone())
    }

    /// Starts a service new in the spec and waits, bounded by its probes, for a ready replica:
    /// its plan.
    async fn add_service(&self, planned: ServicePlan, outcome: &mut Outcome) -> Result<ServicePlan> {
        let process = service_process(&planned, &self.up_options);
        let ready_within = process.probes.ready_within();
        self.supervisor.add(process)?;
        let replicas = planned.ports.len();
        match self.supervisor.wait_ready(&planned.name, ready_within).await {
            Ok(()) => outcome.applied.push(format!("{}: added ({replicas} replicas)", planned.name)),
            Err(err) => outcome.failed.push(format!(
                "{}: added ({replicas} replicas), but {err} ({}s); see `plinth logs {}`",
                planned.name,
                ready_within.as_secs_f64(),
                planned.name
            )),
        }
        Ok(planned)
    }

    /// Rolls a running service onto `planned` when it runs differently from `current`: its plan
    /// from now on (`current`'s when the roll stopped).
    async fn roll_service(&self, current: &ServicePlan, planned: ServicePlan, outcome: &mut Outcome) -> ServicePlan {
        let differences = current.differences(&planned);
        if differences.is_empty() {
            return planned;
        }
        let process = service_process(&planned, &self.up_options);
        let ready_within = process.probes.ready_within();
        match self.supervisor.roll(process, ready_within).await {
            Ok(rolled) => {
                outcome.applied.push(format!(
                    "{}: rolled {rolled} replicas ({})",
                    planned.name,
                    differences.join(", ")
                ));
                ServicePlan { ports: self.supervisor.replica_ports(&planned.name), ..planned }
            }
            Err(err) => {
                outcome.failed.push(err.to_string());
                current.clone()
            }
        }
    }

    /// Asks the owner of the environment to stop it (`POST /v1/down`).
    pub fn request_down(&self) {
        self.down.send_replace(true);
    }

    /// Resolves once [`Environment::request_down`] was called.
    pub async fn down_requested(&self) {
        let mut down = self.down.subscribe();
        let _ = down.wait_for(|down| *down).await;
    }

    /// Stops everything in reverse order: the gateway first (draining in-flight requests for up to
    /// `drain`), then the services, the last started first, then the datastores.
    pub async fn shutdown(&self, drain: Duration) {
        if let Some(follower) = self.follower.lock().expect("follower lock").take() {
            follower.abort();
        }
        let gateway = self.gateway.lock().expect("gateway lock").take();
        if let Some(gateway) = gateway {
            gateway.shutdown(drain).await;
        }
        self.supervisor.shutdown().await;
    }

    /// Points the gateway at the current routes and ready replicas, when they changed.
    fn refresh_edge(&self) {
        let platform = self.platform.lock().expect("platform lock");
        let gateway = self.gateway.lock().expect("gateway lock");
        let Some(gateway) = gateway.as_ref() else { return };
        let plan = self.plan.lock().expect("plan lock");
        let (routes, backends) = edge::routing(&platform, &plan, |name| self.supervisor.ready_ports(name));
        let rate_limit = platform.security.rate_limit.map(edge::rate_limit);
        let mut config = gateway.config();
        if config.routes == routes && config.backends == backends && config.rate_limit == rate_limit {
            return;
        }
        (config.routes, config.backends, config.rate_limit) = (routes, backends, rate_limit);
        if let Err(err) = gateway.reload(config) {
            tracing::warn!(%err, "cannot reload the gateway");
        }
    }
}

/// Opens an internal gateway listener (loopback, a free port) for each service of `platform`
/// without one in `urls`, and records its URL there for the service's callers.
fn open_internal_listeners(gateway: &Gateway, platform: &Platform, urls: &mut BTreeMap<String, String>) -> Result<()> {
    for svc in &platform.services {
        if !urls.contains_key(&svc.name) {
            let addr = gateway.listen_internal(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)), &svc.name)?;
            urls.insert(svc.name.clone(), format!("http://{addr}"));
        }
    }
    Ok(())
}

/// Reloads the gateway whenever a replica's status changes.
async fn follow(environment: Arc<Environment>) {
    let mut changes = environment.supervisor.changes();
    while changes.changed().await.is_ok() {
        environment.refresh_edge();
    }
}

/// What a reload did, as its answer lists it.
#[derive(Debug, Default)]
struct Outcome {
    /// Changes applied.
    applied: Vec<String>,
    /// Changes tried and not applied (the previous state kept).
    failed: Vec<String>,
    /// Changes only a restart of `plinth up` applies.
    restart: Vec<String>,
}

fn replica_name(status: &ReplicaStatus) -> String {
    format!("{}.{}", status.process, status.replica)
}

/// A replica in `GET /v1/status`.
fn replica_json(status: &ReplicaStatus) -> Value {
    let state = match status.state {
        ReplicaState::Waiting => "waiting",
        ReplicaState::Starting => "starting",
        ReplicaState::Ready => "ready",
        ReplicaState::Unready => "unready",
        ReplicaState::Backoff(_) => "backoff",
        ReplicaState::CrashLoop(_) => "crash-loop",
        ReplicaState::Stopping => "stopping",
        ReplicaState::Stopped => "stopped",
    };
    let last_exit = status.last_exit.map(|exit| match exit {
        Exit::Code(code) => format!("exit {code}"),
        Exit::Signal(signal) => format!("signal {signal}"),
    });
    json!({
        "replica": status.replica,
        "pid": status.pid,
        "port": status.port,
        "state": state,
        "restarts": status.restarts,
        "last_exit": last_exit,
    })
}
