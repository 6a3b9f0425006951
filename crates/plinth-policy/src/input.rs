//! What a file is, by its name and content: Kubernetes manifests (any document with `apiVersion`
//! and `kind`, or a file kustomize reads by its name, `kustomization.yaml`, whose `apiVersion` and
//! `kind` are optional), a docker compose file (top-level `services`), a GitHub Actions workflow
//! (`on` and `jobs`), a `plinth.yaml` (`plinth:`), Terraform (`.tf`) or a Dockerfile.

use plinth_spec::yaml::{Document, parse_documents};
use serde_json::Value;

use crate::dockerfile::Dockerfile;
use crate::lines::LineIndex;
use crate::report::InputError;

/// The formats plinth check knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Kubernetes objects.
    Kubernetes,
    /// A docker compose file.
    Compose,
    /// A GitHub Actions workflow.
    GithubActions,
    /// A `plinth.yaml`.
    Spec,
    /// Terraform.
    Terraform,
    /// A Dockerfile.
    Dockerfile,
}

/// A classified input.
#[derive(Debug)]
pub enum Input {
    /// A YAML (or JSON) file of a known format, parsed.
    Yaml(Format, Vec<Document>),
    /// A Dockerfile, split into instructions.
    Dockerfile(Dockerfile),
    /// A Terraform file, parsed (its rules run over the module directory, see `terraform`).
    Terraform(hcl_edit::structure::Body),
    /// Not a format plinth checks.
    Unrecognised,
    /// A file that should be checked but cannot be read.
    Broken(InputError),
}

/// The names kustomize looks for in a directory. Their `apiVersion` and `kind` may be left out
/// (kustomize assumes `kustomize.config.k8s.io/v1beta1` `Kustomization`), so they are recognised
/// by name, and given those defaults for the rules that read a Kustomization's `images:`.
const KUSTOMIZATION_FILES: &[&str] = &["kustomization.yaml", "kustomization.yml", "Kustomization"];

/// Classifies the file at `path` with contents `text`. YAML syntax errors are reported for
/// `.yaml`, `.yml`, `.json` and `Kustomization` files; other files that do not parse are simply not recognised.
pub fn classify(path: &str, text: &str) -> Input {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if is_dockerfile(name) {
        return Input::Dockerfile(Dockerfile::parse(text));
    }
    if extension.as_deref() == Some("tf") {
        return match crate::terraform::parse(text) {
            Ok(body) => Input::Terraform(body),
            Err((line, column, message)) => Input::Broken(InputError { path: path.to_owned(), line, column, message }),
        };
    }
    let kustomization = KUSTOMIZATION_FILES.contains(&name);
    let yaml = kustomization || matches!(extension.as_deref(), Some("yaml" | "yml" | "json"));
    let (mut documents, diagnostics) = parse_documents(text);
    if let Some(diagnostic) = diagnostics.first() {
        if !yaml {
            return Input::Unrecognised;
        }
        let (line, column) = LineIndex::new(text).position(diagnostic.span.start);
        return Input::Broken(InputError { path: path.to_owned(), line, column, message: diagnostic.message.clone() });
    }
    if kustomization {
        for object in documents.iter_mut().filter_map(|document| document.value.as_object_mut()) {
            object.entry("apiVersion").or_insert_with(|| Value::from("kustomize.config.k8s.io/v1beta1"));
            object.entry("kind").or_insert_with(|| Value::from("Kustomization"));
        }
        return Input::Yaml(Format::Kubernetes, documents);
    }
    match format(&documents) {
        Some(format) => Input::Yaml(format, documents),
        None => Input::Unrecognised,
    }
}

/// Whether a file named `name`, met while walking a directory, may be an input: by its extension
/// (`.yaml`, `.yml`, `.json`, `.tf`) or its name (a Dockerfile, `Kustomization`).
pub fn candidate(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    [".yaml", ".yml", ".json", ".tf"].iter().any(|ext| lower.ends_with(ext))
        || is_dockerfile(name)
        || KUSTOMIZATION_FILES.contains(&name)
}

