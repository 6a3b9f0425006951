//! `/db` against a real PostgreSQL and `/cache` against a real redis-server, both started here on
//! free loopback ports; and 503 when a datastore cannot be reached.
//!
//! The servers come from Debian's `postgresql` and `redis-server` packages
//! (`scripts/install-tools.sh`). A missing one fails the test under `CI=true` and skips it, loudly,
//! elsewhere. PostgreSQL refuses to run as root, so as root its programs run as the `postgres`
//! user (or `nobody`) in a directory that user owns.

mod common;

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A free TCP port on 127.0.0.1.
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// A program on PATH or among PostgreSQL's server programs (`/usr/lib/postgresql/<major>/bin`,
/// newest first); `None`, said loudly, when missing outside CI.
fn tool(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    let on_path = std::env::split_paths(&path).map(|dir| dir.join(name));
    let mut postgres: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| Some(d.ok()?.path().join("bin").join(name))).collect())
        .unwrap_or_default();
    postgres.sort_by(|a, b| b.cmp(a));
    let found = on_path.chain(postgres).find(|path| path.is_file());
    if found.is_none() {
        assert!(std::env::var("CI").is_err(), "{name} is missing; run scripts/install-tools.sh");
        eprintln!("SKIPPED: {name} is not installed; run scripts/install-tools.sh");
    }
    found
}

/// A server process, stopped (SIGINT: PostgreSQL's fast shutdown) and reaped when dropped.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-INT").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

fn id(args: &[&str]) -> Option<u32> {
    let out = Command::new("id").args(args).output().ok()?;
    String::from_utf8(out.stdout).ok()?.trim().parse().ok()
}

/// A PostgreSQL with trust authentication on a free port, its data in `dir`; its URL.
fn start_postgres(dir: &Path) -> Option<(Server, String)> {
    let (initdb, postgres) = (tool("initdb")?, tool("postgres")?);
    // As root, run as `postgres` (or `nobody`), owning the directory.
    let user = (id(&["-u"]) == Some(0)).then(|| {
        let uid = id(&["-u", "postgres"]).unwrap_or(65534);
        let gid = id(&["-g", "postgres"]).unwrap_or(65534);
        std::os::unix::fs::chown(dir, Some(uid), Some(gid)).unwrap();
        (uid, gid)
    });
    let command = |program: &Path| {
        let mut command = Command::new(program);
        command.current_dir(dir).stdout(Stdio::null()).stderr(Stdio::null());
        if let Some((uid, gid)) = user {
            command.uid(uid).gid(gid);
        }
        command
    };
    let data = dir.join("data");
    let init = command(&initdb).args(["-U", "postgres", "--auth=trust", "--no-sync", "-D"]).arg(&data).status();
    assert!(init.unwrap().success(), "initdb failed");
    let port = free_port();
    let server = command(&postgres)
        .arg("-D")
        .arg(&data)
        .arg("-k")
        .arg(dir)
        .args(["-p", &port.to_string(), "-F", "-c", "listen_addresses=127.0.0.1"])
        .spawn()
        .unwrap();
    Some((Server(server), format!("postgres://postgres@127.0.0.1:{port}/postgres")))
}

/// A redis-server requiring password `x` on a free port; its URL.
fn start_redis() -> Option<(Server, String)> {
    let port = free_port();
    let server = Command::new(tool("redis-server")?)
        .args(["--port", &port.to_string(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])
        .args(["--requirepass", "x"])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    Some((Server(server), format!("redis://:x@127.0.0.1:{port}/0")))
}

/// Polls `GET path` until it answers 200 (the server may still be starting), at most 30 s.
async fn until_ok(demo: &common::Running, path: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let answer = demo.get(path).await;
        if answer.status == 200 {
            return answer.json();
        }
        assert_eq!(answer.status, 503, "{answer:?}");
        assert!(Instant::now() < deadline, "{path} never answered 200: {}", answer.body);
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn db_round_trips_to_a_real_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let Some((server, url)) = start_postgres(dir.path()) else { return };
    let mut config = common::config();
    config.database_url = Some(url);
    config.service = "api".into();
    let demo = common::start(config).await;
    let first = until_ok(&demo, "/db").await;
    assert_eq!((&first["datastore"], &first["select"]), (&"postgres".into(), &1.into()));
    assert!(first["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    let second = demo.get("/db").await.json();
    assert_eq!(second["hits"].as_i64(), first["hits"].as_i64().map(|h| h + 1), "the counter row is updated");
    drop(server);
    let gone = demo.get("/db").await;
    assert_eq!(gone.status, 503);
    assert!(gone.json()["error"].as_str().unwrap().starts_with("postgres unreachable"), "{}", gone.body);
    demo.stop().await;
}

#[tokio::test]
async fn cache_round_trips_to_a_real_redis() {
    let Some((server, url)) = start_redis() else { return };
    let mut config = common::config();
    config.redis_url = Some(url.clone());
    let demo = common::start(config).await;
    let first = until_ok(&demo, "/cache").await;
    assert_eq!(first["datastore"], "redis");
    assert!(first["latency_ms"].as_f64().is_some_and(|ms| ms > 0.0));
    assert_eq!(demo.get("/cache").await.json()["hits"].as_i64(), first["hits"].as_i64().map(|h| h + 1));

    // A wrong password is an unreachable cache, not a crash.
    let mut config = common::config();
    config.redis_url = Some(url.replace(":x@", ":wrong@"));
    let refused = common::start(config).await;
    let answer = refused.get("/cache").await;
    assert_eq!(answer.status, 503, "{}", answer.body);
    refused.stop().await;

    drop(server);
    let gone = demo.get("/cache").await;
    assert_eq!(gone.status, 503);
    assert!(gone.json()["error"].as_str().unwrap().starts_with("redis unreachable"), "{}", gone.body);
    demo.stop().await;
}

#[tokio::test]
async fn unreachable_datastores_answer_503() {
    let port = free_port();
    let mut config = common::config();
    config.database_url = Some(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
    config.redis_url = Some(format!("redis://127.0.0.1:{port}"));
    let demo = common::start(config).await;
    for path in ["/db", "/cache"] {
        let answer = demo.get(path).await;
        assert_eq!(answer.status, 503, "{path}");
        assert!(answer.json()["error"].as_str().unwrap().contains("unreachable"), "{path}: {}", answer.body);
    }
    demo.stop().await;
}
