//! Every rendered custom resource is valid under its CRD's `openAPIV3Schema`, read from the upstream
//! CRDs in `../shared/schemas/crds/` (test data, never copied into the project), and every custom
//! resource kind rendered has a CRD there. Core kinds are `kubernetes-validate`'s (`validators.rs`).
//!
//! The CRD schemas are Kubernetes *structural* OpenAPI v3 schemas; they are turned into JSON Schema
//! the way the API server reads them (see [`json_schema`]): unknown fields are errors, as with strict
//! field validation, `x-kubernetes-int-or-string` takes an integer or a string, `nullable` takes null.
//! Not checked: the CEL rules (`x-kubernetes-validations`) and the key uniqueness of
//! `x-kubernetes-list-type: map` lists.

mod common;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use jsonschema::{Draft, Validator};
use serde_json::{Map, Value, json};

/// The compiled schemas of every served version of every CRD, by `(group, kind)`, then by version.
struct Crds {
    by_kind: BTreeMap<(String, String), BTreeMap<String, Validator>>,
}

/// Where the CRDs live, relative to the repository root.
fn crd_dir() -> PathBuf {
    common::root().join("../shared/schemas/crds")
}

/// The CRDs, loaded and compiled once per test binary. `None` (skip, loudly) when the directory is
/// missing outside CI; missing under CI is a failure.
fn crds() -> Option<&'static Crds> {
    static CRDS: OnceLock<Option<Crds>> = OnceLock::new();
    CRDS.get_or_init(|| {
        let dir = crd_dir();
        if !dir.is_dir() {
            assert!(
                std::env::var("CI").is_err(),
                "{} is missing: it holds the CRDs that custom resources are validated against",
                dir.display()
            );
            eprintln!("SKIPPED: {} is missing, so custom resources are not validated", dir.display());
            return None;
        }
        Some(load_crds(&dir))
    })
    .as_ref()
}

fn load_crds(dir: &std::path::Path) -> Crds {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml" || ext == "yml"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "{}: no CRD files", dir.display());
    let mut by_kind: BTreeMap<(String, String), BTreeMap<String, Validator>> = BTreeMap::new();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path).unwrap();
        for (_, crd) in common::yaml_documents(&name, &text) {
            assert_eq!(crd["kind"], "CustomResourceDefinition", "{name}: not a CustomResourceDefinition");
            let group = crd["spec"]["group"].as_str().unwrap_or_else(|| panic!("{name}: no spec.group"));
            let kind = crd["spec"]["names"]["kind"].as_str().unwrap_or_else(|| panic!("{name}: no spec.names.kind"));
            let versions = crd["spec"]["versions"].as_array().unwrap_or_else(|| panic!("{name}: no spec.versions"));
            for version in versions.iter().filter(|version| version["served"] == true) {
                let version_name = version["name"].as_str().unwrap();
                let schema = &version["schema"]["openAPIV3Schema"];
                assert!(schema.is_object(), "{name}: {version_name} has no openAPIV3Schema");
                let validator = compile(schema).unwrap_or_else(|err| panic!("{name}: {version_name}: {err}"));
                by_kind
                    .entry((group.to_owned(), kind.to_owned()))
                    .or_default()
                    .insert(version_name.to_owned(), validator);
            }
        }
    }
    Crds { by_kind }
}

/// Compiles a CRD version's `openAPIV3Schema` (see [`json_schema`]).
fn compile(openapi_schema: &Value) -> Result<Validator, String> {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .should_validate_formats(true)
        // The formats the API server checks are `date-time` (built in) and `byte`; `int32` and
        // `int64` stay annotations.
        .with_format("byte", is_base64)
        .build(&json_schema(openapi_schema))
        .map_err(|err| err.to_string())
}

/// The JSON Schema equivalent of a CRD's structural `openAPIV3Schema` for a whole object: every
/// node made strict (see [`strict`]), and `apiVersion`, `kind` and any `metadata` accepted at the top.
fn json_schema(openapi_schema: &Value) -> Value {
    let mut schema = openapi_schema.clone();
    strict(&mut schema);
    let properties = schema.as_object_mut().unwrap().entry("properties").or_insert_with(|| json!({}));
    let properties = properties.as_object_mut().unwrap();
    properties.insert("apiVersion".into(), json!({"type": "string"}));
    properties.insert("kind".into(), json!({"type": "string"}));
    // The API server validates ObjectMeta itself; a CRD's schema says no more than `type: object`.
    properties.insert(
        "metadata".into(),
        json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string", "minLength": 1}}}),
    );
    schema
}

