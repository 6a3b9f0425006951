//! The process supervisor: replicas of each process in their own process groups, output captured
//! line by line, startup/readiness/liveness probes (startup and readiness every 100 ms until their
//! first success, so dependents start soon), restarts with exponential backoff and a crash-loop
//! verdict, start after dependencies are ready, stop in reverse order (signal, grace, SIGKILL to
//! the group), scaling, rolling replacement with a new spec, a status snapshot, and the
//! scrape-targets file kept current.

mod backoff;
mod logs;
mod probe;
mod replica;
mod spawner;
mod spec;
mod state;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{broadcast, watch};
use tokio::task::JoinHandle;

pub use backoff::RestartPolicy;
pub use logs::{LogLine, Stream};
pub use spec::{Check, Probe, Probes, ProcessSpec, StopPolicy};
pub use state::{Exit, ReplicaState, ReplicaStatus};

pub(crate) use spawner::Spawner;

use crate::error::{Error, Result};
use crate::ports::{PortAllocator, Ports};
use crate::targets;

/// Supervisor settings.
#[derive(Debug, Clone)]
pub struct SupervisorOptions {
    /// Lines kept per process for [`Supervisor::recent_logs`].
    pub log_capacity: usize,
    /// The scrape-targets file rewritten whenever readiness changes (`None`: none written).
    pub targets_file: Option<PathBuf>,
}

impl Default for SupervisorOptions {
    fn default() -> Self {
        Self { log_capacity: 1000, targets_file: None }
    }
}

/// One replica's entry in the shared table.
#[derive(Debug)]
struct Entry {
    status: ReplicaStatus,
    spec: Arc<ProcessSpec>,
}

/// What the supervisor and its replica tasks share.
#[derive(Debug)]
pub(crate) struct Shared {
    entries: Mutex<BTreeMap<(String, u32), Entry>>,
    changed: watch::Sender<u64>,
    logs: logs::Logs,
    spawner: Spawner,
    targets_file: Option<PathBuf>,
    ports: Mutex<PortAllocator>,
}

impl Shared {
    /// A port no other replica of this run was given.
    fn next_port(&self) -> Result<u16> {
        self.ports.lock().expect("port lock").next_port()
    }

    /// Applies `change` to a replica's status; rewrites the targets file when readiness changed and
    /// wakes everyone waiting on a change.
    fn update(&self, process: &str, replica: u32, change: impl FnOnce(&mut ReplicaStatus)) {
        {
            let mut entries = self.entries.lock().expect("status lock");
            let Some(entry) = entries.get_mut(&(process.to_owned(), replica)) else { return };
            let was_ready = entry.status.is_ready();
            change(&mut entry.status);
            if was_ready != entry.status.is_ready() {
                self.write_targets(&entries);
            }
        }
        self.changed.send_modify(|generation| *generation += 1);
    }

    fn insert(&self, spec: &Arc<ProcessSpec>, replica: u32, port: Option<u16>) {
        let status = ReplicaStatus {
            process: spec.name.clone(),
            replica,
            pid: None,
            port,
            state: ReplicaState::Waiting,
            restarts: 0,
            last_exit: None,
        };
        let mut entries = self.entries.lock().expect("status lock");
        entries.insert((spec.name.clone(), replica), Entry { status, spec: Arc::clone(spec) });
    }

    fn remove(&self, process: &str, replica: u32) {
        {
            let mut entries = self.entries.lock().expect("status lock");
            if entries.remove(&(process.to_owned(), replica)).is_some_and(|e| e.status.is_ready()) {
                self.write_targets(&entries);
            }
        }
        self.changed.send_modify(|generation| *generation += 1);
    }

    /// Writes the targets file (called with the table locked, so writers never interleave).
    fn write_targets(&self, entries: &BTreeMap<(String, u32), Entry>) {
        let Some(path) = &self.targets_file else { return };
        let ready = entries.values().filter(|e| e.status.is_ready()).map(|e| (&e.status, e.spec.as_ref()));
        if let Err(err) = targets::write(path, ready) {
            tracing::warn!(%err, "cannot write the scrape targets");
        }
    }

