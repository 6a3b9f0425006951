//! The contract between the compose and nginx backends of a local environment: where each renders,
//! where the compose edge container finds the nginx configuration and the certificates, which
//! ports the edge listens on, the host name every service answers to inside the compose network,
//! and the names a local certificate must cover.

use crate::model::Platform;

/// The compose project directory of an environment.
pub fn compose_dir(platform: &Platform) -> String {
    format!("environments/{}/compose", platform.environment.name)
}

/// The nginx configuration directory of an environment.
pub fn nginx_dir(platform: &Platform) -> String {
    format!("environments/{}/nginx", platform.environment.name)
}

/// The nginx directory as seen from the compose directory (compose paths are relative to it).
pub const NGINX_DIR_FROM_COMPOSE: &str = "../nginx";

/// The compose service running the edge.
pub const EDGE_SERVICE: &str = "edge";

/// The compose service holding every bucket.
pub const OBJECT_STORE: &str = "minio";

/// The one-shot compose job creating the buckets.
pub const BUCKETS_JOB: &str = "minio-buckets";

/// The compose service running pgAdmin.
pub const PGADMIN: &str = "pgadmin";

/// Names the local platform gives its own processes, which services and datastores of a local
/// environment cannot take (besides the datastores' exporters, [`crate::names::exporter`]).
pub const RESERVED: [&str; 4] = [EDGE_SERVICE, OBJECT_STORE, BUCKETS_JOB, PGADMIN];

/// Where the edge container mounts the rendered nginx directory (`nginx.conf` and its includes).
pub const EDGE_CONFIG_DIR: &str = "/etc/nginx/plinth";

/// Where the edge container mounts the certificate directory.
pub const EDGE_CERT_DIR: &str = "/etc/nginx/certs";

/// The certificate directory as seen from the compose directory (written by its `setup-secrets.sh`).
pub const CERT_DIR_FROM_COMPOSE: &str = "./certs";

/// The certificate chain file inside the certificate directory.
pub const CERT_FILE: &str = "tls.crt";

/// The private key file inside the certificate directory.
pub const KEY_FILE: &str = "tls.key";

/// The port the edge listens on for plain HTTP (redirects only).
pub const EDGE_HTTP_PORT: u16 = 80;

/// The port the edge listens on for HTTPS.
pub const EDGE_HTTPS_PORT: u16 = 443;

/// The host name service `name` answers to inside the compose network: its compose service name.
pub fn service_host(name: &str) -> &str {
    name
}

/// Whether the environment has an edge: some service is exposed.
pub fn has_edge(platform: &Platform) -> bool {
    platform.services.iter().any(|svc| !svc.expose.is_empty())
}

/// The DNS names the local certificate covers: every exposed host, and `*.<host>` for hosts with
/// tenant subdomains. Sorted, without duplicates.
pub fn certificate_names(platform: &Platform) -> Vec<String> {
    let mut names: Vec<String> = platform
        .services
        .iter()
        .flat_map(|svc| &svc.expose)
        .flat_map(|route| {
            let wildcard = route.tenants.then(|| format!("*.{}", route.host));
            std::iter::once(route.host.clone()).chain(wildcard)
        })
        .collect();
    names.sort();
    names.dedup();
    names
}
