//! Importing a docker-compose file: application containers become services, postgres/redis/minio
//! containers become datastores, admin tools and other infrastructure are skipped with a reason.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

use super::draft::{Datastore, Draft, Engine, Service};
use super::names::{dns_label, is_database_name, is_env_name};

/// Parses compose text into JSON values (anchors and `<<` merge keys applied).
pub fn parse(text: &str) -> Result<Value> {
    let mut yaml: serde_yaml_ng::Value = serde_yaml_ng::from_str(text)?;
    yaml.apply_merge()?;
    let value = serde_json::to_value(&yaml).context("keys must be strings")?;
    match value.get("services") {
        Some(Value::Object(services)) if !services.is_empty() => Ok(value),
        _ => bail!("it has no `services:` mapping"),
    }
}

/// What one compose service becomes.
enum Kind {
    Service,
    Datastore(Engine),
    Skip(String),
}

/// Adds the services and datastores of `compose` (a value [`parse`] accepted) to `draft`.
pub fn import(compose: &Value, draft: &mut Draft) -> Result<()> {
    let services = compose.get("services").and_then(Value::as_object).cloned().unwrap_or_default();
    let mut kinds = Vec::new();
    let mut names: BTreeMap<String, String> = BTreeMap::new();
    for (compose_name, definition) in &services {
        let Some(definition) = definition.as_object() else {
            bail!("service `{compose_name}` is not a mapping");
        };
        let kind = classify(definition);
        if let Kind::Skip(reason) = &kind {
            draft.skipped.push((compose_name.clone(), reason.clone()));
            continue;
        }
        let Some(name) = dns_label(compose_name, 63) else {
            bail!("service name `{compose_name}` cannot be made a DNS label");
        };
        if let Some((other, _)) = names.iter().find(|(_, n)| **n == name) {
            bail!("services `{other}` and `{compose_name}` would both be called `{name}`");
        }
        names.insert(compose_name.clone(), name);
        kinds.push((compose_name.clone(), definition.clone(), kind));
    }

    for (compose_name, definition, kind) in &kinds {
        if let Kind::Datastore(engine) = kind {
            let datastore = datastore(&names[compose_name], *engine, definition);
            let image = definition.get("image").and_then(Value::as_str).unwrap_or_default();
            if image.contains("valkey") {
                draft.checks.push(format!("`{}` is Valkey in compose: check the redis `version`", datastore.name));
            }
            draft.datastores.push(datastore);
        }
    }
    for (compose_name, definition, kind) in &kinds {
        if matches!(kind, Kind::Service) {
            let service = service(&names[compose_name], compose_name, definition, &names, draft);
            draft.services.push(service);
        }
    }
    Ok(())
}

/// Splits `registry/owner/name:tag@digest` into the repository and the tag.
fn split_image(image: &str) -> (&str, Option<&str>) {
    let image = image.split('@').next().unwrap_or(image);
    match image.rsplit_once(':') {
        Some((repo, tag)) if !tag.contains('/') => (repo, Some(tag)),
        _ => (image, None),
    }
}

/// `15-alpine` → `15`, `7.2.4` → `7.2.4`, `latest` → none.
fn version(tag: Option<&str>) -> Option<String> {
    let tag = tag?;
    let end = tag.find(|c: char| !c.is_ascii_digit() && c != '.').unwrap_or(tag.len());
    let version = tag[..end].trim_end_matches('.');
    (!version.is_empty()).then(|| version.to_owned())
}

