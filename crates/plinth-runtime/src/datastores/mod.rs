//! The datastores of a local environment from their real programs: PostgreSQL, Redis, and buckets
//! as directories. [`start`] brings them all up and waits until each is ready (and PostgreSQL's
//! roles and databases exist).

mod binaries;
mod postgres;
mod redis;

use std::time::Duration;

pub use binaries::{POSTGRES_PACKAGE, REDIS_PACKAGE, find};

use crate::error::{Error, Result};
use crate::plan::{DatastorePlan, Plan};
use crate::supervisor::Supervisor;

/// Starts every datastore of `plan` under `supervisor` and waits up to `timeout` for each.
pub async fn start(plan: &Plan, supervisor: &Supervisor, timeout: Duration) -> Result<()> {
    for datastore in &plan.datastores {
        match datastore {
            DatastorePlan::Postgres(pg) => {
                supervisor.add(postgres::prepare(pg, supervisor.spawner()).await?)?;
                supervisor.wait_ready(&pg.name, timeout).await?;
                postgres::provision(pg, supervisor.spawner()).await?;
            }
            DatastorePlan::Redis(redis) => {
                supervisor.add(redis::prepare(redis)?)?;
                supervisor.wait_ready(&redis.name, timeout).await?;
            }
            DatastorePlan::Bucket { path, .. } => std::fs::create_dir_all(path).map_err(Error::io(path))?,
        }
    }
    Ok(())
}
