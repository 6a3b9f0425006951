//! `plinth check`: read the inputs, run the policy engine, print the findings (human, JSON or
//! SARIF), and exit 0 clean, 1 when findings reach `--fail-on`, 2 when an input could not be checked.

mod human;
mod inputs;
mod rules;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use plinth_policy::{Baseline, Config, Options, Severity, check, sarif};

use crate::cli::{CheckArgs, CheckFormat, FailOn};
use crate::{EXIT_FAILED, EXIT_INPUT, EXIT_OK};
use inputs::Inputs;

/// The config file read when it exists and `--config` is not given.
const CONFIG: &str = ".plinth-check.yaml";

/// Runs `plinth check`.
pub fn run(args: &CheckArgs) -> Result<u8> {
    if args.list_rules {
        rules::list();
        return Ok(EXIT_OK);
    }
    if let Some(id) = &args.explain {
        return Ok(if rules::explain(id) { EXIT_OK } else { EXIT_INPUT });
    }
    let started = Instant::now();
    let mut options = Options::new(jiff::Zoned::now().date());
    if let Some(config) = config(args.config.as_deref())? {
        options.config = config;
    }
    if let Some(path) = &args.baseline {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        let baseline = Baseline::parse(&text).map_err(|err| anyhow::anyhow!("{}: {err}", path.display()))?;
        options.baseline = Some(baseline);
    }
    // The spec's render is in memory anyway; files on disk are streamed a directory at a time and
    // only those with findings are read again for the human output.
    let (mut report, rendered) = if args.paths.is_empty() {
        let inputs = Inputs::from_spec(Path::new("plinth.yaml"))?;
        let mut report = check(&inputs.files, &options);
        report.errors.extend(inputs.errors);
        (report, Some(inputs.files))
    } else {
        (inputs::check_paths(&args.paths, &options)?, None)
    };
    report.errors.sort();
    if let Some(path) = &args.write_baseline {
        let baseline = Baseline::of(&report.findings);
        std::fs::write(path, baseline.to_json()).with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {} findings to the baseline {}", baseline.findings.len(), path.display());
        return Ok(if report.errors.is_empty() { EXIT_OK } else { EXIT_INPUT });
    }
    match args.output {
        CheckFormat::Human => {
            let sources = rendered.unwrap_or_else(|| inputs::sources(&report));
            human::print(&report, &sources, started.elapsed())
        }
        CheckFormat::Json => write_json(&report)?,
        CheckFormat::Sarif => write_json(&sarif(&report, env!("CARGO_PKG_VERSION")))?,
    }
    let fail_on = match args.fail_on {
        Some(FailOn::Info) => Severity::Info,
        Some(FailOn::Warning) => Severity::Warning,
        Some(FailOn::Error) => Severity::Error,
        None => options.config.fail_on.unwrap_or(Severity::Warning),
    };
    Ok(if !report.errors.is_empty() {
        EXIT_INPUT
    } else if report.fails(fail_on) {
        EXIT_FAILED
    } else {
        EXIT_OK
    })
}

/// Writes `value` as pretty JSON to stdout as it is serialised, without a copy of the text in
/// memory (a report of tens of thousands of findings is megabytes of JSON).
fn write_json(value: &impl serde::Serialize) -> Result<()> {
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// The config: the file given, else `.plinth-check.yaml` when it exists.
fn config(path: Option<&Path>) -> Result<Option<Config>> {
    let path = match path {
        Some(path) => path.to_owned(),
        None if Path::new(CONFIG).exists() => PathBuf::from(CONFIG),
        None => return Ok(None),
    };
    let name = path.display().to_string();
    let text = std::fs::read_to_string(&path).with_context(|| format!("cannot read {name}"))?;
    let config = Config::parse(&name, &text)
        .map_err(|err| anyhow::anyhow!("{}:{}:{}: {}", err.path, err.line, err.column, err.message))?;
    Ok(Some(config))
}