fn classify(definition: &Map<String, Value>) -> Kind {
    if definition.contains_key("build") {
        return Kind::Service;
    }
    let Some(image) = definition.get("image").and_then(Value::as_str) else { return Kind::Service };
    let (repo, _) = split_image(image);
    let base = repo.rsplit('/').next().unwrap_or(repo).to_ascii_lowercase();
    match base.as_str() {
        "postgres" | "postgresql" | "postgis" => Kind::Datastore(Engine::Postgres),
        "redis" | "valkey" | "redis-stack" | "redis-stack-server" => Kind::Datastore(Engine::Redis),
        "minio" => Kind::Datastore(Engine::Bucket),
        "adminer" | "redis-commander" | "redisinsight" | "phpmyadmin" | "mongo-express" => {
            Kind::Skip(format!("admin tool ({image})"))
        }
        b if b.starts_with("pgadmin") => Kind::Skip(format!("admin tool ({image})")),
        "mc" if repo.contains("minio") => Kind::Skip("MinIO client; plinth creates buckets itself".to_owned()),
        "nginx" | "traefik" | "caddy" | "haproxy" | "envoy" => Kind::Skip(format!(
            "reverse proxy ({image}); plinth's edge replaces it: add `expose:` to the services it fronts"
        )),
        "mysql" | "mariadb" | "mongo" | "mongodb" | "rabbitmq" | "kafka" | "zookeeper" | "elasticsearch"
        | "opensearch" | "memcached" | "nats" => {
            Kind::Skip(format!("{base} has no plinth datastore engine (postgres, redis, bucket)"))
        }
        _ => Kind::Service,
    }
}

/// A compose scalar as text.
fn scalar(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// `environment:` in list (`K=V`) or map form; a name without a value is `None`.
fn environment(definition: &Map<String, Value>) -> Vec<(String, Option<String>)> {
    match definition.get("environment") {
        Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), scalar(v))).collect(),
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(scalar)
            .map(|entry| match entry.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (entry, None),
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn env_value<'a>(env: &'a [(String, Option<String>)], name: &str) -> Option<&'a str> {
    env.iter().find(|(k, _)| k == name).and_then(|(_, v)| v.as_deref())
}

/// `command:` (string or list) as one string.
fn command(definition: &Map<String, Value>) -> String {
    match definition.get("command") {
        Some(Value::Array(list)) => list.iter().filter_map(scalar).collect::<Vec<_>>().join(" "),
        Some(value) => scalar(value).unwrap_or_default(),
        None => String::new(),
    }
}

fn datastore(name: &str, engine: Engine, definition: &Map<String, Value>) -> Datastore {
    let image = definition.get("image").and_then(Value::as_str).unwrap_or_default();
    let env = environment(definition);
    let mut databases = Vec::new();
    if engine == Engine::Postgres {
        let db = env_value(&env, "POSTGRES_DB").or_else(|| env_value(&env, "POSTGRESQL_DATABASE"));
        databases.extend(db.filter(|db| is_database_name(db)).map(str::to_owned));
    }
    let auth = engine == Engine::Redis
        && (command(definition).contains("--requirepass") || env_value(&env, "REDIS_PASSWORD").is_some());
    Datastore { name: name.to_owned(), engine, version: version(split_image(image).1), databases, auth }
}

/// The container port of one `ports:`/`expose:` entry: `"3000:3000"`, `"8080"`, `3000`,
/// `"127.0.0.1:80:8080/tcp"`, `"3000-3005"` or `{ target: 3000 }`.
fn container_port(entry: &Value) -> Option<u16> {
    let text = match entry {
        Value::Object(long) => scalar(long.get("target")?)?,
        other => scalar(other)?,
    };
    let text = text.split('/').next()?;
    let text = text.rsplit(':').next()?;
    text.split('-').next()?.trim().parse().ok().filter(|p| *p > 0)
}

fn ports(definition: &Map<String, Value>) -> Vec<u16> {
    let mut out = Vec::new();
    for key in ["ports", "expose"] {
        for entry in definition.get(key).and_then(Value::as_array).into_iter().flatten() {
            if let Some(port) = container_port(entry) {
                if !out.contains(&port) {
                    out.push(port);
                }
            }
        }
    }
    out
}

