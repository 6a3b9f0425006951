//! Helpers shared by the render tests: the examples, rendering them, and finding external tools.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use plinth_render::Artifacts;
use plinth_spec::model::Platform;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// `(name, platforms)` for every example, sorted by name.
pub fn examples() -> Vec<(String, Vec<Platform>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        let source = std::fs::read_to_string(dir.join("plinth.yaml")).unwrap();
        let compiled = plinth_spec::compile(&source);
        assert!(!compiled.has_errors(), "{}: {:#?}", dir.display(), compiled.diagnostics);
        out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), compiled.platforms));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Renders every example into `dir/<example>/`.
pub fn render_all_to(dir: &Path) -> Vec<(String, Artifacts)> {
    let mut out = Vec::new();
    for (name, platforms) in examples() {
        let artifacts = plinth_render::render(&platforms);
        for (path, contents) in artifacts.iter() {
            let target = dir.join(&name).join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, contents).unwrap();
        }
        out.push((name, artifacts));
    }
    out
}

/// Finds an external tool: in the project's tool directory (`.tools/venv/bin`) or on PATH.
/// Missing under CI is a failure; elsewhere the caller skips, loudly.
pub fn tool(name: &str) -> Option<PathBuf> {
    let local = root().join(".tools/venv/bin").join(name);
    if local.exists() {
        return Some(local);
    }
    let on_path = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().ok()?;
    if on_path.status.success() {
        return Some(PathBuf::from(String::from_utf8_lossy(&on_path.stdout).trim()));
    }
    assert!(std::env::var("CI").is_err(), "{name} is missing; run scripts/install-tools.sh");
    eprintln!("SKIPPED: {name} is not installed; run scripts/install-tools.sh");
    None
}
