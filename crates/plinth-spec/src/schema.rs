//! The JSON Schema of `plinth.yaml` (generated from [`crate::input`]) and structural validation
//! against it, turning every schema violation into a located diagnostic with a hint.

use std::sync::OnceLock;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

use crate::diagnostic::{Diagnostic, did_you_mean, suggest};
use crate::input::Document;
use crate::units::{pattern_help, unit_suggestion};
use crate::yaml::{SpanMap, escape};

/// The JSON Schema of `plinth.yaml` v1, as `plinth schema` prints it.
pub fn json_schema() -> &'static Value {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    SCHEMA.get_or_init(|| serde_json::to_value(schemars::schema_for!(Document)).expect("schema serializes"))
}

fn validator() -> &'static Validator {
    static VALIDATOR: OnceLock<Validator> = OnceLock::new();
    VALIDATOR.get_or_init(|| jsonschema::validator_for(json_schema()).expect("the generated schema is valid"))
}

/// `/services/api/port` → `services.api.port`.
pub fn dotted(pointer: &str) -> String {
    if pointer.is_empty() {
        return "the document".to_owned();
    }
    pointer
        .trim_start_matches('/')
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect::<Vec<_>>()
        .join(".")
}

/// A schema violation: the diagnostic, and the pointers of the nodes at fault.
#[derive(Debug)]
pub struct Violation {
    /// What to tell the user.
    pub diagnostic: Diagnostic,
    /// The nodes at fault (unknown keys, wrongly typed values).
    pub pointers: Vec<String>,
    /// The node the violation is about (for a missing field, the mapping that lacks it).
    pub pointer: String,
    /// For a missing field, its name.
    pub missing: Option<String>,
}

/// Validates `value` against the schema; every violation becomes a diagnostic located with `spans`.
pub fn validate(value: &Value, spans: &SpanMap) -> Vec<Violation> {
    let mut violations = Vec::new();
    // Unknown keys whose "did you mean" is a field, by mapping: `enviroments` explains a missing `environments`.
    let mut misspelled: Vec<(String, String)> = Vec::new();
    for error in validator().iter_errors(value) {
        let mut diagnostics = Vec::new();
        describe(&error, spans, &mut diagnostics);
        let pointer = error.instance_path().as_str();
        let mut missing = None;
        let pointers = match error.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let allowed = allowed_fields(error.schema_path().as_str());
                for key in unexpected {
                    if let Some(best) = suggest(key, allowed.iter().copied()) {
                        misspelled.push((pointer.to_owned(), best.to_owned()));
                    }
                }
                unexpected.iter().map(|key| format!("{pointer}/{}", escape(key))).collect()
            }
            // A missing field cannot be pruned away; the document is not usable.
            ValidationErrorKind::Required { property } => {
                missing = property.as_str().map(str::to_owned);
                Vec::new()
            }
            _ => vec![pointer.to_owned()],
        };
        violations.extend(diagnostics.into_iter().map(|diagnostic| Violation {
            diagnostic,
            pointers: pointers.clone(),
            pointer: pointer.to_owned(),
            missing: missing.clone(),
        }));
    }
    // A missing field that is only misspelled is reported once, as the unknown field.
    violations.retain(|v| {
        v.missing.as_ref().is_none_or(|field| !misspelled.iter().any(|(at, best)| *at == v.pointer && best == field))
    });
    violations
}

/// The fields the mapping checked at `location` (an `additionalProperties` keyword) allows.
fn allowed_fields(location: &str) -> Vec<&'static str> {
    schema_node(parent(location))
        .and_then(|node| node.get("properties"))
        .and_then(Value::as_object)
        .map(|props| props.keys().map(String::as_str).collect())
        .unwrap_or_default()
}

/// The allowed values when `error` says only that a value is not one of some constants (an enum).
fn constants(error: &ValidationError<'_>, pointer: &str) -> Option<Vec<Value>> {
    if error.instance_path().as_str() != pointer {
        return None;
    }
    match error.kind() {
        ValidationErrorKind::Constant { expected_value } => Some(vec![Value::clone(expected_value)]),
        ValidationErrorKind::Enum { options } => options.as_array().cloned(),
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            let mut all = Vec::new();
            for branch in context {
                // A branch of another shape (`null` for an optional field) offers no value.
                if branch.iter().any(|e| {
                    e.instance_path().as_str() == pointer && matches!(e.kind(), ValidationErrorKind::Type { .. })
                }) {
                    continue;
                }
                for inner in branch {
                    all.extend(constants(inner, pointer)?);
                }
            }
            (!all.is_empty()).then_some(all)
        }
        _ => None,
    }
}

fn schema_node(pointer: &str) -> Option<&'static Value> {
    json_schema().pointer(pointer)
}

/// The parent of a schema keyword location (`/$defs/Service/required` → `/$defs/Service`).
fn parent(location: &str) -> &str {
    location.rfind('/').map_or("", |idx| &location[..idx])
}