/// The HTTP path a healthcheck's `curl`/`wget` asks for on localhost, and its port if named.
fn health(definition: &Map<String, Value>) -> Option<(Option<u16>, String)> {
    let check = definition.get("healthcheck")?.as_object()?;
    if check.get("disable").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let test = match check.get("test")? {
        Value::Array(list) => list.iter().filter_map(scalar).collect::<Vec<_>>().join(" "),
        other => scalar(other)?,
    };
    let start = test.find("http://").map(|i| i + 7).or_else(|| test.find("https://").map(|i| i + 8))?;
    let url: String = test[start..].chars().take_while(|c| !c.is_whitespace() && !"'\"|;&)".contains(*c)).collect();
    let (authority, path) = match url.find('/') {
        Some(i) => (&url[..i], url[i..].to_owned()),
        None => (url.as_str(), "/".to_owned()),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && !port.contains(']') => (host, Some(port.parse().ok()?)),
        _ => (authority, None),
    };
    matches!(host, "localhost" | "127.0.0.1" | "0.0.0.0" | "[::1]").then_some((port, path))
}

/// The compose names this service depends on, in list or map form.
fn depends_on(definition: &Map<String, Value>) -> Vec<String> {
    match definition.get("depends_on") {
        Some(Value::Array(list)) => list.iter().filter_map(scalar).collect(),
        Some(Value::Object(map)) => map.keys().cloned().collect(),
        _ => Vec::new(),
    }
}

/// A variable name that holds a secret.
fn secret_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "KEY", "CREDENTIAL"].iter().any(|word| upper.contains(word))
}

/// A URL with a password in it (`postgres://user:pass@host/db`).
fn has_credentials(value: &str) -> bool {
    value.split("://").skip(1).any(|rest| {
        let authority = rest.split('/').next().unwrap_or(rest);
        authority.rsplit_once('@').is_some_and(|(userinfo, _)| userinfo.contains(':'))
    })
}

/// The host a variable's value points at: the value itself (`DB_HOST=postgres`) or a URL's host.
fn host_of(value: &str) -> &str {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or(rest);
    let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
    host.split(':').next().unwrap_or(host)
}

/// The database a postgres URL names.
fn url_database(value: &str) -> Option<&str> {
    let (_, rest) = value.split_once("://")?;
    let (_, path) = rest.split_once('/')?;
    path.split(['?', '#']).next().filter(|db| !db.is_empty())
}

/// Resolves `${VAR:-default}` to its default; `None` when a variable has no default.
fn interpolate(value: &str) -> Option<String> {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}')? + start;
        let inner = &rest[start + 2..end];
        let (_, default) = inner.split_once(":-").or_else(|| inner.split_once('-'))?;
        out.push_str(default);
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    Some(out)
}

/// The variables plinth injects for what a service uses and calls (so the compose values go).
fn injected(draft: &Draft, uses: &[String], calls: &[String]) -> Vec<String> {
    let mut names = vec!["PORT".to_owned()];
    for reference in uses {
        let ds_name = reference.split('/').next().unwrap_or(reference);
        let Some(ds) = draft.datastores.iter().find(|d| d.name == ds_name) else { continue };
        let list: &[&str] = match ds.engine {
            Engine::Postgres => {
                &["DB_HOST", "DB_PORT", "DB_NAME", "DB_USERNAME", "DB_PASSWORD", "DB_SSLMODE", "DATABASE_URL"]
            }
            Engine::Redis => &["REDIS_HOST", "REDIS_PORT", "REDIS_PASSWORD", "REDIS_TLS", "REDIS_URL"],
            Engine::Bucket => &["AWS_REGION"],
        };
        names.extend(list.iter().map(|s| (*s).to_owned()));
        if ds.engine == Engine::Bucket {
            names.push(format!("{}_BUCKET", ds.name.replace('-', "_").to_ascii_uppercase()));
        }
    }
    names.extend(calls.iter().map(|callee| format!("{}_URL", callee.replace('-', "_").to_ascii_uppercase())));
    names
}

