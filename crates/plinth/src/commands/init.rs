//! `plinth init`: write a starting spec from a docker-compose file, from flags, or by asking on a
//! terminal. The text is compiled before anything is written, and written atomically.

mod compose;
mod draft;
mod names;
mod prompt;

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

use crate::cli::InitArgs;
use crate::report::{counts, print_text};
use crate::{EXIT_INPUT, EXIT_OK};
use draft::{Draft, Service};
use names::{dns_label, is_app_name, is_region};

/// The region offered when none is given.
const DEFAULT_REGION: &str = "us-east-1";

/// Runs `plinth init`.
pub fn run(args: &InitArgs) -> Result<u8> {
    if args.out.exists() && !args.force {
        bail!("{} already exists; pass --force to overwrite it", args.out.display());
    }
    let flag_services = args.services.iter().map(|s| parse_service(s)).collect::<Result<Vec<_>>>()?;
    let interactive = args.from.is_none() && flag_services.is_empty() && std::io::stdin().is_terminal();
    if args.from.is_none() && flag_services.is_empty() && !interactive {
        bail!(
            "no services given and standard input is not a terminal, so plinth init cannot ask: \
             pass --service NAME:PORT (repeatable) or --from docker-compose.yml"
        );
    }

    let mut checks = Vec::new();
    let name = match &args.name {
        Some(name) if is_app_name(name) => name.clone(),
        Some(name) => bail!(
            "--name `{name}` is not a valid application name: use lowercase letters, digits and `-`, \
             starting with a letter, at most 40 characters"
        ),
        None if interactive => prompt::name(&default_name(args))?,
        None => {
            checks.push("`name` was taken from the directory's name".to_owned());
            default_name(args)
        }
    };
    let region = match &args.region {
        Some(region) if is_region(region) => region.clone(),
        Some(region) => bail!("--region `{region}` is not a region: write one such as `ap-south-1`"),
        None if interactive => prompt::region(DEFAULT_REGION)?,
        None => {
            checks.push(format!("`cloud.region` is the default {DEFAULT_REGION}: pass --region to choose"));
            DEFAULT_REGION.to_owned()
        }
    };
    let mut draft = Draft { name, region, checks, ..Draft::default() };

    let origin = match &args.from {
        Some(from) => {
            let text = std::fs::read_to_string(from).with_context(|| format!("cannot read {}", from.display()))?;
            let compose = compose::parse(&text)
                .with_context(|| format!("{} is not a valid docker-compose file", from.display()))?;
            compose::import(&compose, &mut draft).with_context(|| format!("cannot import {}", from.display()))?;
            format!("plinth init --from {}", from.display())
        }
        None => "plinth init".to_owned(),
    };
    let services = if interactive { prompt::services()? } else { flag_services };
    for (service, port) in services {
        if draft.services.iter().any(|s| s.name == service) || draft.datastores.iter().any(|d| d.name == service) {
            bail!("--service {service}: there is already a service or datastore called `{service}`");
        }
        draft.services.push(Service {
            image: format!("ghcr.io/{}/{service}", draft.name),
            comment: Some("the image is a guess: push it here, or change `image:`".to_owned()),
            name: service,
            port: Some(port),
            ..Service::default()
        });
    }
    if let (true, Some(from)) = (draft.services.is_empty(), &args.from) {
        bail!("{} has no application service to import, only datastores and skipped containers", from.display());
    }
    for (skipped, reason) in &draft.skipped {
        eprintln!("note: skipped `{skipped}`: {reason}");
    }

    let text = draft.to_yaml(&origin)?;
    let compiled = plinth_spec::compile(&text);
    if compiled.has_errors() {
        let label = format!("{} (generated, not written)", args.out.display());
        print_text(Path::new(&label), &text, &compiled.diagnostics);
        eprintln!(
            "error: the generated spec has {}; nothing was written to {}",
            counts(&compiled.diagnostics),
            args.out.display()
        );
        return Ok(EXIT_INPUT);
    }
    print_text(&args.out, &text, &compiled.diagnostics);
    write_atomically(&args.out, &text, args.force)?;
    summary(&draft, &args.out);
    Ok(EXIT_OK)
}

/// `web:8080` → `("web", 8080)`.
fn parse_service(flag: &str) -> Result<(String, u16)> {
    let Some((name, port)) = flag.split_once(':') else {
        bail!("--service `{flag}`: write NAME:PORT, e.g. `--service web:8080`");
    };
    if dns_label(name, 63).as_deref() != Some(name) {
        bail!("--service `{flag}`: `{name}` is not a service name (lowercase letters, digits and `-`)");
    }
    match port.parse::<u16>() {
        Ok(port) if port > 0 => Ok((name.to_owned(), port)),
        _ => bail!("--service `{flag}`: `{port}` is not a port (1 to 65535)"),
    }
}

/// The name of the directory holding the compose file (or the output), made a valid name.
fn default_name(args: &InitArgs) -> String {
    let file = args.from.as_deref().unwrap_or(&args.out);
    let dir = file.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    dir.canonicalize()
        .ok()
        .and_then(|dir| dir.file_name().and_then(|n| dns_label(&n.to_string_lossy(), 40)))
        .unwrap_or_else(|| "app".to_owned())
}

/// Writes `text` to a temporary file beside `out`, then renames it over `out`.
fn write_atomically(out: &Path, text: &str, force: bool) -> Result<()> {
    let dir = out.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let mut file =
        tempfile::NamedTempFile::new_in(dir).with_context(|| format!("cannot write in {}", dir.display()))?;
    file.write_all(text.as_bytes()).and_then(|()| file.as_file().sync_all())?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.as_file().set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    let persisted = if force { file.persist(out) } else { file.persist_noclobber(out) };
    persisted.map_err(|e| e.error).with_context(|| format!("cannot write {}", out.display()))?;
    Ok(())
}

/// What was written, what was left out, and what to run next.
fn summary(draft: &Draft, out: &Path) {
    println!("wrote {} for `{}` in {}", out.display(), draft.name, draft.region);
    let services: Vec<String> = draft
        .services
        .iter()
        .map(|s| s.port.map_or_else(|| s.name.clone(), |port| format!("{}:{port}", s.name)))
        .collect();
    println!("  services:   {}", services.join(", "));
    if !draft.datastores.is_empty() {
        let datastores: Vec<String> = draft
            .datastores
            .iter()
            .map(|d| {
                let version = d.version.as_deref().map(|v| format!(" {v}")).unwrap_or_default();
                format!("{} ({}{version})", d.name, d.engine.as_str())
            })
            .collect();
        println!("  datastores: {}", datastores.join(", "));
    }
    if !draft.skipped.is_empty() {
        let skipped: Vec<&str> = draft.skipped.iter().map(|(name, _)| name.as_str()).collect();
        println!("  skipped:    {}", skipped.join(", "));
    }
    match draft.checks.len() {
        0 => {}
        1 => println!("  1 thing to check is listed at the top of the file"),
        n => println!("  {n} things to check are listed at the top of the file"),
    }
    let file = if out == Path::new("plinth.yaml") { String::new() } else { format!(" {}", out.display()) };
    println!("next: plinth validate{file} && plinth render{file} -o out");
}
