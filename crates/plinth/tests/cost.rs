//! End-to-end tests of `plinth cost` through the built binary: seed 001's estimate traced line by
//! line to the price file, the budget gate, the Markdown table, `--prices`, and REPORT.md.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn plinth(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plinth")).args(args).env("NO_COLOR", "1").output().unwrap()
}

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

fn path(relative: &str) -> String {
    root().join(relative).to_str().unwrap().to_owned()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn cents(usd: &Value) -> i64 {
    #[allow(clippy::cast_possible_truncation)]
    let cents = (usd.as_f64().unwrap() * 100.0).round() as i64;
    cents
}

const GATE: &str = "crates/plinth/tests/fixtures/cost-budget.yaml";

#[test]
fn seed_001_totals_trace_to_the_price_file() {
    let output = plinth(&["cost", "--output", "json", &path("examples/ctoprojects/plinth.yaml")]);
    // Seed 001's own budgets are below list prices, so the gate fails; the JSON is complete anyway.
    assert_eq!(output.status.code(), Some(1), "{}", text(&output.stderr));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    let prices: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(root().join("prices/aws.yaml")).unwrap()).unwrap();
    let price =
        |id: &str| prices["prices"].as_sequence().unwrap().iter().find(|p| p["id"].as_str() == Some(id)).cloned();
    let environments = report["environments"].as_array().unwrap();
    let names: Vec<&str> = environments.iter().map(|e| e["environment"].as_str().unwrap()).collect();
    assert_eq!(names, ["local", "dev", "staging", "prod"]);
    // The local environment (`plinth up`, a plinth addition to the seed) costs nothing.
    let (local, environments) = environments.split_first().unwrap();
    assert!(local["lines"].as_array().unwrap().is_empty() && cents(&local["total_usd"]["max"]) == 0, "{local}");
    for environment in environments {
        let name = environment["environment"].as_str().unwrap();
        let (mut min, mut max) = (0, 0);
        for line in environment["lines"].as_array().unwrap() {
            let id = line["price_id"].as_str().unwrap();
            if line["price_status"] == "missing" {
                assert!(price(id).is_none(), "{name}: {id} is in the file but reported missing");
                assert!(line["monthly_usd"].is_null());
                continue;
            }
            let entry = price(id).unwrap_or_else(|| panic!("{name}: {id} is not in prices/aws.yaml"));
            assert_eq!(line["unit_usd"].as_f64(), entry["usd"].as_f64(), "{name}: {id}");
            assert_eq!(line["unit"].as_str(), entry["unit"].as_str(), "{name}: {id}");
            assert_eq!(line["price_status"].as_str(), entry["status"].as_str(), "{name}: {id}");
            // quantity × unit price = monthly, to the cent, at both ends.
            for end in ["min", "max"] {
                let product = line["quantity"][end].as_f64().unwrap() * entry["usd"].as_f64().unwrap();
                #[allow(clippy::cast_possible_truncation)]
                let expected = (product * 100.0).round() as i64;
                assert_eq!(cents(&line["monthly_usd"][end]), expected, "{name}: {id} at the {end}");
            }
            min += cents(&line["monthly_usd"]["min"]);
            max += cents(&line["monthly_usd"]["max"]);
        }
        assert_eq!(
            (min, max),
            (cents(&environment["total_usd"]["min"]), cents(&environment["total_usd"]["max"])),
            "{name}"
        );
        let eks =
            environment["lines"].as_array().unwrap().iter().find(|l| l["price_id"] == "eks/cluster/us-east-1").unwrap();
        assert_eq!(cents(&eks["monthly_usd"]["max"]), 7300, "0.10 × 730");
    }
    // dev autoscales between 1 and 2 t3.medium nodes: a range.
    assert!(cents(&environments[0]["total_usd"]["min"]) < cents(&environments[0]["total_usd"]["max"]));
    assert_eq!(report["comparison"][3]["relative_to"], "staging");
    assert_eq!(report["within_budget"], false);
    assert_eq!(report["over_budget"][2]["largest"].as_array().unwrap().len(), 3);
}

#[test]
fn the_budget_gate_fails_only_over_budget() {
    let tight = plinth(&["cost", "--env", "tight", &path(GATE)]);
    assert_eq!(tight.status.code(), Some(1), "{}", text(&tight.stderr));
    let stderr = text(&tight.stderr);
    assert!(stderr.contains("error: tight costs up to $"), "{stderr}");
    assert!(
        stderr.contains("over its budget of $50.00; the largest items: db (RDS PostgreSQL) / db.t3.large"),
        "{stderr}"
    );
    let roomy = plinth(&["cost", "--env", "roomy", &path(GATE)]);
    assert_eq!(roomy.status.code(), Some(0), "{}", text(&roomy.stderr));
    assert!(text(&roomy.stdout).contains("budget $5,000.00: within"), "{}", text(&roomy.stdout));
    // Both together: one over budget fails the run.
    assert_eq!(plinth(&["cost", &path(GATE)]).status.code(), Some(1));
    let json: Value = serde_json::from_slice(&plinth(&["cost", "--output", "json", &path(GATE)]).stdout).unwrap();
    assert_eq!(json["over_budget"].as_array().unwrap().len(), 1);
    assert_eq!(json["over_budget"][0]["environment"], "tight");
}

