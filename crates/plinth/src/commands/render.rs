//! `plinth render`: compile, render every backend, and write (or `--check`) the output directory.

use std::time::Instant;

use anyhow::{Result, bail};
use serde_json::json;

use crate::cli::{Format, RenderArgs};
use crate::commands::spec::load;
use crate::output::{diff, write};
use crate::report::{counts, print_text, to_json};
use crate::{EXIT_FAILED, EXIT_INPUT, EXIT_OK};

/// Runs `plinth render`.
pub fn run(args: &RenderArgs) -> Result<u8> {
    let started = Instant::now();
    let (source, compiled) = load(&args.spec.file)?;
    if compiled.has_errors() {
        match args.spec.output {
            Format::Json => {
                let diagnostics: Vec<_> =
                    compiled.diagnostics.iter().map(|d| to_json(&args.spec.file, &source, d)).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "rendered": false, "diagnostics": diagnostics }))?
                );
            }
            Format::Text => {
                print_text(&args.spec.file, &source, &compiled.diagnostics);
                eprintln!(
                    "{}: not rendered ({}); nothing was written",
                    args.spec.file.display(),
                    counts(&compiled.diagnostics)
                );
            }
        }
        return Ok(EXIT_INPUT);
    }
    if args.spec.output == Format::Text {
        print_text(&args.spec.file, &source, &compiled.diagnostics);
    }
    for env in &args.envs {
        if compiled.platform(env).is_none() {
            let known: Vec<_> = compiled.platforms.iter().map(|p| p.environment.name.as_str()).collect();
            bail!("no environment `{env}` in {} (it has {})", args.spec.file.display(), known.join(", "));
        }
    }
    let platforms: Vec<_> = compiled
        .platforms
        .iter()
        .filter(|p| args.envs.is_empty() || args.envs.contains(&p.environment.name))
        .cloned()
        .collect();
    let mut artifacts = plinth_render::render(&platforms);
    artifacts.add("REPORT.md", crate::commands::cost::report(&platforms));
    let environments: Vec<_> = platforms.iter().map(|p| p.environment.name.as_str()).collect();
    if args.check {
        let differences = diff(&args.out, &artifacts)?;
        match args.spec.output {
            Format::Json => {
                let list: Vec<_> =
                    differences.iter().map(|(path, why)| json!({ "path": path, "difference": why })).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(
                        &json!({ "up_to_date": differences.is_empty(), "differences": list })
                    )?
                );
            }
            Format::Text => {
                for (path, why) in &differences {
                    eprintln!("  {why}: {}", args.out.join(path).display());
                }
                if differences.is_empty() {
                    println!("{} is up to date ({} files)", args.out.display(), artifacts.len());
                } else {
                    eprintln!(
                        "{} differs from a fresh render in {} files; run `plinth render -o {}`",
                        args.out.display(),
                        differences.len(),
                        args.out.display()
                    );
                }
            }
        }
        return Ok(if differences.is_empty() { EXIT_OK } else { EXIT_FAILED });
    }
    write(&args.out, &artifacts)?;
    let elapsed = started.elapsed();
    match args.spec.output {
        Format::Json => {
            let files: Vec<_> = artifacts.iter().map(|(path, _)| path).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({ "rendered": true, "out": args.out.display().to_string(), "environments": environments, "files": files, "milliseconds": elapsed.as_millis() })
                )?
            );
        }
        Format::Text => {
            println!(
                "rendered {} files for {} into {} in {} ms ({})",
                artifacts.len(),
                environments.join(", "),
                args.out.display(),
                elapsed.as_millis(),
                counts(&compiled.diagnostics)
            );
        }
    }
    Ok(EXIT_OK)
}
