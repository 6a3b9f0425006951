//! The supervisor with small `sh -c` children: backoff and crash loops, liveness restarts,
//! readiness and the scrape-targets file, quick probes until the first success, logs, dependency
//! order, reverse-order stop with SIGTERM then SIGKILL, scaling.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant, SystemTime};

use common::{alive, eventually, shell};
use plinth_runtime::{
    Check, Exit, PortAllocator, Ports, Probe, ReplicaState, RestartPolicy, Stream, Supervisor, SupervisorOptions,
};

fn supervisor() -> Supervisor {
    Supervisor::new(SupervisorOptions::default(), PortAllocator::default())
}

fn state(supervisor: &Supervisor, process: &str) -> Option<ReplicaState> {
    supervisor.snapshot().into_iter().find(|s| s.process == process).map(|s| s.state)
}

fn probe(check: Check, failure_threshold: u32) -> Probe {
    Probe {
        check,
        initial_delay: Duration::ZERO,
        period: Duration::from_millis(100),
        timeout: Duration::from_millis(500),
        failure_threshold,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashing_process_backs_off_exponentially_into_a_crash_loop_beside_a_healthy_sibling() {
    let supervisor = supervisor();
    let mut logs = supervisor.subscribe_logs();
    supervisor.add(shell("healthy", "echo up; exec sleep 60")).unwrap();
    let mut crasher = shell("crasher", "echo start; echo oops >&2; exit 3");
    let base = Duration::from_millis(200);
    crasher.restart = RestartPolicy {
        base,
        cap: Duration::from_millis(1600),
        reset_after: Duration::from_secs(30),
        crash_loop_restarts: 4,
        window: Duration::from_secs(60),
    };
    supervisor.add(crasher).unwrap();
    assert!(eventually(Duration::from_secs(5), || state(&supervisor, "healthy") == Some(ReplicaState::Ready)).await);
    let healthy_pid = supervisor.snapshot()[0].pid.unwrap();

    let mut starts: Vec<SystemTime> = Vec::new();
    let mut stderr_seen = false;
    let collect = async {
        while starts.len() < 5 {
            let line = logs.recv().await.unwrap();
            if line.process == "crasher" && line.line == "start" {
                assert_eq!(line.to_string(), "crasher.0 | start");
                starts.push(line.time);
            }
            stderr_seen |= line.process == "crasher" && line.stream == Stream::Stderr && line.line == "oops";
        }
    };
    tokio::time::timeout(Duration::from_secs(10), collect).await.expect("five starts within 10 s");
    let gaps: Vec<Duration> = starts.windows(2).map(|w| w[1].duration_since(w[0]).unwrap()).collect();
    // 0.2 s, 0.4 s, 0.8 s, then the crash loop at the 1.6 s cap.
    for (gap, expected) in gaps.iter().zip([base, base * 2, base * 4, Duration::from_millis(1600)]) {
        assert!(*gap >= expected && *gap < expected + Duration::from_millis(400), "gaps {gaps:?}");
    }
    assert!(stderr_seen, "standard error is captured");
    let crash_loop = || matches!(state(&supervisor, "crasher"), Some(ReplicaState::CrashLoop(_)));
    assert!(eventually(Duration::from_secs(1), crash_loop).await, "{:?}", supervisor.snapshot());
    let crasher = supervisor.snapshot().into_iter().find(|s| s.process == "crasher").unwrap();
    assert_eq!(crasher.last_exit, Some(Exit::Code(3)));
    assert!(crasher.restarts >= 4, "{crasher:?}");
    let healthy = &supervisor.snapshot()[0];
    assert_eq!((healthy.state, healthy.pid, healthy.restarts), (ReplicaState::Ready, Some(healthy_pid), 0));
    assert!(supervisor.recent_logs("healthy").iter().any(|l| l.line == "up"));
    supervisor.shutdown().await;
    assert!(!alive(healthy_pid));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_liveness_probe_restarts_the_replica() {
    let supervisor = supervisor();
    let port = PortAllocator::default().next_port().unwrap();
    let mut spec = shell("stuck", "exec sleep 60");
    spec.ports = vec![port];
    spec.probes.liveness = Some(probe(Check::Tcp, 2));
    spec.restart.base = Duration::from_millis(100);
    supervisor.add(spec).unwrap();
    let restarted = || supervisor.snapshot().first().is_some_and(|s| s.restarts >= 1);
    assert!(eventually(Duration::from_secs(5), restarted).await, "{:?}", supervisor.snapshot());
    assert_eq!(supervisor.snapshot()[0].last_exit, Some(Exit::Signal(15)), "stopped with SIGTERM");
    supervisor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readiness_flips_and_the_scrape_targets_follow() {
    let dir = tempfile::tempdir().unwrap();
    let flag = dir.path().join("ready");
    let targets = dir.path().join("targets/dev.json");
    let options = SupervisorOptions { targets_file: Some(targets.clone()), ..SupervisorOptions::default() };
    let supervisor = Supervisor::new(options, PortAllocator::default());
    let port = PortAllocator::default().next_port().unwrap();
    let mut spec = shell("api", "exec sleep 60");
    spec.ports = vec![port];
    spec.metrics_path = Some("/metrics".into());
    let check = Check::Exec {
        argv: vec!["test".into(), "-e".into(), flag.display().to_string()],
        env: BTreeMap::new(),
        expect: None,
    };
    spec.probes.readiness = Some(probe(check, 1));
    supervisor.add(spec).unwrap();
    let sup = &supervisor;
    let is = |wanted: ReplicaState| move || state(sup, "api") == Some(wanted);
    assert!(eventually(Duration::from_secs(2), is(ReplicaState::Starting)).await);
    std::fs::write(&flag, "").unwrap();
    assert!(eventually(Duration::from_secs(3), is(ReplicaState::Ready)).await);
    assert_eq!(supervisor.ready_ports("api"), [port]);
    let file: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&targets).unwrap()).unwrap();
    assert_eq!(file[0]["targets"][0], format!("127.0.0.1:{port}"));
    assert_eq!(file[0]["labels"]["service"], "api");
    assert_eq!(file[0]["labels"]["__metrics_path__"], "/metrics");
    std::fs::remove_file(&flag).unwrap();
    assert!(eventually(Duration::from_secs(3), is(ReplicaState::Unready)).await);
    assert!(supervisor.ready_ports("api").is_empty());
    assert_eq!(std::fs::read_to_string(&targets).unwrap().trim(), "[]");
    supervisor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn startup_and_readiness_are_probed_quickly_until_the_first_success_then_at_their_period() {
    let dir = tempfile::tempdir().unwrap();
    let (flag, count) = (dir.path().join("ready"), dir.path().join("probes"));
    let supervisor = supervisor();
    let mut spec = shell("slow", &format!("sleep 0.3; touch {}; exec sleep 60", flag.display()));
    // Each check is counted; it passes once the child created the flag.
    let script = format!("echo >> {}; test -e {}", count.display(), flag.display());
    let check = Check::Exec { argv: vec!["sh".into(), "-c".into(), script], env: BTreeMap::new(), expect: None };
    let slow = Probe { period: Duration::from_secs(5), timeout: Duration::from_secs(1), ..probe(check, 1) };
    // One failure within the startup probe's 5 s is no verdict while it is probed quickly.
    spec.probes.startup = Some(slow.clone());
    spec.probes.readiness = Some(slow);
    let started = Instant::now();
    supervisor.add(spec).unwrap();
    assert!(eventually(Duration::from_secs(3), || state(&supervisor, "slow") == Some(ReplicaState::Ready)).await);
    let took = started.elapsed();
    assert!(took < Duration::from_millis(2500), "ready {took:?} after start, with a 5 s period");
    assert_eq!(supervisor.snapshot()[0].restarts, 0);
    let probes = || std::fs::read_to_string(&count).unwrap().lines().count();
    let at_ready = probes();
    assert!(at_ready >= 3, "{at_ready} checks: failures before the flag, then startup and readiness");
    tokio::time::sleep(Duration::from_secs(1)).await;
    assert_eq!(probes(), at_ready, "once ready, readiness waits its 5 s period");
    supervisor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dependents_start_after_their_dependencies_and_stop_before_them_with_sigkill_after_the_grace() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("stubborn.pid");
    let supervisor = supervisor();
    let mut logs = supervisor.subscribe_logs();
    let mut base = shell(
        "base",
        &format!(
            "trap 'if kill -0 $(cat {0}) 2>/dev/null; then echo dependent-alive; else echo dependent-gone; fi; exit 0' TERM; \
             while true; do sleep 0.05; done",
            pid_file.display()
        ),
    );
    // Ready only after a moment, so the dependent visibly waits.
    let check = Check::Exec { argv: vec!["sleep".into(), "0.3".into()], env: BTreeMap::new(), expect: None };
    base.probes.readiness = Some(probe(check, 1));
    let mut stubborn =
        shell("stubborn", &format!("trap '' TERM; echo $$ > {}; while true; do sleep 0.05; done", pid_file.display()));
    stubborn.depends_on = vec!["base".into()];
    stubborn.stop.grace = Duration::from_millis(600);
    supervisor.add(base).unwrap();
    supervisor.add(stubborn).unwrap();
    assert_eq!(state(&supervisor, "stubborn"), Some(ReplicaState::Waiting));
    assert!(eventually(Duration::from_secs(5), || state(&supervisor, "stubborn") == Some(ReplicaState::Ready)).await);
    assert!(eventually(Duration::from_secs(2), || pid_file.exists()).await);
    let pids: Vec<u32> = supervisor.snapshot().iter().filter_map(|s| s.pid).collect();
    assert_eq!(pids.len(), 2);

    let stopping = Instant::now();
    supervisor.shutdown().await;
    let took = stopping.elapsed();
    assert!(took >= Duration::from_millis(600), "the stubborn one got its grace period ({took:?})");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert!(pids.iter().all(|pid| !alive(*pid)));
    let mut base_said = None;
    while let Ok(line) = logs.try_recv() {
        if line.process == "base" {
            base_said = Some(line.line);
        }
    }
    assert_eq!(base_said.as_deref(), Some("dependent-gone"), "the dependent was stopped (SIGKILLed) first");
    assert!(supervisor.snapshot().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scaling_adds_replicas_on_fresh_ports_and_removes_the_highest() {
    let supervisor = supervisor();
    let mut spec = shell("web", "exec sleep 60");
    spec.ports = vec![PortAllocator::default().next_port().unwrap()];
    supervisor.add(spec).unwrap();
    supervisor.scale("web", 3).await.unwrap();
    let ready = || supervisor.snapshot().iter().filter(|s| s.state == ReplicaState::Ready).count() == 3;
    assert!(eventually(Duration::from_secs(5), ready).await);
    let mut ports: Vec<u16> = supervisor.snapshot().iter().filter_map(|s| s.port).collect();
    ports.dedup();
    assert_eq!(ports.len(), 3);
    let removed: Vec<u32> = supervisor.snapshot()[1..].iter().filter_map(|s| s.pid).collect();
    supervisor.scale("web", 1).await.unwrap();
    let replicas: Vec<u32> = supervisor.snapshot().iter().map(|s| s.replica).collect();
    assert_eq!(replicas, [0]);
    assert!(removed.iter().all(|pid| !alive(*pid)));
    assert!(supervisor.scale("nope", 1).await.is_err());
    supervisor.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_whose_port_another_program_took_moves_to_a_free_one() {
    let supervisor = supervisor();
    let squatter = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = squatter.local_addr().unwrap().port();
    let mut spec = shell("api", "echo \"port $PORT\"; exec sleep 60");
    spec.ports = vec![taken];
    supervisor.add(spec).unwrap();
    let sup = &supervisor;
    let said = move || sup.recent_logs("api").iter().any(|l| l.line.starts_with("port "));
    assert!(eventually(Duration::from_secs(3), said).await);
    let port = supervisor.snapshot()[0].port.unwrap();
    assert_ne!(port, taken, "the replica kept a port another program holds");
    assert!(supervisor.recent_logs("api").iter().any(|l| l.line == format!("port {port}")));
    drop(squatter);
    supervisor.shutdown().await;
}
