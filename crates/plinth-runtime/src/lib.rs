//! plinth-runtime: what `plinth up` runs on one machine without Docker.
//!
//! - [`plan()`] computes, without IO, what an environment runs: datastores, then services in
//!   dependency order with their replicas' ports, commands and environment (the variable names
//!   are the compose backend's; see [`mod@plan`]). Secrets are generated once into
//!   `<state>/secrets.json` ([`Secrets`], mode 0600).
//! - [`Supervisor`] runs processes: replicas in their own process groups, output captured line by
//!   line ([`LogLine`]), startup/readiness/liveness probes, restarts with exponential backoff and a
//!   crash-loop state, start after dependencies are ready, stop in reverse order (a signal to the
//!   group, a grace period, SIGKILL to the group), scaling, rolling replacement onto a new spec
//!   ([`Supervisor::roll`]), a status snapshot, and the scrape-targets file ([`targets_file`])
//!   rewritten atomically whenever readiness changes.
//! - [`datastores`] runs PostgreSQL and Redis from their real programs and makes buckets directories;
//!   [`up()`] starts a whole plan.
//! - [`Environment`] is a running environment: the plan, and the gateway in front of it whose
//!   routes come from the model ([`edge`]: local host names, backends following readiness).
//! - [`admin`] serves the loopback admin API (`plinth status`, `scale`, `reload`, `down`, `logs`)
//!   and is its client.
//!
//! # No orphans
//!
//! Every child gets `PR_SET_PDEATHSIG = SIGKILL` before `exec`, so the kernel kills it when plinth
//! dies, even by SIGKILL. That needs `pre_exec`, the crate's only `unsafe` (its lints `deny` unsafe
//! code; one audited function allows it): it makes the async-signal-safe `prctl` through rustix and
//! then checks that `getppid()` is still plinth's pid captured before the fork (otherwise plinth
//! died in between and the child exits at once).
//!
//! The death signal fires when the *thread* that forked the child exits, not the process. Children
//! are therefore spawned from one dedicated, long-lived std thread (the spawner, which receives
//! requests over a channel), never from tokio's blocking pool, whose idle threads come and go.
//!
//! The signal reaches direct children only. Grandchildren (what a service's `sh -c` starts, a
//! server's workers) are in the child's process group, so every normal stop and every restart
//! signals the whole group; but when plinth itself is SIGKILLed, a grandchild survives unless its
//! parent takes it along. PostgreSQL's backends do (they exit when the postmaster dies); a
//! `local_command` should `exec` its server rather than leave the shell as its parent.

pub mod admin;
pub mod datastores;
pub mod edge;
mod environment;
mod error;
mod files;
pub mod plan;
mod ports;
mod secrets;
mod supervisor;
mod targets;
mod up;

pub use environment::{EdgeOptions, Environment, Reloader};
pub use error::{Error, Result};
pub use plan::{CalleeUrls, DatastorePlan, Plan, PlanOptions, PostgresPlan, RedisPlan, ServicePlan, plan};
pub use ports::{PortAllocator, Ports};
pub use secrets::{POSTGRES_SUPERUSER_PASSWORD, Secrets};
pub use supervisor::{
    Check, Exit, LogLine, Probe, Probes, ProcessSpec, ReplicaState, ReplicaStatus, RestartPolicy, StopPolicy, Stream,
    Supervisor, SupervisorOptions,
};
pub use targets::targets_file;
pub use up::{UpOptions, service_process, up};
