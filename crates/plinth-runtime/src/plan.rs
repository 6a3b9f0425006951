//! What `plinth up` runs for one environment, computed without IO: the datastores, then the
//! services in dependency order, each with its command, working directory, replica ports and
//! environment.
//!
//! Services get the variables the compose backend gives them (`crates/plinth-render/src/compose/
//! services.rs`), so a service runs unchanged under both: `PORT`, `HOST`, `SERVICE_NAME`, the
//! spec's `env`, every secret of `secrets`, `DB_HOST`/`DB_PORT`/`DB_NAME`/`DB_USERNAME`/
//! `DB_SSLMODE`/`DATABASE_URL` for the database used, `REDIS_HOST`/`REDIS_PORT`/`REDIS_TLS`/
//! `REDIS_URL`, `<DATASTORE>_BUCKET` (plus `<DATASTORE>_BUCKET_PATH`, the local directory, instead
//! of compose's MinIO endpoint and keys), and `<CALLEE>_URL` for each service called.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use plinth_spec::model::{Datastore, Engine, Health, Persistence, Platform, Service};

use crate::error::Result;
use crate::ports::Ports;
use crate::secrets::{POSTGRES_SUPERUSER_PASSWORD, Secrets};

/// The loopback address everything listens on.
pub const HOST: &str = "127.0.0.1";
/// The secret holding the application role's PostgreSQL password (the compose backend's name).
pub const DB_PASSWORD: &str = "DB_PASSWORD";
/// The secret holding Redis' `requirepass` (the compose backend's name).
pub const REDIS_PASSWORD: &str = "REDIS_PASSWORD";

/// The demo workload's liveness path (`plinth-demo`'s `/healthz`), probed instead of the spec's
/// on services the demo stands in for.
pub const DEMO_LIVENESS_PATH: &str = "/healthz";
/// The demo workload's readiness path (`/readyz`), also its startup probe's.
pub const DEMO_READINESS_PATH: &str = "/readyz";

/// Where the `<CALLEE>_URL` variables point.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum CalleeUrls {
    /// At the callee's first replica (`http://127.0.0.1:<port>`).
    #[default]
    FirstReplica,
    /// At the given URL per callee (the gateway); callees missing here get their first replica.
    Given(BTreeMap<String, String>),
}

/// What the plan needs besides the model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanOptions {
    /// The directory holding `plinth.yaml`; `local_workdir` is relative to it.
    pub spec_dir: PathBuf,
    /// The environment's state directory (`.plinth/<env>/`).
    pub state_dir: PathBuf,
    /// The command of services without `local_command`: the built-in demo workload
    /// (`[current_exe, "demo"]`).
    pub demo_command: Vec<String>,
    /// Where callers reach their callees.
    pub callee_urls: CalleeUrls,
}

/// Everything to run, in start order.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The environment.
    pub environment: String,
    /// Its state directory.
    pub state_dir: PathBuf,
    /// Datastores, by name.
    pub datastores: Vec<DatastorePlan>,
    /// Services, every one after those it calls.
    pub services: Vec<ServicePlan>,
}

/// One datastore.
#[derive(Debug, Clone, PartialEq)]
pub enum DatastorePlan {
    /// A PostgreSQL cluster of its own.
    Postgres(PostgresPlan),
    /// A Redis server.
    Redis(RedisPlan),
    /// A directory.
    Bucket {
        /// The datastore's name.
        name: String,
        /// The directory.
        path: PathBuf,
    },
}

impl DatastorePlan {
    /// The datastore's name.
    pub fn name(&self) -> &str {
        match self {
            Self::Postgres(pg) => &pg.name,
            Self::Redis(redis) => &redis.name,
            Self::Bucket { name, .. } => name,
        }
    }
}

/// A PostgreSQL datastore.
#[derive(Debug, Clone, PartialEq)]
pub struct PostgresPlan {
    /// The datastore's name.
    pub name: String,
    /// Its directory (`<state>/<name>`): `data/`, the socket directory `run/`.
    pub dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// The superuser `postgres`'s password.
    pub superuser_password: String,
    /// The application role every service connects as.
    pub role: String,
    /// Its password.
    pub password: String,
    /// The databases, owned by the role.
    pub databases: Vec<String>,
}

/// A Redis datastore.
#[derive(Debug, Clone, PartialEq)]
pub struct RedisPlan {
    /// The datastore's name.
    pub name: String,
    /// Its directory (`<state>/<name>`): the configuration and the data.
    pub dir: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `requirepass`, when the datastore has `auth`.
    pub password: Option<String>,
    /// Snapshots and append-only file.
    pub persistence: Persistence,
    /// `maxmemory-policy`.
    pub eviction: String,
}

