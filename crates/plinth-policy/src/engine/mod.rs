//! The check run. Files are grouped into units, one per directory (a kustomization directory, a
//! rendered environment, or the one file given alone), and units are checked in parallel (rayon):
//! every file of a unit is read and checked on its own, in parallel too ([`file`]); then the
//! Kubernetes rules over several objects run once over all the Kubernetes objects of the unit
//! ([`set`]), and the Terraform rules once over the unit's `.tf` files, one Terraform module
//! ([`terraform`]); then each file's suppressions apply to its findings, the set rules' included. The
//! baseline is subtracted last and everything is sorted, so the output does not depend on
//! scheduling. Across units, [`check_module_calls`] checks each module again with the literal
//! arguments a root of the tree passes it ([`calls`]); [`check`] runs it over its whole input, and
//! a caller that checks one directory at a time runs it over the tree's `.tf` files.

mod calls;
mod file;
mod locate;
mod set;
mod terraform;

use std::collections::BTreeMap;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::baseline::Baseline;
use crate::config::Config;
use crate::finding::Finding;
use crate::report::Report;
use crate::suppression::Suppression;
pub use calls::{called_modules, check_module_calls};

/// The largest file checked (20 MB); larger files are reported as errors, not read.
pub const MAX_BYTES: usize = 20 << 20;

/// How to run.
#[derive(Debug, Clone)]
pub struct Options {
    /// Today's date, for suppressions' `until` (the library reads no clock).
    pub today: Date,
    /// The config file's settings.
    pub config: Config,
    /// Findings to leave out of the report.
    pub baseline: Option<Baseline>,
    /// The size limit per file, in bytes.
    pub max_bytes: usize,
}

impl Options {
    /// Options with no config, no baseline and the default size limit.
    pub fn new(today: Date) -> Self {
        Options { today, config: Config::default(), baseline: None, max_bytes: MAX_BYTES }
    }
}

/// Checks `files` (path, contents) and returns every finding, sorted.
pub fn check(files: &[(String, String)], options: &Options) -> Report {
    let report = units(files).par_iter().map(|unit| self::unit(unit, options)).reduce(Report::default, Report::merge);
    finish(report.merge(check_module_calls(files, options)), options)
}

/// Checks the files of one directory (one unit), without the run-wide steps: for callers that
/// read a tree one directory at a time, so that memory holds the directories being checked rather
/// than the whole tree. Combine the reports with [`Report::merge`] and end with [`finish`].
pub fn check_directory(files: &[(String, String)], options: &Options) -> Report {
    let files: Vec<(&str, &str)> = files.iter().map(|(path, text)| (path.as_str(), text.as_str())).collect();
    unit(&files, options)
}

/// The run-wide steps after every unit is checked: the config file's own suppression problems,
/// the baseline, and sorting, so the output does not depend on scheduling.
pub fn finish(mut report: Report, options: &Options) -> Report {
    for suppression in &options.config.ignore {
        report.findings.extend(problems(suppression, options));
    }
    if let Some(baseline) = &options.baseline {
        let known = baseline.fingerprints();
        let before = report.findings.len();
        report.findings.retain(|finding| !known.contains(finding.fingerprint().as_str()));
        report.baselined = before - report.findings.len();
    }
    report.findings.sort();
    report.suppressed.sort();
    report.errors.sort();
    report
}

/// The files grouped by directory (the path up to its last `/`), in path order.
fn units(files: &[(String, String)]) -> Vec<Vec<(&str, &str)>> {
    let mut by_directory: BTreeMap<&str, Vec<(&str, &str)>> = BTreeMap::new();
    for (path, text) in files {
        let directory = path.rsplit_once('/').map_or("", |(directory, _)| directory);
        by_directory.entry(directory).or_default().push((path, text));
    }
    by_directory.into_values().collect()
}

/// Checks the files of one unit: each file, then the set rules over all of them, then each file's
/// suppressions.
fn unit(files: &[(&str, &str)], options: &Options) -> Report {
    let mut checked: Vec<file::Checked<'_>> =
        files.par_iter().map(|(path, text)| file::check(path, text, options)).collect();
    set::check(&mut checked, options);
    terraform::check(&mut checked, options);
    checked.into_par_iter().map(|file| file.finish(options)).reduce(Report::default, Report::merge)
}

/// The findings about a suppression itself, unless their rule is disabled.
fn problems(suppression: &Suppression, options: &Options) -> Vec<Finding> {
    let mut found = suppression.findings(options.today);
    found.retain(|f| !options.config.disabled(f.rule));
    found
}
