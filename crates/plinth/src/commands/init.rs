//! `plinth init`: write a starting spec.

use anyhow::{Result, bail};

use crate::cli::InitArgs;

/// Runs `plinth init`.
pub fn run(_args: &InitArgs) -> Result<u8> {
    bail!("plinth init is being written")
}