fn service(
    name: &str,
    compose_name: &str,
    definition: &Map<String, Value>,
    names: &BTreeMap<String, String>,
    draft: &mut Draft,
) -> Service {
    let mut service = Service { name: name.to_owned(), ..Service::default() };
    match definition.get("image").and_then(Value::as_str) {
        Some(image) => service.image = split_image(image).0.to_owned(),
        None => {
            service.image = format!("ghcr.io/{}/{name}", draft.name);
            let build = definition.get("build");
            let from = build
                .and_then(|b| b.get("dockerfile"))
                .or_else(|| build.and_then(|b| b.get("context")))
                .or(build)
                .and_then(scalar)
                .unwrap_or_else(|| ".".to_owned());
            service.comment = Some(format!("built from {from}: push the image here, or change `image:`"));
        }
    }

    let ports = ports(definition);
    service.port = ports.first().copied();
    match ports.as_slice() {
        [] => draft.checks.push(format!("`{name}` published no port: plinth assumes 8080, set `port:`")),
        [_] => {}
        [main, rest @ ..] => draft.checks.push(format!(
            "`{name}` also listens on {}: only {main} was imported, add others under `ports:`",
            rest.iter().map(u16::to_string).collect::<Vec<_>>().join(", ")
        )),
    }
    if let Some((port, path)) = health(definition) {
        if port.is_none() || port == service.port {
            service.health = Some(path);
        } else {
            draft.checks.push(format!("`{name}`'s healthcheck asks port {}, not its main port", port.unwrap_or(0)));
        }
    }

    let env = environment(definition);
    for dependency in depends_on(definition) {
        let Some(target) = names.get(&dependency) else { continue };
        if draft.datastores.iter().any(|d| &d.name == target) {
            service.uses.push(target.clone());
        } else if target != name && !service.calls.contains(target) {
            service.calls.push(target.clone());
        }
    }
    // A variable naming a datastore's host (`REDIS_HOST=redis`) means the service uses it.
    for (_, value) in &env {
        let Some(value) = value else { continue };
        let host = host_of(value);
        let target = names.iter().find(|(compose, _)| compose.as_str() == host).map(|(_, n)| n);
        if let Some(target) = target {
            if draft.datastores.iter().any(|d| &d.name == target) && !service.uses.contains(target) {
                service.uses.push(target.clone());
            }
        }
    }
    link_database(&mut service, &env, draft);

    let injected = injected(draft, &service.uses, &service.calls);
    for (key, value) in env {
        if injected.contains(&key) {
            continue;
        }
        if !is_env_name(&key) {
            draft.checks.push(format!("`{name}`: `{key}` is not an environment variable name, left out"));
            continue;
        }
        if secret_name(&key) || value.as_deref().is_some_and(has_credentials) {
            if !service.secrets.contains(&key) {
                service.secrets.push(key);
            }
            continue;
        }
        let Some(value) = value else {
            draft.checks.push(format!("`{name}`: `{key}` comes from the host's environment in compose, left out"));
            continue;
        };
        let points_at = names
            .iter()
            .find(|(compose, n)| compose.as_str() == host_of(&value) && draft.datastores.iter().any(|d| &d.name == *n));
        if let Some((_, datastore)) = points_at {
            draft.checks.push(format!(
                "`{name}`: `{key}` points at `{datastore}`; plinth injects its address (DB_HOST, REDIS_URL, …), \
                 so the app may read those instead"
            ));
        }
        match interpolate(&value) {
            Some(value) => service.env.push((key, value)),
            None => draft.checks.push(format!("`{name}`: `{key}` is set from the host's environment, left out")),
        }
    }
    if definition.contains_key("env_file") {
        draft.checks.push(format!("`{name}` (`{compose_name}`) reads an env_file, which was not imported"));
    }
    service
}

