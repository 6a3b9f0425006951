//! `plinth up` end to end on a temporary copy of examples/business-app: PostgreSQL, Redis and
//! every service (the demo workload) become ready, HTTPS through the gateway reaches the exposed
//! route, a SIGKILLed replica under load costs no request, scaling and reloading show in status
//! and in the gateway, a reload rolls a changed service under load without a failed request,
//! `plinth down`, SIGTERM and SIGINT stop everything cleanly (PostgreSQL too, so it starts again),
//! and a SIGKILLed `plinth up` leaves no child.
//! Then every example, one after the other, in its first local environment: all ready, every
//! exposed route answered by its service over HTTPS, nothing left after `plinth down`.
//! Real processes on loopback, free ports, every wait bounded. Needs `initdb`, `redis-server` and
//! `curl`: without them the tests skip loudly, or fail under `CI=true`.

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use plinth_spec::model::Runtime;
use serde_json::Value;

const EXAMPLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples");
const EXAMPLE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/business-app/plinth.yaml");
/// The exposed route's local host (`api.business-app.com` → `api.business-app.localhost`).
const HOST: &str = "api.business-app.localhost";
/// How long the environment may take to become ready.
const READY: Duration = Duration::from_secs(150);

fn plinth() -> Command {
    Command::new(env!("CARGO_BIN_EXE_plinth"))
}

/// Whether the programs the tests need exist; prints why not (or panics under `CI=true`).
fn prerequisites() -> bool {
    let missing: Vec<&str> = ["initdb", "redis-server", "curl"]
        .into_iter()
        .filter(|program| {
            let on_path = std::env::var_os("PATH")
                .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
            let in_pg = *program == "initdb"
                && std::fs::read_dir("/usr/lib/postgresql")
                    .into_iter()
                    .flatten()
                    .flatten()
                    .any(|v| v.path().join("bin/initdb").is_file());
            !on_path && !in_pg
        })
        .collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{} required under CI=true", missing.join(", "));
    }
    eprintln!("SKIPPED: {} not installed", missing.join(", "));
    false
}

/// The first environment of the spec at `path` whose runtime is local.
fn first_local_environment(path: &Path) -> String {
    let compiled = plinth_spec::compile(&std::fs::read_to_string(path).unwrap());
    let local = compiled.platforms.iter().find(|p| p.environment.runtime == Runtime::Local);
    local.unwrap_or_else(|| panic!("{} has a local environment", path.display())).environment.name.clone()
}

/// A running `plinth up --env <its first local environment>` on a temporary copy of an example;
/// SIGKILLed when dropped.
struct Up {
    example: String,
    env: String,
    dir: tempfile::TempDir,
    child: Child,
    started: Instant,
}

impl Up {
    /// Runs `examples/<example>`.
    fn start(example: &str) -> Self {
        let spec = Path::new(EXAMPLES).join(example).join("plinth.yaml");
        let env = first_local_environment(&spec);
        let dir = tempfile::tempdir().unwrap();
        std::fs::copy(&spec, dir.path().join("plinth.yaml")).unwrap();
        let child = spawn_up(dir.path(), &env);
        Self { example: example.to_owned(), env, dir, child, started: Instant::now() }
    }

    /// Runs `plinth up` again in the same directory, once the previous one exited.
    fn restart(&mut self) {
        self.child = spawn_up(self.path(), &self.env);
        self.started = Instant::now();
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `plinth <command> args… --spec <dir> --env <env>`.
    fn client(&self, command: &str, args: &[&str]) -> Output {
        plinth().arg(command).args(args).arg("--spec").arg(self.path()).args(["--env", &self.env]).output().unwrap()
    }

    fn status(&self) -> Option<Value> {
        let output = self.client("status", &["--output", "json"]);
        output.status.success().then(|| serde_json::from_slice(&output.stdout).unwrap())
    }

    /// Polls status until `condition` holds; the status then.
    fn wait_for(&self, what: &str, timeout: Duration, condition: impl Fn(&Value) -> bool) -> Value {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.status().filter(|s| condition(s)) {
                return status;
            }
            assert!(Instant::now() < deadline, "{what} within {timeout:?}; {}", self.diagnostics());
            std::thread::sleep(Duration::from_millis(200));
        }
    }

