//! PostgreSQL in the cluster: the official Debian-based image (`docker.io/library/postgres`) as a
//! single-instance StatefulSet, configured from ConfigMaps, with one login role per service.
//!
//! - `<ds>-config` holds `postgresql.conf` (memory settings derived from the pod's memory limit,
//!   SCRAM password hashing, logging to stderr) and `pg_hba.conf` (SCRAM for every TCP connection,
//!   no superuser over the network, peer authentication on the pod-local socket).
//! - `<ds>-init` holds a script the image runs once, on an empty data directory: it creates each
//!   database and one `LOGIN` role per service that uses the datastore, named like the service's
//!   `DB_USERNAME` (`auth-service` → `auth_service`), with the password External Secrets puts in
//!   `APP_PASSWORD` (the value services receive as `DB_PASSWORD`). The first of them (by name) owns
//!   the database; the others are members of its role and act as it there, so tables any of them
//!   creates are usable by all. The script is idempotent, so an operator reruns it after adding a
//!   service or rotating the password.
//! - `PGDATA` is `/var/lib/postgresql/data/pgdata`, a subdirectory of the volume (the volume root
//!   may hold `lost+found`), the same for every major version: after a `version` bump PostgreSQL
//!   refuses to start on the older data directory until it is upgraded (`pg_upgrade` or a dump and
//!   restore); it never initialises an empty one beside it.
//! - postgres_exporter runs beside the server and connects over the socket volume as `postgres`,
//!   which the `peer` line of `pg_hba.conf` admits for the pod's UID.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{Container, EnvVar, ExecAction, Lifecycle, LifecycleHandler, Volume, VolumeMount};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use plinth_spec::model::{Datastore, Platform, RemoteRef, Service};
use serde_json::Value;

use super::super::exporters;
use super::{
    DATA_VOLUME, DATASTORE_UID, account, config_map, config_name, config_volume, container_port, credential_env,
    credentials, empty_dir, exec_probe, memory_limit_mib, services, stateful_set,
};

/// The container port's name.
const PORT_NAME: &str = "postgres";
/// Where the configuration files are mounted.
const CONFIG_DIR: &str = "/etc/postgresql";
/// Where the volume is mounted.
const DATA_DIR: &str = "/var/lib/postgresql/data";
/// The volume holding the server's Unix socket, shared with the exporter sidecar.
const SOCKET_VOLUME: &str = "run";
/// Where the socket volume is mounted.
const SOCKET_DIR: &str = "/var/run/postgresql";
/// The init script's file name in `/docker-entrypoint-initdb.d`.
const INIT_SCRIPT: &str = "10-databases-and-roles.sh";
/// Memory budgeted per connection (`work_mem` plus the backend's own overhead).
const CONNECTION_MIB: u64 = 10;

/// Every object of an in-cluster PostgreSQL datastore.
pub fn objects(platform: &Platform, ds: &Datastore) -> Vec<Value> {
    let config = BTreeMap::from([
        ("postgresql.conf".to_owned(), postgresql_conf(ds)),
        ("pg_hba.conf".to_owned(), pg_hba_conf(ds)),
    ]);
    let init = BTreeMap::from([(INIT_SCRIPT.to_owned(), init_script(platform, ds))]);
    let superuser = RemoteRef {
        key: format!("{}{}-superuser", platform.secrets.prefix, ds.name),
        property: Some("password".to_owned()),
    };
    let mut objects = vec![
        credentials(
            platform,
            ds,
            &[
                ("POSTGRES_PASSWORD".to_owned(), superuser),
                // The value the services get as DB_PASSWORD, so roles and clients agree.
                ("APP_PASSWORD".to_owned(), platform.secrets.remote("DB_PASSWORD")),
            ],
        ),
        config_map(platform, ds, &config_name(ds), config.clone()),
        config_map(platform, ds, &init_name(ds), init),
    ];
    objects.extend(services(platform, ds, PORT_NAME));
    let sidecar = exporters::postgres_sidecar(&mount(SOCKET_VOLUME, SOCKET_DIR), DATASTORE_UID);
    objects.push(account(platform, ds));
    objects.push(stateful_set(platform, ds, container(ds), sidecar, volumes(ds), &config));
    objects
}

fn init_name(ds: &Datastore) -> String {
    format!("{}-init", ds.name)
}

/// `shared_buffers`: a quarter of the memory limit, in MiB.
fn shared_buffers_mib(ds: &Datastore) -> u64 {
    memory_limit_mib(ds) / 4
}

