//! Every example under `examples/` compiles without errors.

#[test]
fn examples_compile() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path().join("plinth.yaml");
        let source = std::fs::read_to_string(&path).unwrap();
        let compiled = plinth_spec::compile(&source);
        let errors: Vec<String> = compiled
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{:?} {}", d.span.line_col(&source), d.message))
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        assert!(!compiled.platforms.is_empty());
    }
}
