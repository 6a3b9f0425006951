//! The `# expect: RULE` markers of a fixture, the findings it must produce. The same syntax in
//! every format whose comments start with `#` (YAML, Dockerfile, HCL): a marker after the code of
//! a line expects findings on that line; a marker alone on its line (Dockerfile comments cannot
//! follow an instruction) expects them on the next line. Several ids are separated by commas or
//! spaces.

use std::collections::BTreeSet;

/// The `(rule, 1-based line)` pairs the `# expect:` markers of `source` announce.
pub fn expected(source: &str) -> BTreeSet<(String, usize)> {
    let mut out = BTreeSet::new();
    for (idx, line) in source.lines().enumerate() {
        let Some((code, ids)) = line.split_once("# expect:") else { continue };
        let line = if code.trim().is_empty() { idx + 2 } else { idx + 1 };
        out.extend(ids.split([',', ' ']).filter(|id| !id.is_empty()).map(|id| (id.to_owned(), line)));
    }
    out
}

#[test]
fn markers_after_code_and_on_their_own_line() {
    let source = "a: 1 # expect: PL-A-001\n# expect: PL-B-001, PL-B-002\nRUN x\nb: 2 # expect: PL-A-001 PL-A-002\n";
    let want = [("PL-A-001", 1), ("PL-B-001", 3), ("PL-B-002", 3), ("PL-A-001", 4), ("PL-A-002", 4)];
    assert_eq!(expected(source), want.iter().map(|(id, line)| ((*id).to_owned(), *line)).collect());
}