/// One service.
#[derive(Debug, Clone, PartialEq)]
pub struct ServicePlan {
    /// Its name.
    pub name: String,
    /// Program and arguments (`sh -c <local_command>`, or the demo command).
    pub argv: Vec<String>,
    /// Working directory.
    pub workdir: PathBuf,
    /// Environment, except `PORT`, which each replica gets its own of.
    pub env: BTreeMap<String, String>,
    /// One port per replica.
    pub ports: Vec<u16>,
    /// Probes from the spec (the demo workload's paths when it stands in; the port is the replica's).
    pub health: Health,
    /// The metrics path.
    pub metrics_path: String,
    /// What must be ready first: datastores used (not buckets) and services called.
    pub depends_on: Vec<String>,
}

/// `health` with the demo workload's probe paths (the timings stay the spec's).
fn demo_health(health: &Health) -> Health {
    let mut health = health.clone();
    health.liveness.path = DEMO_LIVENESS_PATH.to_owned();
    health.readiness.path = DEMO_READINESS_PATH.to_owned();
    if let Some(startup) = &mut health.startup {
        startup.path = DEMO_READINESS_PATH.to_owned();
    }
    health
}

/// The PostgreSQL role every service connects as: the application's name with `_` for `-`, as the
/// compose backend names it (`crates/plinth-render/src/compose/datastores.rs`; a candidate for
/// `plinth_spec::local`).
pub fn postgres_role(platform: &Platform) -> String {
    platform.name.replace('-', "_")
}

/// `auth-service` → `AUTH_SERVICE`, the prefix of per-datastore and per-callee variables.
pub fn env_prefix(name: &str) -> String {
    name.replace('-', "_").to_uppercase()
}

/// The plan of `platform`; secrets are generated into `secrets` (the caller saves them), ports
/// come from `ports`.
pub fn plan(platform: &Platform, options: &PlanOptions, secrets: &mut Secrets, ports: &mut dyn Ports) -> Result<Plan> {
    let datastores = platform
        .datastores
        .iter()
        .map(|ds| datastore(platform, ds, &options.state_dir, secrets, ports))
        .collect::<Result<Vec<_>>>()?;
    let mut services: Vec<ServicePlan> = Vec::new();
    for svc in platform.start_order() {
        let ports = replica_ports(svc, ports)?;
        services.push(service(svc, options, &datastores, &services, secrets, ports));
    }
    Ok(Plan {
        environment: platform.environment.name.clone(),
        state_dir: options.state_dir.clone(),
        datastores,
        services,
    })
}

/// A fresh port for each replica of `svc` (one at least).
pub fn replica_ports(svc: &Service, ports: &mut dyn Ports) -> Result<Vec<u16>> {
    (0..svc.replicas.max(1)).map(|_| ports.next_port()).collect()
}

/// The plan of one service whose replicas listen on `ports`, beside `datastores` and after
/// `started` (the services planned before it, its callees among them); the secrets it names are
/// generated into `secrets` when new. A running environment plans a changed service again with it.
pub fn service(
    svc: &Service,
    options: &PlanOptions,
    datastores: &[DatastorePlan],
    started: &[ServicePlan],
    secrets: &mut Secrets,
    ports: Vec<u16>,
) -> ServicePlan {
    let env = environment(svc, options, datastores, started, secrets);
    let (argv, health) = match &svc.local_command {
        Some(command) => (vec!["sh".to_owned(), "-c".to_owned(), command.clone()], svc.health.clone()),
        None => (options.demo_command.clone(), demo_health(&svc.health)),
    };
    let depends_on = svc
        .uses
        .iter()
        .filter(|u| u.engine != Engine::Bucket)
        .map(|u| u.datastore.clone())
        .chain(svc.calls.iter().cloned())
        .collect();
    ServicePlan {
        name: svc.name.clone(),
        argv,
        workdir: options.spec_dir.join(svc.local_workdir.as_deref().unwrap_or(".")),
        env,
        ports,
        health,
        metrics_path: svc.metrics.path.clone(),
        depends_on,
    }
}

impl ServicePlan {
    /// What runs differently under `other` than under `self` (ports aside: each replica has its
    /// own): `command`, `environment`, `working directory`, `probes`, `metrics path`,
    /// `dependencies`.
    pub fn differences(&self, other: &Self) -> Vec<&'static str> {
        [
            (self.argv != other.argv, "command"),
            (self.env != other.env, "environment"),
            (self.workdir != other.workdir, "working directory"),
            (self.health != other.health, "probes"),
            (self.metrics_path != other.metrics_path, "metrics path"),
            (self.depends_on != other.depends_on, "dependencies"),
        ]
        .into_iter()
        .filter_map(|(differs, what)| differs.then_some(what))
        .collect()
    }
}

impl Plan {
    /// The datastore called `name`.
    pub fn datastore(&self, name: &str) -> Option<&DatastorePlan> {
        self.datastores.iter().find(|ds| ds.name() == name)
    }

