//! One module per subcommand; each returns the process exit code.

mod admin;
mod check;
mod cost;
mod demo;
mod down;
mod init;
mod logs;
mod reload;
mod render;
mod rollout;
mod scale;
mod schema;
mod spec;
mod status;
mod up;
mod validate;

use crate::cli::{Cli, Command};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> anyhow::Result<u8> {
    match cli.command {
        Command::Validate(args) => validate::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Schema => schema::run(),
        Command::Init(args) => init::run(&args),
        Command::Rollout(args) => rollout::run(&args),
        Command::Cost(args) => cost::run(&args),
        Command::Check(args) => check::run(&args),
        Command::Demo(args) => demo::run(args),
        Command::Up(args) => up::run(&args),
        Command::Status(args) => status::run(&args),
        Command::Scale(args) => scale::run(&args),
        Command::Reload(args) => reload::run(&args),
        Command::Down(args) => down::run(&args),
        Command::Logs(args) => logs::run(&args),
    }
}