/// Rewrites one structural schema node, and every node under it, as JSON Schema with the API
/// server's meaning:
/// - `x-kubernetes-int-or-string: true`: an integer or a string (`anyOf` both, no `type`);
/// - `nullable: true`: null too (added to `type`, `enum` or `anyOf`);
/// - an object (`properties` or `type: object`) without `additionalProperties` and without
///   `x-kubernetes-preserve-unknown-fields: true` takes no other fields (`additionalProperties:
///   false`): the API server prunes them, and strict field validation rejects them;
/// - `x-kubernetes-list-type: set`: the items are unique.
///
/// Only schema positions are visited, so a property named like a keyword, a `default` or an
/// `example` is left alone.
fn strict(node: &mut Value) {
    let Some(map) = node.as_object_mut() else { return };
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            children.values_mut().for_each(strict);
        }
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(children)) = map.get_mut(key) {
            children.iter_mut().for_each(strict);
        }
    }
    for key in ["items", "additionalProperties", "not"] {
        match map.get_mut(key) {
            Some(Value::Array(children)) => children.iter_mut().for_each(strict),
            Some(child) => strict(child),
            None => {}
        }
    }

    let is_set = |map: &Map<String, Value>, key: &str| map.get(key) == Some(&Value::Bool(true));
    let is_object = map.contains_key("properties") || map.get("type").is_some_and(|t| t == "object");
    if is_set(map, "x-kubernetes-int-or-string") {
        map.remove("type");
        map.entry("anyOf").or_insert_with(|| json!([{"type": "integer"}, {"type": "string"}]));
    }
    if is_set(map, "nullable") {
        if let Some(Value::String(single)) = map.get("type") {
            let both = json!([single, "null"]);
            map.insert("type".into(), both);
        }
        if let Some(Value::Array(values)) = map.get_mut("enum") {
            if !values.contains(&Value::Null) {
                values.push(Value::Null);
            }
        }
        if let Some(Value::Array(alternatives)) = map.get_mut("anyOf") {
            alternatives.push(json!({"type": "null"}));
        }
    }
    if is_object && !map.contains_key("additionalProperties") && !is_set(map, "x-kubernetes-preserve-unknown-fields") {
        map.insert("additionalProperties".into(), Value::Bool(false));
    }
    if map.get("x-kubernetes-list-type").is_some_and(|t| t == "set") {
        map.insert("uniqueItems".into(), Value::Bool(true));
    }
}

