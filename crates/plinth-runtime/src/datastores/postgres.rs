//! PostgreSQL from the real binaries: `initdb` once (superuser password from `secrets.json`,
//! scram-sha-256 over TCP, trust only on the Unix socket in a private directory), `postgres`
//! supervised on 127.0.0.1 (fast shutdown on SIGINT), ready when `pg_isready` says so; then the
//! application role and each database, created idempotently by `psql` with the values passed as
//! psql variables (`:'x'`, `:"x"` quote them), never spliced into SQL.
//!
//! PostgreSQL refuses to run as root: when plinth's euid is 0, `initdb` and `postgres` run as the
//! OS user `postgres`, which gets the datastore's directory.

use std::collections::BTreeMap;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rustix::process::Signal;
use tokio::process::Command;

use super::binaries::{POSTGRES_PACKAGE, find};
use crate::error::{Error, Result};
use crate::files::write_atomically;
use crate::plan::{HOST, PostgresPlan};
use crate::supervisor::{Check, Probe, Probes, ProcessSpec, Spawner, StopPolicy};

/// The OS user PostgreSQL runs as when plinth is root.
const OS_USER: &str = "postgres";
/// The superuser initdb creates.
const SUPERUSER: &str = "postgres";

/// Creates the role if missing, sets its password, creates the database if missing.
const PROVISION_SQL: &str = r#"SELECT format('CREATE ROLE %I LOGIN', :'role') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'role') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \gexec
"#;

fn data_dir(pg: &PostgresPlan) -> PathBuf {
    pg.dir.join("data")
}

/// The private directory holding the server's Unix socket.
fn socket_dir(pg: &PostgresPlan) -> PathBuf {
    pg.dir.join("run")
}

/// Initialises the cluster if needed and returns the server process to supervise.
pub(crate) async fn prepare(pg: &PostgresPlan, spawner: &Spawner) -> Result<ProcessSpec> {
    let initdb = find("initdb", POSTGRES_PACKAGE)?;
    let bin = initdb.canonicalize().map_err(Error::io(&initdb))?;
    let bin_dir = bin.parent().unwrap_or(Path::new("/"));
    let postgres =
        Some(bin_dir.join("postgres")).filter(|p| p.exists()).map_or_else(|| find("postgres", POSTGRES_PACKAGE), Ok)?;
    let pg_isready = find("pg_isready", POSTGRES_PACKAGE)?;
    let user = os_user()?;
    for dir in [pg.dir.clone(), socket_dir(pg)] {
        std::fs::create_dir_all(&dir).map_err(Error::io(&dir))?;
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).map_err(Error::io(&dir))?;
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&dir, Some(uid), Some(gid)).map_err(Error::io(&dir))?;
        }
    }
    if let Some(state) = user.and(pg.dir.parent()) {
        // The postgres user must be able to reach its directory through the state directory.
        let mode = std::fs::metadata(state).map_err(Error::io(state))?.permissions().mode();
        std::fs::set_permissions(state, std::fs::Permissions::from_mode(mode | 0o711)).map_err(Error::io(state))?;
    }
    if !data_dir(pg).join("PG_VERSION").exists() {
        initialise(pg, &initdb, user, spawner).await?;
    }
    let readiness = Probe {
        check: Check::Exec {
            argv: vec![
                pg_isready.display().to_string(),
                "-h".into(),
                HOST.into(),
                "-p".into(),
                pg.port.to_string(),
                "-t".into(),
                "2".into(),
            ],
            env: BTreeMap::new(),
            expect: None,
        },
        initial_delay: Duration::ZERO,
        period: Duration::from_millis(250),
        timeout: Duration::from_secs(3),
        failure_threshold: 3,
    };
    Ok(ProcessSpec {
        name: pg.name.clone(),
        argv: vec![
            postgres.display().to_string(),
            "-D".into(),
            data_dir(pg).display().to_string(),
            "-p".into(),
            pg.port.to_string(),
            "-k".into(),
            socket_dir(pg).display().to_string(),
            "-c".into(),
            format!("listen_addresses={HOST}"),
        ],
        workdir: Some(pg.dir.clone()),
        env: BTreeMap::new(),
        port_env: None,
        ports: vec![pg.port],
        probes: Probes { startup: None, readiness: Some(readiness), liveness: None },
        depends_on: Vec::new(),
        user,
        restart: Default::default(),
        stop: StopPolicy { signal: Signal::INT, grace: Duration::from_secs(10) },
        metrics_path: None,
        target_labels: BTreeMap::new(),
    })
}

