//! A real PostgreSQL and Redis from the plan of a small spec: the databases exist, the role logs in
//! over TCP with the password from `DATABASE_URL`, Redis wants its password, and stopping leaves no
//! process behind. Runs as root in CI, which is the path where PostgreSQL runs as `postgres`.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::Duration;

use common::{alive, skip_or_fail};
use plinth_runtime::{
    CalleeUrls, DatastorePlan, PlanOptions, PortAllocator, Secrets, Supervisor, SupervisorOptions, UpOptions,
    datastores,
};

const SPEC: &str = r#"
plinth: 1
name: shop-app
owner: team
cloud: { provider: aws, region: us-east-1, zones: 2 }
services:
  api:
    image: example/api
    port: 8080
    uses: [db/orders, cache, files]
datastores:
  db: { engine: postgres, version: "15", databases: [orders, billing] }
  cache: { engine: redis, version: "7.0", auth: true }
  files: { engine: bucket }
environments:
  dev: { runtime: local }
"#;

/// Processes whose process group is `pgid` (the postmaster and its backends).
fn group_members(pgid: u32) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
            let fields: Vec<&str> =
                stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
            fields.get(2).and_then(|g| g.parse::<u32>().ok()) == Some(pgid)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_and_redis_come_up_from_the_plan_and_leave_nothing_behind() {
    for program in ["initdb", "postgres", "pg_isready", "psql"] {
        if datastores::find(program, datastores::POSTGRES_PACKAGE).is_err() {
            return skip_or_fail(program);
        }
    }
    for program in ["redis-server", "redis-cli"] {
        if datastores::find(program, datastores::REDIS_PACKAGE).is_err() {
            return skip_or_fail(program);
        }
    }
    let compiled = plinth_spec::compile(SPEC);
    assert!(!compiled.has_errors(), "{:#?}", compiled.diagnostics);
    let platform = compiled.platform("dev").unwrap();

    let dir = tempfile::tempdir().unwrap();
    // Under root, PostgreSQL runs as `postgres`, which must reach the state directory.
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o711)).unwrap();
    let state = dir.path().join(".plinth/dev");
    let options = PlanOptions {
        spec_dir: dir.path().to_owned(),
        state_dir: state.clone(),
        // The service (no `local_command`: the demo command) shows what it was given.
        demo_command: vec!["sh".into(), "-c".into(), "echo \"$PORT $DATABASE_URL\"; exec sleep 60".into()],
        callee_urls: CalleeUrls::FirstReplica,
    };
    let first = round(platform, &options, &state).await;
    // A second `up` of the same state reuses the cluster, the secrets and the role.
    let second = round(platform, &options, &state).await;
    assert_eq!(first["DB_PASSWORD"], second["DB_PASSWORD"]);
    assert_eq!(first["REDIS_PASSWORD"], second["REDIS_PASSWORD"]);
}

/// Plans, starts the datastores, checks them, stops them; returns the service's environment.
async fn round(
    platform: &plinth_spec::model::Platform,
    options: &PlanOptions,
    state: &std::path::Path,
) -> std::collections::BTreeMap<String, String> {
    let mut secrets = Secrets::load(state).unwrap();
    let mut ports = PortAllocator::default();
    let plan = plinth_runtime::plan(platform, options, &mut secrets, &mut ports).unwrap();
    secrets.save(state).unwrap();
    let env = plan.services[0].env.clone();

    let supervisor = Supervisor::new(SupervisorOptions::default(), ports);
    let up = UpOptions { datastore_timeout: Duration::from_secs(30), ..UpOptions::default() };
    let started = tokio::time::timeout(Duration::from_secs(60), plinth_runtime::up(&plan, &supervisor, &up)).await;
    let snapshot: Vec<_> = supervisor.snapshot().into_iter().filter(|s| s.process != "api").collect();
    if !matches!(started, Ok(Ok(()))) {
        for process in ["db", "cache"] {
            for line in supervisor.recent_logs(process) {
                eprintln!("{line}");
            }
        }
        supervisor.shutdown().await;
        panic!("datastores did not start: {started:?}");
    }

    // The service started after its datastores, with its port and DATABASE_URL.
    let expected = format!("{} {}", plan.services[0].ports[0], env["DATABASE_URL"]);
    let told =
        common::eventually(Duration::from_secs(5), || supervisor.recent_logs("api").iter().any(|l| l.line == expected));
    assert!(told.await, "{:?}", supervisor.recent_logs("api"));

    // The role logs in over TCP with DATABASE_URL and sees both databases.
    let psql = datastores::find("psql", datastores::POSTGRES_PACKAGE).unwrap();
    let query = |url: &str, sql: &str| Command::new(&psql).args([url, "-X", "-A", "-t", "-c", sql]).output().unwrap();
    let out = query(&env["DATABASE_URL"], "select current_user, current_database()");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "shop_app|orders");
    let billing = env["DATABASE_URL"].replace("/orders?", "/billing?");
    let out = query(&billing, "create table if not exists t (id int); select 1");
    assert!(out.status.success(), "the role owns billing: {}", String::from_utf8_lossy(&out.stderr));
    let wrong = env["DATABASE_URL"].replace(&env["DB_PASSWORD"], "wrong");
    assert!(!query(&wrong, "select 1").status.success(), "a wrong password is refused");

    // Redis wants its password.
    let redis_port = &env["REDIS_PORT"];
    let ping = |auth: Option<&str>| {
        let mut command = Command::new("redis-cli");
        command.args(["-h", "127.0.0.1", "-p", redis_port, "ping"]);
        if let Some(auth) = auth {
            command.env("REDISCLI_AUTH", auth);
        }
        String::from_utf8_lossy(&command.output().unwrap().stdout).trim().to_owned()
    };
    assert!(ping(None).contains("NOAUTH"), "{}", ping(None));
    assert_eq!(ping(Some(&env["REDIS_PASSWORD"])), "PONG");

    // The bucket is a directory.
    let DatastorePlan::Bucket { path, .. } = &plan.datastores.iter().find(|d| d.name() == "files").unwrap() else {
        panic!("files is a bucket")
    };
    assert!(path.is_dir());
    assert_eq!(env["FILES_BUCKET_PATH"], path.display().to_string());

    let mut pids: Vec<u32> = Vec::new();
    for status in &snapshot {
        let pid = status.pid.unwrap();
        pids.push(pid);
        pids.extend(group_members(pid));
    }
    assert!(pids.len() > 3, "postmaster, its workers and redis: {pids:?}");
    supervisor.shutdown().await;
    let gone = common::eventually(Duration::from_secs(5), || pids.iter().all(|pid| !alive(*pid))).await;
    assert!(gone, "left behind: {:?}", pids.iter().filter(|pid| alive(**pid)).collect::<Vec<_>>());
    assert!(state.join("db/data/PG_VERSION").exists());
    env
}
