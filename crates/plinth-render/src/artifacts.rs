//! The rendered files: relative paths to contents, kept sorted so output order is stable.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

/// Rendered files by relative path (always `/`-separated).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Artifacts {
    files: BTreeMap<String, String>,
    executables: BTreeSet<String>,
}

impl Artifacts {
    /// Adds a text file.
    pub fn add(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let path = path.into();
        debug_assert!(!path.starts_with('/') && !path.split('/').any(|s| s == ".."), "artifact path escapes: {path}");
        self.files.insert(path, contents.into());
    }

    /// Adds a script, to be written executable.
    pub fn add_executable(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let path = path.into();
        self.executables.insert(path.clone());
        self.add(path, contents);
    }

    /// Whether `path` is to be written executable.
    pub fn is_executable(&self, path: &str) -> bool {
        self.executables.contains(path)
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
    quote_yaml11_booleans(&serde_yaml_ng::to_string(&value).expect("JSON values serialize as YAML"))
}

/// The plain scalars YAML 1.1 reads as booleans. serde_yaml_ng writes YAML 1.2, where they are
/// strings, but many consumers (PyYAML in docker-compose and Checkov, Ruby, older Go libraries)
/// read `NODE_ENV: on` as `true`.
const YAML11_BOOLEANS: &[&str] =
    &["y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF"];

/// Single-quotes string values serde_yaml_ng left plain that YAML 1.1 would read as booleans.
/// Only values are touched (never keys, never the lines of a `|` or `>` block scalar); every other
/// scalar serde_yaml_ng already quotes when it could be misread.
fn quote_yaml11_booleans(yaml: &str) -> String {
    let mut out = String::with_capacity(yaml.len());
    let mut block_indent: Option<usize> = None;
    for line in yaml.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        let indent = body.len() - body.trim_start().len();
        if block_indent.is_some_and(|block| indent > block || body.trim().is_empty()) {
            out.push_str(line);
            continue;
        }
        block_indent = None;
        let (prefix, value) = split_value(body);
        if value.starts_with('|') || value.starts_with('>') {
            block_indent = Some(indent);
        }
        if YAML11_BOOLEANS.contains(&value) {
            out.push_str(prefix);
            out.push('\'');
            out.push_str(value);
            out.push('\'');
            out.push_str(&line[body.len()..]);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Splits a block-style line into what precedes its value (indentation, `- ` markers, `key: `) and
/// the value (empty when the line opens a nested mapping or sequence).
fn split_value(line: &str) -> (&str, &str) {
    let mut start = line.len() - line.trim_start().len();
    while line[start..].starts_with("- ") {
        start += 2;
    }
    let rest = &line[start..];
    let key_end = match rest.chars().next() {
        Some(quote @ ('\'' | '"')) => closing_quote(rest, quote).map(|end| end + 1),
        _ => rest.find(": ").or_else(|| rest.ends_with(':').then_some(rest.len() - 1)),
    };
    match key_end.filter(|&end| rest[end..].starts_with(':')) {
        Some(end) => {
            let value_start = start + end + 1 + usize::from(rest[end + 1..].starts_with(' '));
            (&line[..value_start], &line[value_start..])
        }
        None => (&line[..start], rest),
    }
}

/// The byte offset of the quote closing the scalar `text` opens with `quote` (`''` and `\"` are
/// escapes inside single- and double-quoted scalars).
fn closing_quote(text: &str, quote: char) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut idx = 1;
    while idx < bytes.len() {
        match bytes[idx] {
            b'\\' if quote == '"' => idx += 1,
            b'\'' if quote == '\'' && bytes.get(idx + 1) == Some(&b'\'') => idx += 1,
            byte if byte == quote as u8 => return Some(idx),
            _ => {}
        }
        idx += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::to_yaml;

    #[test]
    fn yaml11_booleans_are_quoted_as_values_only() {
        let value = json!({
            "on": { "push": "yes" },
            "env": { "A": "on", "B": "No", "C": "yesterday", "D": true },
            "list": ["off", "y", { "k": "n" }],
            "script": "yes\nno\n",
            "'q": "ON",
            "a: b": "off",
        });
        let yaml = to_yaml(&value);
        assert!(yaml.contains("on:\n  push: 'yes'\n"), "{yaml}");
        assert!(yaml.contains("A: 'on'\n  B: 'No'\n  C: yesterday\n  D: true\n"), "{yaml}");
        assert!(yaml.contains("- 'off'\n- 'y'\n- k: 'n'\n"), "{yaml}");
        assert!(yaml.contains("script: |\n  yes\n  no\n"), "{yaml}");
        assert!(yaml.contains("'''q': 'ON'\n"), "{yaml}");
        assert!(yaml.contains("'a: b': 'off'\n"), "{yaml}");
        let back: serde_json::Value = serde_yaml_ng::from_str(&yaml).unwrap();
        assert_eq!(back, value);
    }
}
