//! Kubernetes annotation suppressions: `plinth.dev/ignore: "PL-K8S-001,PL-K8S-004"` with
//! `plinth.dev/ignore-reason` and optionally `plinth.dev/ignore-until`, silencing those rules for
//! the object that carries them.

use plinth_spec::yaml::{Document, escape};
use serde_json::Value;

use super::{IGNORE, Scope, Suppression};
use crate::lines::LineIndex;

/// The suppression the annotations of document `index` declare, if any.
pub fn annotations(path: &str, index: usize, document: &Document, lines: &LineIndex<'_>) -> Option<Suppression> {
    let annotations = document.value.pointer("/metadata/annotations")?;
    let text = |key: &str| annotations.get(key).and_then(Value::as_str).map(str::to_owned);
    let (line, column) = lines.position(document.spans.key(&format!("/metadata/annotations/{}", escape(IGNORE))).start);
    Suppression::declared(text, Scope::Object(index), (path.to_owned(), line, column))
}
