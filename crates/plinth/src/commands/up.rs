//! `plinth up`: compile the spec, run the chosen local environment (datastores, services, the
//! gateway, the admin API) in the foreground with its logs multiplexed, stop it on Ctrl-C, SIGTERM
//! or `plinth down`.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow};
use plinth_gateway::AccessLog;
use plinth_runtime::admin::files::Admin;
use plinth_runtime::{
    CalleeUrls, EdgeOptions, Environment, LogLine, PlanOptions, PortAllocator, Reloader, Secrets, Supervisor,
    SupervisorOptions, UpOptions, targets_file,
};
use plinth_spec::diagnostic::did_you_mean;
use plinth_spec::model::{Platform, Runtime};
use serde_json::json;
use tokio::sync::broadcast;

use crate::cli::{Format, UpArgs};
use crate::commands::spec::{load, spec_dir, spec_file};
use crate::commands::status::table;
use crate::report::{counts, print_text};
use crate::{EXIT_FAILED, EXIT_INPUT, EXIT_OK};

/// How long the gateway lets in-flight requests finish on shutdown.
const DRAIN: Duration = Duration::from_secs(10);

/// ANSI colours of the services' prefixes, by order of first appearance.
const COLOURS: [u8; 6] = [36, 33, 32, 35, 34, 31];

/// Runs `plinth up`.
pub fn run(args: &UpArgs) -> Result<u8> {
    let file = spec_file(&args.spec);
    let (source, compiled) = load(&file)?;
    print_text(&file, &source, &compiled.diagnostics);
    if compiled.has_errors() {
        eprintln!("{}: not started ({})", file.display(), counts(&compiled.diagnostics));
        return Ok(EXIT_INPUT);
    }
    let platform = match &args.env {
        Some(env) => compiled.platform(env).ok_or_else(|| {
            let names = compiled.platforms.iter().map(|p| p.environment.name.as_str());
            anyhow!("no environment `{env}` in {}: {}", file.display(), did_you_mean(env, names))
        })?,
        None => compiled.platforms.iter().find(|p| p.environment.runtime == Runtime::Local).ok_or_else(|| {
            anyhow!("{} has no environment whose runtime is local: add `runtime: local` to one", file.display())
        })?,
    };
    let env = platform.environment.name.clone();
    if platform.environment.runtime != Runtime::Local {
        eprintln!(
            "error: environment `{env}` runs on {:?}, not locally: `plinth up` runs environments with `runtime: local` \
             (render this one with `plinth render --env {env}`)",
            platform.environment.runtime
        );
        return Ok(EXIT_INPUT);
    }
    let dir = spec_dir(&file)?;
    let state_dir = dir.join(".plinth").join(&env);
    if let Some(admin) = Admin::read(&state_dir)?.filter(Admin::is_live) {
        eprintln!(
            "error: environment `{env}` of {} already runs (pid {}, admin API {}): see `plinth status --env {env}`, \
             stop it with `plinth down --env {env}`",
            file.display(),
            admin.pid,
            admin.address
        );
        return Ok(EXIT_FAILED);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().context("starting the runtime")?;
    runtime.block_on(serve(args, platform.clone(), file, dir, state_dir))
}

async fn serve(args: &UpArgs, platform: Platform, file: PathBuf, dir: PathBuf, state_dir: PathBuf) -> Result<u8> {
    let env = platform.environment.name.clone();
    let started = Instant::now();
    let secrets = Secrets::load(&state_dir)?;
    let exe = std::env::current_exe().context("locating the plinth binary")?;
    let options = PlanOptions {
        spec_dir: dir.clone(),
        state_dir: state_dir.clone(),
        demo_command: vec![exe.display().to_string(), "demo".to_owned()],
        // The environment points them at the gateway's internal listeners.
        callee_urls: CalleeUrls::default(),
    };
    let supervisor = Supervisor::new(
        SupervisorOptions { targets_file: Some(targets_file(&dir, &env)), ..SupervisorOptions::default() },
        PortAllocator::default(),
    );
    let printer = tokio::spawn(print_logs(supervisor.subscribe_logs(), args.output));
    let loopback = |port: u16| SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let edge = EdgeOptions {
        https: loopback(args.https_port),
        http: loopback(args.http_port),
        metrics: loopback(0),
        ca_dir: dir.join(".plinth").join("ca"),
        access_log: AccessLog::to_writer(access_log(&state_dir)?),
    };
    let reloader: Reloader = {
        let (file, env) = (file.clone(), env.clone());
        Box::new(move || reload(&file, &env))
    };
    let started_environment =
        Environment::start(platform, options, secrets, supervisor, edge, UpOptions::default(), reloader).await;
    let environment = match started_environment {
        Ok(environment) => environment,
        Err(err) => {
            printer.abort();
            eprintln!("error: {env} did not start: {err}");
            return Ok(EXIT_FAILED);
        }
    };
    let listener = tokio::net::TcpListener::bind(loopback(0)).await.context("binding the admin API")?;
    let admin = Admin { address: listener.local_addr()?, pid: std::process::id(), token: Admin::new_token() };
    admin.write(&state_dir)?;
    let server = plinth_runtime::admin::serve(listener, admin.token.clone(), Arc::clone(&environment));
    // One stop request, whether it comes before or after everything is ready.
    let stop = async {
        tokio::select! {
            () = plinth_demo::shutdown_signal() => {}
            () = environment.down_requested() => {}
        }
    };
    tokio::pin!(stop);
    tokio::select! {
        ready = environment.wait_all_ready(args.timeout) => {
            announce(&environment, ready.map(|_| started.elapsed()), args.output);
            (&mut stop).await;
        }
        () = &mut stop => {}
    }
    eprintln!("plinth: stopping {env}: the gateway drains, then services and datastores stop in reverse order");
    environment.shutdown(DRAIN).await;
    server.abort();
    Admin::remove(&state_dir);
    printer.abort();
    eprintln!("plinth: {env} stopped");
    Ok(EXIT_OK)
}

/// The gateway's access log: `<state>/logs/gateway.log`, appended to.
fn access_log(state_dir: &Path) -> Result<std::fs::File> {
    let logs = state_dir.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("cannot create {}", logs.display()))?;
    let path = logs.join("gateway.log");
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .with_context(|| format!("cannot open {}", path.display()))
}

