//! docker compose label suppressions, the compose twin of the Kubernetes annotations: a service's
//! `labels:` (a mapping, or a list of `KEY=VALUE`) with `plinth.dev/ignore: "PL-COMPOSE-007"`,
//! `plinth.dev/ignore-reason` and optionally `plinth.dev/ignore-until`, silencing those rules for
//! that service of the file.

use plinth_spec::yaml::{Document, escape};
use serde_json::{Map, Value};

use super::{IGNORE, Scope, Suppression};
use crate::lines::LineIndex;

/// The suppressions the services of a compose file declare in their labels, each scoped to its
/// service by the service's index among `services:` (as [`service_of`] numbers them).
pub fn labels(path: &str, document: &Document, lines: &LineIndex<'_>) -> Vec<Suppression> {
    let mut out = Vec::new();
    for (index, (name, service)) in services(&document.value).enumerate() {
        let base = format!("/services/{}/labels", escape(name));
        let entries = entries(service.get("labels"), &base);
        let text = |key: &str| entries.iter().find(|(k, _, _)| k == key).map(|(_, value, _)| value.clone());
        let Some((_, _, pointer)) = entries.iter().find(|(key, _, _)| key == IGNORE) else { continue };
        let (line, column) = lines.position(document.spans.key(pointer).start);
        out.extend(Suppression::declared(text, Scope::Object(index), (path.to_owned(), line, column)));
    }
    out
}

/// The index among `services:` of the service a pointer into a compose file is about, if any.
pub fn service_of(compose: &Value, pointer: &str) -> Option<usize> {
    services(compose).position(|(name, _)| {
        pointer
            .strip_prefix("/services/")
            .and_then(|rest| rest.strip_prefix(escape(name).as_str()))
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
}

/// Every entry of `services:`, in file order.
fn services(compose: &Value) -> impl Iterator<Item = (&String, &Value)> {
    compose.get("services").and_then(Value::as_object).into_iter().flat_map(Map::iter)
}

/// A service's labels as `(key, value, pointer)`, from either form compose accepts.
fn entries(labels: Option<&Value>, base: &str) -> Vec<(String, String, String)> {
    match labels {
        Some(Value::Object(map)) => map
            .iter()
            .map(|(key, value)| {
                let value = value.as_str().map_or_else(|| value.to_string(), str::to_owned);
                (key.clone(), value, format!("{base}/{}", escape(key)))
            })
            .collect(),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .filter_map(|(idx, item)| {
                let (key, value) = item.as_str()?.split_once('=').unwrap_or((item.as_str()?, ""));
                Some((key.trim().to_owned(), value.to_owned(), format!("{base}/{idx}")))
            })
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use plinth_spec::yaml::parse_documents;

    use super::{labels, service_of};
    use crate::lines::LineIndex;

    #[test]
    fn both_label_forms_scope_to_their_service() {
        let text = "services:\n  web:\n    image: nginx\n    labels:\n      plinth.dev/ignore: \"PL-COMPOSE-007, PL-COMPOSE-012\"\n      plinth.dev/ignore-reason: no shell\n  worker:\n    image: busybox\n    labels:\n      - team=core\n      - plinth.dev/ignore=PL-COMPOSE-009\n      - plinth.dev/ignore-until=2030-01-01\n";
        let (documents, _) = parse_documents(text);
        let found = labels("c.yml", &documents[0], &LineIndex::new(text));
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].rules, ["PL-COMPOSE-007", "PL-COMPOSE-012"]);
        assert_eq!((found[0].reason.as_deref(), found[0].at.1, found[0].at.2), (Some("no shell"), 5, 7));
        assert_eq!(found[1].rules, ["PL-COMPOSE-009"]);
        assert_eq!((found[1].reason.as_deref(), found[1].until.as_deref()), (None, Some("2030-01-01")));
        assert_eq!((found[1].at.1, found[1].at.2), (11, 9));
        let value = &documents[0].value;
        assert_eq!(service_of(value, "/services/worker/cap_drop"), Some(1));
        assert_eq!(service_of(value, "/services/web"), Some(0));
        assert_eq!(service_of(value, "/services/webx"), None);
        assert_eq!(service_of(value, "/volumes/data"), None);
    }
}
