//! Reading and compiling a spec file, shared by the commands that take one.

use std::path::Path;

use anyhow::{Context, Result};
use plinth_spec::{Compiled, compile};

/// Reads `file` and compiles it.
pub fn load(file: &Path) -> Result<(String, Compiled)> {
    let source = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let compiled = compile(&source);
    Ok((source, compiled))
}
