//! The compose backend for local environments (seed 002's `docker-compose.yml`, seed 004's
//! development/staging setup): `environments/<env>/compose/` with
//!
//! - `docker-compose.yml`: datastores and their exporters (metrics on 127.0.0.1, listed in the
//!   header), services (in start order), the nginx edge when something is exposed (the only port
//!   published on every interface), pgAdmin behind the `tools` profile;
//! - `docker-compose.override.yml` (development stages only, which `docker-compose up` picks up by
//!   itself): datastore and service ports published on 127.0.0.1, the Node inspector for `node`
//!   toolchains;
//! - `.env.example`, `setup-secrets.sh` (writes `.env` and the edge's self-signed certificate),
//!   `.gitignore`, and PostgreSQL init scripts creating the spec's databases.

mod datastores;
mod env;
mod exporters;
mod ports;
mod services;

use plinth_spec::local::{self, PGADMIN};
use plinth_spec::model::{Engine, Platform, Stage};
use serde_json::{Map, Value, json};

use crate::{Artifacts, nginx};
use env::Env;
use ports::{HostPorts, loopback};

/// The edge's image (nginx stable; the config needs 1.19.4 or later).
const NGINX_IMAGE: &str = "nginx:1.27-alpine";
/// pgAdmin, pinned.
const PGADMIN_IMAGE: &str = "dpage/pgadmin4:8.14";
/// The port pgAdmin's image listens on.
const PGADMIN_PORT: u16 = 80;
/// The profile of optional tools (`docker-compose --profile tools up`).
const TOOLS_PROFILE: &str = "tools";
/// The Node inspector's port.
const NODE_INSPECTOR_PORT: u16 = 9229;

/// A compose healthcheck; times in whole seconds.
struct Healthcheck {
    test: Value,
    interval: u64,
    timeout: u64,
    retries: u32,
    start_period: u64,
}

impl Healthcheck {
    fn value(&self) -> Value {
        json!({
            "test": self.test,
            "interval": format!("{}s", self.interval),
            "timeout": format!("{}s", self.timeout),
            "retries": self.retries,
            "start_period": format!("{}s", self.start_period),
        })
    }
}

/// A `depends_on` entry waiting for the target's healthcheck.
fn healthy() -> Value {
    json!({ "condition": "service_healthy" })
}

/// Renders `environments/<env>/compose/` for a local `platform`.
pub fn render(platform: &Platform, artifacts: &mut Artifacts) {
    let dir = local::compose_dir(platform);
    let header = format!(
        "Rendered by plinth from plinth.yaml (application {}, environment {}).\nDo not edit: change plinth.yaml and run `plinth render`.",
        platform.name, platform.environment.name
    );
    let mut env = Env::default();
    env.setting("COMPOSE_PROJECT_NAME", &format!("{}-{}", platform.name, platform.environment.name));
    env.setting(services::SOURCE_ROOT, services::SOURCE_ROOT_DEFAULT);
    let mut host_ports = HostPorts::default();

    let mut compose_services = Map::new();
    let mut volumes = Map::new();
    for (name, service) in datastores::services(platform, &mut env) {
        compose_services.insert(name, service);
    }
    for name in datastores::volumes(platform) {
        volumes.insert(name, json!({}));
    }
    let exporters = exporters::services(platform, &mut env, &mut host_ports);
    for exporter in &exporters {
        compose_services.insert(exporter.name.clone(), exporter.service.clone());
    }
    for svc in platform.start_order() {
        compose_services.insert(svc.name.clone(), services::service(platform, svc, &mut env));
    }
    if local::has_edge(platform) {
        compose_services.insert(local::EDGE_SERVICE.to_owned(), edge(platform, &mut host_ports));
    }
    if platform.datastores.iter().any(|ds| ds.engine == Engine::Postgres) {
        compose_services.insert(PGADMIN.to_owned(), pgadmin(platform, &mut env, &mut host_ports));
        volumes.insert(datastores::volume(PGADMIN), json!({}));
    }
    let compose = json!({ "services": compose_services, "volumes": volumes });
    let compose_header = match exporters::header_note(&exporters) {
        Some(note) => format!("{header}\n{note}"),
        None => header.clone(),
    };
    artifacts.add_yaml(format!("{dir}/docker-compose.yml"), &compose_header, &[compose]);

    if platform.environment.stage == Stage::Development {
        let overrides = json!({ "services": development(platform, &mut host_ports) });
        let override_header =
            format!("{header}\nDevelopment conveniences, merged by `docker-compose up`: ports on 127.0.0.1.");
        artifacts.add_yaml(format!("{dir}/docker-compose.override.yml"), &override_header, &[overrides]);
    }

    for ds in platform.datastores.iter().filter(|ds| ds.engine == Engine::Postgres) {
        if let Some(sql) = datastores::initdb_sql(ds) {
            let comment: String = header.lines().map(|line| format!("-- {line}\n")).collect();
            artifacts
                .add(format!("{dir}/{}/create-databases.sql", datastores::initdb_dir(ds)), format!("{comment}\n{sql}"));
        }
    }
    artifacts.add(format!("{dir}/.env.example"), env.example(&header));
    let certificate_names = if local::has_edge(platform) { local::certificate_names(platform) } else { Vec::new() };
    artifacts.add_executable(format!("{dir}/setup-secrets.sh"), env::setup_script(&header, &certificate_names));
    artifacts.add(
        format!("{dir}/.gitignore"),
        format!(".env\n{}/\n", local::CERT_DIR_FROM_COMPOSE.trim_start_matches("./")),
    );
}