    fn wait_all_ready(&self) -> Value {
        let status = self.wait_for("every replica ready", READY, all_ready);
        let (example, env) = (&self.example, &self.env);
        eprintln!(
            "plinth up {example} --env {env}: all ready {:.1}s after start",
            self.started.elapsed().as_secs_f64()
        );
        status
    }

    /// `plinth down`: `plinth up` exits 0 and no process of `status` or under the directory is left.
    fn down(&mut self, status: &Value) {
        let down = self.client("down", &[]);
        assert!(down.status.success(), "{}", String::from_utf8_lossy(&down.stderr));
        self.assert_stopped("plinth down", status);
    }

    /// Sends `signal` (`TERM`, `INT`) to `plinth up`: it stops as after `plinth down`.
    fn signal(&mut self, signal: &str, status: &Value) {
        let sent = Command::new("kill").args([&format!("-{signal}"), &self.child.id().to_string()]).status().unwrap();
        assert!(sent.success());
        self.assert_stopped(&format!("SIG{signal}"), status);
    }

    /// After `how` asked it to stop: `plinth up` exits 0 within a minute saying it stopped, no
    /// process of `status` or under the directory is left, and nothing answers for it any more.
    fn assert_stopped(&mut self, how: &str, status: &Value) {
        let before = pids(status);
        let deadline = Instant::now() + Duration::from_secs(60);
        let exit = loop {
            if let Some(exit) = self.child.try_wait().unwrap() {
                break exit;
            }
            assert!(Instant::now() < deadline, "plinth up still runs a minute after {how}; {}", self.diagnostics());
            std::thread::sleep(Duration::from_millis(100));
        };
        assert!(exit.success(), "plinth up exited with {exit} after {how}; {}", self.diagnostics());
        assert!(before.iter().all(|&pid| !alive(pid)), "children outlived {how}");
        assert!(processes_under(self.path()).is_empty(), "processes left after {how}");
        let stderr = std::fs::read_to_string(self.path().join("up.err")).unwrap();
        assert!(stderr.contains(&format!("plinth: {} stopped", self.env)), "after {how}: {stderr}");
        assert_eq!(self.client("status", &[]).status.code(), Some(1), "nothing runs any more");
    }

    fn diagnostics(&self) -> String {
        let read = |name: &str| std::fs::read_to_string(self.path().join(name)).unwrap_or_default();
        let out = read("up.out");
        let tail: Vec<&str> = out.lines().rev().take(30).collect();
        format!("stderr:\n{}\nstdout (last lines, newest first):\n{}", read("up.err"), tail.join("\n"))
    }

    fn ca(&self) -> PathBuf {
        self.path().join(".plinth/ca/ca.cert.pem")
    }

    /// `count` GETs of `path` on the business-app's exposed host through the gateway over one
    /// connection: each response's status code, and the JSON bodies.
    fn get(&self, status: &Value, path: &str, count: usize) -> (Vec<u16>, Vec<Value>) {
        get(&self.ca(), &format!("https://{HOST}:{}{path}", https_port(status)), count, &[])
    }
}