    /// The service called `name`.
    pub fn service(&self, name: &str) -> Option<&ServicePlan> {
        self.services.iter().find(|s| s.name == name)
    }
}

fn datastore(
    platform: &Platform,
    ds: &Datastore,
    state_dir: &Path,
    secrets: &mut Secrets,
    ports: &mut dyn Ports,
) -> Result<DatastorePlan> {
    let dir = state_dir.join(&ds.name);
    Ok(match ds.engine {
        Engine::Postgres => DatastorePlan::Postgres(PostgresPlan {
            name: ds.name.clone(),
            dir,
            port: ports.next_port()?,
            superuser_password: secrets.get_or_generate(POSTGRES_SUPERUSER_PASSWORD),
            role: postgres_role(platform),
            password: secrets.get_or_generate(DB_PASSWORD),
            databases: ds.databases.clone(),
        }),
        Engine::Redis => DatastorePlan::Redis(RedisPlan {
            name: ds.name.clone(),
            dir,
            port: ports.next_port()?,
            password: ds.auth.then(|| secrets.get_or_generate(REDIS_PASSWORD)),
            persistence: ds.persistence,
            eviction: ds.eviction.clone(),
        }),
        Engine::Bucket => {
            DatastorePlan::Bucket { name: ds.name.clone(), path: state_dir.join("buckets").join(&ds.name) }
        }
    })
}

