//! The questions `plinth init` asks on a terminal: name, region and services.

use anyhow::Result;
use dialoguer::Input;
use dialoguer::theme::ColorfulTheme;

use super::names::{dns_label, is_app_name, is_region};

/// Asks for the application name, offering `default`.
pub fn name(default: &str) -> Result<String> {
    Ok(Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("Application name")
        .default(default.to_owned())
        .validate_with(|name: &String| {
            if is_app_name(name) {
                Ok(())
            } else {
                Err("use lowercase letters, digits and `-`, starting with a letter")
            }
        })
        .interact_text()?)
}

/// Asks for the AWS region, offering `default`.
pub fn region(default: &str) -> Result<String> {
    Ok(Input::<String>::with_theme(&ColorfulTheme::default())
        .with_prompt("AWS region")
        .default(default.to_owned())
        .validate_with(
            |region: &String| if is_region(region) { Ok(()) } else { Err("a region looks like `us-east-1`") },
        )
        .interact_text()?)
}

/// Asks for services until an empty name: `(name, port)` each, at least one.
pub fn services() -> Result<Vec<(String, u16)>> {
    let theme = ColorfulTheme::default();
    let mut out: Vec<(String, u16)> = Vec::new();
    loop {
        let prompt = if out.is_empty() { "Service name" } else { "Another service (empty to finish)" };
        let taken: Vec<String> = out.iter().map(|(n, _)| n.clone()).collect();
        let name = Input::<String>::with_theme(&theme)
            .with_prompt(prompt)
            .allow_empty(!out.is_empty())
            .validate_with(move |name: &String| {
                if name.is_empty() {
                    Ok(())
                } else if dns_label(name, 63).as_deref() != Some(name.as_str()) {
                    Err("use lowercase letters, digits and `-`, starting with a letter")
                } else if taken.contains(name) {
                    Err("that service is already there")
                } else {
                    Ok(())
                }
            })
            .interact_text()?;
        if name.is_empty() {
            return Ok(out);
        }
        let port = Input::<u16>::with_theme(&theme)
            .with_prompt(format!("Port of {name}"))
            .default(8080)
            .validate_with(|port: &u16| if *port > 0 { Ok(()) } else { Err("a port is between 1 and 65535") })
            .interact_text()?;
        out.push((name, port));
    }
}
