//! What the compose rules share: the services of a compose file, JSON pointers into them, and the
//! questions several rules ask of a service (is it a full definition, is it long-running, which
//! image does it run, which services wait for it).

use std::collections::BTreeSet;

use plinth_spec::yaml::escape;
use serde_json::{Map, Value};

/// One entry of `services:`.
pub struct Service<'a> {
    /// The service's name (its key under `services:`).
    pub name: &'a str,
    /// Its definition.
    pub body: &'a Map<String, Value>,
}

impl<'a> Service<'a> {
    /// The pointer of the service itself (`/services/db`).
    pub fn pointer(&self) -> String {
        format!("/services/{}", escape(self.name))
    }

    /// The pointer of `path` (already escaped, `/`-separated) below the service.
    pub fn at(&self, path: &str) -> String {
        format!("{}/{path}", self.pointer())
    }

    /// The pointer of `key` when it is set, else of the service: where a finding about a missing
    /// or insufficient `key` points.
    pub fn at_or_self(&self, key: &str) -> String {
        if self.body.contains_key(key) { self.at(&escape(key)) } else { self.pointer() }
    }

    /// The value of `key`, if set.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.body.get(key)
    }

    /// The string value of `key`, if it is a string.
    pub fn text(&self, key: &str) -> Option<&'a str> {
        self.get(key).and_then(Value::as_str)
    }

    /// Whether `key` is set to `true`.
    pub fn flag(&self, key: &str) -> bool {
        self.get(key).and_then(Value::as_bool) == Some(true)
    }

    /// Whether this entry defines a container (it has `image:` or `build:`). An entry with neither
    /// is a fragment merged into another file's service (`docker-compose.override.yml`), so the
    /// rules about something missing leave it alone.
    pub fn is_definition(&self) -> bool {
        self.body.contains_key("image") || self.body.contains_key("build")
    }

    /// The items of a list-valued `key` (`cap_drop`, `security_opt`, `ports`…) with their indices.
    pub fn items(&self, key: &str) -> impl Iterator<Item = (usize, &'a Value)> {
        self.get(key).and_then(Value::as_array).into_iter().flatten().enumerate()
    }

    /// Whether the service declares a healthcheck that is not disabled. A healthcheck baked into
    /// the image (`HEALTHCHECK` in its Dockerfile) is invisible here.
    pub fn has_healthcheck(&self) -> bool {
        self.get("healthcheck").and_then(Value::as_object).is_some_and(|check| {
            check.get("disable").and_then(Value::as_bool) != Some(true)
                && check.get("test").and_then(Value::as_array).and_then(|test| test.first()).and_then(Value::as_str)
                    != Some("NONE")
        })
    }
}

/// The services of a compose document, in file order.
pub fn services(doc: &Value) -> impl Iterator<Item = Service<'_>> {
    doc.get("services")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .filter_map(|(name, body)| Some(Service { name, body: body.as_object()? }))
}

/// One `depends_on` entry with a condition: `dependent` waits for `dependency`.
pub struct Dependency<'a> {
    /// The service that waits.
    pub dependent: &'a str,
    /// The service waited for.
    pub dependency: &'a str,
    /// `service_started`, `service_healthy` or `service_completed_successfully`.
    pub condition: &'a str,
    /// The pointer of the `condition` value.
    pub pointer: String,
}

/// Every `depends_on` entry of the long syntax (the short list syntax means `service_started`).
pub fn dependencies(doc: &Value) -> Vec<Dependency<'_>> {
    let mut out = Vec::new();
    for service in services(doc) {
        let Some(entries) = service.get("depends_on").and_then(Value::as_object) else { continue };
        for (dependency, entry) in entries {
            if let Some(condition) = entry.get("condition").and_then(Value::as_str) {
                out.push(Dependency {
                    dependent: service.name,
                    dependency,
                    condition,
                    pointer: service.at(&format!("depends_on/{}/condition", escape(dependency))),
                });
            }
        }
    }
    out
}

/// The services some other service waits for with `condition`.
pub fn waited_for<'a>(doc: &'a Value, condition: &str) -> BTreeSet<&'a str> {
    dependencies(doc).into_iter().filter(|d| d.condition == condition).map(|d| d.dependency).collect()
}

/// Whether `service` is meant to keep running: a full definition that is neither a one-shot task
/// another service waits to complete (`service_completed_successfully`) nor declared with
/// `restart: "no"`.
pub fn is_long_running(service: &Service<'_>, one_shots: &BTreeSet<&str>) -> bool {
    service.is_definition() && !one_shots.contains(service.name) && service.text("restart") != Some("no")
}

/// An image reference (`registry:5000/team/app:1.2@sha256:…`) taken apart.
pub struct Image<'a> {
    /// Registry and path, without tag or digest (`registry:5000/team/app`).
    pub repository: &'a str,
    /// The tag, if any.
    pub tag: Option<&'a str>,
    /// Whether it is pinned by digest.
    pub digest: bool,
}

impl<'a> Image<'a> {
    /// The last path segment of the repository (`postgres` for `docker.io/library/postgres`).
    pub fn short_name(&self) -> &'a str {
        self.repository.rsplit('/').next().unwrap_or(self.repository)
    }
}

/// The service's image; `None` when there is none or its name comes from interpolation alone.
pub fn image<'a>(service: &Service<'a>) -> Option<Image<'a>> {
    let reference = service.text("image")?;
    if reference.starts_with('$') {
        return None;
    }
    let (reference, digest) = match reference.split_once('@') {
        Some((name, _)) => (name, true),
        None => (reference, false),
    };
    // A `:` after the last `/` separates the tag; one before it belongs to a registry's port.
    let last_slash = reference.rfind('/').map_or(0, |idx| idx + 1);
    let (repository, tag) = match reference[last_slash..].rfind(':') {
        Some(idx) => (&reference[..last_slash + idx], Some(&reference[last_slash + idx + 1..])),
        None => (reference, None),
    };
    Some(Image { repository, tag, digest })
}