/// Connections the memory left beside `shared_buffers` can serve at [`CONNECTION_MIB`] each,
/// rounded down to tens (at least 20). Clients share them: pods × pool size must stay below.
fn max_connections(ds: &Datastore) -> u64 {
    let spare = memory_limit_mib(ds) - shared_buffers_mib(ds);
    (spare / CONNECTION_MIB / 10 * 10).max(20)
}

fn postgresql_conf(ds: &Datastore) -> String {
    let limit = memory_limit_mib(ds);
    let shared = shared_buffers_mib(ds);
    let mut conf = format!(
        "# Rendered by plinth for datastore `{name}` (PostgreSQL {version}), sized for its {memory} memory limit.\n",
        name = ds.name,
        version = ds.version,
        memory = ds.memory.high,
    );
    let settings: [(&str, String, &str); 20] = [
        ("listen_addresses", "'*'".to_owned(), "NetworkPolicy and pg_hba.conf decide who connects"),
        ("port", "5432".to_owned(), ""),
        ("unix_socket_directories", format!("'{SOCKET_DIR}'"), "an emptyDir: the root is read-only"),
        ("max_connections", max_connections(ds).to_string(), "10 MiB each from the memory beside shared_buffers"),
        ("shared_buffers", format!("{shared}MB"), "25 % of the memory limit"),
        ("effective_cache_size", format!("{}MB", limit * 3 / 4), "75 % of the memory limit"),
        ("work_mem", "4MB".to_owned(), ""),
        ("maintenance_work_mem", format!("{}MB", (limit / 16).max(64)), "1/16 of the memory limit, at least 64MB"),
        ("password_encryption", "'scram-sha-256'".to_owned(), ""),
        ("timezone", "'UTC'".to_owned(), ""),
        ("log_timezone", "'UTC'".to_owned(), ""),
        ("log_destination", "'stderr'".to_owned(), "the container log"),
        ("logging_collector", "off".to_owned(), ""),
        ("log_line_prefix", "'%m [%p] %q%u@%d '".to_owned(), ""),
        ("log_connections", "on".to_owned(), ""),
        ("log_disconnections", "on".to_owned(), ""),
        ("log_min_duration_statement", "1000".to_owned(), "statements slower than 1 s"),
        ("log_lock_waits", "on".to_owned(), ""),
        ("log_temp_files", "0".to_owned(), ""),
        ("log_checkpoints", "on".to_owned(), ""),
    ];
    for (name, setting, comment) in settings {
        let line = format!("{name} = {setting}");
        if comment.is_empty() {
            conf.push_str(&line);
        } else {
            let _ = write!(conf, "{line:<48}# {comment}");
        }
        conf.push('\n');
    }
    conf
}

fn pg_hba_conf(ds: &Datastore) -> String {
    format!(
        "# Rendered by plinth for datastore `{}`.\n\
         # TYPE  DATABASE  USER      ADDRESS  METHOD\n\
         # The pod-local socket, as the postgres OS user: initialisation, `kubectl exec` and the init script.\n\
         local   all       postgres           peer\n\
         # The superuser never logs in over the network.\n\
         host    all       postgres  all      reject\n\
         # Every role a service uses: SCRAM-SHA-256 passwords only.\n\
         host    all       all       all      scram-sha-256\n",
        ds.name
    )
}

/// A PostgreSQL identifier, double-quoted.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// A PostgreSQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The role of a service: its `DB_USERNAME` (`auth-service` → `auth_service`).
fn role(svc: &Service) -> String {
    svc.name.replace('-', "_")
}

/// `(role, database)` for every service that uses the datastore, by service name.
fn logins(platform: &Platform, ds: &Datastore) -> Vec<(String, String)> {
    platform
        .services
        .iter()
        .filter_map(|svc| {
            let binding = svc.uses.iter().find(|u| u.datastore == ds.name)?;
            let database = binding.database.clone().or_else(|| ds.databases.first().cloned())?;
            Some((role(svc), database))
        })
        .collect()
}

