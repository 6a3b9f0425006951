//! The datastores as containers: PostgreSQL and Redis at the spec's versions, every bucket in one
//! MinIO (seed 004's S3/MinIO) created by a one-shot `mc` job, each with a healthcheck and a named
//! volume. One role per PostgreSQL container, named after the application, owns every database.

use plinth_spec::model::{Datastore, Engine, Persistence, Platform};
use serde_json::{Value, json};

use super::env::Env;
use super::{Healthcheck, healthy};

pub use plinth_spec::local::{BUCKETS_JOB, OBJECT_STORE};
/// MinIO's S3 port and console port.
pub const OBJECT_STORE_PORTS: [u16; 2] = [9000, 9001];
/// MinIO server release (the spec has no version for buckets; pinned, never `latest`).
const MINIO_IMAGE: &str = "minio/minio:RELEASE.2025-04-22T22-12-26Z";

/// The secret holding MinIO's root user name.
pub const MINIO_USER: &str = "MINIO_ROOT_USER";
/// The secret holding MinIO's root password.
pub const MINIO_PASSWORD: &str = "MINIO_ROOT_PASSWORD";

/// The PostgreSQL role every service connects as (`company_directory`).
pub fn postgres_user(platform: &Platform) -> String {
    platform.name.replace('-', "_")
}

/// The init script directory of PostgreSQL datastore `ds`, relative to the compose directory.
pub fn initdb_dir(ds: &Datastore) -> String {
    format!("initdb/{}", ds.name)
}

/// The SQL creating the databases after the first (`POSTGRES_DB` creates that one), if any.
pub fn initdb_sql(ds: &Datastore) -> Option<String> {
    let rest = ds.databases.get(1..).filter(|rest| !rest.is_empty())?;
    Some(rest.iter().map(|db| format!("CREATE DATABASE \"{db}\";\n")).collect())
}

/// Whether the platform has buckets (and so MinIO).
pub fn has_buckets(platform: &Platform) -> bool {
    platform.datastores.iter().any(|ds| ds.engine == Engine::Bucket)
}

/// The named volume of a container.
pub fn volume(name: &str) -> String {
    format!("{name}-data")
}

/// The named volumes of the datastore containers.
pub fn volumes(platform: &Platform) -> Vec<String> {
    let mut out: Vec<String> =
        platform.datastores.iter().filter(|ds| ds.engine != Engine::Bucket).map(|ds| volume(&ds.name)).collect();
    if has_buckets(platform) {
        out.push(volume(OBJECT_STORE));
    }
    out
}

/// `(compose service, container ports)` of every datastore container, for publishing.
pub fn ports(platform: &Platform) -> Vec<(String, Vec<u16>)> {
    let mut out: Vec<(String, Vec<u16>)> =
        platform.datastores.iter().filter_map(|ds| ds.port().map(|port| (ds.name.clone(), vec![port]))).collect();
    if has_buckets(platform) {
        out.push((OBJECT_STORE.to_owned(), OBJECT_STORE_PORTS.to_vec()));
    }
    out
}

/// The datastore containers, by compose service name.
pub fn services(platform: &Platform, env: &mut Env) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for ds in &platform.datastores {
        match ds.engine {
            Engine::Postgres => out.push((ds.name.clone(), postgres(platform, ds, env))),
            Engine::Redis => out.push((ds.name.clone(), redis(ds, env))),
            Engine::Bucket => {}
        }
    }
    if has_buckets(platform) {
        out.push((OBJECT_STORE.to_owned(), minio(env)));
        out.push((BUCKETS_JOB.to_owned(), buckets_job(platform, env)));
    }
    out
}

/// The timings every datastore healthcheck uses (seed 002: every 10 s, 5 s timeout, 5 retries).
fn store_check(test: Value) -> Value {
    Healthcheck { test, interval: 10, timeout: 5, retries: 5, start_period: 10 }.value()
}

