//! Rolling a process onto a new spec with real HTTP servers (a few lines of Python answering
//! `$VERSION`): under continuous probing some replica is ready and answers at every sampled
//! instant and only the new generation is left; a new spec that never becomes ready, or that does
//! for one replica only, leaves the previous replicas serving and the roll reports it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use common::{alive, eventually, shell, skip_or_fail};
use plinth_runtime::{Check, Error, PortAllocator, Ports, Probe, ReplicaState, Supervisor, SupervisorOptions};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// An HTTP server on `$PORT` answering every GET with `$VERSION`.
const SERVER: &str = r#"
import http.server, os
class Version(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = os.environ["VERSION"].encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *args):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(os.environ["PORT"])), Version).serve_forever()
"#;

/// How long a test roll waits for a new replica.
const READY_WITHIN: Duration = Duration::from_secs(5);

/// Whether `python3` runs; says why the test skips (or fails under `CI=true`) otherwise.
fn python() -> bool {
    let runs = std::process::Command::new("python3").arg("--version").output().is_ok_and(|o| o.status.success());
    if !runs {
        skip_or_fail("python3");
    }
    runs
}

/// Scales `web` to three replicas, checks all serve `version`, and shuts the supervisor down.
async fn scaled_to_three_run(supervisor: &Supervisor, version: &str) {
    supervisor.scale("web", 3).await.unwrap();
    let ready = || supervisor.ready_ports("web").len() == 3;
    assert!(eventually(Duration::from_secs(10), ready).await, "{:?}", supervisor.snapshot());
    assert_eq!(versions(supervisor).await, vec![Some(version.to_owned()); 3]);
    supervisor.shutdown().await;
}

/// `replicas` replicas of `web` serving `version` (run by `script`, `exec`ing the server), ready
/// once `GET /` answers.
fn web(version: &str, replicas: usize, script: &str) -> plinth_runtime::ProcessSpec {
    let mut spec = shell("web", script);
    spec.env.insert("VERSION".into(), version.into());
    spec.env.insert("SERVER".into(), SERVER.into());
    let mut ports = PortAllocator::default();
    spec.ports = (0..replicas).map(|_| ports.next_port().unwrap()).collect();
    spec.probes.readiness = Some(Probe {
        check: Check::Http { path: "/".into() },
        initial_delay: Duration::ZERO,
        period: Duration::from_millis(100),
        timeout: Duration::from_millis(500),
        failure_threshold: 1,
    });
    spec
}

/// The server, replacing the shell.
const SERVE: &str = "exec python3 -c \"$SERVER\"";

/// The body of `GET /` on `port`, if it answered.
async fn version(port: u16) -> Option<String> {
    let request = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.ok()?;
        stream.write_all(b"GET / HTTP/1.0\r\nHost: web\r\n\r\n").await.ok()?;
        let mut response = String::new();
        stream.read_to_string(&mut response).await.ok()?;
        let (head, body) = response.split_once("\r\n\r\n")?;
        head.starts_with("HTTP/1.0 200").then(|| body.to_owned())
    };
    tokio::time::timeout(Duration::from_secs(2), request).await.ok().flatten()
}

/// The versions every replica of `web` answers, in replica order.
async fn versions(supervisor: &Supervisor) -> Vec<Option<String>> {
    let mut answers = Vec::new();
    for port in supervisor.replica_ports("web") {
        answers.push(version(port).await);
    }
    answers
}

fn pids(supervisor: &Supervisor) -> Vec<u32> {
    supervisor.snapshot().iter().filter_map(|s| s.pid).collect()
}

/// Starts two replicas of version v1 and waits until both are ready.
async fn serving_v1(supervisor: &Supervisor) {
    supervisor.add(web("v1", 2, SERVE)).unwrap();
    let ready = || supervisor.snapshot().iter().filter(|s| s.state == ReplicaState::Ready).count() == 2;
    assert!(eventually(Duration::from_secs(10), ready).await, "{:?}", supervisor.snapshot());
}

