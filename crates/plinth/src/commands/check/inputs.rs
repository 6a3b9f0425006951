//! The files a check run reads: the paths given (directories walked), or `plinth.yaml` and a
//! fresh in-memory render of it. Files that cannot be read as text are reported, not fatal.

use std::io::Read;
use std::path::Path;

use anyhow::{Context, Result, bail};
use plinth_policy::{InputError, MAX_BYTES};
use walkdir::WalkDir;

/// Directories never walked into.
const SKIPPED: [&str; 4] = [".git", "target", "node_modules", ".tools"];

/// What to check: (path, contents) pairs, and the files that could not be read.
#[derive(Debug, Default)]
pub struct Inputs {
    /// Files read.
    pub files: Vec<(String, String)>,
    /// Files that could not be read (too large, not text).
    pub errors: Vec<InputError>,
}

impl Inputs {
    /// Reads the given files and walks the given directories.
    pub fn from_paths(paths: &[std::path::PathBuf]) -> Result<Self> {
        let mut inputs = Inputs::default();
        for path in paths {
            if path.is_dir() {
                let entries = WalkDir::new(path).sort_by_file_name().into_iter().filter_entry(|entry| {
                    !(entry.file_type().is_dir()
                        && entry.depth() > 0
                        && SKIPPED.contains(&entry.file_name().to_string_lossy().as_ref()))
                });
                for entry in entries {
                    let entry = entry.with_context(|| format!("cannot walk {}", path.display()))?;
                    if entry.file_type().is_file() && candidate(&entry.file_name().to_string_lossy()) {
                        inputs.read(entry.path())?;
                    }
                }
            } else if path.exists() {
                inputs.read(path)?;
            } else {
                bail!("{} does not exist", path.display());
            }
        }
        Ok(inputs)
    }

    /// `plinth.yaml` and, when it compiles, every file a render of it would write.
    pub fn from_spec(spec: &Path) -> Result<Self> {
        if !spec.exists() {
            bail!("no {} here; give the files or directories to check (`plinth check k8s/`)", spec.display());
        }
        let mut inputs = Inputs::default();
        inputs.read(spec)?;
        if let Some((_, source)) = inputs.files.first() {
            let compiled = plinth_spec::compile(source);
            if !compiled.has_errors() {
                let artifacts = plinth_render::render(&compiled.platforms);
                inputs.files.extend(artifacts.iter().map(|(path, text)| (path.to_owned(), text.to_owned())));
            }
        }
        Ok(inputs)
    }

    fn read(&mut self, path: &Path) -> Result<()> {
        let name = display(path);
        let file = std::fs::File::open(path).with_context(|| format!("cannot read {name}"))?;
        let mut bytes = Vec::new();
        file.take(MAX_BYTES as u64 + 1).read_to_end(&mut bytes).with_context(|| format!("cannot read {name}"))?;
        if bytes.len() > MAX_BYTES {
            let size = std::fs::metadata(path).map_or(bytes.len() as u64, |m| m.len());
            self.errors.push(InputError::too_large(&name, size, MAX_BYTES));
            return Ok(());
        }
        match String::from_utf8(bytes) {
            Ok(text) => self.files.push((name, text)),
            Err(_) => self.errors.push(InputError::binary(&name)),
        }
        Ok(())
    }
}

/// Whether a file met while walking a directory may be an input.
fn candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".tf"].iter().any(|ext| lower.ends_with(ext))
        || name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
}

/// A path as shown in findings: as given, `/`-separated, without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