    /// The ports of the ready replicas of `process`.
    fn ready_ports(&self, process: &str) -> Vec<u16> {
        let entries = self.entries.lock().expect("status lock");
        entries
            .values()
            .filter(|e| e.status.process == process && e.status.is_ready())
            .filter_map(|e| e.status.port)
            .collect()
    }

    /// Whether replica `replica` of `process` is ready.
    fn is_ready(&self, process: &str, replica: u32) -> bool {
        let entries = self.entries.lock().expect("status lock");
        entries.get(&(process.to_owned(), replica)).is_some_and(|e| e.status.is_ready())
    }

    /// Whether replica `replica` of `process` has a port.
    fn has_port(&self, process: &str, replica: u32) -> bool {
        let entries = self.entries.lock().expect("status lock");
        entries.get(&(process.to_owned(), replica)).is_some_and(|e| e.status.port.is_some())
    }

    /// Waits up to `within` for replica `replica` of `process` to be ready; whether it is.
    async fn replica_ready(&self, process: &str, replica: u32, within: Duration) -> bool {
        let mut changes = self.changed.subscribe();
        let ready = async {
            while !self.is_ready(process, replica) {
                if changes.changed().await.is_err() {
                    return;
                }
            }
        };
        tokio::time::timeout(within, ready).await.is_ok() && self.is_ready(process, replica)
    }
}

/// A running replica task.
#[derive(Debug)]
struct Handle {
    replica: u32,
    stop: watch::Sender<bool>,
    task: JoinHandle<()>,
}

impl Handle {
    async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// A process and its replica tasks, the lowest-numbered replica first.
#[derive(Debug)]
struct Managed {
    spec: Arc<ProcessSpec>,
    replicas: Vec<Handle>,
}

impl Managed {
    /// The lowest replica number none of its replicas has.
    fn free_replica(&self) -> u32 {
        (0..).find(|n| self.replicas.iter().all(|h| h.replica != *n)).unwrap_or(u32::MAX)
    }
}

/// Runs processes. Create it inside a tokio runtime; dropping it without [`Supervisor::shutdown`]
/// aborts nothing, so always shut it down.
#[derive(Debug)]
pub struct Supervisor {
    shared: Arc<Shared>,
    processes: Mutex<Vec<Managed>>,
}

impl Supervisor {
    /// A supervisor handing out further replica ports from `ports` (the allocator the plan used).
    pub fn new(options: SupervisorOptions, ports: PortAllocator) -> Self {
        let shared = Shared {
            entries: Mutex::default(),
            changed: watch::channel(0).0,
            logs: logs::Logs::new(options.log_capacity),
            spawner: Spawner::start(),
            targets_file: options.targets_file,
            ports: Mutex::new(ports),
        };
        Self { shared: Arc::new(shared), processes: Mutex::default() }
    }

    /// Starts `spec`'s replicas; each first waits for the processes `spec` depends on.
    pub fn add(&self, spec: ProcessSpec) -> Result<()> {
        let mut processes = self.processes.lock().expect("process lock");
        if processes.iter().any(|p| p.spec.name == spec.name) {
            return Err(Error::DuplicateProcess(spec.name));
        }
        let spec = Arc::new(spec);
        let ports: Vec<Option<u16>> =
            if spec.ports.is_empty() { vec![None] } else { spec.ports.iter().copied().map(Some).collect() };
        let replicas =
            ports.into_iter().enumerate().map(|(i, port)| self.start_replica(&spec, i as u32, port)).collect();
        processes.push(Managed { spec, replicas });
        Ok(())
    }

    fn start_replica(&self, spec: &Arc<ProcessSpec>, replica: u32, port: Option<u16>) -> Handle {
        self.shared.insert(spec, replica, port);
        let (stop, stopped) = watch::channel(false);
        let task = tokio::spawn(replica::run(Arc::clone(&self.shared), Arc::clone(spec), replica, port, stopped));
        Handle { replica, stop, task }
    }

