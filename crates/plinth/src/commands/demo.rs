//! `plinth demo`: the demo workload, configured from the environment and flags, until SIGTERM.

use std::net::SocketAddr;

use anyhow::{Context, Result};

use crate::EXIT_OK;
use crate::cli::DemoArgs;

/// Runs `plinth demo`: serves until SIGTERM or Ctrl-C, then drains and exits 0.
pub fn run(args: DemoArgs) -> Result<u8> {
    let config = config(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    let address = config.listen;
    runtime
        .block_on(plinth_demo::serve(config, plinth_demo::shutdown_signal()))
        .with_context(|| format!("serving on {address}"))?;
    Ok(EXIT_OK)
}

/// The instance's settings: the library's defaults, overridden by what was given (empty variables
/// count as not given).
fn config(args: DemoArgs) -> Result<plinth_demo::DemoConfig> {
    let mut config = plinth_demo::DemoConfig::new(SocketAddr::new(args.host, args.port));
    let given = |value: Option<String>| value.filter(|v| !v.is_empty());
    if let Some(service) = given(args.service) {
        config.service = service;
    }
    if let Some(version) = given(args.app_version) {
        config.version = version;
    }
    if let Some(color) = given(args.color) {
        config.color = color;
    }
    config.database_url = given(args.database_url);
    config.redis_url = given(args.redis_url);
    config.chaos = plinth_demo::Chaos::new(args.error_rate, args.latency).map_err(anyhow::Error::msg)?;
    if let Some(drain) = args.drain {
        config.drain = drain;
    }
    Ok(config)
}
