//! Reading and compiling a spec file, shared by the commands that take one, and where the local
//! runtime keeps its state next to it.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plinth_spec::{Compiled, compile};

/// Reads `file` and compiles it.
pub fn load(file: &Path) -> Result<(String, Compiled)> {
    let source = std::fs::read_to_string(file).with_context(|| format!("cannot read {}", file.display()))?;
    let compiled = compile(&source);
    Ok((source, compiled))
}

/// The spec file `spec` names: itself, or `plinth.yaml` in it when it is a directory.
pub fn spec_file(spec: &Path) -> PathBuf {
    if spec.is_dir() { spec.join("plinth.yaml") } else { spec.to_owned() }
}

/// The directory holding `file`, absolute.
pub fn spec_dir(file: &Path) -> Result<PathBuf> {
    let dir = file.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.canonicalize().with_context(|| format!("cannot resolve {}", dir.display()))
}

/// `.plinth/` next to the spec: one directory per environment, and `ca/`.
pub fn state_root(file: &Path) -> Result<PathBuf> {
    Ok(spec_dir(file)?.join(".plinth"))
}