    /// Runs `replicas` replicas of `process`: new ones get a fresh port, the highest-numbered
    /// ones are stopped.
    pub async fn scale(&self, process: &str, replicas: u32) -> Result<()> {
        let surplus = {
            let mut processes = self.processes.lock().expect("process lock");
            let managed = find_mut(&mut processes, process)?;
            let wanted = replicas as usize;
            while managed.replicas.len() < wanted {
                let port = self.shared.next_port()?;
                let handle = self.start_replica(&managed.spec, managed.free_replica(), Some(port));
                managed.replicas.push(handle);
            }
            managed.replicas.sort_by_key(|h| h.replica);
            managed.replicas.split_off(wanted.min(managed.replicas.len()))
        };
        for handle in surplus {
            let replica = handle.replica;
            handle.stop().await;
            self.shared.remove(process, replica);
        }
        Ok(())
    }

    /// Replaces the replicas of `spec.name` with replicas of `spec`, one at a time, as Kubernetes
    /// rolls a Deployment with maxSurge 1 and maxUnavailable 0: a new replica starts beside the old
    /// ones (on a fresh port), and only once it is ready, within `ready_within`, does one old
    /// replica stop. Replicas started afterwards (scaling, restarts of new ones) run `spec`.
    /// Returns how many replicas were replaced.
    ///
    /// When a new replica is not ready in time it is stopped, the replicas this roll already
    /// replaced are rolled back to the previous spec the same way, and the error says whether all
    /// of them were; the process keeps its previous spec.
    pub async fn roll(&self, spec: ProcessSpec, ready_within: Duration) -> Result<u32> {
        let process = spec.name.clone();
        let (previous, old) = {
            let processes = self.processes.lock().expect("process lock");
            let managed = find(&processes, &process)?;
            (Arc::clone(&managed.spec), managed.replicas.iter().map(|h| h.replica).collect::<Vec<u32>>())
        };
        let spec = Arc::new(spec);
        let mut replaced = Vec::with_capacity(old.len());
        for replica in old {
            match self.replace(&spec, replica, ready_within).await {
                Ok(new) => replaced.push(new),
                Err(err) => {
                    let mut unrestored = 0;
                    for new in replaced {
                        if let Err(err) = self.replace(&previous, new, ready_within).await {
                            tracing::warn!(%process, %err, "cannot roll a replica back");
                            unrestored += 1;
                        }
                    }
                    let outcome = if unrestored == 0 {
                        "the previous replicas keep running".to_owned()
                    } else {
                        format!("{unrestored} replica(s) already replaced could not be rolled back")
                    };
                    let reason = format!("{err} ({}s)", ready_within.as_secs_f64());
                    return Err(Error::RollStopped { process, reason, outcome });
                }
            }
        }
        let mut processes = self.processes.lock().expect("process lock");
        find_mut(&mut processes, &process)?.spec = spec;
        Ok(replaced.len() as u32)
    }

    /// Starts a replica of `spec` beside replica `old` of its process and, once it is ready within
    /// `ready_within`, stops `old`: the new replica's number. When it is not ready in time, stops
    /// the new one instead.
    async fn replace(&self, spec: &Arc<ProcessSpec>, old: u32, ready_within: Duration) -> Result<u32> {
        let process = spec.name.as_str();
        let new = {
            let mut processes = self.processes.lock().expect("process lock");
            let managed = find_mut(&mut processes, process)?;
            let port = if self.shared.has_port(process, old) { Some(self.shared.next_port()?) } else { None };
            let replica = managed.free_replica();
            let handle = self.start_replica(spec, replica, port);
            managed.replicas.push(handle);
            managed.replicas.sort_by_key(|h| h.replica);
            replica
        };
        if self.shared.replica_ready(process, new, ready_within).await {
            self.stop_replica(process, old).await;
            Ok(new)
        } else {
            self.stop_replica(process, new).await;
            Err(Error::NotReady(format!("replica {process}.{new}")))
        }
    }

    /// Stops replica `replica` of `process` and forgets it.
    async fn stop_replica(&self, process: &str, replica: u32) {
        let handle = {
            let mut processes = self.processes.lock().expect("process lock");
            let Ok(managed) = find_mut(&mut processes, process) else { return };
            let Some(index) = managed.replicas.iter().position(|h| h.replica == replica) else { return };
            managed.replicas.remove(index)
        };
        handle.stop().await;
        self.shared.remove(process, replica);
    }