/// The environment of `svc`, except `PORT`.
fn environment(
    svc: &Service,
    options: &PlanOptions,
    datastores: &[DatastorePlan],
    started: &[ServicePlan],
    secrets: &mut Secrets,
) -> BTreeMap<String, String> {
    let mut env = svc.env.clone();
    let mut set = |name: &str, value: String| {
        env.insert(name.to_owned(), value);
    };
    set("HOST", HOST.to_owned());
    set("SERVICE_NAME", svc.name.clone());
    for secret in &svc.secrets {
        set(secret, secrets.get_or_generate(secret));
    }
    for binding in &svc.uses {
        match datastores.iter().find(|ds| ds.name() == binding.datastore) {
            Some(DatastorePlan::Postgres(pg)) => {
                let database = binding.database.clone().or_else(|| pg.databases.first().cloned()).unwrap_or_default();
                let (role, password, port) = (&pg.role, &pg.password, pg.port);
                set("DB_HOST", HOST.to_owned());
                set("DB_PORT", port.to_string());
                set("DB_NAME", database.clone());
                set("DB_USERNAME", role.clone());
                set("DB_SSLMODE", "disable".to_owned());
                set(DB_PASSWORD, password.clone());
                set("DATABASE_URL", format!("postgres://{role}:{password}@{HOST}:{port}/{database}?sslmode=disable"));
            }
            Some(DatastorePlan::Redis(redis)) => {
                set("REDIS_HOST", HOST.to_owned());
                set("REDIS_PORT", redis.port.to_string());
                set("REDIS_TLS", "false".to_owned());
                let auth = redis.password.as_ref().map(|p| format!(":{p}@")).unwrap_or_default();
                if let Some(password) = &redis.password {
                    set(REDIS_PASSWORD, password.clone());
                }
                set("REDIS_URL", format!("redis://{auth}{HOST}:{}", redis.port));
            }
            Some(DatastorePlan::Bucket { name, path }) => {
                set(&format!("{}_BUCKET", env_prefix(name)), name.clone());
                set(&format!("{}_BUCKET_PATH", env_prefix(name)), path.display().to_string());
            }
            None => {}
        }
    }
    for callee in &svc.calls {
        let given = match &options.callee_urls {
            CalleeUrls::Given(urls) => urls.get(callee).cloned(),
            CalleeUrls::FirstReplica => None,
        };
        let first = started.iter().find(|s| &s.name == callee).and_then(|s| s.ports.first());
        if let Some(url) = given.or_else(|| first.map(|port| format!("http://{HOST}:{port}"))) {
            set(&format!("{}_URL", env_prefix(callee)), url);
        }
    }
    env
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ports 5000, 5001, … in order.
    struct Counter(u16);

    impl Ports for Counter {
        fn next_port(&mut self) -> Result<u16> {
            self.0 += 1;
            Ok(self.0 - 1)
        }
    }

    fn business_app() -> Platform {
        let compiled = plinth_spec::compile(include_str!("../../../examples/business-app/plinth.yaml"));
        assert!(!compiled.has_errors(), "{:?}", compiled.diagnostics);
        compiled.platform("development").expect("a development environment").clone()
    }

    fn options() -> PlanOptions {
        PlanOptions {
            spec_dir: "/app".into(),
            state_dir: "/app/.plinth/development".into(),
            demo_command: vec!["/bin/plinth".into(), "demo".into()],
            callee_urls: CalleeUrls::FirstReplica,
        }
    }

    fn business_plan(callee_urls: CalleeUrls) -> (Plan, Secrets) {
        let mut secrets = Secrets::default();
        let options = PlanOptions { callee_urls, ..options() };
        let plan = plan(&business_app(), &options, &mut secrets, &mut Counter(5000)).unwrap();
        (plan, secrets)
    }

    #[test]
    fn datastores_come_first_and_callees_before_callers() {
        let (plan, _) = business_plan(CalleeUrls::FirstReplica);
        let datastores: Vec<&str> = plan.datastores.iter().map(DatastorePlan::name).collect();
        assert_eq!(datastores, ["assets", "postgres", "redis"]);
        let services: Vec<&str> = plan.services.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(services.last(), Some(&"api-gateway"));
        let gateway = &plan.services[4];
        assert_eq!(
            gateway.depends_on,
            ["redis", "auth-service", "business-service", "inventory-service", "invoice-service"]
        );
        assert_eq!(gateway.argv, ["/bin/plinth", "demo"]);
        assert_eq!(gateway.health.readiness.path, DEMO_READINESS_PATH);
        assert_eq!(gateway.health.liveness.path, DEMO_LIVENESS_PATH);
        assert_eq!(gateway.workdir, Path::new("/app/."));
        // Every replica has a port of its own, none shared.
        let mut all: Vec<u16> = plan.services.iter().flat_map(|s| s.ports.clone()).collect();
        let count = all.len();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), count);
        assert_eq!(gateway.ports.len(), business_app().service("api-gateway").unwrap().replicas as usize);
    }

    #[test]
    fn services_get_the_compose_backends_variables() {
        let (plan, mut secrets) = business_plan(CalleeUrls::FirstReplica);
        let DatastorePlan::Postgres(pg) = &plan.datastores[1] else { panic!("postgres second") };
        let DatastorePlan::Redis(redis) = &plan.datastores[2] else { panic!("redis third") };
        let auth = plan.services.iter().find(|s| s.name == "auth-service").unwrap();
        let password = secrets.get_or_generate(DB_PASSWORD);
        let redis_password = secrets.get_or_generate(REDIS_PASSWORD);
        assert_eq!(
            auth.env["DATABASE_URL"],
            format!("postgres://business_app:{password}@127.0.0.1:{}/auth_service?sslmode=disable", pg.port)
        );
        assert_eq!(auth.env["DB_NAME"], "auth_service");
        assert_eq!(auth.env["DB_USERNAME"], "business_app");
        assert_eq!(auth.env["DB_PORT"], pg.port.to_string());
        assert_eq!(auth.env["REDIS_URL"], format!("redis://:{redis_password}@127.0.0.1:{}", redis.port));
        assert_eq!(auth.env["JWT_SECRET"], secrets.get_or_generate("JWT_SECRET"));
        assert_eq!(auth.env["HOST"], "127.0.0.1");
        assert_eq!(auth.env["SERVICE_NAME"], "auth-service");
        assert_eq!(auth.env["NODE_ENV"], "production");
        assert!(!auth.env.contains_key("PORT"), "each replica gets its own PORT");
        let invoice = plan.services.iter().find(|s| s.name == "invoice-service").unwrap();
        assert_eq!(invoice.env["ASSETS_BUCKET"], "assets");
        assert_eq!(invoice.env["ASSETS_BUCKET_PATH"], "/app/.plinth/development/buckets/assets");
        assert_eq!(pg.databases.len(), 4);
        assert_eq!(pg.dir, Path::new("/app/.plinth/development/postgres"));
        assert_ne!(pg.superuser_password, pg.password);
        let gateway = plan.services.iter().find(|s| s.name == "api-gateway").unwrap();
        assert_eq!(gateway.env["AUTH_SERVICE_URL"], format!("http://127.0.0.1:{}", auth.ports[0]));
    }

    #[test]
    fn secrets_already_known_are_kept_and_callee_urls_can_point_at_the_gateway() {
        let mut secrets = Secrets::default();
        secrets.insert(DB_PASSWORD, "kept");
        let urls = BTreeMap::from([("auth-service".to_owned(), "https://gateway/auth".to_owned())]);
        let options = PlanOptions { callee_urls: CalleeUrls::Given(urls), ..options() };
        let plan = plan(&business_app(), &options, &mut secrets, &mut Counter(5000)).unwrap();
        let gateway = plan.services.iter().find(|s| s.name == "api-gateway").unwrap();
        assert_eq!(gateway.env["AUTH_SERVICE_URL"], "https://gateway/auth");
        assert!(gateway.env["BUSINESS_SERVICE_URL"].starts_with("http://127.0.0.1:"));
        let DatastorePlan::Postgres(pg) = &plan.datastores[1] else { panic!("postgres second") };
        assert_eq!(pg.password, "kept");
    }
}