fn found(value: &Value) -> String {
    match value {
        Value::Null => "nothing".to_owned(),
        Value::Bool(flag) => format!("`{flag}`"),
        Value::Number(number) => format!("`{number}`"),
        Value::String(text) => format!("`{text}`"),
        Value::Array(_) => "a list".to_owned(),
        Value::Object(_) => "a mapping".to_owned(),
    }
}

fn type_name(kind: &TypeKind) -> String {
    let name = |t: &jsonschema::JsonType| match t.to_string().as_str() {
        "object" => "a mapping".to_owned(),
        "array" => "a list".to_owned(),
        "integer" => "a whole number".to_owned(),
        "number" => "a number".to_owned(),
        "boolean" => "`true` or `false`".to_owned(),
        "string" => "a string".to_owned(),
        "null" => "nothing".to_owned(),
        other => other.to_owned(),
    };
    match kind {
        TypeKind::Single(t) => name(t),
        // `null` is how schemars marks an optional field; leaving a field out is never the fix.
        TypeKind::Multiple(types) => {
            types.iter().filter(|t| t.to_string() != "null").map(|t| name(&t)).collect::<Vec<_>>().join(" or ")
        }
    }
}

/// `Spec format version` → `spec format version`; acronyms (`DNS`) keep their case.
fn sentence_case(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => {
            first.to_lowercase().chain(text[first.len_utf8()..].chars()).collect()
        }
        _ => text.to_owned(),
    }
}

