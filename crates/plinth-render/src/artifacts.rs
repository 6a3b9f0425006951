//! The rendered files: relative paths to contents, kept sorted so output order is stable.

use std::collections::BTreeMap;

use serde::Serialize;

/// Rendered files by relative path (always `/`-separated).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Artifacts {
    files: BTreeMap<String, String>,
}

impl Artifacts {
    /// Adds a text file.
    pub fn add(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let path = path.into();
        debug_assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."), "artifact path escapes: {path}");
        self.files.insert(path, contents.into());
    }

    /// Adds a YAML file holding `documents`, separated by `---`, under a header comment.
    pub fn add_yaml<T: Serialize>(&mut self, path: impl Into<String>, header: &str, documents: &[T]) {
        let mut text = String::new();
        for line in header.lines() {
            text.push_str("# ");
            text.push_str(line);
            text.push('\n');
        }
        for (idx, document) in documents.iter().enumerate() {
            if idx > 0 {
                text.push_str("---\n");
            }
            text.push_str(&to_yaml(document));
        }
        self.add(path, text);
    }

    /// The files, sorted by path.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.files.iter().map(|(path, contents)| (path.as_str(), contents.as_str()))
    }

    /// The contents of `path`.
    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether nothing was rendered.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}

/// Serializes one value as a YAML document (no leading `---`).
pub fn to_yaml<T: Serialize>(value: &T) -> String {
    // Going through `serde_json::Value` drops the `None`s k8s-openapi already skips and keeps key order.
    let value = serde_json::to_value(value).expect("rendered objects serialize");
    serde_yaml_ng::to_string(&value).expect("JSON values serialize as YAML")
}
