//! What `plinth status` shows: each replica's state, pid, port, restarts and last exit.

use std::time::SystemTime;

/// The state of one replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// Waiting for the processes it depends on to be ready.
    Waiting,
    /// Started; the startup probe (or the first readiness success) is pending.
    Starting,
    /// Ready: takes traffic.
    Ready,
    /// Running, but its readiness probe fails.
    Unready,
    /// Exited or killed; restarts at the given time.
    Backoff(SystemTime),
    /// Restarted too often within the window; still restarts, at the given time (at the cap).
    CrashLoop(SystemTime),
    /// Being stopped.
    Stopping,
    /// Stopped for good.
    Stopped,
}

/// How a replica's process ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// It exited with this code.
    Code(i32),
    /// A signal killed it.
    Signal(i32),
}

impl Exit {
    pub(crate) fn from_status(status: std::process::ExitStatus) -> Self {
        use std::os::unix::process::ExitStatusExt;
        match (status.code(), status.signal()) {
            (Some(code), _) => Self::Code(code),
            (None, signal) => Self::Signal(signal.unwrap_or(0)),
        }
    }
}

/// One replica, as `plinth status` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaStatus {
    /// The process (service or datastore).
    pub process: String,
    /// The replica index.
    pub replica: u32,
    /// The running process' id.
    pub pid: Option<u32>,
    /// The replica's port.
    pub port: Option<u16>,
    /// Its state.
    pub state: ReplicaState,
    /// How often it was restarted.
    pub restarts: u32,
    /// How it last ended.
    pub last_exit: Option<Exit>,
}

impl ReplicaStatus {
    /// Whether it takes traffic.
    pub fn is_ready(&self) -> bool {
        self.state == ReplicaState::Ready
    }
}
