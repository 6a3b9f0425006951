//! Any text, however broken, gives diagnostics and never a panic: every example cut at every line
//! and at every 7th byte, and with every line's indentation shifted, is compiled.

fn examples() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut sources: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| std::fs::read_to_string(e.unwrap().path().join("plinth.yaml")).unwrap())
        .collect();
    sources.sort();
    sources
}

#[test]
fn truncated_specs_never_panic() {
    for source in examples() {
        for (idx, _) in source.char_indices().step_by(7) {
            let compiled = plinth_spec::compile(&source[..idx]);
            if compiled.has_errors() {
                assert!(compiled.platforms.is_empty());
                for d in &compiled.diagnostics {
                    assert!(d.span.end <= idx, "span {:?} outside the text", d.span);
                }
            }
        }
    }
}

#[test]
fn mangled_lines_never_panic() {
    for source in examples() {
        let lines: Vec<&str> = source.lines().collect();
        for idx in 0..lines.len() {
            for mangle in
                [|l: &str| format!(" {l}"), |l: &str| l.replacen(':', "", 1), |l: &str| l.replacen(' ', "\t", 1)]
            {
                let mut copy: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
                copy[idx] = mangle(lines[idx]);
                let text = copy.join("\n");
                let compiled = plinth_spec::compile(&text);
                for d in &compiled.diagnostics {
                    assert!(d.span.start <= d.span.end && d.span.end <= text.len());
                }
            }
        }
    }
}
