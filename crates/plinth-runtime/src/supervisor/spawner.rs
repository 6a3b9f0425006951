//! The one thread every child is forked from, and the one audited `unsafe` of the crate.
//!
//! `PR_SET_PDEATHSIG` fires when the *thread* that forked the child exits, not the process: a
//! child forked from a tokio blocking-pool thread would be killed when that idle thread is reaped.
//! So children are spawned from a dedicated std thread that lives as long as anyone can ask it to
//! spawn (it ends when the last [`Spawner`] handle is dropped, and by then no child of ours runs).

use std::io;
use std::process::{Output, Stdio};
use std::sync::mpsc;

use rustix::process::{Pid, Signal, getpid, getppid, set_parent_process_death_signal};
use tokio::process::{Child, Command};
use tokio::sync::oneshot;

use crate::error::{Error, Result};

/// A request to the spawner thread.
struct Request {
    command: Command,
    reply: oneshot::Sender<io::Result<Child>>,
}

/// A handle to the spawner thread.
#[derive(Debug, Clone)]
pub(crate) struct Spawner {
    requests: mpsc::Sender<Request>,
}

impl std::fmt::Debug for Request {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Request").field("command", &self.command).finish()
    }
}

impl Spawner {
    /// Starts the spawner thread; must run inside a tokio runtime (children are registered with it).
    pub(crate) fn start() -> Self {
        let (requests, incoming) = mpsc::channel::<Request>();
        let runtime = tokio::runtime::Handle::current();
        std::thread::Builder::new()
            .name("plinth-spawner".to_owned())
            .spawn(move || {
                let _context = runtime.enter();
                for mut request in incoming {
                    // The caller may have given up waiting; the child is then reaped by tokio.
                    let _ = request.reply.send(request.command.spawn());
                }
            })
            .expect("the spawner thread starts");
        Self { requests }
    }

    /// Spawns `command` in a process group of its own, stdin from /dev/null, killed with SIGKILL
    /// when plinth dies.
    pub(crate) async fn spawn(&self, mut command: Command, process: &str) -> Result<Child> {
        command.process_group(0).stdin(Stdio::null());
        die_with_parent(&mut command);
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request { command, reply }).map_err(|_| Error::SpawnerGone)?;
        let spawned = answer.await.map_err(|_| Error::SpawnerGone)?;
        spawned.map_err(|source| Error::Spawn { process: process.to_owned(), source })
    }

    /// Runs `command` to completion, capturing its output.
    pub(crate) async fn output(&self, mut command: Command, process: &str) -> Result<Output> {
        command.stdout(Stdio::piped()).stderr(Stdio::piped());
        let child = self.spawn(command, process).await?;
        child.wait_with_output().await.map_err(|source| Error::Spawn { process: process.to_owned(), source })
    }
}

/// Sends `signal` to the process group led by `pid` (a child of ours, spawned by [`Spawner`]);
/// a group that is already gone is fine.
pub(crate) fn signal_group(pid: u32, signal: Signal) {
    if let Some(pid) = i32::try_from(pid).ok().and_then(Pid::from_raw) {
        let _ = rustix::process::kill_process_group(pid, signal);
    }
}

/// Makes the child get SIGKILL when plinth dies.
///
/// Audit: the closure runs in the forked child before `exec`, after std has applied the uid/gid
/// (changing credentials clears the death signal, so it must come after). It only makes two
/// async-signal-safe system calls through rustix (`prctl(PR_SET_PDEATHSIG)`, `getppid`), allocates
/// nothing, and returns an `Errno`-based error (no allocation) when plinth already died between
/// `fork` and `prctl` (the parent is then no longer the pid captured before the fork); std then
/// `_exit`s the child.
#[allow(unsafe_code)]
fn die_with_parent(command: &mut Command) {
    let parent = getpid();
    // SAFETY: see the audit above; the closure touches no lock, allocator or shared state.
    unsafe {
        command.pre_exec(move || {
            set_parent_process_death_signal(Some(Signal::KILL))?;
            if getppid() != Some(parent) {
                return Err(rustix::io::Errno::SRCH.into());
            }
            Ok(())
        });
    }
}
