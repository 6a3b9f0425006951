//! The `plinth` binary: argument parsing, command dispatch and exit codes.

mod cli;
mod commands;
mod output;
mod report;

use std::process::ExitCode;

use clap::Parser;

/// Everything went as asked.
pub const EXIT_OK: u8 = 0;
/// The command ran and found something the caller asked to fail on (a stale render, findings).
pub const EXIT_FAILED: u8 = 1;
/// Bad input: a spec with errors, a usage mistake, an unreadable file.
pub const EXIT_INPUT: u8 = 2;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let code = match commands::run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {err:#}");
            EXIT_INPUT
        }
    };
    ExitCode::from(code)
}