impl Drop for Up {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `plinth up --output json --env <env> <dir>`, its output in `<dir>/up.out` and `up.err`.
fn spawn_up(dir: &Path, env: &str) -> Child {
    let out = std::fs::File::create(dir.join("up.out")).unwrap();
    let err = std::fs::File::create(dir.join("up.err")).unwrap();
    plinth()
        .args(["up", "--output", "json", "--env", env])
        .arg(dir)
        .stdout(Stdio::from(out))
        .stderr(Stdio::from(err))
        .spawn()
        .unwrap()
}

fn https_port(status: &Value) -> u16 {
    status["gateway"]["https"].as_str().unwrap().rsplit_once(':').unwrap().1.parse().unwrap()
}

/// `https://<authority><path>` → (authority, path).
fn split_url(url: &str) -> (&str, &str) {
    let rest = url.strip_prefix("https://").unwrap_or_else(|| panic!("{url} is an https URL"));
    rest.find('/').map_or((rest, "/"), |slash| rest.split_at(slash))
}

/// `count` GETs of `url` (`https://<host>:<port>/…`, the host resolved to loopback) with the
/// `headers` over one connection: each response's status code, and the JSON bodies.
fn get(ca: &Path, url: &str, count: usize, headers: &[&str]) -> (Vec<u16>, Vec<Value>) {
    let (authority, _) = split_url(url);
    let mut command = Command::new("curl");
    command.args(["--silent", "--max-time", "20", "--cacert"]).arg(ca).args([
        "--resolve",
        &format!("{authority}:127.0.0.1"),
        "--write-out",
        "\n@@%{http_code}\n",
    ]);
    for header in headers {
        command.args(["--header", header]);
    }
    let output = command.args(std::iter::repeat_n(url, count)).output().unwrap();
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let (mut codes, mut bodies) = (Vec::new(), Vec::new());
    for line in text.lines() {
        match line.strip_prefix("@@") {
            Some(code) => codes.push(code.parse().unwrap_or(0)),
            None => bodies.extend(serde_json::from_str::<Value>(line).ok()),
        }
    }
    (codes, bodies)
}

/// A ready environment, or `None` when the prerequisites are missing (the test skips).
fn ready_environment() -> Option<(Up, Value)> {
    if !prerequisites() {
        return None;
    }
    let up = Up::start("business-app");
    let status = up.wait_all_ready();
    Some((up, status))
}

/// The services and datastores in a status.
fn entries(status: &Value) -> impl Iterator<Item = &Value> {
    ["services", "datastores"].into_iter().flat_map(|group| status[group].as_array().unwrap())
}

fn replicas<'a>(status: &'a Value, name: &str) -> &'a Vec<Value> {
    let entry = entries(status).find(|e| e["name"] == name).unwrap_or_else(|| panic!("{name} in status"));
    entry["replicas"].as_array().unwrap()
}

fn all_replicas(status: &Value) -> impl Iterator<Item = &Value> {
    entries(status).flat_map(|e| e["replicas"].as_array().unwrap())
}

fn all_ready(status: &Value) -> bool {
    all_replicas(status).all(|r| r["state"] == "ready")
}

fn pids(status: &Value) -> Vec<u32> {
    all_replicas(status).filter_map(|r| r["pid"].as_u64().map(|p| p as u32)).collect()
}

fn pids_of(status: &Value, name: &str) -> Vec<u32> {
    replicas(status, name).iter().filter_map(|r| r["pid"].as_u64().map(|p| p as u32)).collect()
}

/// Whether `pid` is a live process (a zombie counts as dead).
fn alive(pid: u32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')))
}

/// Live processes whose working directory or command line is under `dir`.
fn processes_under(dir: &Path) -> Vec<u32> {
    let dir = dir.canonicalize().unwrap();
    let needle = dir.to_string_lossy().into_owned();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|entry| entry.file_name().to_str()?.parse::<u32>().ok())
        .filter(|&pid| pid != std::process::id() && alive(pid))
        .filter(|pid| {
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(&dir));
            let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            cwd || String::from_utf8_lossy(&cmdline).contains(&needle)
        })
        .collect()
}

fn eventually(timeout: Duration, condition: impl Fn() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    condition()
}

/// The pids that answered `count` requests through the gateway.
fn answering_pids(up: &Up, status: &Value, count: usize) -> BTreeSet<u64> {
    let (codes, bodies) = up.get(status, "/", count);
    assert!(codes.iter().all(|&c| c == 200), "{codes:?}");
    bodies.iter().filter_map(|b| b["pid"].as_u64()).collect()
}