fn describe(error: &ValidationError<'_>, spans: &SpanMap, out: &mut Vec<Diagnostic>) {
    let pointer = error.instance_path().as_str();
    let instance = error.instance();
    let at = dotted(pointer);
    let span = spans.value(pointer);
    let location = error.schema_path().as_str();
    let diagnostic = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            let allowed = allowed_fields(location);
            for key in unexpected {
                let child = format!("{pointer}/{}", escape(key));
                out.push(
                    Diagnostic::error("unknown-field", format!("unknown field `{key}` in {at}"), spans.key(&child))
                        .with_hint(did_you_mean(key, allowed.iter().copied())),
                );
            }
            return;
        }
        ValidationErrorKind::Required { property } => {
            let property = property.as_str().unwrap_or_default();
            let description = schema_node(parent(location))
                .and_then(|node| node.pointer(&format!("/properties/{}/description", escape(property))))
                .and_then(Value::as_str)
                .unwrap_or("");
            let span = if pointer.is_empty() { span } else { spans.key(pointer) };
            Diagnostic::error("missing-field", format!("missing field `{property}` in {at}"), span)
                .with_hint(format!("add `{property}:` ({})", sentence_case(description.trim_end_matches('.'))))
        }
        ValidationErrorKind::Type { kind } => {
            let unit = schema_node(parent(location))
                .and_then(|node| node.get("pattern"))
                .and_then(Value::as_str)
                .and_then(pattern_help);
            match (unit, &**instance) {
                // `cpu: 70` for `70%`: say what the unit is, not that a string was expected.
                (Some((what, examples)), Value::Number(number)) => {
                    let text = number.to_string();
                    let hint = match unit_suggestion(what, &text) {
                        Some(s) if s == text => format!("quote it: `\"{text}\"`"),
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!("write {what} such as {examples}"),
                    };
                    Diagnostic::error("invalid-unit", format!("{} is not {what} ({at})", found(instance)), span)
                        .with_hint(hint)
                }
                (_, Value::String(text)) if !matches!(crate::yaml::resolve_plain(text), Value::String(_)) => {
                    Diagnostic::error(
                        "wrong-type",
                        format!("{at} must be {}, found the string `\"{text}\"`", type_name(kind)),
                        span,
                    )
                    .with_hint(format!("remove the quotes: `{text}`"))
                }
                (_, found_value) => {
                    let diagnostic = Diagnostic::error(
                        "wrong-type",
                        format!("{at} must be {}, found {}", type_name(kind), found(instance)),
                        span,
                    );
                    let expected = type_name(kind);
                    let hint = match found_value {
                        Value::Array(_) if expected == "a mapping" => {
                            Some("write `key: value` entries here, not `- item`s".to_owned())
                        }
                        Value::String(text) if expected == "a list" => {
                            Some(format!("write a list, even of one: `[{text}]`"))
                        }
                        Value::String(text)
                            if expected.starts_with("`true`")
                                && ["yes", "no", "on", "off", "y", "n"]
                                    .contains(&text.to_ascii_lowercase().as_str()) =>
                        {
                            let flag = ["yes", "on", "y"].contains(&text.to_ascii_lowercase().as_str());
                            Some(format!("YAML 1.2 reads `{text}` as text; write `{flag}`"))
                        }
                        _ => None,
                    };
                    match hint {
                        Some(hint) => diagnostic.with_hint(hint),
                        None => diagnostic,
                    }
                }
            }
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<&str> =
                options.as_array().map(|o| o.iter().filter_map(Value::as_str).collect()).unwrap_or_default();
            let word = instance.as_str().unwrap_or_default();
            Diagnostic::error("invalid-value", format!("{} is not a valid value for {at}", found(instance)), span)
                .with_hint(did_you_mean(word, options.iter().copied()))
        }
        ValidationErrorKind::Constant { expected_value } => Diagnostic::error(
            "invalid-value",
            format!("{at} must be {}, found {}", found(expected_value), found(instance)),
            span,
        ),
        ValidationErrorKind::Pattern { pattern } => match pattern_help(pattern) {
            Some((what, examples)) => {
                let hint = unit_suggestion(what, instance.as_str().unwrap_or_default())
                    .map_or_else(|| format!("write {what} such as {examples}"), |s| format!("did you mean `{s}`?"));
                Diagnostic::error("invalid-unit", format!("{} is not {what} ({at})", found(instance)), span)
                    .with_hint(hint)
            }
            None => {
                let description = schema_node(parent(location))
                    .and_then(|node| node.get("description"))
                    .and_then(Value::as_str)
                    .map(|d| sentence_case(d.trim_end_matches('.')))
                    .unwrap_or_else(|| format!("match `{pattern}`"));
                Diagnostic::error("invalid-format", format!("{} is not valid for {at}", found(instance)), span)
                    .with_hint(format!("expected {description}"))
            }
        },
        ValidationErrorKind::Minimum { .. } | ValidationErrorKind::Maximum { .. } if pointer == "/plinth" => {
            Diagnostic::error("unsupported-version", format!("spec version {} is not supported", found(instance)), span)
                .with_hint("this plinth reads version 1: write `plinth: 1`")
        }
        ValidationErrorKind::Minimum { limit } | ValidationErrorKind::ExclusiveMinimum { limit } => Diagnostic::error(
            "out-of-range",
            format!("{at} is {}, below the minimum of {limit}", found(instance)),
            span,
        ),
        ValidationErrorKind::Maximum { limit } | ValidationErrorKind::ExclusiveMaximum { limit } => Diagnostic::error(
            "out-of-range",
            format!("{at} is {}, above the maximum of {limit}", found(instance)),
            span,
        ),
        ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. }
            if constants(error, pointer).is_some() =>
        {
            let options = constants(error, pointer).unwrap_or_default();
            let options: Vec<&str> = options.iter().filter_map(Value::as_str).collect();
            let word = instance.as_str().unwrap_or_default();
            Diagnostic::error("invalid-value", format!("{} is not a valid value for {at}", found(instance)), span)
                .with_hint(did_you_mean(word, options.iter().copied()))
        }
        ValidationErrorKind::AnyOf { context } | ValidationErrorKind::OneOfNotValid { context } => {
            // Report the branch whose shape matches what was written; if none does, list the shapes.
            let shaped = context.iter().find(|branch| {
                !branch.iter().any(|e| {
                    e.instance_path().as_str() == pointer && matches!(e.kind(), ValidationErrorKind::Type { .. })
                })
            });
            match shaped {
                Some(branch) => {
                    for inner in branch {
                        describe(inner, spans, out);
                    }
                    return;
                }
                None => {
                    let mut shapes: Vec<String> = context
                        .iter()
                        .flat_map(|branch| branch.iter())
                        .filter_map(|e| match e.kind() {
                            ValidationErrorKind::Type { kind } if e.instance_path().as_str() == pointer => {
                                Some(type_name(kind))
                            }
                            _ => None,
                        })
                        .collect();
                    shapes.dedup();
                    Diagnostic::error(
                        "wrong-type",
                        format!("{at} must be {}, found {}", shapes.join(" or "), found(instance)),
                        span,
                    )
                }
            }
        }
        _ => Diagnostic::error("invalid-value", format!("{at}: {error}"), span),
    };
    out.push(diagnostic);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::parse;

    fn check(source: &str) -> Vec<String> {
        let (value, spans, _) = parse(source);
        validate(&value.unwrap(), &spans)
            .into_iter()
            .map(|v| v.diagnostic)
            .map(|d| {
                let (line, col) = d.span.line_col(source);
                format!("{line}:{col} {} | {}", d.message, d.hint.unwrap_or_default())
            })
            .collect()
    }

    #[test]
    fn messages() {
        let source = "plinth: 1\nname: shop\nservices:\n  web: { replica: 2, port: web }\nenvironments: {}\n";
        assert_eq!(
            check(source),
            [
                "4:28 services.web.port must be a whole number, found `web` | ",
                "4:10 unknown field `replica` in services.web | did you mean `replicas`?",
            ]
        );
    }

    #[test]
    fn units_get_hints() {
        let source = "plinth: 1\nname: shop\nservices:\n  web: { resources: { cpu: lots } }\nenvironments: {}\n";
        assert_eq!(
            check(source),
            [
                "4:28 `lots` is not a CPU request..limit (services.web.resources.cpu) | write a CPU request..limit such as `100m..500m` or `250m`"
            ]
        );
    }
}