/// The cells of a Markdown table row: split on unescaped `|`.
fn cells(row: &str) -> Vec<String> {
    let inner = row.trim().strip_prefix('|').and_then(|r| r.strip_suffix('|')).expect("a row starts and ends with |");
    let mut cells = vec![String::new()];
    let mut escaped = false;
    for c in inner.chars() {
        if c == '|' && !escaped {
            cells.push(String::new());
        } else {
            cells.last_mut().unwrap().push(c);
        }
        escaped = c == '\\';
    }
    cells.into_iter().map(|c| c.trim().to_owned()).collect()
}

#[test]
fn markdown_output_is_well_formed_tables() {
    let output = plinth(&["cost", "--output", "markdown", &path("examples/kkp-website/plinth.yaml")]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let markdown = text(&output.stdout);
    assert!(markdown.starts_with("## Monthly cost\n"));
    let lines: Vec<&str> = markdown.lines().collect();
    let mut tables = 0;
    let mut idx = 0;
    while idx < lines.len() {
        if !lines[idx].starts_with('|') {
            idx += 1;
            continue;
        }
        let header = cells(lines[idx]);
        let separator = cells(lines[idx + 1]);
        assert_eq!(header.len(), separator.len(), "{}", lines[idx + 1]);
        assert!(separator.iter().all(|c| c.trim_matches(':').chars().all(|d| d == '-') && c.contains("---")));
        idx += 2;
        while idx < lines.len() && lines[idx].starts_with('|') {
            assert_eq!(cells(lines[idx]).len(), header.len(), "{}", lines[idx]);
            idx += 1;
        }
        tables += 1;
    }
    // staging, production (development runs locally: no table) and the comparison.
    assert_eq!(tables, 3, "{markdown}");
    assert!(markdown.contains("| **total** | | | | | **$"));
    assert!(markdown.contains("| production | $"));
}

#[test]
fn a_price_file_layers_over_the_built_in_one() {
    let dir = tempfile::tempdir().unwrap();
    let prices = dir.path().join("prices.yaml");
    std::fs::write(
        &prices,
        "prices:\n  - { id: eks/cluster/us-east-1, service: eks, item: cluster, region: us-east-1, unit: hour, usd: 0.6, source: extended support, date: '2026-01-01', status: verified }\n",
    )
    .unwrap();
    let json = |extra: &[&str]| {
        let mut args = vec!["cost", "--output", "json", "--env", "roomy"];
        args.extend_from_slice(extra);
        args.push(GATE);
        let output = Command::new(env!("CARGO_BIN_EXE_plinth")).args(&args).current_dir(root()).output().unwrap();
        assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let built_in = cents(&json(&[])["environments"][0]["total_usd"]["max"]);
    let overridden = cents(&json(&["--prices", prices.to_str().unwrap()])["environments"][0]["total_usd"]["max"]);
    assert_eq!(overridden - built_in, 36_500, "(0.60 − 0.10) × 730");

    std::fs::write(&prices, "prices: [{ id: wrong }]\n").unwrap();
    let bad = plinth(&["cost", "--prices", prices.to_str().unwrap(), &path(GATE)]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(text(&bad.stderr).contains("is not a usable price file"), "{}", text(&bad.stderr));
    let unknown = plinth(&["cost", "--env", "prod", &path(GATE)]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(text(&unknown.stderr).contains("no environment `prod`"));
}

#[test]
fn render_writes_the_cost_table_into_report_md() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let output = plinth(&["render", &path("examples/business-app/plinth.yaml"), "-o", out.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output.stderr));
    let report = std::fs::read_to_string(out.join("REPORT.md")).unwrap();
    assert!(report.starts_with("# business-app: report\n\n## Monthly cost\n"), "{report}");
    assert!(report.contains("### production (production, ap-south-1)"));
    assert!(report.contains("`eks/cluster/ap-south-1`"), "missing prices are listed");
    let check = plinth(&["render", &path("examples/business-app/plinth.yaml"), "--check", "-o", out.to_str().unwrap()]);
    assert_eq!(check.status.code(), Some(0), "REPORT.md is deterministic: {}", text(&check.stderr));
}