/// The nginx edge: the rendered `nginx/` directory and the certificates mounted read-only, HTTP and
/// HTTPS published, started once every exposed service is healthy; healthy itself when nginx
/// answers [`nginx::HEALTH_PATH`] on plain HTTP (busybox `wget` of the Alpine image; the path is
/// not redirected, not logged, and involves no service behind the edge).
fn edge(platform: &Platform, host_ports: &mut HostPorts) -> Value {
    let published: Vec<String> = [local::EDGE_HTTP_PORT, local::EDGE_HTTPS_PORT]
        .into_iter()
        .map(|port| format!("{}:{port}", host_ports.take(port)))
        .collect();
    let after: Map<String, Value> = platform
        .services
        .iter()
        .filter(|svc| !svc.expose.is_empty())
        .map(|svc| (local::service_host(&svc.name).to_owned(), healthy()))
        .collect();
    json!({
        "image": NGINX_IMAGE,
        "restart": "unless-stopped",
        "command": ["nginx", "-c", format!("{}/nginx.conf", local::EDGE_CONFIG_DIR), "-g", "daemon off;"],
        "volumes": [
            format!("{}:{}:ro", local::NGINX_DIR_FROM_COMPOSE, local::EDGE_CONFIG_DIR),
            format!("{}:{}:ro", local::CERT_DIR_FROM_COMPOSE, local::EDGE_CERT_DIR),
        ],
        "ports": published,
        "depends_on": after,
        "healthcheck": http_check(local::EDGE_HTTP_PORT, nginx::HEALTH_PATH, 5),
    })
}

/// A healthcheck fetching `http://127.0.0.1:<port><path>` with busybox `wget` (both Alpine-based
/// images have it), allowing `start_period` seconds for the first start.
fn http_check(port: u16, path: &str, start_period: u64) -> Value {
    let test = json!(["CMD", "wget", "-q", "-O", "/dev/null", format!("http://127.0.0.1:{port}{path}")]);
    Healthcheck { test, interval: 30, timeout: 5, retries: 3, start_period }.value()
}

/// pgAdmin on 127.0.0.1, only with `--profile tools`; healthy when its unauthenticated
/// `/misc/ping` answers (the first start sets up its database: a minute's grace).
fn pgadmin(platform: &Platform, env: &mut Env, host_ports: &mut HostPorts) -> Value {
    let domain = platform.domains.values().next().map_or("example.com", String::as_str);
    let email = env.setting("PGADMIN_DEFAULT_EMAIL", &format!("admin@{domain}"));
    let after: Map<String, Value> = platform
        .datastores
        .iter()
        .filter(|ds| ds.engine == Engine::Postgres)
        .map(|ds| (ds.name.clone(), healthy()))
        .collect();
    json!({
        "image": PGADMIN_IMAGE,
        "profiles": [TOOLS_PROFILE],
        "environment": {
            "PGADMIN_DEFAULT_EMAIL": email,
            "PGADMIN_DEFAULT_PASSWORD": env.secret("PGADMIN_DEFAULT_PASSWORD", PGADMIN),
        },
        "ports": [loopback(host_ports.take(5050), PGADMIN_PORT)],
        "volumes": [format!("{}:/var/lib/pgadmin", datastores::volume(PGADMIN))],
        "depends_on": after,
        "healthcheck": http_check(PGADMIN_PORT, "/misc/ping", 60),
    })
}

/// The override's services: every datastore and service port on 127.0.0.1; for `node` toolchains
/// `NODE_ENV=development` and the inspector, also on 127.0.0.1.
fn development(platform: &Platform, host_ports: &mut HostPorts) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, container_ports) in datastores::ports(platform) {
        let published: Vec<String> = container_ports.iter().map(|&p| loopback(host_ports.take(p), p)).collect();
        out.insert(name, json!({ "ports": published }));
    }
    let node = platform.build.toolchain.as_ref().is_some_and(|(language, _)| language == "node");
    for svc in platform.start_order() {
        let mut published = vec![loopback(host_ports.take(svc.port()), svc.port())];
        let mut service = Map::new();
        if node {
            published.push(loopback(host_ports.take(NODE_INSPECTOR_PORT), NODE_INSPECTOR_PORT));
            service.insert(
                "environment".to_owned(),
                json!({ "NODE_ENV": "development", "NODE_OPTIONS": format!("--inspect=0.0.0.0:{NODE_INSPECTOR_PORT}") }),
            );
        }
        service.insert("ports".to_owned(), json!(published));
        out.insert(svc.name.clone(), Value::Object(service));
    }
    out
}