    /// Stops every replica of `process` and forgets it.
    pub async fn stop(&self, process: &str) -> Result<()> {
        let managed = {
            let mut processes = self.processes.lock().expect("process lock");
            let index = processes
                .iter()
                .position(|p| p.spec.name == process)
                .ok_or_else(|| Error::UnknownProcess(process.to_owned()))?;
            processes.remove(index)
        };
        stop_all(&self.shared, managed).await;
        Ok(())
    }

    /// Stops every process, the last started first.
    pub async fn shutdown(&self) {
        let processes = std::mem::take(&mut *self.processes.lock().expect("process lock"));
        for managed in processes.into_iter().rev() {
            stop_all(&self.shared, managed).await;
        }
    }

    /// Every replica, in start order.
    pub fn snapshot(&self) -> Vec<ReplicaStatus> {
        let order: Vec<String> =
            self.processes.lock().expect("process lock").iter().map(|p| p.spec.name.clone()).collect();
        let entries = self.shared.entries.lock().expect("status lock");
        order
            .iter()
            .flat_map(|name| entries.values().filter(move |e| &e.status.process == name).map(|e| e.status.clone()))
            .collect()
    }

    /// Every line captured from now on.
    pub fn subscribe_logs(&self) -> broadcast::Receiver<LogLine> {
        self.shared.logs.subscribe()
    }

    /// The last lines `process` printed, oldest first.
    pub fn recent_logs(&self, process: &str) -> Vec<LogLine> {
        self.shared.logs.recent(process)
    }

    /// The ports of the ready replicas of `process` (what the gateway routes to).
    pub fn ready_ports(&self, process: &str) -> Vec<u16> {
        self.shared.ready_ports(process)
    }

    /// The ports of every replica of `process`, the lowest-numbered replica's first.
    pub fn replica_ports(&self, process: &str) -> Vec<u16> {
        let entries = self.shared.entries.lock().expect("status lock");
        entries.values().filter(|e| e.status.process == process).filter_map(|e| e.status.port).collect()
    }

    /// Waits until `process` has a ready replica.
    pub async fn wait_ready(&self, process: &str, timeout: Duration) -> Result<()> {
        let mut changes = self.shared.changed.subscribe();
        let ready = async {
            while !self.shared.has_ready(process) {
                if changes.changed().await.is_err() {
                    break;
                }
            }
        };
        tokio::time::timeout(timeout, ready).await.map_err(|_| Error::NotReady(process.to_owned()))
    }

    /// A readiness-change notification: the value changes whenever any replica's status does.
    pub fn changes(&self) -> watch::Receiver<u64> {
        self.shared.changed.subscribe()
    }

    pub(crate) fn spawner(&self) -> &Spawner {
        &self.shared.spawner
    }
}

impl Shared {
    /// Whether `process` has a ready replica.
    fn has_ready(&self, process: &str) -> bool {
        let entries = self.entries.lock().expect("status lock");
        entries.values().any(|e| e.status.process == process && e.status.is_ready())
    }
}

/// Hands out ports from the allocator replicas get theirs from (for planning added services).
impl Ports for &Supervisor {
    fn next_port(&mut self) -> Result<u16> {
        self.shared.next_port()
    }
}

/// The managed process named `process`.
fn find<'a>(processes: &'a [Managed], process: &str) -> Result<&'a Managed> {
    processes.iter().find(|p| p.spec.name == process).ok_or_else(|| Error::UnknownProcess(process.to_owned()))
}

/// The managed process named `process`, to change.
fn find_mut<'a>(processes: &'a mut [Managed], process: &str) -> Result<&'a mut Managed> {
    processes.iter_mut().find(|p| p.spec.name == process).ok_or_else(|| Error::UnknownProcess(process.to_owned()))
}

/// Stops every replica of `managed` at once and forgets them.
async fn stop_all(shared: &Shared, managed: Managed) {
    let numbers: Vec<u32> = managed.replicas.iter().map(|h| h.replica).collect();
    let stops: Vec<_> = managed.replicas.into_iter().map(|handle| tokio::spawn(handle.stop())).collect();
    for stop in stops {
        let _ = stop.await;
    }
    for replica in &numbers {
        shared.remove(&managed.spec.name, *replica);
    }
    tracing::debug!(process = %managed.spec.name, replicas = numbers.len(), "stopped");
}
