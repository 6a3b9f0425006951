//! What a file is, by its name and content: Kubernetes manifests (any document with `apiVersion`
//! and `kind`), a docker compose file (top-level `services`), a GitHub Actions workflow (`on` and
//! `jobs`), a `plinth.yaml` (`plinth:`), Terraform (`.tf`) or a Dockerfile.

use plinth_spec::yaml::{Document, parse_documents};

use crate::dockerfile::Dockerfile;
use serde_json::Value;

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

/// Classifies the file at `path` with contents `text`. YAML syntax errors are reported for
/// `.yaml`, `.yml` and `.json` files; other files that do not parse are simply not recognised.
pub fn classify(path: &str, text: &str) -> Input {
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, ext)| ext.to_ascii_lowercase());
    if name == "Dockerfile"
        || name == "Containerfile"
        || name.starts_with("Dockerfile.")
        || name.ends_with(".Dockerfile")
    {
        return Input::Dockerfile(Dockerfile::parse(text));
    }
    if extension.as_deref() == Some("tf") {
        return match crate::terraform::parse(text) {
            Ok(body) => Input::Terraform(body),
            Err((line, column, message)) => Input::Broken(InputError { path: path.to_owned(), line, column, message }),
        };
    }
    let yaml = matches!(extension.as_deref(), Some("yaml" | "yml" | "json"));
    let (documents, diagnostics) = parse_documents(text);
    if let Some(diagnostic) = diagnostics.first() {
        if !yaml {
            return Input::Unrecognised;
        }
        let (line, column) = LineIndex::new(text).position(diagnostic.span.start);
        return Input::Broken(InputError { path: path.to_owned(), line, column, message: diagnostic.message.clone() });
    }
    match format(&documents) {
        Some(format) => Input::Yaml(format, documents),
        None => Input::Unrecognised,
    }
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
    use super::{Format, Input, classify};

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
        match classify("bad.yaml", "a: 1\n  b: 2\n") {
            Input::Broken(err) => assert_eq!((err.line, err.column), (2, 4)),
            other => panic!("{other:?}"),
        }
    }
}
