//! `/healthz` and `/readyz`, and their toggles.

use std::sync::atomic::{AtomicBool, Ordering};

use hyper::StatusCode;
use serde_json::json;

use crate::response::{self, Reply};
use crate::routes::Probe;

/// The probes' switches.
#[derive(Debug)]
pub(crate) struct Probes {
    live: AtomicBool,
    ready: AtomicBool,
}

impl Probes {
    pub(crate) fn new() -> Self {
        Self { live: AtomicBool::new(true), ready: AtomicBool::new(true) }
    }

    /// 200 `{"status": "ok"}`, or 503 `{"status": "disabled"}`.
    pub(crate) fn answer(&self, probe: Probe) -> Reply {
        if self.switch(probe).load(Ordering::SeqCst) {
            response::json(StatusCode::OK, &json!({ "status": "ok" }))
        } else {
            response::json(StatusCode::SERVICE_UNAVAILABLE, &json!({ "status": "disabled" }))
        }
    }

    /// `POST /healthz/enable` and the like.
    pub(crate) fn toggle(&self, probe: Probe, enabled: bool) -> Reply {
        self.switch(probe).store(enabled, Ordering::SeqCst);
        response::json(StatusCode::OK, &json!({ "probe": path(probe), "enabled": enabled }))
    }

    fn switch(&self, probe: Probe) -> &AtomicBool {
        match probe {
            Probe::Liveness => &self.live,
            Probe::Readiness => &self.ready,
        }
    }
}

fn path(probe: Probe) -> &'static str {
    match probe {
        Probe::Liveness => "/healthz",
        Probe::Readiness => "/readyz",
    }
}
