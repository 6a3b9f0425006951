//! `plinth logs [SERVICE] [-f]`: a running environment's recent output, optionally followed.

use anyhow::Result;
use serde_json::Value;

use crate::cli::{Format, LogsArgs};
use crate::commands::admin::{block_on, connect};
use crate::{EXIT_FAILED, EXIT_OK};

/// Runs `plinth logs`.
pub fn run(args: &LogsArgs) -> Result<u8> {
    let Some((_, client)) = connect(&args.admin)? else { return Ok(EXIT_FAILED) };
    let mut path = format!("/v1/logs?follow={}", u8::from(args.follow));
    if let Some(service) = &args.service {
        path.push_str(&format!("&service={service}"));
    }
    let json = args.admin.output == Format::Json;
    let mut pending: Vec<u8> = Vec::new();
    let printed = block_on(client.stream(&path, |chunk| {
        pending.extend_from_slice(chunk);
        while let Some(end) = pending.iter().position(|&b| b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            print_line(String::from_utf8_lossy(&line).trim_end(), json);
        }
    }))?;
    match printed {
        Ok(()) => Ok(EXIT_OK),
        Err(err) => {
            eprintln!("error: {err}");
            Ok(EXIT_FAILED)
        }
    }
}

/// One line of the stream: as received, or as `process.replica | line`.
fn print_line(line: &str, json: bool) {
    let parsed: Option<Value> = (!json).then(|| serde_json::from_str(line).ok()).flatten();
    match parsed {
        Some(v) => println!(
            "{}.{} | {}",
            v["process"].as_str().unwrap_or("?"),
            v["replica"],
            v["line"].as_str().unwrap_or_default()
        ),
        None => println!("{line}"),
    }
}
