//! Golden snapshots: one per example × environment, every rendered file under a `--- path ---`
//! header; and rendering twice gives byte-identical output.

mod common;

#[test]
fn snapshots_of_every_example_and_environment() {
    for (example, platforms) in common::examples() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let prefix = format!("environments/{}/", platform.environment.name);
            let mut text = String::new();
            for (path, contents) in artifacts.iter().filter(|(path, _)| path.starts_with(&prefix)) {
                text.push_str(&format!("--- {path} ---\n{contents}"));
            }
            if text.is_empty() {
                continue;
            }
            insta::assert_snapshot!(format!("{example}__{}", platform.environment.name), text);
        }
        insta::assert_snapshot!(format!("{example}__README"), artifacts.get("README.md").unwrap());
    }
}

#[test]
fn rendering_is_deterministic() {
    for (example, platforms) in common::examples() {
        let first = plinth_render::render(&platforms);
        let source =
            std::fs::read_to_string(common::root().join("examples").join(&example).join("plinth.yaml")).unwrap();
        let again = plinth_render::render(&plinth_spec::compile(&source).platforms);
        assert_eq!(first, again, "{example} rendered differently twice");
    }
}
