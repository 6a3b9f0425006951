//! `plinth validate`: compile the spec and report every diagnostic.

use anyhow::Result;
use serde_json::json;

use crate::cli::{Format, ValidateArgs};
use crate::commands::spec::load;
use crate::report::{counts, print_text, to_json};
use crate::{EXIT_INPUT, EXIT_OK};

/// Runs `plinth validate`.
pub fn run(args: &ValidateArgs) -> Result<u8> {
    let (source, compiled) = load(&args.spec.file)?;
    let failed = compiled.has_errors() || (args.deny_warnings && !compiled.diagnostics.is_empty());
    match args.spec.output {
        Format::Json => {
            let diagnostics: Vec<_> =
                compiled.diagnostics.iter().map(|d| to_json(&args.spec.file, &source, d)).collect();
            let environments: Vec<_> = compiled.platforms.iter().map(|p| p.environment.name.clone()).collect();
            println!(
                "{}",
                serde_json::to_string_pretty(
                    &json!({ "valid": !failed, "environments": environments, "diagnostics": diagnostics })
                )?
            );
        }
        Format::Text => {
            print_text(&args.spec.file, &source, &compiled.diagnostics);
            if failed {
                eprintln!("{}: invalid ({})", args.spec.file.display(), counts(&compiled.diagnostics));
            } else {
                let environments: Vec<_> = compiled.platforms.iter().map(|p| p.environment.name.as_str()).collect();
                let services = compiled.platforms.first().map_or(0, |p| p.services.len());
                println!(
                    "{}: valid — {} services, environments {} ({})",
                    args.spec.file.display(),
                    services,
                    environments.join(", "),
                    counts(&compiled.diagnostics)
                );
            }
        }
    }
    Ok(if failed { EXIT_INPUT } else { EXIT_OK })
}
