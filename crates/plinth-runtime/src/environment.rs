//! A running environment: the plan under the supervisor, the gateway in front of it (its backends
//! follow readiness through [`Supervisor::changes`]), and what the admin API does to it: status,
//! scale, reload, down.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use plinth_gateway::{AccessLog, Addrs, Config, Gateway, Listeners, TlsConfig};
use plinth_spec::model::{Platform, Service};
use serde_json::{Value, json};
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::edge;
use crate::error::{Error, Result};
use crate::plan::Plan;
use crate::supervisor::{Exit, ReplicaState, ReplicaStatus, Supervisor};
use crate::up::{UpOptions, up};

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
    plan: Plan,
    supervisor: Supervisor,
    gateway: Mutex<Option<Gateway>>,
    addrs: Addrs,
    ca_dir: PathBuf,
    follower: Mutex<Option<JoinHandle<()>>>,
    down: watch::Sender<bool>,
    reloader: Reloader,
}

impl Environment {
    /// Starts `plan` (datastores ready, services handed to `supervisor`) and the gateway, whose
    /// backends from then on follow the replicas' readiness.
    pub async fn start(
        platform: Platform,
        plan: Plan,
        supervisor: Supervisor,
        edge_options: EdgeOptions,
        up_options: &UpOptions,
        reloader: Reloader,
    ) -> Result<Arc<Self>> {
        if let Err(err) = up(&plan, &supervisor, up_options).await {
            supervisor.shutdown().await;
            return Err(err);
        }
        let (routes, backends) = edge::routing(&platform, &plan, |name| supervisor.ready_ports(name));
        let config = Config {
            listeners: Listeners {
                http: Some(edge_options.http),
                https: Some(edge_options.https),
                admin: Some(edge_options.metrics),
            },
            tls: Some(TlsConfig { ca_dir: edge_options.ca_dir.clone(), extra_hosts: vec!["localhost".to_owned()] }),
            routes,
            backends,
            rate_limit: platform.security.rate_limit.map(edge::rate_limit),
            redirect_https: true,
            access_log: edge_options.access_log,
            ..Config::default()
        };
        let gateway = match Gateway::start(config).await {
            Ok(gateway) => gateway,
            Err(err) => {
                supervisor.shutdown().await;
                return Err(err.into());
            }
        };
        let environment = Arc::new(Self {
            platform: Mutex::new(platform),
            plan,
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
        let platform = self.platform.lock().expect("platform lock");
        let services: Vec<Value> = self
            .plan
            .services
            .iter()
            .map(|svc| {
                let own: Vec<&edge::ExposedUrl> = urls.iter().filter(|u| u.service == svc.name).collect();
                let local: Vec<&str> = own.iter().map(|u| u.local.as_str()).collect();
                let spec: Vec<&str> = own.iter().map(|u| u.spec.as_str()).collect();
                let replicas = replicas(&svc.name);
                let ready = replicas.iter().filter(|r| r["state"] == "ready").count();
                json!({ "name": svc.name, "ready": ready, "urls": local, "spec_urls": spec, "replicas": replicas })
            })
            .collect();
        let datastores: Vec<Value> = self
            .plan
            .datastores
            .iter()
            .map(|ds| json!({ "name": ds.name(), "replicas": replicas(ds.name()) }))
            .collect();
        let addr = |a: Option<SocketAddr>| a.map(|a| a.to_string());
        json!({
            "application": platform.name,
            "environment": self.plan.environment,
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
        if !self.plan.services.iter().any(|s| s.name == service) {
            return Err(Error::UnknownProcess(service.to_owned()));
        }
        self.supervisor.scale(service, replicas).await
    }

    /// Re-reads the spec and applies what can change while running: replica counts, routes and the
    /// edge's rate limit. Returns what was applied and what needs a restart of `plinth up`.
    pub async fn reload(&self) -> Result<Value> {
        let new = (self.reloader)().map_err(Error::Admin)?;
        let old = self.platform.lock().expect("platform lock").clone();
        let (mut applied, mut restart) = (Vec::new(), Vec::new());
        for svc in &new.services {
            let Some(prev) = old.service(&svc.name) else {
                restart.push(format!("{}: new service", svc.name));
                continue;
            };
            if prev.replicas != svc.replicas {
                self.supervisor.scale(&svc.name, svc.replicas).await?;
                applied.push(format!("{}: {} replicas", svc.name, svc.replicas));
            }
            if prev.expose != svc.expose {
                applied.push(format!("{}: routes", svc.name));
            }
            if runs_differently(prev, svc) {
                restart.push(format!("{}: command, environment or probes", svc.name));
            }
        }
        for svc in old.services.iter().filter(|s| new.service(&s.name).is_none()) {
            restart.push(format!("{}: removed service", svc.name));
        }
        if old.datastores != new.datastores {
            restart.push("datastores".to_owned());
        }
        if old.security.rate_limit != new.security.rate_limit {
            applied.push("rate limit".to_owned());
        }
        *self.platform.lock().expect("platform lock") = new;
        self.refresh_edge();
        Ok(json!({ "applied": applied, "needs_restart": restart }))
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
        let (routes, backends) = edge::routing(&platform, &self.plan, |name| self.supervisor.ready_ports(name));
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

/// Reloads the gateway whenever a replica's status changes.
async fn follow(environment: Arc<Environment>) {
    let mut changes = environment.supervisor.changes();
    while changes.changed().await.is_ok() {
        environment.refresh_edge();
    }
}

/// Whether `new` runs differently from `old` in ways only a restart applies.
fn runs_differently(old: &Service, new: &Service) -> bool {
    old.env != new.env
        || old.local_command != new.local_command
        || old.local_workdir != new.local_workdir
        || old.health != new.health
        || old.uses != new.uses
        || old.calls != new.calls
        || old.secrets != new.secrets
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
