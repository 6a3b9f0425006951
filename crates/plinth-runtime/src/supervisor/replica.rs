//! The life of one replica: wait for its dependencies, start, watch its probes and its exit,
//! restart after a backoff, and stop on request (signal to the group, grace, SIGKILL).

use std::net::{Ipv4Addr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rustix::process::Signal;
use tokio::process::{Child, Command};
use tokio::sync::watch;

use super::Shared;
use super::backoff::Restarts;
use super::logs::Stream;
use super::probe;
use super::spawner::signal_group;
use super::spec::{Probe, ProcessSpec};
use super::state::{Exit, ReplicaState};

/// The interval of startup and readiness probes until their first success.
const FIRST_SUCCESS_PERIOD: Duration = Duration::from_millis(100);

/// Why a running replica is restarted.
enum Ended {
    /// Its process exited.
    Exited(Exit),
    /// A probe gave up on it.
    Unhealthy(String),
    /// It was asked to stop.
    Stop,
}

/// One replica of `spec`, until `stop` turns true.
pub(super) async fn run(
    shared: Arc<Shared>,
    spec: Arc<ProcessSpec>,
    replica: u32,
    port: Option<u16>,
    mut stop: watch::Receiver<bool>,
) {
    let set = |state: ReplicaState| shared.update(&spec.name, replica, |s| s.state = state);
    if !dependencies_ready(&shared, &spec, &mut stop).await {
        set(ReplicaState::Stopped);
        return;
    }
    let mut restarts = Restarts::new(spec.restart);
    let mut port = port;
    loop {
        port = free(&shared, &spec, replica, port);
        set(ReplicaState::Starting);
        let started = Instant::now();
        let ended = match shared.spawner.spawn(command(&spec, port), &spec.name).await {
            Ok(child) => supervise(&shared, &spec, replica, port, child, &mut stop).await,
            Err(err) => {
                tracing::warn!(process = %spec.name, replica, %err, "cannot start");
                Ended::Unhealthy(err.to_string())
            }
        };
        let exit = match ended {
            Ended::Stop => {
                shared.update(&spec.name, replica, |s| {
                    s.state = ReplicaState::Stopped;
                    s.pid = None;
                });
                return;
            }
            Ended::Exited(exit) => Some(exit),
            Ended::Unhealthy(reason) => {
                tracing::warn!(process = %spec.name, replica, %reason, "restarting");
                None
            }
        };
        let delay = restarts.after_exit(started.elapsed(), Instant::now());
        let until = SystemTime::now() + delay.wait;
        shared.update(&spec.name, replica, |s| {
            s.pid = None;
            s.last_exit = exit.or(s.last_exit);
            s.state = if delay.crash_loop { ReplicaState::CrashLoop(until) } else { ReplicaState::Backoff(until) };
        });
        tokio::select! {
            () = tokio::time::sleep(delay.wait) => {}
            _ = stop.wait_for(|stop| *stop) => {
                set(ReplicaState::Stopped);
                return;
            }
        }
        shared.update(&spec.name, replica, |s| s.restarts += 1);
    }
}

/// The replica's port, or a fresh one when something else took it since it was allocated (ports
/// are picked by binding port 0 and releasing it, so another program may bind one in between, and a
/// replica started on it would fail forever): a port is only the replica's while it can bind it.
fn free(shared: &Shared, spec: &ProcessSpec, replica: u32, port: Option<u16>) -> Option<u16> {
    let Some(taken) = port.filter(|port| TcpListener::bind((Ipv4Addr::LOCALHOST, *port)).is_err()) else {
        return port;
    };
    match shared.next_port() {
        Ok(fresh) => {
            tracing::warn!(process = %spec.name, replica, taken, fresh, "port taken by another program; moving");
            shared.update(&spec.name, replica, |s| s.port = Some(fresh));
            Some(fresh)
        }
        Err(_) => Some(taken),
    }
}

/// Waits until every process `spec` depends on has a ready replica; false when asked to stop.
async fn dependencies_ready(shared: &Shared, spec: &ProcessSpec, stop: &mut watch::Receiver<bool>) -> bool {
    let mut changes = shared.changed.subscribe();
    while !spec.depends_on.iter().all(|dependency| shared.has_ready(dependency)) {
        tokio::select! {
            changed = changes.changed() => if changed.is_err() { return false },
            _ = stop.wait_for(|stop| *stop) => return false,
        }
    }
    true
}

/// The command of one replica.
fn command(spec: &ProcessSpec, port: Option<u16>) -> Command {
    let (program, args) = spec.argv.split_first().map_or(("", &[][..]), |(p, a)| (p.as_str(), a));
    let mut command = Command::new(program);
    command.args(args).envs(&spec.env).stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
    if let (Some(var), Some(port)) = (&spec.port_env, port) {
        command.env(var, port.to_string());
    }
    if let Some(dir) = &spec.workdir {
        command.current_dir(dir);
    }
    if let Some((uid, gid)) = spec.user {
        command.uid(uid).gid(gid);
    }
    command
}

/// Watches a started replica until it exits, a probe gives up, or it is asked to stop (then stops it).
async fn supervise(
    shared: &Arc<Shared>,
    spec: &Arc<ProcessSpec>,
    replica: u32,
    port: Option<u16>,
    mut child: Child,
    stop: &mut watch::Receiver<bool>,
) -> Ended {
    let pid = child.id();
    shared.update(&spec.name, replica, |s| s.pid = pid);
    for (reader, stream) in [
        (child.stdout.take().map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>), Stream::Stdout),
        (child.stderr.take().map(|r| Box::new(r) as Box<dyn tokio::io::AsyncRead + Send + Unpin>), Stream::Stderr),
    ] {
        if let Some(reader) = reader {
            let (shared, name) = (Arc::clone(shared), spec.name.clone());
            tokio::spawn(async move { shared.logs.capture(reader, &name, replica, stream).await });
        }
    }
    let ended = tokio::select! {
        status = child.wait() => match status {
            Ok(status) => Ended::Exited(Exit::from_status(status)),
            Err(err) => Ended::Unhealthy(err.to_string()),
        },
        reason = monitor(shared, spec, replica, port) => Ended::Unhealthy(reason),
        _ = stop.wait_for(|stop| *stop) => Ended::Stop,
    };
    match ended {
        Ended::Exited(exit) => {
            // What the process left behind in its group goes with it.
            if let Some(pid) = pid {
                signal_group(pid, Signal::KILL);
            }
            Ended::Exited(exit)
        }
        other => {
            shared.update(&spec.name, replica, |s| s.state = ReplicaState::Stopping);
            let exit = terminate(&mut child, pid, spec.stop.signal, spec.stop.grace).await;
            shared.update(&spec.name, replica, |s| s.last_exit = exit.or(s.last_exit));
            other
        }
    }
}

