//! Helpers shared by the runtime's tests: process specs with test defaults, /proc checks, polling.

#![allow(dead_code, missing_docs)]

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use plinth_runtime::{Probes, ProcessSpec, RestartPolicy, StopPolicy};

/// A process running `sh -c script` with no ports, probes or dependencies.
pub fn shell(name: &str, script: &str) -> ProcessSpec {
    ProcessSpec {
        name: name.to_owned(),
        argv: vec!["sh".into(), "-c".into(), script.into()],
        workdir: None,
        env: BTreeMap::new(),
        port_env: Some("PORT".into()),
        ports: Vec::new(),
        probes: Probes::default(),
        depends_on: Vec::new(),
        user: None,
        restart: RestartPolicy::default(),
        stop: StopPolicy { grace: Duration::from_secs(2), ..StopPolicy::default() },
        metrics_path: None,
        target_labels: BTreeMap::new(),
    }
}

/// Whether `pid` is a live process (a zombie waiting for a reaper counts as dead).
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit_once(')').is_some_and(|(_, rest)| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// Polls `condition` every 20 ms until it holds or `timeout` passes; whether it held.
pub async fn eventually(timeout: Duration, mut condition: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while Instant::now() < deadline {
        if condition() {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    condition()
}

/// Whether a test needing `what` must fail (under `CI=true`) rather than skip.
pub fn skip_or_fail(what: &str) {
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{what} is required under CI=true");
    }
    eprintln!("SKIPPED: {what} is not installed");
}
