//! Helpers shared by the render tests: the examples, rendering them, and finding external tools.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use plinth_render::Artifacts;
use plinth_spec::model::Platform;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

/// `(name, platforms)` for every example, sorted by name.
pub fn examples() -> Vec<(String, Vec<Platform>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(root().join("examples")).unwrap() {
        let dir = entry.unwrap().path();
        out.push((dir.file_name().unwrap().to_string_lossy().into_owned(), compile(&dir.join("plinth.yaml"))));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// The examples and the variant specs under `tests/fixtures/variants/` that take the render
/// branches no example takes: what the validators and consistency checks run on.
pub fn all_specs() -> Vec<(String, Vec<Platform>)> {
    let mut out = examples();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/variants");
    let mut variants: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    variants.sort();
    for path in variants {
        out.push((format!("variant-{}", path.file_stem().unwrap().to_string_lossy()), compile(&path)));
    }
    out
}

fn compile(path: &Path) -> Vec<Platform> {
    let source = std::fs::read_to_string(path).unwrap();
    let compiled = plinth_spec::compile(&source);
    assert!(!compiled.has_errors(), "{}: {:#?}", path.display(), compiled.diagnostics);
    compiled.platforms
}

/// Renders every example and variant into `dir/<name>/`.
pub fn render_all_to(dir: &Path) -> Vec<(String, Artifacts)> {
    let mut out = Vec::new();
    for (name, platforms) in all_specs() {
        let artifacts = plinth_render::render(&platforms);
        for (path, contents) in artifacts.iter() {
            let target = dir.join(&name).join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, contents).unwrap();
        }
        out.push((name, artifacts));
    }
    out
}

/// Finds an external tool: in the project's tool directories (`.tools/venv/bin`, and
/// `.tools/checkov/bin` for Checkov's own environment), on PATH, in `/usr/sbin` and `/sbin`, or
/// among PostgreSQL's server programs.
/// Missing under CI is a failure; elsewhere the caller skips, loudly.
pub fn tool(name: &str) -> Option<PathBuf> {
    for dir in [".tools/venv/bin", ".tools/checkov/bin"] {
        let local = root().join(dir).join(name);
        if local.exists() {
            return Some(local);
        }
    }
    let on_path = Command::new("sh").arg("-c").arg(format!("command -v {name}")).output().ok()?;
    if on_path.status.success() {
        return Some(PathBuf::from(String::from_utf8_lossy(&on_path.stdout).trim()));
    }
    // Debian installs daemons such as nginx into sbin, which is not on a normal user's PATH, and
    // PostgreSQL's server programs under /usr/lib/postgresql/<major>/bin (newest first).
    let mut postgres_dirs: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .map(|dirs| dirs.filter_map(|d| Some(d.ok()?.path().join("bin"))).collect())
        .unwrap_or_default();
    postgres_dirs.sort_by(|a, b| b.cmp(a));
    for dir in [PathBuf::from("/usr/sbin"), PathBuf::from("/sbin")].into_iter().chain(postgres_dirs) {
        let system = dir.join(name);
        if system.exists() {
            return Some(system);
        }
    }
    assert!(std::env::var("CI").is_err(), "{name} is missing; run scripts/install-tools.sh");
    eprintln!("SKIPPED: {name} is not installed; run scripts/install-tools.sh");
    None
}

/// The API groups of the core Kubernetes kinds, which `kubernetes-validate` knows: `""` is the
/// legacy group (`apiVersion: v1`). Any other group is a custom resource, validated against its CRD.
pub const CORE_API_GROUPS: &[&str] = &[
    "",
    "apps",
    "batch",
    "autoscaling",
    "policy",
    "networking.k8s.io",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "scheduling.k8s.io",
];

/// The group of an `apiVersion` (`"apps"` for `apps/v1`, `""` for `v1`).
pub fn api_group(api_version: &str) -> &str {
    api_version.rsplit_once('/').map_or("", |(group, _)| group)
}

/// Whether `api_version` belongs to a core Kubernetes API group (see [`CORE_API_GROUPS`]).
pub fn is_core_api_version(api_version: &str) -> bool {
    CORE_API_GROUPS.contains(&api_group(api_version))
}

/// Splits a rendered YAML file into its documents: `(raw text, parsed value)` per document, the raw
/// text without the `---` separator line (the first keeps the file's `#` header). Documents holding
/// nothing but comments and blank lines are left out. Panics, naming `path`, on invalid YAML.
pub fn yaml_documents(path: &str, text: &str) -> Vec<(String, serde_json::Value)> {
    let mut raw_documents = vec![String::new()];
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            raw_documents.push(String::new());
        } else {
            raw_documents.last_mut().unwrap().push_str(line);
        }
    }
    raw_documents
        .into_iter()
        .filter_map(|raw| {
            let value: serde_json::Value =
                serde_yaml_ng::from_str(&raw).unwrap_or_else(|err| panic!("{path}: invalid YAML document: {err}"));
            (!value.is_null()).then_some((raw, value))
        })
        .collect()
}

/// The `apiVersion` and `kind` of a parsed document, when it has both as strings.
pub fn api_version_and_kind(document: &serde_json::Value) -> Option<(&str, &str)> {
    Some((document.get("apiVersion")?.as_str()?, document.get("kind")?.as_str()?))
}