#[test]
fn an_environment_comes_up_serves_survives_a_killed_replica_scales_and_goes_down() {
    let Some((mut up, status)) = ready_environment() else { return };
    assert_eq!(replicas(&status, "postgres").len(), 1);
    assert_eq!(replicas(&status, "redis").len(), 1);
    assert_eq!(replicas(&status, "api-gateway").len(), 3);
    let urls =
        status["services"].as_array().unwrap().iter().find(|s| s["name"] == "api-gateway").unwrap()["urls"].clone();
    assert_eq!(urls[0], format!("https://{HOST}:{}/", https_port(&status)));

    // Every exposed route answers through the gateway with the service's JSON.
    let (codes, bodies) = up.get(&status, "/", 3);
    assert_eq!(codes, [200, 200, 200], "{}", up.diagnostics());
    assert!(bodies.iter().all(|b| b["service"] == "api-gateway"), "{bodies:?}");

    // A caller reaches its callee through the callee's internal gateway listener: the URL in the
    // caller's environment answers as the callee, balanced over its replicas.
    let call_url = entries(&status).find(|e| e["name"] == "auth-service").unwrap()["call_url"].as_str().unwrap();
    let caller = pids_of(&status, "api-gateway")[0];
    let environ = std::fs::read(format!("/proc/{caller}/environ")).unwrap();
    let expected = format!("AUTH_SERVICE_URL={call_url}");
    assert!(environ.split(|&b| b == 0).any(|var| var == expected.as_bytes()), "{expected} in the caller's environment");
    let answered: BTreeSet<u64> = (0..4)
        .map(|_| {
            let out = Command::new("curl").args(["--silent", "--max-time", "10"]).arg(format!("{call_url}/")).output();
            let body: Value = serde_json::from_slice(&out.unwrap().stdout).unwrap_or_default();
            assert_eq!(body["service"], "auth-service", "{body}");
            body["pid"].as_u64().unwrap()
        })
        .collect();
    assert_eq!(answered.len(), replicas(&status, "auth-service").len(), "every replica answers calls");

    // The admin API wants the token.
    let admin: Value =
        serde_json::from_str(&std::fs::read_to_string(up.path().join(".plinth/development/admin.json")).unwrap())
            .unwrap();
    let unauthorised = Command::new("curl")
        .args(["--silent", "--output", "/dev/null", "--write-out", "%{http_code}"])
        .arg(format!("http://{}/v1/status", admin["address"].as_str().unwrap()))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&unauthorised.stdout), "401");

    // SIGKILL a replica under steady load: no request fails, the replica comes back.
    let victim = replicas(&status, "api-gateway")[0]["pid"].as_u64().unwrap() as i32;
    let (stop, loader) = load(up.ca(), format!("https://{HOST}:{}/", https_port(&status)));
    std::thread::sleep(Duration::from_millis(700));
    let killed = Command::new("kill").args(["-KILL", &victim.to_string()]).status().unwrap();
    assert!(killed.success());
    let restarted = up.wait_for("the killed replica restarted and ready", Duration::from_secs(60), |s| {
        let replica = &replicas(s, "api-gateway")[0];
        replica["restarts"].as_u64() >= Some(1) && replica["state"] == "ready"
    });
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let codes = loader.join().unwrap();
    let failed = codes.iter().filter(|&&c| c != 200).count();
    eprintln!("load during the kill: {} requests, {failed} failed", codes.len());
    assert!(codes.len() > 20, "the load ran");
    assert_eq!(failed, 0, "codes other than 200: {:?}", codes.iter().filter(|&&c| c != 200).collect::<Vec<_>>());
    assert_eq!(replicas(&restarted, "api-gateway")[0]["last_exit"], "signal 9");

    // Scaling shows in status and in the gateway (round robin reaches every ready replica).
    let scaled = up.client("scale", &["api-gateway", "5"]);
    assert!(scaled.status.success(), "{}", String::from_utf8_lossy(&scaled.stderr));
    let status = up.wait_for("5 ready api-gateway replicas", Duration::from_secs(60), |s| {
        let r = replicas(s, "api-gateway");
        r.len() == 5 && r.iter().all(|r| r["state"] == "ready")
    });
    let expected: BTreeSet<u64> = replicas(&status, "api-gateway").iter().filter_map(|r| r["pid"].as_u64()).collect();
    assert!(eventually(Duration::from_secs(10), || answering_pids(&up, &status, 20) == expected));
    let scaled = up.client("scale", &["api-gateway", "1"]);
    assert!(scaled.status.success());
    let status =
        up.wait_for("one api-gateway replica", Duration::from_secs(30), |s| replicas(s, "api-gateway").len() == 1);
    let only = replicas(&status, "api-gateway")[0]["pid"].as_u64().unwrap();
    assert!(eventually(Duration::from_secs(10), || answering_pids(&up, &status, 10) == BTreeSet::from([only])));
    let unknown = up.client("scale", &["nope", "2"]);
    assert_eq!(unknown.status.code(), Some(1));

    // A reload applies replica counts from the edited spec.
    let spec = up.path().join("plinth.yaml");
    let text = std::fs::read_to_string(&spec).unwrap().replace("    port: 3004\n", "    port: 3004\n    replicas: 1\n");
    std::fs::write(&spec, text).unwrap();
    let reloaded = up.client("reload", &[]);
    assert!(reloaded.status.success(), "{}", String::from_utf8_lossy(&reloaded.stderr));
    up.wait_for("invoice-service down to one replica", Duration::from_secs(30), |s| {
        replicas(s, "invoice-service").len() == 1
    });

    // Logs of one service.
    let logs = up.client("logs", &["api-gateway", "--output", "json"]);
    assert!(logs.status.success());
    let lines: Vec<Value> =
        String::from_utf8_lossy(&logs.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(!lines.is_empty() && lines.iter().all(|l| l["process"] == "api-gateway"));
    let mut follow = plinth()
        .args(["logs", "invoice-service", "-f", "--spec"])
        .arg(up.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(follow.stdout.take().unwrap()).read_line(&mut first).unwrap();
    assert!(first.starts_with("invoice-service."), "{first}");
    follow.kill().unwrap();
    follow.wait().unwrap();

    // The gateway's access log is JSON, a line per request.
    let access = std::fs::read_to_string(up.path().join(".plinth/development/logs/gateway.log")).unwrap();
    let entry: Value = serde_json::from_str(access.lines().next().expect("access-log lines")).unwrap();
    assert!(entry["host"].as_str().unwrap().starts_with(HOST), "{entry}");

    // A second `plinth up` of the same environment refuses.
    let second = plinth().arg("up").arg(up.path()).output().unwrap();
    assert_eq!(second.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&second.stderr).contains("already runs"));

    // `plinth down` stops everything; `plinth up` exits 0.
    up.down(&status);
}

