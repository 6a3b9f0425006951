//! `plinth reload`: re-reads the spec into a running environment and says what changed, what
//! failed (exit 1) and what needs a restart of `plinth up`.

use anyhow::Result;
use http::Method;

use crate::cli::{AdminArgs, Format};
use crate::commands::admin::{block_on, connect};
use crate::{EXIT_FAILED, EXIT_OK};

/// Runs `plinth reload`.
pub fn run(args: &AdminArgs) -> Result<u8> {
    let Some((env, client)) = connect(args)? else { return Ok(EXIT_FAILED) };
    let outcome = match block_on(client.call(Method::POST, "/v1/reload", None))? {
        Ok(outcome) => outcome,
        Err(err) => {
            eprintln!("error: {err}");
            return Ok(EXIT_FAILED);
        }
    };
    let list = |key: &str| -> Vec<String> {
        outcome[key].as_array().into_iter().flatten().filter_map(|v| v.as_str().map(str::to_owned)).collect()
    };
    let failed = list("failed");
    let code = if failed.is_empty() { EXIT_OK } else { EXIT_FAILED };
    if args.output == Format::Json {
        println!("{}", serde_json::to_string_pretty(&outcome)?);
        return Ok(code);
    }
    let applied = list("applied");
    println!(
        "{env}: reloaded; applied: {}",
        if applied.is_empty() { "nothing changed".to_owned() } else { applied.join(", ") }
    );
    for failure in &failed {
        eprintln!("error: {failure}");
    }
    let restart = list("needs_restart");
    if !restart.is_empty() {
        println!("needs a restart of `plinth up`: {}", restart.join(", "));
    }
    Ok(code)
}
