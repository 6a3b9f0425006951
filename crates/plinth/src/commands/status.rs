//! `plinth status`: the replicas of a running environment as a table, or the admin API's JSON.

use anyhow::Result;
use http::Method;
use serde_json::Value;

use crate::cli::{AdminArgs, Format};
use crate::commands::admin::{block_on, connect};
use crate::{EXIT_FAILED, EXIT_OK};

/// Runs `plinth status`.
pub fn run(args: &AdminArgs) -> Result<u8> {
    let Some((_, client)) = connect(args)? else { return Ok(EXIT_FAILED) };
    let status = block_on(client.call(Method::GET, "/v1/status", None))??;
    match args.output {
        Format::Json => println!("{}", serde_json::to_string_pretty(&status)?),
        Format::Text => print!("{}", table(&status)),
    }
    Ok(EXIT_OK)
}

/// The status as text: one row per replica, then the URLs, the services' call URLs and how to
/// trust the CA.
pub fn table(status: &Value) -> String {
    let mut rows = vec![["NAME", "REPLICA", "STATE", "PID", "PORT", "RESTARTS", "LAST EXIT"].map(str::to_owned)];
    let text = |v: &Value| match v {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let groups = [&status["datastores"], &status["services"]];
    for entry in groups.iter().filter_map(|g| g.as_array()).flatten() {
        for replica in entry["replicas"].as_array().into_iter().flatten() {
            rows.push([
                text(&entry["name"]),
                text(&replica["replica"]),
                text(&replica["state"]),
                text(&replica["pid"]),
                text(&replica["port"]),
                text(&replica["restarts"]),
                text(&replica["last_exit"]),
            ]);
        }
    }
    let widths: Vec<usize> = (0..7).map(|i| rows.iter().map(|r| r[i].len()).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in &rows {
        let cells: Vec<String> = row.iter().zip(&widths).map(|(cell, w)| format!("{cell:<w$}")).collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out.push_str("\nURLS\n");
    for service in status["services"].as_array().into_iter().flatten() {
        let spec = service["spec_urls"].as_array().into_iter().flatten();
        for (local, spec) in service["urls"].as_array().into_iter().flatten().zip(spec) {
            out.push_str(&format!("  {:<20} {}   (spec: {})\n", text(&service["name"]), text(local), text(spec)));
        }
    }
    out.push_str("\nCALLS (a caller's <SERVICE>_URL, through the gateway)\n");
    for service in status["services"].as_array().into_iter().flatten().filter(|s| s["call_url"].is_string()) {
        out.push_str(&format!("  {:<20} {}\n", text(&service["name"]), text(&service["call_url"])));
    }
    let ca = text(&status["gateway"]["ca"]);
    out.push_str(&format!(
        "\nGateway https://{} (http {} redirects, metrics http://{}/metrics)\nCA {ca}: trust it with `curl --cacert {ca} …` (names under .localhost resolve to 127.0.0.1)\n",
        text(&status["gateway"]["https"]),
        text(&status["gateway"]["http"]),
        text(&status["gateway"]["metrics"]),
    ));
    out
}
