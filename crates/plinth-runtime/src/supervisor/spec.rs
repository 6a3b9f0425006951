//! What the supervisor is asked to run: a process with its replicas, ports, probes, dependencies,
//! restart and stop policies.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use rustix::process::Signal;

use super::backoff::RestartPolicy;

/// One supervised process and its replicas.
#[derive(Debug, Clone)]
pub struct ProcessSpec {
    /// Unique name (a service or datastore name).
    pub name: String,
    /// Program and arguments.
    pub argv: Vec<String>,
    /// Working directory (`None`: the supervisor's).
    pub workdir: Option<PathBuf>,
    /// Environment added to the supervisor's own.
    pub env: BTreeMap<String, String>,
    /// The variable receiving each replica's port (`PORT`), if any.
    pub port_env: Option<String>,
    /// The ports of the replicas to start, one each (none: one replica without a port);
    /// [`crate::Supervisor::scale`] allocates more.
    pub ports: Vec<u16>,
    /// Probes, all against the replica's port.
    pub probes: Probes,
    /// Processes that must have a ready replica before this one first starts.
    pub depends_on: Vec<String>,
    /// Run as this OS user (`uid`, `gid`) instead of the supervisor's.
    pub user: Option<(u32, u32)>,
    /// Restarts after exits and liveness failures.
    pub restart: RestartPolicy,
    /// How replicas are stopped.
    pub stop: StopPolicy,
    /// The metrics path scraped on ready replicas (`None`: not a scrape target).
    pub metrics_path: Option<String>,
    /// Labels added to the replica's scrape target besides `service`.
    pub target_labels: BTreeMap<String, String>,
}

/// The probes of a process; a missing readiness probe makes a replica ready once started.
#[derive(Debug, Clone, Default)]
pub struct Probes {
    /// Runs first, until the first success; failing for `failure_threshold` × `period` (the time
    /// Kubernetes would give it) restarts the replica.
    pub startup: Option<Probe>,
    /// Decides whether the replica takes traffic.
    pub readiness: Option<Probe>,
    /// Restarts the replica after `failure_threshold` consecutive failures.
    pub liveness: Option<Probe>,
}

/// The least time [`Probes::ready_within`] gives a replica: enough to start a program.
const MIN_READY_WITHIN: Duration = Duration::from_secs(10);

impl Probes {
    /// How long a started replica may take to become ready before a roll gives up on it: the
    /// startup probe's budget (its initial delay plus `failure_threshold` × `period`, the time
    /// Kubernetes gives it), then the readiness probe's first `failure_threshold` checks (its
    /// initial delay plus `failure_threshold` × (`period` + `timeout`)); at least 10 s.
    pub fn ready_within(&self) -> Duration {
        let startup =
            self.startup.as_ref().map_or(Duration::ZERO, |p| p.initial_delay + p.period * p.failure_threshold);
        let readiness = self
            .readiness
            .as_ref()
            .map_or(Duration::ZERO, |p| p.initial_delay + (p.period + p.timeout) * p.failure_threshold);
        (startup + readiness).max(MIN_READY_WITHIN)
    }
}

/// One probe and its timing (Kubernetes' semantics, except that startup and readiness probes run
/// every 100 ms, or at `period` when shorter, until their first success after each start).
#[derive(Debug, Clone)]
pub struct Probe {
    /// What is checked.
    pub check: Check,
    /// Wait before the first check.
    pub initial_delay: Duration,
    /// Time between checks.
    pub period: Duration,
    /// Time one check may take.
    pub timeout: Duration,
    /// Consecutive failures that count.
    pub failure_threshold: u32,
}

/// What a probe checks.
#[derive(Debug, Clone)]
pub enum Check {
    /// `GET path` on the replica's port answers 200–399.
    Http {
        /// The path (`/health`).
        path: String,
    },
    /// The replica's port accepts a TCP connection.
    Tcp,
    /// A command exits 0 (and prints `expect`, when set).
    Exec {
        /// Program and arguments.
        argv: Vec<String>,
        /// Environment added for it.
        env: BTreeMap<String, String>,
        /// Text its standard output must contain.
        expect: Option<String>,
    },
}

/// How a replica is stopped: `signal` to its process group, then SIGKILL after `grace`.
#[derive(Debug, Clone, Copy)]
pub struct StopPolicy {
    /// The first signal (SIGTERM; SIGINT is PostgreSQL's fast shutdown).
    pub signal: Signal,
    /// How long to wait before SIGKILL.
    pub grace: Duration,
}

impl Default for StopPolicy {
    fn default() -> Self {
        Self { signal: Signal::TERM, grace: Duration::from_secs(10) }
    }
}