/// Whether a file named `name` is a Dockerfile.
fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile" || name == "Containerfile" || name.starts_with("Dockerfile.") || name.ends_with(".Dockerfile")
}

/// The format of a parsed YAML stream, from its documents' top-level keys.
fn format(documents: &[Document]) -> Option<Format> {
    let objects: Vec<&serde_json::Map<String, Value>> = documents.iter().filter_map(|d| d.value.as_object()).collect();
    let has = |key: &str| objects.first().is_some_and(|o| o.contains_key(key));
    if objects.len() == 1 && has("plinth") {
        return Some(Format::Spec);
    }
    if objects
        .iter()
        .any(|o| o.get("apiVersion").is_some_and(Value::is_string) && o.get("kind").is_some_and(Value::is_string))
    {
        return Some(Format::Kubernetes);
    }
    if objects.len() == 1 && has("jobs") && has("on") {
        return Some(Format::GithubActions);
    }
    if objects.len() == 1 && objects[0].get("services").is_some_and(Value::is_object) {
        return Some(Format::Compose);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{Format, Input, candidate, classify};

    fn format(path: &str, text: &str) -> Option<Format> {
        match classify(path, text) {
            Input::Yaml(format, _) => Some(format),
            Input::Dockerfile(_) => Some(Format::Dockerfile),
            Input::Terraform(_) => Some(Format::Terraform),
            Input::Unrecognised => None,
            Input::Broken(err) => panic!("{err:?}"),
        }
    }

    #[test]
    fn candidates_by_name() {
        for name in ["a.yaml", "b.YML", "c.json", "main.tf", "Dockerfile", "api.Dockerfile", "Kustomization"] {
            assert!(candidate(name), "{name}");
        }
        for name in ["README.md", "kustomization", "Makefile"] {
            assert!(!candidate(name), "{name}");
        }
    }

    #[test]
    fn detected_by_content() {
        assert_eq!(format("a.yaml", "---\napiVersion: v1\nkind: Service\n---\n"), Some(Format::Kubernetes));
        assert_eq!(format("a.txt", "apiVersion: v1\nkind: Pod\n"), Some(Format::Kubernetes));
        assert_eq!(format("compose.yaml", "services: { web: { image: nginx } }\n"), Some(Format::Compose));
        assert_eq!(format("ci.yml", "on: push\njobs: {}\n"), Some(Format::GithubActions));
        assert_eq!(format("plinth.yaml", "plinth: 1\nservices: {}\n"), Some(Format::Spec));
        assert_eq!(format("main.tf", "resource \"x\" \"y\" {}\n"), Some(Format::Terraform));
        assert_eq!(format("api.Dockerfile", "FROM x\n"), Some(Format::Dockerfile));
        assert_eq!(format("prometheus.yml", "scrape_configs: []\n"), None);
        assert_eq!(format("README.md", "# title\n: broken [\n"), None);
        for name in ["kustomization.yaml", "base/kustomization.yml", "Kustomization"] {
            assert_eq!(format(name, "resources: [deploy.yaml]\n"), Some(Format::Kubernetes), "{name}");
        }
        match classify("Kustomization", "images:\n  - name: web\n    newTag: \"1.4\"\n") {
            Input::Yaml(_, documents) => {
                assert_eq!(documents[0].value["apiVersion"], "kustomize.config.k8s.io/v1beta1");
                assert_eq!(documents[0].value["kind"], "Kustomization");
            }
            other => panic!("{other:?}"),
        }
        match classify("kustomization.yaml", "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n") {
            Input::Yaml(_, documents) => assert_eq!(documents[0].value["kind"], "Component"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(classify("Kustomization", "a: 1\n  b: 2\n"), Input::Broken(_)));
        match classify("bad.yaml", "a: 1\n  b: 2\n") {
            Input::Broken(err) => assert_eq!((err.line, err.column), (2, 4)),
            other => panic!("{other:?}"),
        }
    }
}
