//! `plinth down`: asks a running environment to stop and waits until its `plinth up` has exited.

use std::time::{Duration, Instant};

use anyhow::Result;
use http::Method;
use plinth_runtime::admin::files::Admin;

use crate::cli::AdminArgs;
use crate::commands::admin::{block_on, connect};
use crate::commands::spec::{spec_file, state_root};
use crate::{EXIT_FAILED, EXIT_OK};

/// How long the environment may take to stop.
const STOP_TIMEOUT: Duration = Duration::from_secs(90);

/// Runs `plinth down`.
pub fn run(args: &AdminArgs) -> Result<u8> {
    let Some((env, client)) = connect(args)? else { return Ok(EXIT_FAILED) };
    let answer = block_on(client.call(Method::POST, "/v1/down", None))??;
    let pid = answer["pid"].as_u64().unwrap_or_default();
    let state_dir = state_root(&spec_file(&args.spec))?.join(&env);
    let deadline = Instant::now() + STOP_TIMEOUT;
    while Admin::read(&state_dir)?.is_some_and(|admin| admin.is_live()) {
        if Instant::now() > deadline {
            eprintln!("error: {env} (pid {pid}) did not stop within {}s", STOP_TIMEOUT.as_secs());
            return Ok(EXIT_FAILED);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("{env}: stopped");
    Ok(EXIT_OK)
}
