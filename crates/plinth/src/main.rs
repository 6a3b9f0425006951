//! The `plinth` binary: argument parsing, command dispatch and exit codes.

mod cli;
mod commands;
mod output;
mod report;

use std::process::ExitCode;

use clap::Parser;

/// mimalloc instead of the system allocator: the gateway allocates per request, and glibc's
/// malloc cost it about a fifth of its instructions (callgrind, BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Everything went as asked.
pub const EXIT_OK: u8 = 0;
/// The command ran and found something the caller asked to fail on (a stale render, findings).
pub const EXIT_FAILED: u8 = 1;
/// Bad input: a spec with errors, a usage mistake, an unreadable file.
pub const EXIT_INPUT: u8 = 2;

/// The exit code of a process ended by SIGPIPE (128 + 13), as shells report it.
const EXIT_BROKEN_PIPE: i32 = 141;

fn main() -> ExitCode {
    quiet_on_broken_pipe();
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) if broken_pipe(&err) => std::process::exit(EXIT_BROKEN_PIPE),
        Err(err) => {
            eprintln!("error: {err:#}");
            EXIT_INPUT
        }
    };
    ExitCode::from(code)
}

/// Ends the process quietly when stdout is a pipe its reader closed (`plinth check --list-rules |
/// head`), as a SIGPIPE would end a C program: Rust ignores SIGPIPE, so `println!` panics instead.
fn quiet_on_broken_pipe() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let message = info.payload().downcast_ref::<String>().map_or("", String::as_str);
        if message.starts_with("failed printing to stdout") && message.contains("Broken pipe") {
            std::process::exit(EXIT_BROKEN_PIPE);
        }
        default(info);
    }));
}

/// Whether `err` comes from writing into a pipe its reader closed.
fn broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            || cause.downcast_ref::<serde_json::Error>().and_then(|json| json.io_error_kind())
                == Some(std::io::ErrorKind::BrokenPipe)
    })
}
