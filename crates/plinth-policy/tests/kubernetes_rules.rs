//! The Kubernetes rules against their fixtures (`tests/fixtures/kubernetes/<id>/{fail,pass}.yaml`)
//! and the catalogue's invariants. plinth's own render is checked through the engine, in
//! `crates/plinth/tests/check.rs`.
//!
//! A fixture line that must produce a finding ends with `# expect: PL-K8S-0NN`. Pointers are
//! mapped to lines here the way the spec's diagnostics are: the span of the value at the deepest
//! existing prefix of the pointer.

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use common::expect::expected;
use plinth_policy::kubernetes::Object;
use plinth_policy::rules::kubernetes::{RULES, SET_RULES};
use plinth_policy::{Hit, RuleDoc, Target};
use plinth_spec::yaml::{SpanMap, parse};
use serde_json::Value;

/// One YAML document of a multi-document file.
struct Document {
    /// The parsed document.
    value: Value,
    /// Where its nodes are, relative to `text`.
    spans: SpanMap,
    /// The document's own text.
    text: String,
    /// The 1-based line of the file its text starts on.
    first_line: usize,
}

/// One finding: rule, 1-based line, message.
type Found = (&'static str, usize, String);

/// The documents of a file split on `---` lines; documents holding only comments are skipped.
fn documents(source: &str) -> Vec<Document> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut first_line = 1;
    let lines: Vec<&str> = source.lines().collect();
    for (idx, line) in lines.iter().enumerate() {
        let separator = line.trim_end() == "---";
        if !separator {
            text.push_str(line);
            text.push('\n');
        }
        if separator || idx + 1 == lines.len() {
            let (value, spans, diagnostics) = parse(&text);
            if let Some(value) = value.filter(|_| diagnostics.is_empty()) {
                out.push(Document { value, spans, text: std::mem::take(&mut text), first_line });
            }
            text.clear();
            first_line = idx + 2;
        }
    }
    out
}

/// Every finding of every Kubernetes rule over the documents of one unit.
fn findings(documents: &[Document]) -> Vec<Found> {
    let objects: Vec<Object<'_>> = documents.iter().map(|d| Object::new(&d.value)).collect();
    let line = |idx: usize, hit: &Hit| {
        let document = &documents[idx];
        document.first_line + document.spans.value(&hit.pointer).line_col(&document.text).0 - 1
    };
    let mut out = Vec::new();
    for rule in RULES {
        for (idx, object) in objects.iter().enumerate() {
            let mut hits = Vec::new();
            (rule.check)(object, &mut hits);
            out.extend(hits.iter().map(|hit| (rule.doc.id, line(idx, hit), hit.message.clone())));
        }
    }
    for rule in SET_RULES {
        let mut hits = Vec::new();
        (rule.check)(&objects, &mut hits);
        out.extend(hits.iter().map(|(idx, hit)| (rule.doc.id, line(*idx, hit), hit.message.clone())));
    }
    out
}

/// Every rule's documentation, in id order.
fn docs() -> Vec<RuleDoc> {
    let mut docs: Vec<RuleDoc> = RULES.iter().map(|r| r.doc).chain(SET_RULES.iter().map(|r| r.doc)).collect();
    docs.sort_by_key(|d| d.id);
    docs
}

/// The fixture directory of a rule.
fn fixtures(id: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubernetes").join(id)
}

#[test]
fn every_rule_fails_its_failing_fixture_exactly_and_passes_its_passing_one() {
    let mut failures = Vec::new();
    for doc in docs() {
        let dir = fixtures(doc.id);
        let (Ok(fail), Ok(pass)) =
            (fs::read_to_string(dir.join("fail.yaml")), fs::read_to_string(dir.join("pass.yaml")))
        else {
            failures.push(format!("{}: missing fail.yaml or pass.yaml in {}", doc.id, dir.display()));
            continue;
        };
        let want = expected(&fail);
        if want.is_empty() || want.iter().any(|(id, _)| id != doc.id) {
            failures.push(format!("{}: fail.yaml must expect findings of {} and of no other rule", doc.id, doc.id));
        }
        let found = findings(&documents(&fail));
        let got: BTreeSet<(String, usize)> =
            found.iter().filter(|f| f.0 == doc.id).map(|f| (f.0.to_owned(), f.1)).collect();
        if got != want {
            let messages: Vec<String> =
                found.iter().filter(|f| f.0 == doc.id).map(|f| format!("  line {}: {}", f.1, f.2)).collect();
            failures.push(format!(
                "{}: fail.yaml expected lines {:?}, found {:?}\n{}",
                doc.id,
                want.iter().map(|w| w.1).collect::<Vec<_>>(),
                got.iter().map(|g| g.1).collect::<Vec<_>>(),
                messages.join("\n")
            ));
        }
        for (_, line, message) in findings(&documents(&pass)).into_iter().filter(|f| f.0 == doc.id) {
            failures.push(format!("{}: pass.yaml line {line}: {message}", doc.id));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_catalogue_is_complete_and_documented() {
    let docs = docs();
    let ids: Vec<String> = docs.iter().map(|d| d.id.to_owned()).collect();
    let sequential: Vec<String> = (1..=docs.len()).map(|n| format!("PL-K8S-{n:03}")).collect();
    assert_eq!(ids, sequential, "ids are unique and sequential");
    assert_eq!(docs.len(), 42, "every check of policy-anchors.md §2a");
    let names: BTreeSet<&str> = docs.iter().map(|d| d.name).collect();
    assert_eq!(names.len(), docs.len(), "names are unique");
    let tools = ["checkov", "kube-linter", "kube-score", "polaris", "trivy", "kubescape"];
    for doc in &docs {
        assert_eq!(doc.target, Target::Kubernetes, "{}", doc.id);
        assert!(
            doc.name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{}: kebab-case name",
            doc.id
        );
        assert!(!doc.summary.is_empty() && !doc.summary.ends_with('.'), "{}: one-line summary", doc.id);
        assert!(!doc.equivalents.is_empty(), "{}: at least one equivalent", doc.id);
        for equivalent in doc.equivalents {
            let (tool, id) = equivalent.split_once(':').unwrap_or_default();
            assert!(tools.contains(&tool) && !id.is_empty(), "{}: equivalent {equivalent} is tool:id", doc.id);
        }
        let mut at = 0;
        for heading in ["## Why\n", "## Fix\n", "```yaml\n", "## References\n"] {
            let found = doc.doc[at..].find(heading).map(|idx| at + idx);
            assert!(found.is_some(), "{}: the doc has {heading:?} after what precedes it", doc.id);
            at = found.unwrap_or(at);
        }
    }
}

#[test]
fn a_hardened_application_passes_every_rule() {
    let source =
        fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/kubernetes/hardened.yaml"))
            .expect("hardened.yaml");
    let found: Vec<String> =
        findings(&documents(&source)).iter().map(|f| format!("{} line {}: {}", f.0, f.1, f.2)).collect();
    assert!(found.is_empty(), "{}", found.join("\n"));
}