/// Turns `uses: [postgres]` into `postgres/<db>` when the service names its database
/// (`DB_NAME`, `POSTGRES_DB`, or a URL), and adds that database to the datastore.
fn link_database(service: &mut Service, env: &[(String, Option<String>)], draft: &mut Draft) {
    let postgres: Vec<usize> = service
        .uses
        .iter()
        .enumerate()
        .filter(|(_, u)| draft.datastores.iter().any(|d| &&d.name == u && d.engine == Engine::Postgres))
        .map(|(idx, _)| idx)
        .collect();
    let [idx] = postgres.as_slice() else { return };
    let ds_name = service.uses[*idx].clone();
    let named = ["DB_NAME", "POSTGRES_DB", "DATABASE_NAME", "DB_DATABASE", "PGDATABASE"]
        .iter()
        .find_map(|key| env_value(env, key))
        .or_else(|| {
            env.iter()
                .filter_map(|(_, v)| v.as_deref())
                .filter(|v| v.starts_with("postgres") && host_of(v) == ds_name)
                .find_map(url_database)
        });
    let Some(db) = named else { return };
    if !is_database_name(db) {
        draft.checks.push(format!("`{}`: database `{db}` is not a valid name, left out", service.name));
        return;
    }
    let Some(ds) = draft.datastores.iter_mut().find(|d| d.name == ds_name) else { return };
    if !ds.databases.iter().any(|d| d == db) {
        ds.databases.push(db.to_owned());
    }
    service.uses[*idx] = format!("{ds_name}/{db}");
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn image_tags_and_versions() {
        assert_eq!(split_image("postgres:15-alpine"), ("postgres", Some("15-alpine")));
        assert_eq!(split_image("localhost:5000/app/web"), ("localhost:5000/app/web", None));
        assert_eq!(split_image("redis@sha256:abc"), ("redis", None));
        assert_eq!(version(Some("15-alpine")).as_deref(), Some("15"));
        assert_eq!(version(Some("7.2.4")).as_deref(), Some("7.2.4"));
        assert_eq!(version(Some("latest")), None);
    }

    #[test]
    fn port_syntaxes() {
        for (entry, port) in [
            (json!("3000:3000"), Some(3000)),
            (json!("8080"), Some(8080)),
            (json!(9000), Some(9000)),
            (json!("127.0.0.1:80:8080/tcp"), Some(8080)),
            (json!("3000-3005"), Some(3000)),
            (json!({ "target": 4000, "published": 80 }), Some(4000)),
            (json!("${PORT}"), None),
        ] {
            assert_eq!(container_port(&entry), port, "{entry}");
        }
    }

    #[test]
    fn healthcheck_paths() {
        let check = |test: Value| {
            let definition = json!({ "healthcheck": { "test": test } });
            health(definition.as_object().unwrap())
        };
        assert_eq!(
            check(json!(["CMD", "curl", "-f", "http://localhost:3000/health"])),
            Some((Some(3000), "/health".to_owned()))
        );
        assert_eq!(
            check(json!("wget -qO- http://127.0.0.1/api/ready || exit 1")),
            Some((None, "/api/ready".to_owned()))
        );
        assert_eq!(check(json!(["CMD-SHELL", "pg_isready -U postgres"])), None);
        assert_eq!(check(json!("curl http://example.com/health")), None);
    }

    #[test]
    fn secrets_and_interpolation() {
        assert!(secret_name("DB_PASSWORD") && secret_name("api_key") && !secret_name("NODE_ENV"));
        assert!(has_credentials("postgres://app:pw@postgres:5432/app"));
        assert!(!has_credentials("http://auth-service:3001/v1"));
        assert_eq!(interpolate("${LOG_LEVEL:-info}").as_deref(), Some("info"));
        assert_eq!(interpolate("a-${X}"), None);
        assert_eq!(host_of("redis://:pw@cache:6379/0"), "cache");
        assert_eq!(url_database("postgres://u:p@db:5432/shop?sslmode=disable"), Some("shop"));
    }
}
