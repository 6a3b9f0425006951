//! The variables the compose files read from `.env`: secrets are referenced as `${NAME:?…}`
//! (compose refuses to start without them), never written; `.env.example` lists every one with a
//! placeholder and who uses it, and `setup-secrets.sh` turns it into `.env` with random values.

use std::collections::BTreeMap;

use plinth_spec::local;

/// The value `.env.example` gives every secret; `setup-secrets.sh` replaces it with a random one.
pub const PLACEHOLDER: &str = "generate-me";

/// What `.env` must hold, by variable name.
#[derive(Debug, Default)]
pub struct Env {
    /// Plain settings (name → value), written as they are.
    settings: BTreeMap<String, String>,
    /// Secrets (name → the compose services using them).
    secrets: BTreeMap<String, Vec<String>>,
}

impl Env {
    /// A plain setting written into `.env.example` with its value; returns the reference to it.
    pub fn setting(&mut self, name: &str, value: &str) -> String {
        self.settings.insert(name.to_owned(), value.to_owned());
        format!("${{{name}}}")
    }

    /// The reference to secret `name` for compose service `user`; records both.
    pub fn secret(&mut self, name: &str, user: &str) -> String {
        let users = self.secrets.entry(name.to_owned()).or_default();
        if !users.iter().any(|u| u == user) {
            users.push(user.to_owned());
        }
        format!("${{{name}:?run ./setup-secrets.sh to write .env}}")
    }

    /// The text of `.env.example`.
    pub fn example(&self, header: &str) -> String {
        let mut out = String::new();
        for line in header.lines() {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str("#\n# Copy to .env with random secrets: ./setup-secrets.sh (never commit .env).\n");
        for (name, value) in &self.settings {
            out.push_str(&format!("\n{name}={value}\n"));
        }
        for (name, users) in &self.secrets {
            out.push_str(&format!("\n# Secret used by {}.\n{name}={PLACEHOLDER}\n", users.join(", ")));
        }
        out
    }
}

/// `setup-secrets.sh`: writes `.env` from `.env.example`, a random hex value (URL-safe, so it can
/// sit in `DATABASE_URL`) for every placeholder, and, when `certificate_names` is not empty, a
/// self-signed certificate for them into `certs/`. Existing files are kept.
pub fn setup_script(header: &str, certificate_names: &[String]) -> String {
    let mut out = String::from("#!/bin/sh\n");
    for line in header.lines() {
        out.push_str(&format!("# {line}\n"));
    }
    out.push_str(&format!(
        r#"#
# Development secrets: .env from .env.example with a random value for every `{PLACEHOLDER}`,
# and a self-signed certificate for the edge. Existing files are kept. Needs openssl.
set -eu
cd "$(dirname "$0")"
umask 077
if [ -e .env ]; then
    echo ".env exists; keeping it" >&2
else
    while IFS= read -r line; do
        case "$line" in
            *={PLACEHOLDER}) printf '%s=%s\n' "${{line%%=*}}" "$(openssl rand -hex 24)" ;;
            *) printf '%s\n' "$line" ;;
        esac
    done < .env.example > .env
    echo "wrote .env"
fi
"#
    ));
    if let Some(first) = certificate_names.first() {
        let alt_names: Vec<String> = certificate_names.iter().map(|name| format!("DNS:{name}")).collect();
        out.push_str(&format!(
            r#"if [ -e {dir}/{crt} ]; then
    echo "{dir}/{crt} exists; keeping it" >&2
else
    mkdir -p {dir}
    openssl req -x509 -newkey rsa:2048 -nodes -days 825 -subj "/CN={first}" \
        -addext "subjectAltName={alt_names}" \
        -keyout {dir}/{key} -out {dir}/{crt} 2>/dev/null
    echo "wrote {dir}/{crt} (self-signed)"
fi
"#,
            dir = local::CERT_DIR_FROM_COMPOSE,
            crt = local::CERT_FILE,
            key = local::KEY_FILE,
            alt_names = alt_names.join(",")
        ));
    }
    out
}