/// The `byte` format: standard, padded base64.
fn is_base64(text: &str) -> bool {
    let body = text.trim_end_matches('=');
    text.len() % 4 == 0
        && text.len() - body.len() <= 2
        && body.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

impl Crds {
    /// What is wrong with a custom resource: schema violations as `instance path: message`, or why
    /// there is no schema for it. Empty when it is valid.
    fn problems(&self, object: &Value) -> Vec<String> {
        let Some((api_version, kind)) = common::api_version_and_kind(object) else {
            return vec!["no apiVersion and kind".into()];
        };
        let group = common::api_group(api_version);
        let version = api_version.rsplit_once('/').map_or(api_version, |(_, version)| version);
        let Some(versions) = self.by_kind.get(&(group.to_owned(), kind.to_owned())) else {
            return vec![format!(
                "no CRD in {} defines {kind} in API group {group:?} (add the upstream CRD there, or the group to \
                 common::CORE_API_GROUPS if it is a core one)",
                crd_dir().display()
            )];
        };
        let Some(validator) = versions.get(version) else {
            let served: Vec<_> = versions.keys().map(String::as_str).collect();
            return vec![format!("{api_version} is not served by the {kind} CRD (served: {})", served.join(", "))];
        };
        validator
            .iter_errors(object)
            .map(|error| {
                let path = error.instance_path().to_string();
                let mut message = error.to_string();
                if message.len() > 300 {
                    let cut = (0..=300).rev().find(|&i| message.is_char_boundary(i)).unwrap();
                    message.truncate(cut);
                    message.push_str("...");
                }
                format!("{}: {message}", if path.is_empty() { "/" } else { &path })
            })
            .collect()
    }
}

#[test]
fn every_rendered_custom_resource_is_valid_under_its_crd() {
    let Some(crds) = crds() else { return };
    let mut failures = Vec::new();
    let mut validated: BTreeMap<String, usize> = BTreeMap::new();
    for (example, platforms) in common::all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for (path, contents) in artifacts.iter() {
            if !(path.ends_with(".yaml") || path.ends_with(".yml")) || path.ends_with("kustomization.yaml") {
                continue;
            }
            for (_, object) in common::yaml_documents(path, contents) {
                // Documents without an apiVersion are no Kubernetes objects; core ones are
                // kubernetes-validate's.
                let Some(api_version) = object.get("apiVersion").and_then(Value::as_str) else { continue };
                if common::is_core_api_version(api_version) {
                    continue;
                }
                let kind = object.get("kind").and_then(Value::as_str).unwrap_or("(no kind)");
                let name = object.pointer("/metadata/name").and_then(Value::as_str).unwrap_or("(no name)");
                *validated.entry(format!("{api_version} {kind}")).or_default() += 1;
                for problem in crds.problems(&object) {
                    failures.push(format!("{example}/{path}: {api_version} {kind} {name}: {problem}"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{} problem(s) in custom resources:\n{}", failures.len(), failures.join("\n"));
    if validated.is_empty() {
        eprintln!("NOTE: no custom resources rendered yet: nothing was validated against the CRDs");
    } else {
        let summary: Vec<_> = validated.iter().map(|(kind, count)| format!("{count} {kind}")).collect();
        eprintln!("validated against their CRDs: {}", summary.join(", "));
    }
}

/// A Rollout as plinth might render it: canary steps, int-or-string `maxSurge`, a pod template.
fn rollout() -> Value {
    json!({
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Rollout",
        "metadata": {"name": "api", "namespace": "shop", "labels": {"app": "api"}},
        "spec": {
            "replicas": 2,
            "revisionHistoryLimit": 3,
            "selector": {"matchLabels": {"app": "api"}},
            "strategy": {"canary": {
                "maxSurge": "25%",
                "maxUnavailable": 0,
                "steps": [{"setWeight": 20}, {"pause": {"duration": "5m"}}, {"setWeight": 50}, {"pause": {}}],
            }},
            "template": {
                "metadata": {"labels": {"app": "api"}},
                "spec": {"containers": [{
                    "name": "api",
                    "image": "registry.example.com/api:1.0.0",
                    "ports": [{"name": "http", "containerPort": 8080}],
                    "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"memory": 268435456}},
                }]},
            },
        },
    })
}

#[test]
fn a_valid_rollout_passes() {
    let Some(crds) = crds() else { return };
    assert_eq!(crds.problems(&rollout()), Vec::<String>::new());
}

#[test]
fn a_bogus_rollout_fails() {
    let Some(crds) = crds() else { return };
    let mut bogus = rollout();
    let canary = &mut bogus["spec"]["strategy"]["canary"];
    canary["steps"] = json!([{"setWeight": "twenty"}]);
    canary["stepz"] = json!([{"setWeight": 20}]);
    let problems = crds.problems(&bogus);
    assert!(
        problems.iter().any(|p| p.starts_with("/spec/strategy/canary/steps/0/setWeight: ")),
        "a string setWeight passed: {problems:#?}"
    );
    assert!(
        problems.iter().any(|p| p.starts_with("/spec/strategy/canary: ") && p.contains("stepz")),
        "an unknown field passed: {problems:#?}"
    );

    let mut misplaced = rollout();
    misplaced["data"] = json!({"key": "value"});
    misplaced["spec"]["template"]["spec"]["containers"][0]["imagePullPolicy"] = json!(true);
    misplaced["metadata"] = json!({"labels": {}});
    assert_eq!(crds.problems(&misplaced).len(), 3, "{:#?}", crds.problems(&misplaced));
}

#[test]
fn int_or_string_and_nullable_fields_take_every_form() {
    let Some(crds) = crds() else { return };
    let mut surge = rollout();
    for value in [json!(1), json!("1"), json!("25%")] {
        surge["spec"]["strategy"]["canary"]["maxSurge"] = value;
        assert_eq!(crds.problems(&surge), Vec::<String>::new());
    }
    surge["spec"]["strategy"]["canary"]["maxSurge"] = json!(1.5);
    assert_eq!(crds.problems(&surge).len(), 1);

    let schedule = |included: Value| {
        json!({
            "apiVersion": "velero.io/v1",
            "kind": "Schedule",
            "metadata": {"name": "daily"},
            "spec": {"schedule": "0 3 * * *", "template": {"includedNamespaces": included, "ttl": "720h0m0s"}},
        })
    };
    assert_eq!(crds.problems(&schedule(json!(["shop"]))), Vec::<String>::new());
    assert_eq!(crds.problems(&schedule(Value::Null)), Vec::<String>::new());
    assert_eq!(crds.problems(&schedule(json!("shop"))).len(), 1);
}

#[test]
fn unserved_versions_and_unknown_kinds_fail() {
    let Some(crds) = crds() else { return };
    let mut rollout = rollout();
    rollout["apiVersion"] = json!("argoproj.io/v1beta1");
    assert!(crds.problems(&rollout)[0].contains("not served"));
    rollout["apiVersion"] = json!("example.com/v1");
    assert!(crds.problems(&rollout)[0].contains("no CRD"));
}
