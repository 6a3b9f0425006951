//! What the admin-API commands (`status`, `scale`, `reload`, `down`, `logs`) share: finding the
//! running environment from `<spec dir>/.plinth/<env>/admin.json` and a runtime to talk to it.

use std::future::Future;

use anyhow::{Context, Result, bail};
use plinth_runtime::admin::AdminClient;
use plinth_runtime::admin::files::Admin;

use crate::cli::AdminArgs;
use crate::commands::spec::{spec_file, state_root};

/// The running environment `args` names (or the only one running), with its name; `None` after
/// saying that nothing runs.
pub fn connect(args: &AdminArgs) -> Result<Option<(String, AdminClient)>> {
    let root = state_root(&spec_file(&args.spec))?;
    let live = |env: &str| -> Result<Option<Admin>> { Ok(Admin::read(&root.join(env))?.filter(Admin::is_live)) };
    let found = match &args.env {
        Some(env) => live(env)?.map(|admin| (env.clone(), admin)),
        None => {
            let mut running = Vec::new();
            for entry in std::fs::read_dir(&root).into_iter().flatten().flatten() {
                let env = entry.file_name().to_string_lossy().into_owned();
                if let Some(admin) = live(&env)? {
                    running.push((env, admin));
                }
            }
            running.sort_by(|a, b| a.0.cmp(&b.0));
            if running.len() > 1 {
                let names: Vec<&str> = running.iter().map(|(env, _)| env.as_str()).collect();
                bail!("several environments run ({}): choose one with --env", names.join(", "));
            }
            running.pop()
        }
    };
    match found {
        Some((env, admin)) => Ok(Some((env, AdminClient::new(admin)))),
        None => {
            let which =
                args.env.as_deref().map_or_else(|| "no environment".to_owned(), |e| format!("environment `{e}`"));
            eprintln!("{which} runs here: no live `plinth up` under {} (start one with `plinth up`)", root.display());
            Ok(None)
        }
    }
}

/// Runs `future` to completion on a single-threaded runtime.
pub fn block_on<F: Future>(future: F) -> Result<F::Output> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().context("starting the runtime")?;
    Ok(runtime.block_on(future))
}
