//! The files a check run reads: the paths given (directories walked, then checked one directory
//! at a time, so memory holds the directories in progress rather than the tree), or `plinth.yaml`
//! and a fresh in-memory render of it. Files that cannot be read as text are reported, not fatal.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use plinth_policy::input::candidate;
use plinth_policy::{
    InputError, MAX_BYTES, Options, Report, called_modules, check_directory, check_module_calls, finish,
};
use rayon::prelude::*;
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

/// Checks the given files and walked directories one directory at a time, directories in
/// parallel: each is read, checked and dropped before the next, so peak memory follows the largest
/// directories rather than the number of files.
pub fn check_paths(paths: &[PathBuf], options: &Options) -> Result<Report> {
    let mut directories: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    let mut add = |path: &Path| {
        let name = display(path);
        let directory = name.rsplit_once('/').map_or("", |(directory, _)| directory).to_owned();
        directories.entry(directory).or_default().push(path.to_owned());
    };
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
                    add(entry.path());
                }
            }
        } else if path.exists() {
            add(path);
        } else {
            bail!("{} does not exist", path.display());
        }
    }
    // Each directory is read, checked and dropped, and the reports are merged as they come, so
    // memory holds the findings rather than a report per directory. A directory whose Terraform
    // calls modules by a relative source is noted with the directories it calls, checked together
    // afterwards.
    let (report, calls) = directories
        .par_iter()
        .map(|(directory, files)| {
            let inputs = Inputs::of(files)?;
            let mut report = check_directory(&inputs.files, options);
            report.errors.extend(inputs.errors);
            let called = called_modules(&inputs.files);
            let calls = if called.is_empty() { Vec::new() } else { vec![(directory.clone(), called)] };
            anyhow::Ok((report, calls))
        })
        .try_reduce(
            || (Report::default(), Vec::new()),
            |(report, mut calls), (other, more)| {
                calls.extend(more);
                Ok((report.merge(other), calls))
            },
        )?;
    let mut report = report;
    for (root, modules) in calls {
        let tf = |directory: &String| {
            directories.get(directory).into_iter().flatten().filter(|path| path.extension().is_some_and(|e| e == "tf"))
        };
        let files: Vec<PathBuf> = std::iter::once(&root).chain(&modules).flat_map(tf).cloned().collect();
        let inputs = Inputs::of(&files)?;
        report = report.merge(check_module_calls(&inputs.files, options));
    }
    Ok(finish(report, options))
}

/// The text of every file a finding points at, read again for the human output's source lines.
pub fn sources(report: &Report) -> Vec<(String, String)> {
    let paths: BTreeSet<&str> = report.findings.iter().map(|finding| finding.path.as_str()).collect();
    paths.into_iter().filter_map(|path| Some((path.to_owned(), std::fs::read_to_string(path).ok()?))).collect()
}

impl Inputs {
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

    /// The files at `paths`, read.
    fn of(paths: &[PathBuf]) -> Result<Self> {
        let mut inputs = Inputs::default();
        for path in paths {
            inputs.read(path)?;
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

/// A path as shown in findings: as given, `/`-separated, without a leading `./`.
fn display(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_owned).unwrap_or(text)
}