/// `(uid, gid)` of the `postgres` OS user when plinth runs as root, else `None`.
fn os_user() -> Result<Option<(u32, u32)>> {
    if !rustix::process::geteuid().is_root() {
        return Ok(None);
    }
    let passwd = std::fs::read_to_string("/etc/passwd").map_err(Error::io("/etc/passwd"))?;
    let ids = passwd.lines().find_map(|line| {
        let fields: Vec<&str> = line.split(':').collect();
        (fields.first() == Some(&OS_USER) && fields.len() > 3)
            .then(|| Some((fields[2].parse().ok()?, fields[3].parse().ok()?)))?
    });
    let ids = ids.ok_or_else(|| Error::Command {
        command: "running PostgreSQL as root".to_owned(),
        output: format!("PostgreSQL refuses to run as root and there is no OS user `{OS_USER}` (install the Debian package `{POSTGRES_PACKAGE}`)"),
    })?;
    tracing::info!(user = OS_USER, "running as root: PostgreSQL runs as the OS user `postgres`");
    Ok(Some(ids))
}

async fn initialise(pg: &PostgresPlan, initdb: &Path, user: Option<(u32, u32)>, spawner: &Spawner) -> Result<()> {
    let data = data_dir(pg);
    if data.exists() {
        // A cluster without PG_VERSION is what a failed initdb leaves behind.
        std::fs::remove_dir_all(&data).map_err(Error::io(&data))?;
    }
    let pwfile = pg.dir.join("superuser-password");
    write_atomically(&pwfile, pg.superuser_password.as_bytes(), 0o600)?;
    let mut command = Command::new(initdb);
    command
        .arg("-D")
        .arg(&data)
        .args([
            "-U",
            SUPERUSER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-instructions",
        ])
        .arg(format!("--pwfile={}", pwfile.display()))
        .current_dir(&pg.dir);
    if let Some((uid, gid)) = user {
        std::os::unix::fs::chown(&pwfile, Some(uid), Some(gid)).map_err(Error::io(&pwfile))?;
        command.uid(uid).gid(gid);
    }
    let result = run(spawner, command, "initdb").await;
    let _ = std::fs::remove_file(&pwfile);
    result
}

/// Creates the role and the databases (idempotent; the role's password is set every time).
pub(crate) async fn provision(pg: &PostgresPlan, spawner: &Spawner) -> Result<()> {
    let psql = find("psql", POSTGRES_PACKAGE)?;
    let script = pg.dir.join("provision.sql");
    write_atomically(&script, PROVISION_SQL.as_bytes(), 0o644)?;
    for database in &pg.databases {
        let mut command = Command::new(&psql);
        command
            .args(["-X", "-q", "-v", "ON_ERROR_STOP=1", "-U", SUPERUSER, "-d", "postgres", "-p"])
            .arg(pg.port.to_string())
            .arg("-h")
            .arg(socket_dir(pg))
            .arg("-v")
            .arg(format!("role={}", pg.role))
            .arg("-v")
            .arg(format!("password={}", pg.password))
            .arg("-v")
            .arg(format!("db={database}"))
            .arg("-f")
            .arg(&script);
        run(spawner, command, "psql").await?;
    }
    Ok(())
}

/// Runs a setup command; its exit status and standard error on failure.
async fn run(spawner: &Spawner, command: Command, name: &str) -> Result<()> {
    let output = spawner.output(command, name).await?;
    if output.status.success() {
        return Ok(());
    }
    Err(Error::Command {
        command: name.to_owned(),
        output: format!("{}: {}", output.status, String::from_utf8_lossy(&output.stderr).trim()),
    })
}
