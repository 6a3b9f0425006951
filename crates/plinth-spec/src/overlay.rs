//! Environment overlays: `environments.<env>.overrides` merged over the base document.
//!
//! Mappings merge key by key; scalars and lists replace. An overlay may change any field but may not
//! invent services or datastores, so a typo in a name is an error, not a silent new object.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::yaml::{SpanMap, escape};

/// Merges `overlay` into `base` in place.
pub fn merge(base: &mut Value, overlay: &Value) {
    match (base, overlay) {
        (Value::Object(base), Value::Object(overlay)) => {
            for (key, value) in overlay {
                match base.get_mut(key) {
                    Some(existing) => merge(existing, value),
                    None => {
                        base.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (base, overlay) => *base = overlay.clone(),
    }
}

/// The document of environment `env`: the base without `environments`, with the overlay merged,
/// and spans that point into the overlay for every overridden node.
pub fn environment_document(base: &Value, spans: &SpanMap, env: &str) -> (Value, SpanMap, Vec<Diagnostic>) {
    let mut diagnostics = Vec::new();
    let mut document = base.clone();
    let mut document_spans = spans.clone();
    let overlay_pointer = format!("/environments/{}/overrides", escape(env));
    if let Some(Value::Object(overlay)) = base.pointer(&overlay_pointer) {
        for forbidden in ["plinth", "environments"] {
            if overlay.contains_key(forbidden) {
                let pointer = format!("{overlay_pointer}/{forbidden}");
                diagnostics.push(
                    Diagnostic::error(
                        "invalid-override",
                        format!("environment `{env}` cannot override `{forbidden}`"),
                        spans.key(&pointer),
                    )
                    .with_hint("set it once at the top of the document"),
                );
            }
        }
        for collection in ["services", "datastores"] {
            let (Some(Value::Object(overridden)), Some(Value::Object(defined))) =
                (overlay.get(collection), base.get(collection))
            else {
                continue;
            };
            for name in overridden.keys().filter(|name| !defined.contains_key(*name)) {
                let pointer = format!("{overlay_pointer}/{collection}/{}", escape(name));
                let singular = collection.trim_end_matches('s');
                diagnostics.push(
                    Diagnostic::error(
                        "unknown-override",
                        format!("environment `{env}` overrides {singular} `{name}`, which is not defined"),
                        spans.key(&pointer),
                    )
                    .with_hint(did_you_mean(name, defined.keys().map(String::as_str))),
                );
            }
        }
        if diagnostics.is_empty() {
            merge(&mut document, &Value::Object(overlay.clone()));
            document_spans.graft(spans, &overlay_pointer, "");
        }
    }
    (document, document_spans, diagnostics)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn maps_merge_and_lists_replace() {
        let mut base = json!({"a": {"b": 1, "c": [1, 2]}, "d": 1});
        merge(&mut base, &json!({"a": {"c": [3]}, "d": {"e": 2}}));
        assert_eq!(base, json!({"a": {"b": 1, "c": [3]}, "d": {"e": 2}}));
    }
}