/// The script `/docker-entrypoint-initdb.d` runs once; the SQL reaches psql through a quoted
/// heredoc and the password only as the psql variable `:'pw'`.
fn init_script(platform: &Platform, ds: &Datastore) -> String {
    let logins = logins(platform, ds);
    let mut sql = String::from(
        "-- The statements below carry a password: keep them out of the server log.\n\
         SET log_statement = 'none';\n\
         SET log_min_duration_statement = -1;\n\
         SET log_min_error_statement = panic;\n",
    );
    for database in &ds.databases {
        let create = format!("CREATE DATABASE {}", ident(database));
        let _ = writeln!(
            sql,
            "SELECT {} WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = {})\\gexec",
            literal(&create),
            literal(database)
        );
    }
    for (role, _) in &logins {
        let create = format!("CREATE ROLE {} LOGIN", ident(role));
        let _ = writeln!(
            sql,
            "SELECT {} WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {})\\gexec",
            literal(&create),
            literal(role)
        );
        let _ = writeln!(sql, "ALTER ROLE {} WITH LOGIN PASSWORD :'pw';", ident(role));
    }
    for database in &ds.databases {
        // The first service (by name) owns the database. The others that use it are members of
        // the owner's role and act as it in that database, so whatever any of them creates belongs
        // to the owner and every service sharing the database can use it.
        let mut users = logins.iter().filter(|(_, db)| db == database).map(|(role, _)| role);
        let Some(owner) = users.next() else { continue };
        let _ = writeln!(sql, "ALTER DATABASE {} OWNER TO {};", ident(database), ident(owner));
        let _ = writeln!(sql, "REVOKE ALL ON DATABASE {} FROM PUBLIC;", ident(database));
        for member in users {
            let _ = writeln!(sql, "GRANT {} TO {};", ident(owner), ident(member));
            let _ = writeln!(
                sql,
                "ALTER ROLE {} IN DATABASE {} SET role = {};",
                ident(member),
                ident(database),
                literal(owner)
            );
        }
    }
    format!(
        "#!/bin/sh\n\
         # Rendered by plinth: the databases of datastore `{name}` and one login role per service that uses it.\n\
         # The image runs this once, on an empty data directory. It is idempotent: after adding a service or\n\
         # rotating DB_PASSWORD (then restart the pod so APP_PASSWORD is current), rerun it with\n\
         #   kubectl exec -n {namespace} {name}-0 -- /docker-entrypoint-initdb.d/{INIT_SCRIPT}\n\
         set -eu\n\
         exec psql -v ON_ERROR_STOP=1 --no-psqlrc --username postgres --dbname postgres -v pw=\"$APP_PASSWORD\" <<'SQL'\n\
         {sql}SQL\n",
        name = ds.name,
        namespace = platform.kubernetes.namespace,
    )
}

fn mount(name: &str, path: &str) -> VolumeMount {
    VolumeMount { name: name.to_owned(), mount_path: path.to_owned(), ..VolumeMount::default() }
}

fn container(ds: &Datastore) -> Container {
    let ready = ["pg_isready", "-U", "postgres", "-h", "127.0.0.1", "-p", "5432"];
    Container {
        name: "postgres".to_owned(),
        image: Some(format!("docker.io/library/postgres:{}", ds.version)),
        args: Some(vec![
            "-c".to_owned(),
            format!("config_file={CONFIG_DIR}/postgresql.conf"),
            "-c".to_owned(),
            format!("hba_file={CONFIG_DIR}/pg_hba.conf"),
        ]),
        ports: Some(vec![container_port(PORT_NAME, 5432)]),
        env: Some(vec![
            EnvVar { name: "PGDATA".to_owned(), value: Some(format!("{DATA_DIR}/pgdata")), ..EnvVar::default() },
            credential_env(ds, "POSTGRES_PASSWORD", "POSTGRES_PASSWORD"),
            credential_env(ds, "APP_PASSWORD", "APP_PASSWORD"),
        ]),
        // The first start runs initdb and the init script before TCP is up: up to 15 minutes.
        startup_probe: Some(exec_probe(&ready, 10, 90)),
        readiness_probe: Some(exec_probe(&ready, 10, 3)),
        liveness_probe: Some(exec_probe(&ready, 20, 6)),
        // Kubernetes stops with SIGTERM, PostgreSQL's "smart" shutdown, which waits for pooled
        // connections that never close; a fast shutdown ends them and checkpoints cleanly.
        lifecycle: Some(Lifecycle {
            pre_stop: Some(LifecycleHandler {
                exec: Some(ExecAction {
                    command: Some(
                        ["pg_ctl", "stop", "--mode=fast", "--wait", "--timeout=50"].map(str::to_owned).to_vec(),
                    ),
                }),
                ..LifecycleHandler::default()
            }),
            ..Lifecycle::default()
        }),
        volume_mounts: Some(vec![
            mount("config", CONFIG_DIR),
            mount("init", "/docker-entrypoint-initdb.d"),
            mount(DATA_VOLUME, DATA_DIR),
            mount(SOCKET_VOLUME, SOCKET_DIR),
            mount("shm", "/dev/shm"),
            mount("tmp", "/tmp"),
        ]),
        ..Container::default()
    }
}