/// `signal` to the group, SIGKILL to the group after `grace` (or once the leader exited, for
/// what it left behind); returns how the leader ended.
async fn terminate(child: &mut Child, pid: Option<u32>, signal: Signal, grace: Duration) -> Option<Exit> {
    let pid = pid?;
    signal_group(pid, signal);
    let status = tokio::time::timeout(grace, child.wait()).await;
    signal_group(pid, Signal::KILL);
    let status = match status {
        Ok(status) => status,
        Err(_) => child.wait().await,
    };
    status.ok().map(Exit::from_status)
}

/// Runs the probes of a started replica; returns only when one gives up (the reason).
async fn monitor(shared: &Shared, spec: &ProcessSpec, replica: u32, port: Option<u16>) -> String {
    let probes = &spec.probes;
    if let Some(startup) = &probes.startup {
        tokio::time::sleep(startup.initial_delay).await;
        // Probed quickly, the startup probe keeps the time Kubernetes would give it rather than
        // its count of failures.
        let budget = startup.period * startup.failure_threshold;
        let deadline = Instant::now() + budget;
        let mut failures = 0;
        while !probe::passes(&startup.check, port, startup.timeout, &shared.spawner).await {
            failures += 1;
            if Instant::now() >= deadline {
                return format!("startup probe failed {failures} times in {budget:?}");
            }
            tokio::time::sleep(first_success_period(startup)).await;
        }
    }
    let readiness = async {
        match &probes.readiness {
            None => shared.update(&spec.name, replica, |s| s.state = ReplicaState::Ready),
            Some(readiness) => watch_readiness(shared, spec, replica, port, readiness).await,
        }
        std::future::pending::<()>().await;
    };
    let liveness = async {
        match &probes.liveness {
            None => std::future::pending().await,
            Some(liveness) => watch_liveness(shared, port, liveness).await,
        }
    };
    tokio::select! {
        () = readiness => unreachable!("readiness is watched forever"),
        reason = liveness => reason,
    }
}

/// Flips the replica between ready and unready (unready after `failure_threshold` failures);
/// probes quickly until the first success, then at the probe's period.
async fn watch_readiness(shared: &Shared, spec: &ProcessSpec, replica: u32, port: Option<u16>, probe: &Probe) {
    tokio::time::sleep(probe.initial_delay).await;
    let mut failures = 0;
    let mut period = first_success_period(probe);
    loop {
        if probe::passes(&probe.check, port, probe.timeout, &shared.spawner).await {
            failures = 0;
            period = probe.period;
            shared.update(&spec.name, replica, |s| s.state = ReplicaState::Ready);
        } else {
            failures += 1;
            if failures >= probe.failure_threshold {
                shared.update(&spec.name, replica, |s| {
                    if s.state == ReplicaState::Ready {
                        s.state = ReplicaState::Unready;
                    }
                });
            }
        }
        tokio::time::sleep(period).await;
    }
}

/// How often a startup or readiness probe runs until its first success: every
/// [`FIRST_SUCCESS_PERIOD`], or at its period when that is shorter. Failures before the first
/// success take no traffic away (the replica has none yet), so probing often only makes a replica
/// — and everything waiting for it — ready sooner.
fn first_success_period(probe: &Probe) -> Duration {
    FIRST_SUCCESS_PERIOD.min(probe.period)
}

/// Returns after `failure_threshold` consecutive liveness failures.
async fn watch_liveness(shared: &Shared, port: Option<u16>, probe: &Probe) -> String {
    tokio::time::sleep(probe.initial_delay).await;
    let mut failures = 0;
    loop {
        if probe::passes(&probe.check, port, probe.timeout, &shared.spawner).await {
            failures = 0;
        } else {
            failures += 1;
            if failures >= probe.failure_threshold {
                return format!("liveness probe failed {failures} times");
            }
        }
        tokio::time::sleep(probe.period).await;
    }
}
