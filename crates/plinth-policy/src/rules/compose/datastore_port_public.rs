//! PL-COMPOSE-011 `datastore-port-public`: datastores publish their ports on loopback only.

use serde_json::Value;

use super::service::{image, services};
use crate::{DocumentRule, Hit, RuleDoc, Severity, Target};

/// The rule.
pub const RULE: DocumentRule = DocumentRule {
    doc: RuleDoc {
        id: "PL-COMPOSE-011",
        name: "datastore-port-public",
        severity: Severity::Warning,
        target: Target::Compose,
        summary: "Datastore services publish ports on 127.0.0.1, not on every interface",
        doc: DOC,
        equivalents: &[
            "checkov:CKV_K8S_26 (Kubernetes analogue: hostPort)",
            "polaris:hostPortSet (Kubernetes analogue)",
            "checkov:CKV_AWS_17 (Terraform analogue: publicly accessible RDS)",
        ],
    },
    check,
};

const DOC: &str = r#"## What
A service running a datastore image (PostgreSQL/PostGIS, MySQL, MariaDB, MongoDB, Redis, Valkey,
Memcached, Elasticsearch, OpenSearch, Cassandra, CouchDB, ClickHouse, RabbitMQ; not their exporters or admin interfaces such as `redis_exporter` or `mongo-express`)
publishes a port
without a loopback host address: `"5432:5432"`, `"5432"`, `"0.0.0.0:5432:5432"`, or the long
syntax without `host_ip: 127.0.0.1`. A service without `image:` (an override file's fragment) is
judged by its name.

## Why
Docker publishes ports by writing its own iptables rules ahead of the host firewall's (`ufw`,
`firewalld`), so a port published on all interfaces is reachable from the whole network, often
the internet on a cloud VM, whatever the firewall says. Development databases with default
passwords are found and emptied by scanners within hours. Other containers reach the datastore
over the compose network by service name and need no published port at all.

## Fix
Publish on loopback for tools on this machine, or not at all:

```yaml
services:
  db:
    image: postgres:16.4-alpine
    ports:
      - "127.0.0.1:5432:5432"
```

## References
- Docker: [Packet filtering and firewalls](https://docs.docker.com/engine/network/packet-filtering-firewalls/) (published ports bypass `ufw`)
- None of the twelve policy tools surveyed checks compose files; the equivalents listed are the
  Kubernetes (`hostPort`) and Terraform (public database) analogues.
"#;

/// Image names (last path segment, prefix match) of datastores.
const DATASTORES: &[&str] = &[
    "postgres",
    "postgis",
    "mysql",
    "mariadb",
    "mongo",
    "redis",
    "valkey",
    "memcached",
    "elasticsearch",
    "opensearch",
    "cassandra",
    "couchdb",
    "clickhouse",
    "rabbitmq",
];

/// Words that, after a datastore's name, make the image a companion tool rather than the
/// datastore (`redis_exporter`, `mongo-express`, `redis-commander`, `pgadmin`…).
const COMPANIONS: &[&str] = &["exporter", "express", "commander", "admin", "insight", "-ui", "_ui"];

/// The port one `ports` entry publishes on every interface, or `None` when it is bound to a
/// loopback address.
fn public_port(entry: &Value) -> Option<String> {
    let (host, published, target) = match entry {
        Value::Number(port) => (None, String::new(), port.to_string()),
        Value::String(short) => {
            // `[HOST_IP:][PUBLISHED:]TARGET[/PROTOCOL]`; an IPv6 host address is bracketed.
            let spec = short.split('/').next().unwrap_or(short);
            let (host, rest) = match spec.strip_prefix('[') {
                Some(bracketed) => bracketed.split_once("]:").map(|(ip, rest)| (Some(ip), rest))?,
                None => (None, spec),
            };
            let parts: Vec<&str> = rest.split(':').collect();
            match (host, &parts[..]) {
                (None, [ip, published, target]) => (Some(*ip), (*published).to_owned(), (*target).to_owned()),
                (_, [published, target]) => (host, (*published).to_owned(), (*target).to_owned()),
                (_, [target]) => (host, String::new(), (*target).to_owned()),
                _ => return None,
            }
        }
        Value::Object(long) => {
            let text = |key: &str| {
                long.get(key).map_or_else(String::new, |v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
            };
            (long.get("host_ip").and_then(Value::as_str), text("published"), text("target"))
        }
        _ => return None,
    };
    if host.is_some_and(is_loopback) {
        return None;
    }
    Some(if published.is_empty() { target } else { published })
}

/// Whether `ip` is a loopback address.
fn is_loopback(ip: &str) -> bool {
    ip.starts_with("127.") || ip == "::1" || ip == "localhost"
}

fn check(doc: &Value, hits: &mut Vec<Hit>) {
    for service in services(doc) {
        // Ports can sit in an override file without the image: judge by the service name too.
        let name = image(&service).map_or(service.name, |image| image.short_name()).to_ascii_lowercase();
        let is_datastore = DATASTORES.iter().any(|datastore| {
            name.strip_prefix(datastore)
                .is_some_and(|rest| !COMPANIONS.iter().any(|companion| rest.contains(companion)))
        });
        if !is_datastore {
            continue;
        }
        for (idx, entry) in service.items("ports") {
            if let Some(port) = public_port(entry) {
                hits.push(Hit::new(
                    service.at(&format!("ports/{idx}")),
                    format!("service \"{}\" publishes {port} on all interfaces", service.name),
                ));
            }
        }
    }
}