fn supervisor() -> Arc<Supervisor> {
    Arc::new(Supervisor::new(SupervisorOptions::default(), PortAllocator::default()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_keeps_a_ready_replica_answering_at_every_instant_and_ends_on_the_new_version() {
    if !python() {
        return;
    }
    let supervisor = supervisor();
    serving_v1(&supervisor).await;
    let old = pids(&supervisor);

    // Every 10 ms: some replica is ready, and one of the ready ones answers.
    let done = Arc::new(AtomicBool::new(false));
    let sampler = tokio::spawn({
        let (supervisor, done) = (Arc::clone(&supervisor), Arc::clone(&done));
        async move {
            let (mut samples, mut seen) = (0, Vec::new());
            while !done.load(Ordering::Relaxed) {
                let ready = supervisor.ready_ports("web");
                assert!(!ready.is_empty(), "no ready replica at sample {samples}: {:?}", supervisor.snapshot());
                let mut answer = None;
                for port in ready {
                    answer = version(port).await;
                    if answer.is_some() {
                        break;
                    }
                }
                let answer = answer.unwrap_or_else(|| panic!("no ready replica answered at sample {samples}"));
                if seen.last() != Some(&answer) {
                    seen.push(answer);
                }
                samples += 1;
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
            (samples, seen)
        }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let rolled = supervisor.roll(web("v2", 0, SERVE), READY_WITHIN).await.unwrap();
    let took = started.elapsed();
    tokio::time::sleep(Duration::from_millis(200)).await;
    done.store(true, Ordering::Relaxed);
    let (samples, seen) = sampler.await.unwrap();
    eprintln!("rolled {rolled} replicas in {took:?}; {samples} samples saw {seen:?}");

    assert_eq!(rolled, 2);
    assert!(samples > 20, "the probing ran through the roll ({samples} samples)");
    assert_eq!(seen.first().map(String::as_str), Some("v1"));
    assert_eq!(seen.last().map(String::as_str), Some("v2"));
    let snapshot = supervisor.snapshot();
    assert_eq!(snapshot.len(), 2, "{snapshot:?}");
    assert!(snapshot.iter().all(|s| s.state == ReplicaState::Ready), "{snapshot:?}");
    assert_eq!(versions(&supervisor).await, [Some("v2".to_owned()), Some("v2".to_owned())]);
    assert!(old.iter().all(|pid| !alive(*pid)), "the old generation is stopped");
    assert_eq!(supervisor.replica_ports("web").len(), 2);

    // Replicas added from now on run the new spec.
    scaled_to_three_run(&supervisor, "v2").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spec_that_never_becomes_ready_leaves_the_old_replicas_serving() {
    if !python() {
        return;
    }
    let supervisor = supervisor();
    serving_v1(&supervisor).await;
    let old = pids(&supervisor);
    // Runs, but serves nothing: the readiness probe never passes.
    let started = Instant::now();
    let err = supervisor.roll(web("v2", 0, "exec sleep 60"), Duration::from_secs(1)).await.unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_secs(5), "bounded by the readiness deadline: {took:?}");
    assert!(matches!(err, Error::RollStopped { .. }), "{err:?}");
    let message = err.to_string();
    assert!(message.contains("web: not rolled: replica web.2 did not become ready"), "{message}");
    assert!(message.contains("the previous replicas keep running"), "{message}");
    assert_eq!(pids(&supervisor), old, "the old replicas run on, nothing else");
    assert_eq!(supervisor.ready_ports("web").len(), 2);
    assert_eq!(versions(&supervisor).await, [Some("v1".to_owned()), Some("v1".to_owned())]);

    // Replicas added afterwards still run the previous spec.
    scaled_to_three_run(&supervisor, "v1").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_roll_that_fails_halfway_rolls_the_replaced_replicas_back() {
    if !python() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let supervisor = supervisor();
    serving_v1(&supervisor).await;
    let old = pids(&supervisor);
    // Only the first new replica gets the lock and serves; the second never becomes ready.
    let lock = dir.path().join("first");
    let script = format!("if mkdir {} 2>/dev/null; then {SERVE}; else exec sleep 60; fi", lock.display());
    let err = supervisor.roll(web("v2", 0, &script), Duration::from_secs(1)).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("the previous replicas keep running"), "{message}");
    assert!(lock.exists(), "one new replica started and served");
    let snapshot = supervisor.snapshot();
    assert_eq!(snapshot.len(), 2, "{snapshot:?}");
    assert!(snapshot.iter().all(|s| s.state == ReplicaState::Ready), "{snapshot:?}");
    assert_eq!(versions(&supervisor).await, [Some("v1".to_owned()), Some("v1".to_owned())]);
    let now = pids(&supervisor);
    assert!(now.contains(&old[1]), "the replica not reached was never touched: {old:?} → {now:?}");
    assert!(!alive(old[0]), "the first one was replaced, and its replacement rolled back to v1");
    supervisor.shutdown().await;
}