fn postgres(platform: &Platform, ds: &Datastore, env: &mut Env) -> Value {
    let user = postgres_user(platform);
    let mut volumes = vec![format!("{}:/var/lib/postgresql/data", volume(&ds.name))];
    if initdb_sql(ds).is_some() {
        volumes.push(format!("./{}:/docker-entrypoint-initdb.d:ro", initdb_dir(ds)));
    }
    json!({
        "image": format!("postgres:{}-alpine", ds.version),
        "restart": "unless-stopped",
        "environment": {
            "POSTGRES_USER": user,
            "POSTGRES_PASSWORD": env.secret("DB_PASSWORD", &ds.name),
            "POSTGRES_DB": ds.databases[0],
        },
        "volumes": volumes,
        "healthcheck": store_check(json!(["CMD", "pg_isready", "-U", user, "-d", ds.databases[0]])),
    })
}

/// Redis' command line, as one string: compose splits it like a shell, and a list would hold the
/// bare word `yes`, which compose's YAML 1.1 parser reads as a boolean.
fn redis(ds: &Datastore, env: &mut Env) -> Value {
    let mut command = vec!["redis-server".to_owned()];
    let (save, append_only) = match ds.persistence {
        Persistence::None => (Some(""), "no"),
        Persistence::Rdb => (None, "no"),
        Persistence::Aof => (Some(""), "yes"),
        Persistence::RdbAof => (None, "yes"),
    };
    if let Some(save) = save {
        command.extend(["--save".to_owned(), format!("'{save}'")]);
    }
    command.extend(["--appendonly".to_owned(), append_only.to_owned()]);
    command.extend(["--maxmemory-policy".to_owned(), ds.eviction.clone()]);
    let mut environment = serde_json::Map::new();
    if ds.auth {
        let password = env.secret("REDIS_PASSWORD", &ds.name);
        command.extend(["--requirepass".to_owned(), password.clone()]);
        // redis-cli reads the password from here, so the healthcheck authenticates without `-a`.
        environment.insert("REDISCLI_AUTH".to_owned(), json!(password));
    }
    let mut service = json!({
        "image": format!("redis:{}-alpine", ds.version),
        "restart": "unless-stopped",
        "command": command.join(" "),
        "volumes": [format!("{}:/data", volume(&ds.name))],
        "healthcheck": store_check(json!(["CMD-SHELL", "redis-cli ping | grep -q PONG"])),
    });
    if !environment.is_empty() {
        service["environment"] = Value::Object(environment);
    }
    service
}

fn minio(env: &mut Env) -> Value {
    json!({
        "image": MINIO_IMAGE,
        "restart": "unless-stopped",
        "command": ["server", "/data", "--console-address", format!(":{}", OBJECT_STORE_PORTS[1])],
        "environment": {
            MINIO_USER: env.secret(MINIO_USER, OBJECT_STORE),
            MINIO_PASSWORD: env.secret(MINIO_PASSWORD, OBJECT_STORE),
        },
        "volumes": [format!("{}:/data", volume(OBJECT_STORE))],
        "healthcheck": store_check(json!(["CMD", "mc", "ready", "local"])),
    })
}

/// Creates every bucket (and turns on versioning where the spec asks) once MinIO is healthy; a
/// one-shot task (`restart: "no"`), also when no service waits for it.
fn buckets_job(platform: &Platform, env: &mut Env) -> Value {
    let mut script = format!(
        "mc alias set plinth http://{OBJECT_STORE}:{} \"$${MINIO_USER}\" \"$${MINIO_PASSWORD}\"",
        OBJECT_STORE_PORTS[0]
    );
    for ds in platform.datastores.iter().filter(|ds| ds.engine == Engine::Bucket) {
        script.push_str(&format!(" && mc mb --ignore-existing plinth/{}", ds.name));
        if ds.versioning {
            script.push_str(&format!(" && mc version enable plinth/{}", ds.name));
        }
    }
    json!({
        "image": MINIO_IMAGE,
        "entrypoint": ["/bin/sh", "-c"],
        "command": [script],
        "environment": {
            MINIO_USER: env.secret(MINIO_USER, BUCKETS_JOB),
            MINIO_PASSWORD: env.secret(MINIO_PASSWORD, BUCKETS_JOB),
        },
        "depends_on": { OBJECT_STORE: healthy() },
        "restart": "no",
    })
}
