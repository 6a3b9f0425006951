//! `plinth scale SERVICE N`: runs N replicas of a service in a running environment.

use anyhow::Result;
use http::Method;
use serde_json::json;

use crate::cli::ScaleArgs;
use crate::commands::admin::{block_on, connect};
use crate::{EXIT_FAILED, EXIT_OK};

/// Runs `plinth scale`.
pub fn run(args: &ScaleArgs) -> Result<u8> {
    let Some((env, client)) = connect(&args.admin)? else { return Ok(EXIT_FAILED) };
    let body = json!({ "service": args.service, "replicas": args.replicas });
    match block_on(client.call(Method::POST, "/v1/scale", Some(&body)))? {
        Ok(_) => {
            println!("{env}: {} scaled to {} replicas", args.service, args.replicas);
            Ok(EXIT_OK)
        }
        Err(err) => {
            eprintln!("error: {err}");
            Ok(EXIT_FAILED)
        }
    }
}
