//! From a rule's hit (a JSON pointer into a parsed document) to a finding at a line and column.

use plinth_spec::yaml::SpanMap;

use crate::finding::Finding;
use crate::lines::LineIndex;
use crate::rule::{Hit, RuleDoc};

/// The finding of `rule` for `hit` in the document whose nodes `spans` locates, in the file at
/// `path` indexed by `lines`; `object` names what it is about (empty when the file is one thing).
pub fn finding(path: &str, lines: &LineIndex<'_>, spans: &SpanMap, rule: &RuleDoc, hit: Hit, object: &str) -> Finding {
    let (line, column) = lines.position(offset(spans, &hit.pointer));
    Finding {
        path: path.to_owned(),
        line,
        column,
        rule: rule.id,
        severity: rule.severity,
        message: hit.message,
        object: object.to_owned(),
    }
}

/// The byte offset a pointer is reported at: the key of its deepest existing prefix (so a missing
/// field points at the mapping that lacks it), or the value when it has no key (array items).
fn offset(spans: &SpanMap, pointer: &str) -> usize {
    let mut pointer = pointer;
    while !spans.contains(pointer) {
        match pointer.rfind('/') {
            Some(idx) => pointer = &pointer[..idx],
            None => break,
        }
    }
    spans.key(pointer).start
}