/// GETs `url` over and over on a thread until the returned flag is set: the codes when joined.
fn load(ca: PathBuf, url: String) -> (Arc<AtomicBool>, std::thread::JoinHandle<Vec<u16>>) {
    let stop = Arc::new(AtomicBool::new(false));
    let thread = std::thread::spawn({
        let stop = Arc::clone(&stop);
        move || {
            let mut codes = Vec::new();
            while !stop.load(Ordering::Relaxed) {
                codes.extend(get(&ca, &url, 20, &[]).0);
            }
            codes
        }
    });
    (stop, thread)
}

#[test]
fn a_reload_rolls_changed_services_without_a_failed_request_and_adds_and_removes_services() {
    let Some((mut up, status)) = ready_environment() else { return };
    let old: BTreeSet<u32> = pids_of(&status, "api-gateway").into_iter().collect();
    let (codes, bodies) = up.get(&status, "/", 3);
    assert_eq!(codes, [200, 200, 200]);
    assert!(bodies.iter().all(|b| b["version"] != "reloaded"), "{bodies:?}");

    let url = format!("https://{HOST}:{}/", https_port(&status));
    let (stop, loader) = load(up.ca(), url);
    std::thread::sleep(Duration::from_millis(700));
    // The demo workload reports `VERSION`.
    let spec = up.path().join("plinth.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let text = text.replacen("    port: 3000\n", "    port: 3000\n    env: { VERSION: reloaded }\n", 1);
    std::fs::write(&spec, text).unwrap();
    let started = Instant::now();
    let reloaded = up.client("reload", &[]);
    let took = started.elapsed();
    let said = String::from_utf8_lossy(&reloaded.stdout).into_owned();
    assert!(reloaded.status.success(), "{said}{}", String::from_utf8_lossy(&reloaded.stderr));
    assert!(said.contains("api-gateway: rolled 3 replicas (environment)"), "{said}");
    std::thread::sleep(Duration::from_millis(500));
    stop.store(true, Ordering::Relaxed);
    let codes = loader.join().unwrap();
    let failed: Vec<&u16> = codes.iter().filter(|&&c| c != 200).collect();
    eprintln!("reload took {took:?}; load during it: {} requests, {} failed", codes.len(), failed.len());
    assert!(codes.len() > 20, "the load ran");
    assert!(failed.is_empty(), "codes other than 200: {failed:?}; {}", up.diagnostics());

    // Only the new generation answers, with the new value, and status shows it ready.
    let status = up.wait_for("3 ready api-gateway replicas", Duration::from_secs(10), |s| {
        let r = replicas(s, "api-gateway");
        r.len() == 3 && r.iter().all(|r| r["state"] == "ready")
    });
    let new: BTreeSet<u32> = pids_of(&status, "api-gateway").into_iter().collect();
    assert!(new.is_disjoint(&old), "every replica was replaced: {old:?} → {new:?}");
    let (codes, bodies) = up.get(&status, "/", 6);
    assert_eq!(codes, [200; 6]);
    assert!(bodies.iter().all(|b| b["version"] == "reloaded"), "{bodies:?}");
    assert!(old.iter().all(|&pid| !alive(pid)), "the old generation is stopped");

    // A callee's change rolls it (its callers keep their `<CALLEE>_URL`, its internal gateway
    // listener; api-gateway rolls because it no longer calls the removed invoice-service); a
    // service new in the spec starts, a removed one stops.
    let invoice: Vec<u32> = pids_of(&status, "invoice-service");
    let text = std::fs::read_to_string(&spec).unwrap();
    let (before, invoice_block) = text.split_once("  invoice-service:\n").unwrap();
    let after = &invoice_block[invoice_block.find("\n\n").unwrap()..];
    let text = format!("{before}  reports-service:\n    image: ghcr.io/example/reports\n    port: 3005\n{after}")
        .replace(", invoice-service]", "]")
        .replacen("    port: 3001\n", "    port: 3001\n    env: { COLOR: green }\n", 1);
    std::fs::write(&spec, text).unwrap();
    let reloaded = up.client("reload", &["--output", "json"]);
    let answer: Value = serde_json::from_slice(&reloaded.stdout).unwrap();
    assert!(reloaded.status.success(), "{answer}");
    let applied: BTreeSet<&str> = answer["applied"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for expected in [
        "auth-service: rolled 2 replicas (environment)",
        "reports-service: added (2 replicas)",
        "api-gateway: rolled 3 replicas (environment, dependencies)",
        "invoice-service: removed (stopped 2 replicas)",
    ] {
        assert!(applied.contains(expected), "{expected} in {answer}");
    }
    let status = up.status().unwrap();
    assert!(all_ready(&status), "{status}");
    assert!(entries(&status).all(|e| e["name"] != "invoice-service"), "{status}");
    assert!(invoice.iter().all(|&pid| !alive(pid)), "the removed service's replicas are stopped");
    assert_eq!(replicas(&status, "reports-service").len(), 2);
    let (codes, bodies) = up.get(&status, "/", 3);
    assert_eq!(codes, [200; 3]);
    assert!(bodies.iter().all(|b| b["version"] == "reloaded"), "{bodies:?}");

    // Reloading the same spec again changes nothing.
    let again = up.client("reload", &["--output", "json"]);
    let answer: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(answer["applied"], Value::Array(Vec::new()), "{answer}");
    assert_eq!(answer["failed"], Value::Array(Vec::new()), "{answer}");
    up.down(&status);
}

/// Asserts that `url` (a route of `service` in `status`, a tenant route's `*` made a tenant)
/// reaches `service` through the gateway: its JSON, and the access log naming it and one of its
/// replicas. The demo workload answers its identity at `/` (a prefixed route gets its JSON 404).
fn assert_route_reaches(up: &Up, status: &Value, service: &str, url: &str) {
    let url = url.replacen("https://*.", "https://acme.", 1);
    let request_id = format!("route-{service}-{}", up.started.elapsed().as_millis());
    let (codes, bodies) = get(&up.ca(), &url, 1, &[&format!("X-Request-Id: {request_id}")]);
    let what = format!("{} {url}: {codes:?} {bodies:?}; {}", up.example, up.diagnostics());
    assert_eq!(bodies.len(), 1, "{what}");
    if split_url(&url).1 == "/" {
        assert_eq!((codes[0], &bodies[0]["service"]), (200, &Value::from(service)), "{what}");
    }
    let ports: Vec<String> =
        replicas(status, service).iter().map(|r| format!("127.0.0.1:{}", r["port"].as_u64().unwrap())).collect();
    let log = up.path().join(format!(".plinth/{}/logs/gateway.log", up.env));
    let logged = || {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        text.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .find(|e| e["request_id"] == *request_id)
    };
    assert!(eventually(Duration::from_secs(5), || logged().is_some()), "{what}");
    let entry = logged().unwrap();
    assert_eq!(entry["backend"], service, "{what}");
    assert!(ports.iter().any(|p| entry["upstream"] == *p), "{entry} not one of {ports:?}");
}

#[test]
fn every_example_comes_up_in_its_first_local_environment_serves_its_routes_and_goes_down() {
    if !prerequisites() {
        return;
    }
    let mut examples: Vec<String> = std::fs::read_dir(EXAMPLES)
        .unwrap()
        .flatten()
        .filter(|entry| entry.path().join("plinth.yaml").is_file())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    examples.sort();
    assert!(examples.len() >= 5, "{examples:?}");
    for example in &examples {
        let mut up = Up::start(example);
        let status = up.wait_all_ready();
        let mut routes = 0;
        for service in status["services"].as_array().unwrap() {
            let name = service["name"].as_str().unwrap();
            for url in service["urls"].as_array().unwrap() {
                assert_route_reaches(&up, &status, name, url.as_str().unwrap());
                routes += 1;
            }
        }
        assert!(routes > 0, "{example} exposes a route");
        up.down(&status);
    }
}

#[test]
fn a_sigkilled_plinth_up_leaves_no_child() {
    let Some((mut up, status)) = ready_environment() else { return };
    let children = pids(&status);
    assert!(children.len() >= 13, "{children:?}");
    assert!(!processes_under(up.path()).is_empty());
    up.child.kill().unwrap();
    up.child.wait().unwrap();
    let gone = eventually(Duration::from_secs(20), || {
        children.iter().all(|&pid| !alive(pid)) && processes_under(up.path()).is_empty()
    });
    let left: Vec<u32> = children.iter().copied().filter(|&pid| alive(pid)).collect();
    assert!(gone, "still alive: {left:?} and {:?}", processes_under(up.path()));
}

#[test]
fn sigterm_and_sigint_stop_plinth_up_cleanly_and_postgres_starts_again() {
    let Some((mut up, status)) = ready_environment() else { return };
    let postmaster = up.path().join(format!(".plinth/{}/postgres/data/postmaster.pid", up.env));
    assert!(postmaster.exists(), "PostgreSQL runs from {}", postmaster.display());
    up.signal("TERM", &status);
    assert!(!postmaster.exists(), "PostgreSQL shut down cleanly on SIGTERM (no postmaster.pid left)");

    // The same state starts again, and Ctrl-C stops it as cleanly.
    up.restart();
    let status = up.wait_all_ready();
    up.signal("INT", &status);
    assert!(!postmaster.exists(), "PostgreSQL shut down cleanly on SIGINT (no postmaster.pid left)");
}

#[test]
fn a_sigterm_before_everything_is_ready_stops_plinth_up() {
    if !prerequisites() {
        return;
    }
    let mut up = Up::start("business-app");
    up.child.kill().unwrap();
    up.child.wait().unwrap();
    // invoice-service never becomes ready: `plinth up` waits for it when the signal comes.
    let spec = up.path().join("plinth.yaml");
    let text = std::fs::read_to_string(&spec).unwrap();
    let text = text.replacen("    port: 3004\n", "    port: 3004\n    local: { command: exec sleep 600 }\n", 1);
    std::fs::write(&spec, text).unwrap();
    up.restart();
    // (nor api-gateway, which calls it).
    let status = up.wait_for("the datastores and auth-service ready", READY, |s| {
        ["postgres", "redis", "auth-service"].iter().all(|name| replicas(s, name).iter().all(|r| r["state"] == "ready"))
    });
    assert!(!replicas(&status, "invoice-service").iter().any(|r| r["state"] == "ready"), "{status}");
    up.signal("TERM", &status);
}

#[test]
fn bad_input_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("plinth.yaml");
    let text =
        std::fs::read_to_string(EXAMPLE).unwrap().replace("    port: 3004\n", "    port: 3004\n    replicas: lots\n");
    std::fs::write(&spec, text).unwrap();
    let broken = plinth().arg("up").arg(&spec).output().unwrap();
    assert_eq!(broken.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("services.invoice-service.replicas must be a whole number"), "{stderr}");

    std::fs::copy(EXAMPLE, &spec).unwrap();
    let kubernetes = plinth().args(["up", "--env", "staging"]).arg(dir.path()).output().unwrap();
    assert_eq!(kubernetes.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&kubernetes.stderr).contains("not locally"));
    let unknown = plinth().args(["up", "--env", "nope"]).arg(dir.path()).output().unwrap();
    assert_eq!(unknown.status.code(), Some(2));

    let status = plinth().args(["status", "--spec"]).arg(dir.path()).output().unwrap();
    assert_eq!(status.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&status.stderr).contains("no environment runs here"));
    assert!(!dir.path().join(".plinth").exists(), "nothing started, nothing written");
}