/// The environment's model, compiled afresh for `POST /v1/reload`.
fn reload(file: &Path, env: &str) -> std::result::Result<Platform, String> {
    let (_, compiled) = load(file).map_err(|err| format!("{err:#}"))?;
    if compiled.has_errors() {
        let messages: Vec<&str> = compiled.diagnostics.iter().map(|d| d.message.as_str()).collect();
        return Err(format!("{} has errors (nothing changed): {}", file.display(), messages.join("; ")));
    }
    compiled.platform(env).cloned().ok_or_else(|| format!("{} no longer has environment `{env}`", file.display()))
}

/// Prints the services, their URLs and the time to all-ready (or what is not ready).
fn announce(environment: &Environment, ready: plinth_runtime::Result<Duration>, format: Format) {
    let status = environment.status();
    match (format, ready) {
        (Format::Json, ready) => {
            let seconds = ready.as_ref().ok().map(Duration::as_secs_f64);
            let error = ready.err().map(|e| e.to_string());
            println!("{}", json!({ "event": "ready", "seconds": seconds, "error": error, "status": status }));
        }
        (Format::Text, ready) => {
            let mut out = std::io::stdout().lock();
            let _ = write!(out, "\n{}", table(&status));
            let _ = match ready {
                Ok(elapsed) => writeln!(out, "All ready in {:.1}s. Ctrl-C stops.\n", elapsed.as_secs_f64()),
                Err(err) => writeln!(out, "Not everything is ready: {err}. Still running; see `plinth status`.\n"),
            };
        }
    }
}

/// Prints every captured line: `service.N | line` (the prefix coloured on a terminal unless
/// `NO_COLOR` is set) or one JSON object per line.
async fn print_logs(mut lines: broadcast::Receiver<LogLine>, format: Format) {
    let colour = format == Format::Text && std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut colours: HashMap<String, u8> = HashMap::new();
    loop {
        let line = match lines.recv().await {
            Ok(line) => line,
            Err(broadcast::error::RecvError::Lagged(skipped)) => {
                eprintln!("plinth: {skipped} log lines skipped (output too slow)");
                continue;
            }
            Err(broadcast::error::RecvError::Closed) => return,
        };
        let text = match format {
            Format::Json => line.to_json().to_string(),
            Format::Text if colour => {
                let next = COLOURS[colours.len() % COLOURS.len()];
                let code = *colours.entry(line.process.clone()).or_insert(next);
                format!("\x1b[{code}m{}.{} |\x1b[0m {}", line.process, line.replica, line.line)
            }
            Format::Text => line.to_string(),
        };
        let _ = writeln!(std::io::stdout().lock(), "{text}");
    }
}
