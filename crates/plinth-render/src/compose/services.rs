//! The application services: built from the spec's build context and Dockerfile, wired to their
//! datastores and callees through environment variables (seed 002's names), started after them
//! (`service_healthy`), with a healthcheck on the readiness probe and the pod's hardening.
//!
//! The healthcheck fetches the readiness path with `wget`, which BusyBox puts in every Alpine-based
//! image (the seeds' `node:*-alpine` and `nginx:alpine`); an image without it reports unhealthy.

use plinth_spec::local;
use plinth_spec::model::{Engine, Platform, Service};
use serde_json::{Map, Value, json};

use super::datastores::{self, BUCKETS_JOB, MINIO_PASSWORD, MINIO_USER, OBJECT_STORE, OBJECT_STORE_PORTS};
use super::env::Env;
use super::{Healthcheck, healthy};

/// The image tag of locally built services: the environment's name.
pub fn image(platform: &Platform, svc: &Service) -> String {
    format!("{}:{}", svc.image, platform.environment.name)
}

/// `auth-service` → `AUTH_SERVICE`.
fn env_prefix(name: &str) -> String {
    name.replace('-', "_").to_uppercase()
}

/// The compose service of `svc`.
pub fn service(platform: &Platform, svc: &Service, env: &mut Env) -> Value {
    let mut service = json!({
        "build": {
            "context": build_context(&platform.build.context),
            "dockerfile": platform.build.dockerfile_for(&svc.name),
        },
        "image": image(platform, svc),
        "restart": "unless-stopped",
        "environment": environment(platform, svc, env),
        "healthcheck": healthcheck(svc),
        "read_only": svc.security.read_only_root_filesystem,
        "tmpfs": std::iter::once("/tmp").chain(svc.security.writable.iter().map(String::as_str)).collect::<Vec<_>>(),
        "cap_drop": ["ALL"],
        "security_opt": ["no-new-privileges:true"],
    });
    if !svc.security.capabilities.is_empty() {
        service["cap_add"] = json!(svc.security.capabilities);
    }
    let depends_on = depends_on(svc);
    if !depends_on.is_empty() {
        service["depends_on"] = Value::Object(depends_on);
    }
    service
}

/// The variable naming the repository root, which build contexts are relative to.
pub const SOURCE_ROOT: &str = "SOURCE_ROOT";
/// Its default: the root as seen from `<out>/environments/<env>/compose/` when the output
/// directory sits at the repository root (`plinth render -o out`).
pub const SOURCE_ROOT_DEFAULT: &str = "../../../..";

/// The spec's build context (relative to the repository root) from the compose directory.
fn build_context(context: &str) -> String {
    if context.starts_with('/') {
        return context.to_owned();
    }
    let root = format!("${{{SOURCE_ROOT}:-{SOURCE_ROOT_DEFAULT}}}");
    match context.trim_start_matches("./").trim_end_matches('/') {
        "" | "." => root,
        relative => format!("{root}/{relative}"),
    }
}

/// Datastores, callees and secrets as environment variables; secrets only by reference.
fn environment(platform: &Platform, svc: &Service, env: &mut Env) -> Map<String, Value> {
    let mut vars = Map::new();
    let mut set = |name: &str, value: String| {
        vars.insert(name.to_owned(), Value::String(value));
    };
    for (name, value) in &svc.env {
        set(name, value.clone());
    }
    set("PORT", svc.port().to_string());
    for secret in &svc.secrets {
        set(secret, env.secret(secret, &svc.name));
    }
    for binding in &svc.uses {
        let Some(ds) = platform.datastore(&binding.datastore) else { continue };
        let host = ds.name.clone();
        match binding.engine {
            Engine::Postgres => {
                let database = binding.database.clone().unwrap_or_else(|| ds.databases[0].clone());
                let user = datastores::postgres_user(platform);
                let password = env.secret("DB_PASSWORD", &svc.name);
                set("DB_HOST", host.clone());
                set("DB_PORT", "5432".to_owned());
                set("DB_NAME", database.clone());
                set("DB_USERNAME", user.clone());
                set("DB_SSLMODE", "disable".to_owned());
                set("DATABASE_URL", format!("postgres://{user}:{password}@{host}:5432/{database}?sslmode=disable"));
            }
            Engine::Redis => {
                set("REDIS_HOST", host.clone());
                set("REDIS_PORT", "6379".to_owned());
                set("REDIS_TLS", "false".to_owned());
                let auth =
                    if ds.auth { format!(":{}@", env.secret("REDIS_PASSWORD", &svc.name)) } else { String::new() };
                set("REDIS_URL", format!("redis://{auth}{host}:6379"));
            }
            Engine::Bucket => {
                set(&format!("{}_BUCKET", env_prefix(&ds.name)), ds.name.clone());
                set("AWS_REGION", platform.cloud.region.clone());
                set("AWS_ENDPOINT_URL_S3", format!("http://{OBJECT_STORE}:{}", OBJECT_STORE_PORTS[0]));
                set("AWS_ACCESS_KEY_ID", env.secret(MINIO_USER, &svc.name));
                set("AWS_SECRET_ACCESS_KEY", env.secret(MINIO_PASSWORD, &svc.name));
            }
        }
    }
    for callee in svc.calls.iter().filter_map(|name| platform.service(name)) {
        set(
            &format!("{}_URL", env_prefix(&callee.name)),
            format!("http://{}:{}", local::service_host(&callee.name), callee.port()),
        );
    }
    vars
}

/// The readiness probe as a healthcheck: same path, port, period, timeout and threshold; the
/// startup probe's (or readiness delay's) allowance as the start period.
fn healthcheck(svc: &Service) -> Value {
    let readiness = &svc.health.readiness;
    let url = format!("http://127.0.0.1:{}{}", svc.health.port, readiness.path);
    let start = svc.health.startup.as_ref().map_or(readiness.initial_delay.seconds(), |startup| {
        startup.initial_delay.seconds() + startup.period.seconds() * u64::from(startup.failure_threshold)
    });
    Healthcheck {
        test: json!(["CMD", "wget", "-q", "-O", "/dev/null", url]),
        interval: readiness.period.seconds(),
        timeout: readiness.timeout.seconds().max(1),
        retries: readiness.failure_threshold,
        start_period: start,
    }
    .value()
}

/// Start after every datastore used is healthy (buckets: created) and every callee is healthy.
fn depends_on(svc: &Service) -> Map<String, Value> {
    let mut after = Map::new();
    for binding in &svc.uses {
        match binding.engine {
            Engine::Bucket => {
                after.insert(BUCKETS_JOB.to_owned(), json!({ "condition": "service_completed_successfully" }))
            }
            _ => after.insert(binding.datastore.clone(), healthy()),
        };
    }
    for callee in &svc.calls {
        after.insert(local::service_host(callee).to_owned(), healthy());
    }
    after
}

#[cfg(test)]
mod tests {
    use super::build_context;

    #[test]
    fn contexts_are_relative_to_the_source_root() {
        assert_eq!(build_context("."), "${SOURCE_ROOT:-../../../..}");
        assert_eq!(build_context("./apps/"), "${SOURCE_ROOT:-../../../..}/apps");
        assert_eq!(build_context("/src"), "/src");
    }
}
