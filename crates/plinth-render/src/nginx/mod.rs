//! The nginx edge of a local environment (seed 004): TLS termination, HTTP → HTTPS redirect,
//! per-IP rate limit, security headers, gzip, health-check proxying, tenant subdomains, admin
//! allow-lists and SPA fallback, in front of the services the compose file runs.
//!
//! `nginx.conf` holds the behaviour; what depends on where nginx runs lives in four includes next
//! to it, so a test (or another host) swaps only those and runs the rest unchanged:
//! `listen-http.conf` and `listen-https.conf` (the `listen` lines), `certificates.conf` (the
//! certificate and key paths) and `upstreams.conf` (one upstream per exposed service, addressed by
//! its compose service name).

mod headers;
mod http;
mod limits;
mod servers;
mod syntax;

use plinth_spec::local;
use plinth_spec::model::Platform;
use syntax::{Item, block, comment, directive, print};

use crate::Artifacts;

/// The include with the plain-HTTP `listen` lines.
pub const LISTEN_HTTP: &str = "listen-http.conf";
/// The include with the HTTPS `listen` lines.
pub const LISTEN_HTTPS: &str = "listen-https.conf";
/// The include with the certificate and key paths.
pub const CERTIFICATES: &str = "certificates.conf";
/// The include with the upstreams.
pub const UPSTREAMS: &str = "upstreams.conf";

/// The plain-HTTP path the edge answers itself with an empty 200, unlogged and not redirected: what
/// the compose healthcheck requests (nothing behind the edge is involved).
pub const HEALTH_PATH: &str = "/healthz";

/// Connections kept open to each upstream.
const UPSTREAM_KEEPALIVE: &str = "16";

/// Renders `environments/<env>/nginx/` when some service of `platform` is exposed.
pub fn render(platform: &Platform, artifacts: &mut Artifacts) {
    if !local::has_edge(platform) {
        return;
    }
    let dir = local::nginx_dir(platform);
    let header = format!(
        "Rendered by plinth from plinth.yaml (application {}, environment {}).\nDo not edit: change plinth.yaml and run `plinth render`.",
        platform.name, platform.environment.name
    );
    let conf_header = format!(
        "{header}\n\nThe edge of the local environment. Where it runs lives in four includes beside this file:\n{LISTEN_HTTP}, {LISTEN_HTTPS} (listen lines), {CERTIFICATES} (certificate paths) and {UPSTREAMS}\n(service addresses); everything here is behaviour. Temporary files go under nginx's prefix (-p).\nRun: nginx -p <dir> -c <this file>"
    );
    let main = vec![
        directive(&["worker_processes", "auto"]),
        directive(&["error_log", "stderr", "warn"]),
        Item::Blank,
        block(&["events"], vec![directive(&["worker_connections", "1024"])]),
        Item::Blank,
        block(
            &["http"],
            [
                http::settings(platform),
                vec![Item::Blank, directive(&["include", UPSTREAMS]), Item::Blank],
                servers::servers(platform),
            ]
            .concat(),
        ),
    ];
    artifacts.add(format!("{dir}/nginx.conf"), print(&conf_header, &main));
    let http_port = local::EDGE_HTTP_PORT.to_string();
    let https_port = local::EDGE_HTTPS_PORT.to_string();
    artifacts.add(format!("{dir}/{LISTEN_HTTP}"), print(&header, &[directive(&["listen", &http_port])]));
    artifacts
        .add(format!("{dir}/{LISTEN_HTTPS}"), print(&header, &[directive(&["listen", &https_port, "ssl", "http2"])]));
    artifacts.add(format!("{dir}/{CERTIFICATES}"), print(&header, &certificates()));
    artifacts.add(format!("{dir}/{UPSTREAMS}"), print(&header, &upstreams(platform)));
}

fn certificates() -> Vec<Item> {
    vec![
        comment(format!(
            "Written by the compose directory's setup-secrets.sh (self-signed), mounted at {}.",
            local::EDGE_CERT_DIR
        )),
        directive(&["ssl_certificate", &format!("{}/{}", local::EDGE_CERT_DIR, local::CERT_FILE)]),
        directive(&["ssl_certificate_key", &format!("{}/{}", local::EDGE_CERT_DIR, local::KEY_FILE)]),
    ]
}

fn upstreams(platform: &Platform) -> Vec<Item> {
    platform
        .services
        .iter()
        .filter(|svc| !svc.expose.is_empty())
        .map(|svc| {
            block(
                &["upstream", &svc.name],
                vec![
                    directive(&["server", &format!("{}:{}", local::service_host(&svc.name), svc.port())]),
                    directive(&["keepalive", UPSTREAM_KEEPALIVE]),
                ],
            )
        })
        .collect()
}
