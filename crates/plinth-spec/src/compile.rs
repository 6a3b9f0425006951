//! The whole pipeline over one source text: parse, check the structure, build each environment,
//! resolve it. Returns every diagnostic at once and the platforms only when there is no error.

use serde_json::Value;

use crate::diagnostic::{Diagnostic, Severity};
use crate::input::Document;
use crate::model::Platform;
use crate::overlay::environment_document;
use crate::resolve::resolve;
use crate::schema::{dotted, validate};
use crate::yaml::{SpanMap, escape, parse};

/// The result of compiling a spec.
#[derive(Debug)]
pub struct Compiled {
    /// One platform per environment, in name order; empty when any error was found.
    pub platforms: Vec<Platform>,
    /// Every error and warning, sorted by position.
    pub diagnostics: Vec<Diagnostic>,
}

impl Compiled {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The platform of environment `name`.
    pub fn platform(&self, name: &str) -> Option<&Platform> {
        self.platforms.iter().find(|p| p.environment.name == name)
    }
}

/// Compiles the text of a `plinth.yaml`.
pub fn compile(source: &str) -> Compiled {
    let (value, spans, mut diagnostics) = parse(source);
    let platforms = match value {
        Some(value) if diagnostics.is_empty() => platforms(&value, &spans, &mut diagnostics),
        _ => Vec::new(),
    };
    diagnostics.sort_by(|a, b| (a.severity, a.span.start, &a.message).cmp(&(b.severity, b.span.start, &b.message)));
    diagnostics.dedup_by(|a, b| a.span == b.span && a.message == b.message);
    diagnostics.sort_by_key(|d| (d.span.start, d.severity == Severity::Warning));
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    Compiled { platforms: if failed { Vec::new() } else { platforms }, diagnostics }
}

/// Removes the object member that holds `pointer` (for an array element, the whole array), so the
/// rest of the document can still be checked. Only object keys are removed: array indices, and so
/// the spans of everything that remains, stay valid.
fn prune(value: &mut Value, pointer: &str) -> bool {
    let mut pointer = pointer.to_owned();
    loop {
        let Some(idx) = pointer.rfind('/') else { return false };
        let (parent, key) = pointer.split_at(idx);
        let key = key[1..].replace("~1", "/").replace("~0", "~");
        match value.pointer_mut(parent) {
            Some(Value::Object(map)) => return map.remove(&key).is_some(),
            Some(Value::Array(_)) => pointer = parent.to_owned(),
            _ => return false,
        }
    }
}

/// Lets checking go on past a missing field: the mapping that lacks it is removed, or a top-level
/// scalar gets a stand-in. Named services, datastores and environments are kept (removing one would
/// turn every reference to it into a false error), and so are the top-level collections.
fn stand_in(value: &mut Value, pointer: &str, field: &str) -> bool {
    if pointer.is_empty() {
        let Some(map) = value.as_object_mut() else { return false };
        let stand_in = match field {
            "plinth" => Value::from(1),
            "name" => Value::from("app"),
            _ => return false,
        };
        return map.insert(field.to_owned(), stand_in).is_none();
    }
    let segments: Vec<&str> = pointer.trim_start_matches('/').split('/').collect();
    if segments.len() == 2 && ["services", "datastores", "environments"].contains(&segments[0]) {
        return false;
    }
    prune(value, pointer)
}

/// Checks the structure; on errors, prunes the offending parts and checks again, so that semantic
/// mistakes elsewhere are reported in the same run. Returns the pruned document when it is usable.
fn structure(value: &Value, spans: &SpanMap, diagnostics: &mut Vec<Diagnostic>) -> Option<Value> {
    let mut document = value.clone();
    let mut reported = false;
    for _ in 0..4 {
        let errors = validate(&document, spans);
        if errors.is_empty() {
            return Some(document);
        }
        let mut pruned = false;
        for error in &errors {
            pruned |= error.pointers.iter().any(|pointer| prune(&mut document, pointer));
            if let Some(field) = &error.missing {
                pruned |= stand_in(&mut document, &error.pointer, field);
            }
        }
        if !reported {
            diagnostics.extend(errors.into_iter().map(|e| e.diagnostic));
            reported = true;
        }
        if !pruned {
            return None;
        }
    }
    None
}

fn platforms(value: &Value, spans: &SpanMap, diagnostics: &mut Vec<Diagnostic>) -> Vec<Platform> {
    let Some(value) = structure(value, spans, diagnostics) else { return Vec::new() };
    let value = &value;
    let environments: Vec<String> =
        value.get("environments").and_then(Value::as_object).map(|e| e.keys().cloned().collect()).unwrap_or_default();
    if environments.is_empty() {
        diagnostics.push(
            Diagnostic::error("no-environments", "the spec defines no environments", spans.key("/environments"))
                .with_hint("add one, e.g. `environments: { dev: { runtime: local }, production: {} }`"),
        );
    }
    let mut platforms = Vec::new();
    for env in environments {
        let (document, env_spans, overlay_errors) = environment_document(value, spans, &env);
        if !overlay_errors.is_empty() {
            diagnostics.extend(overlay_errors);
            continue;
        }
        let structural = validate(&document, &env_spans);
        if !structural.is_empty() {
            // The base passed; these come from the overlay, so name the path the user wrote.
            let overlay = format!("/environments/{}/overrides", escape(&env));
            diagnostics.extend(structural.into_iter().map(|violation| {
                let mut diagnostic = violation.diagnostic;
                if spans.contains(&format!("{overlay}{}", violation.pointer)) {
                    let written = dotted(&format!("{overlay}{}", violation.pointer));
                    diagnostic.message = diagnostic.message.replacen(&dotted(&violation.pointer), &written, 1);
                }
                diagnostic
            }));
            continue;
        }
        let document: Document = match serde_json::from_value(document) {
            Ok(document) => document,
            Err(err) => {
                diagnostics.push(Diagnostic::error(
                    "invalid-value",
                    format!("environment `{env}`: {err}"),
                    env_spans.key(&format!("/environments/{env}")),
                ));
                continue;
            }
        };
        if let Some(platform) = resolve(&document, &env, &env_spans, diagnostics) {
            platforms.push(platform);
        }
    }
    platforms
}
