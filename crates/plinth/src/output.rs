//! Writing a render to disk atomically, and comparing a directory with a fresh render.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use plinth_render::Artifacts;

/// Gives `path` the mode of a script (rwxr-xr-x) where file modes exist.
fn make_executable(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755))
            .with_context(|| format!("cannot make {} executable", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Replaces `dir` with exactly `artifacts`. The files are written to a sibling temporary directory
/// first and swapped in by renames, so a failure at any point leaves the previous `dir` as it was.
pub fn write(dir: &Path, artifacts: &Artifacts) -> Result<()> {
    let parent = match dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".plinth-render-")
        .tempdir_in(&parent)
        .with_context(|| format!("cannot create a temporary directory in {}", parent.display()))?;
    for (path, contents) in artifacts.iter() {
        let target = staging.path().join(path);
        if let Some(dir) = target.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        fs::write(&target, contents).with_context(|| format!("cannot write {}", target.display()))?;
        if artifacts.is_executable(path) {
            make_executable(&target)?;
        }
    }
    let staged = staging.keep();
    let previous = parent.join(format!(".plinth-previous-{}", std::process::id()));
    let had_previous = dir.exists();
    if had_previous {
        fs::rename(dir, &previous).with_context(|| format!("cannot move the previous {} aside", dir.display()))?;
    }
    if let Err(err) = fs::rename(&staged, dir) {
        if had_previous {
            let _ = fs::rename(&previous, dir);
        }
        let _ = fs::remove_dir_all(&staged);
        return Err(err).with_context(|| format!("cannot move the new render into {}", dir.display()));
    }
    if had_previous {
        fs::remove_dir_all(&previous).with_context(|| format!("cannot remove {}", previous.display()))?;
    }
    Ok(())
}

/// What differs between `dir` and `artifacts`: `(path, reason)` pairs, sorted by path.
pub fn diff(dir: &Path, artifacts: &Artifacts) -> Result<Vec<(String, &'static str)>> {
    let mut on_disk = BTreeSet::new();
    if dir.exists() {
        collect(dir, dir, &mut on_disk)?;
    }
    let mut differences = Vec::new();
    for (path, contents) in artifacts.iter() {
        if !on_disk.remove(path) {
            differences.push((path.to_owned(), "missing"));
        } else if fs::read(dir.join(path)).with_context(|| format!("cannot read {path}"))? != contents.as_bytes() {
            differences.push((path.to_owned(), "changed"));
        }
    }
    differences.extend(on_disk.into_iter().map(|path| (path, "not rendered")));
    differences.sort();
    Ok(differences)
}

fn collect(root: &Path, dir: &Path, out: &mut BTreeSet<String>) -> Result<()> {
    for entry in fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if path.is_dir() {
            collect(root, &path, out)?;
        } else {
            let relative = path.strip_prefix(root).expect("walked from root");
            out.insert(relative.components().map(|c| c.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/"));
        }
    }
    Ok(())
}