fn volumes(ds: &Datastore) -> Vec<Volume> {
    vec![
        // Executable, so the entrypoint runs it in its own shell instead of sourcing it.
        config_volume("init", init_name(ds), 0o555),
        empty_dir(SOCKET_VOLUME, Quantity("16Mi".to_owned()), false),
        // Parallel queries allocate dynamic shared memory here; the runtime's default is 64Mi.
        empty_dir("shm", Quantity(format!("{}Mi", shared_buffers_mib(ds))), true),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = "
plinth: 1
name: shop
services:
  web-app: { image: ghcr.io/acme/web, uses: [db/orders] }
  1worker: { image: ghcr.io/acme/worker, uses: [db/orders] }
  audit: { image: ghcr.io/acme/audit, uses: [db/audit] }
  static: { image: ghcr.io/acme/static }
datastores:
  db:
    engine: postgres
    hosting: cluster
    databases: [orders, audit, spare]
    resources: { cpu: 500m..1, memory: 1Gi..2Gi }
environments:
  production: {}
";

    fn platform() -> Platform {
        let compiled = plinth_spec::compile(SPEC);
        assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
        compiled.platforms.into_iter().next().unwrap()
    }

    #[test]
    fn memory_settings_derive_from_the_limit() {
        let platform = platform();
        let conf = postgresql_conf(platform.datastore("db").unwrap());
        assert!(conf.contains("shared_buffers = 512MB "), "{conf}");
        assert!(conf.contains("effective_cache_size = 1536MB "), "{conf}");
        assert!(conf.contains("maintenance_work_mem = 128MB "), "{conf}");
        assert!(conf.contains("max_connections = 150 "), "{conf}");
        assert!(conf.contains("password_encryption = 'scram-sha-256'"), "{conf}");
    }

    #[test]
    fn host_connections_need_scram() {
        let hba = pg_hba_conf(platform().datastore("db").unwrap());
        let rules: Vec<&str> = hba.lines().filter(|l| !l.starts_with('#')).collect();
        assert!(
            rules
                .iter()
                .filter(|l| l.starts_with("host"))
                .all(|l| l.ends_with("scram-sha-256") || l.ends_with("reject"))
        );
        assert!(!hba.contains("trust"));
    }

    #[test]
    fn init_script_quotes_roles_and_never_holds_the_password() {
        let platform = platform();
        let script = init_script(&platform, platform.datastore("db").unwrap());
        assert!(script.contains("-v pw=\"$APP_PASSWORD\" <<'SQL'\n"), "{script}");
        // A service name may start with a digit: the role is a quoted identifier everywhere.
        assert!(script.contains("SELECT 'CREATE ROLE \"1worker\" LOGIN' WHERE NOT EXISTS"), "{script}");
        assert!(script.contains("ALTER ROLE \"web_app\" WITH LOGIN PASSWORD :'pw';"), "{script}");
        // `1worker` sorts first, so it owns `orders`; `web-app` shares it.
        assert!(script.contains("ALTER DATABASE \"orders\" OWNER TO \"1worker\";"), "{script}");
        assert!(script.contains("GRANT \"1worker\" TO \"web_app\";"), "{script}");
        assert!(script.contains("ALTER ROLE \"web_app\" IN DATABASE \"orders\" SET role = '1worker';"), "{script}");
        assert!(script.contains("ALTER DATABASE \"audit\" OWNER TO \"audit\";"), "{script}");
        assert!(script.contains("SELECT 'CREATE DATABASE \"spare\"'"), "{script}");
        assert!(!script.contains("\"spare\" OWNER"), "{script}");
        assert!(!script.contains("static"), "{script}");
        assert_eq!(script.matches("$APP_PASSWORD").count(), 1, "{script}");
    }

    #[test]
    fn literals_and_identifiers_escape_their_quotes() {
        assert_eq!(ident("a\"b"), "\"a\"\"b\"");
        assert_eq!(literal("it's"), "'it''s'");
    }
}
