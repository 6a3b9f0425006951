//! `plinth schema`: print the JSON Schema of plinth.yaml.

use anyhow::Result;

use crate::EXIT_OK;

/// Runs `plinth schema`.
pub fn run() -> Result<u8> {
    println!("{}", serde_json::to_string_pretty(plinth_spec::schema::json_schema())?);
    Ok(EXIT_OK)
}
