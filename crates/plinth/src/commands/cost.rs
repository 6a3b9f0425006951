//! `plinth cost`: compile the spec, price every (or the chosen) environment with `plinth-cost`,
//! print the estimate as a table, JSON or Markdown, and fail (exit 1) when an environment's total
//! exceeds its budget. Also the cost section of the REPORT.md `plinth render` writes.

use anyhow::{Context, Result, bail};
use plinth_cost::report::budget_failure;
use plinth_cost::{Estimate, PriceBook, compare, estimate, markdown, text};
use plinth_spec::diagnostic::did_you_mean;
use plinth_spec::model::Platform;
use serde_json::json;

use crate::cli::{CostArgs, CostFormat};
use crate::commands::spec::load;
use crate::report::{counts, print_text, to_json};
use crate::{EXIT_FAILED, EXIT_INPUT, EXIT_OK};

/// The built-in price book.
fn built_in() -> PriceBook {
    PriceBook::parse(plinth_cost::BUILT_IN_PRICES).expect("the built-in prices/aws.yaml parses (tested)")
}

/// REPORT.md for `plinth render`: the cost of every rendered environment at the built-in prices.
pub fn report(platforms: &[Platform]) -> String {
    let prices = built_in();
    let estimates: Vec<Estimate> = platforms.iter().map(|p| estimate(p, &prices)).collect();
    let name = platforms.first().map_or("plinth", |p| p.name.as_str());
    format!("# {name}: report\n\n{}", markdown(&estimates))
}

/// Runs `plinth cost`.
pub fn run(args: &CostArgs) -> Result<u8> {
    let file = &args.file;
    let (source, compiled) = load(file)?;
    if compiled.has_errors() {
        match args.output {
            CostFormat::Json => {
                let diagnostics: Vec<_> = compiled.diagnostics.iter().map(|d| to_json(file, &source, d)).collect();
                println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({ "estimated": false, "diagnostics": diagnostics }))?
                );
            }
            CostFormat::Table | CostFormat::Markdown => {
                print_text(file, &source, &compiled.diagnostics);
                eprintln!("{}: not estimated ({})", file.display(), counts(&compiled.diagnostics));
            }
        }
        return Ok(EXIT_INPUT);
    }
    let mut prices = built_in();
    if let Some(path) = &args.prices {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
        prices.overlay(&text).with_context(|| format!("{} is not a usable price file", path.display()))?;
    }
    for env in &args.envs {
        if compiled.platform(env).is_none() {
            let names = compiled.platforms.iter().map(|p| p.environment.name.as_str());
            bail!("no environment `{env}` in {}: {}", file.display(), did_you_mean(env, names));
        }
    }
    let estimates: Vec<Estimate> = compiled
        .platforms
        .iter()
        .filter(|p| args.envs.is_empty() || args.envs.contains(&p.environment.name))
        .map(|p| estimate(p, &prices))
        .collect();
    let over: Vec<&Estimate> = estimates.iter().filter(|e| e.over_budget).collect();
    match args.output {
        CostFormat::Json => {
            let over_budget: Vec<_> = over
                .iter()
                .map(|e| {
                    let largest: Vec<_> = e
                        .largest(3)
                        .iter()
                        .map(|l| json!({ "resource": l.resource, "component": l.component, "monthly_usd": l.monthly_usd }))
                        .collect();
                    json!({ "environment": e.environment, "total_usd": e.total_usd, "budget_usd": e.budget_usd, "largest": largest })
                })
                .collect();
            let report = json!({
                "application": compiled.platforms.first().map(|p| p.name.clone()),
                "prices": args.prices.as_ref().map_or_else(
                    || "built-in prices/aws.yaml".to_owned(),
                    |p| format!("built-in prices/aws.yaml with {} over it", p.display())
                ),
                "environments": estimates,
                "comparison": compare(&estimates),
                "within_budget": over.is_empty(),
                "over_budget": over_budget,
                "not_counted": plinth_cost::NOT_COUNTED,
            });
            println!("{}", serde_json::to_string_pretty(&report)?);
        }
        CostFormat::Table => {
            print_text(file, &source, &compiled.diagnostics);
            print!("{}", text(&estimates));
        }
        CostFormat::Markdown => print!("{}", markdown(&estimates)),
    }
    if over.is_empty() {
        return Ok(EXIT_OK);
    }
    if args.output != CostFormat::Json {
        for failure in estimates.iter().filter_map(budget_failure) {
            eprintln!("error: {failure}");
        }
    }
    Ok(EXIT_FAILED)
}
