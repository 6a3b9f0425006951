//! Redis from `redis-server`: a generated configuration (port, `bind 127.0.0.1`, `requirepass`
//! when the datastore has auth, its directory, persistence as the spec says), ready when
//! `redis-cli` gets `PONG` (authenticating through `REDISCLI_AUTH`, so the password is not on a
//! command line).

use std::collections::BTreeMap;
use std::time::Duration;

use plinth_spec::model::Persistence;

use super::binaries::{REDIS_PACKAGE, find};
use crate::error::{Error, Result};
use crate::files::write_atomically;
use crate::plan::{HOST, RedisPlan};
use crate::supervisor::{Check, Probe, Probes, ProcessSpec};

/// Writes the configuration and returns the process to supervise.
pub(crate) fn prepare(redis: &RedisPlan) -> Result<ProcessSpec> {
    let server = find("redis-server", REDIS_PACKAGE)?;
    let cli = find("redis-cli", REDIS_PACKAGE)?;
    let data = redis.dir.join("data");
    std::fs::create_dir_all(&data).map_err(Error::io(&data))?;
    let config_path = redis.dir.join("redis.conf");
    write_atomically(&config_path, config(redis).as_bytes(), 0o600)?;
    let ping = Check::Exec {
        argv: vec![
            cli.display().to_string(),
            "-h".into(),
            HOST.into(),
            "-p".into(),
            redis.port.to_string(),
            "ping".into(),
        ],
        env: redis.password.iter().map(|p| ("REDISCLI_AUTH".to_owned(), p.clone())).collect(),
        expect: Some("PONG".to_owned()),
    };
    let probe = Probe {
        check: ping,
        initial_delay: Duration::ZERO,
        period: Duration::from_millis(200),
        timeout: Duration::from_secs(2),
        failure_threshold: 3,
    };
    Ok(ProcessSpec {
        name: redis.name.clone(),
        argv: vec![server.display().to_string(), config_path.display().to_string()],
        workdir: Some(redis.dir.clone()),
        env: BTreeMap::new(),
        port_env: None,
        ports: vec![redis.port],
        probes: Probes { startup: None, readiness: Some(probe), liveness: None },
        depends_on: Vec::new(),
        user: None,
        restart: Default::default(),
        stop: Default::default(),
        metrics_path: None,
        target_labels: BTreeMap::new(),
    })
}

/// `redis.conf`.
fn config(redis: &RedisPlan) -> String {
    let (snapshots, append_only) = match redis.persistence {
        Persistence::None => (false, false),
        Persistence::Rdb => (true, false),
        Persistence::Aof => (false, true),
        Persistence::RdbAof => (true, true),
    };
    let mut out = format!(
        "port {}\nbind {HOST}\nprotected-mode yes\ndir {}\nappendonly {}\nmaxmemory-policy {}\n",
        redis.port,
        quote(&redis.dir.join("data").display().to_string()),
        if append_only { "yes" } else { "no" },
        redis.eviction,
    );
    if !snapshots {
        out.push_str("save \"\"\n");
    }
    if let Some(password) = &redis.password {
        out.push_str(&format!("requirepass {}\n", quote(password)));
    }
    out
}

/// A double-quoted Redis configuration string.
fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_configuration_binds_loopback_and_requires_the_password() {
        let plan = RedisPlan {
            name: "cache".into(),
            dir: "/s/cache".into(),
            port: 4000,
            password: Some("pw".into()),
            persistence: Persistence::None,
            eviction: "allkeys-lru".into(),
        };
        assert_eq!(
            config(&plan),
            "port 4000\nbind 127.0.0.1\nprotected-mode yes\ndir \"/s/cache/data\"\nappendonly no\nmaxmemory-policy allkeys-lru\nsave \"\"\nrequirepass \"pw\"\n"
        );
    }
}
