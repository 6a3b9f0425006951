//! Golden snapshots: one per example × environment, every rendered file under a `--- path ---`
//! header (the environment's Terraform root included), and one of the Terraform modules, which are
//! the same for every example; and rendering twice gives byte-identical output.

mod common;

/// The files under `prefix`, each under a `--- path ---` header.
fn files_under(artifacts: &plinth_render::Artifacts, prefix: &str) -> String {
    let mut text = String::new();
    for (path, contents) in artifacts.iter().filter(|(path, _)| path.starts_with(prefix)) {
        text.push_str(&format!("--- {path} ---\n{contents}"));
    }
    text
}

#[test]
fn snapshots_of_every_example_and_environment() {
    for (example, platforms) in common::examples() {
        let artifacts = plinth_render::render(&platforms);
        for platform in &platforms {
            let text = files_under(&artifacts, &format!("environments/{}/", platform.environment.name));
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

#[test]
fn terraform_modules_are_the_same_for_every_example() {
    let mut modules: Vec<(String, String)> = common::examples()
        .into_iter()
        .map(|(example, platforms)| (example, files_under(&plinth_render::render(&platforms), "terraform/modules/")))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    let (first, text) = modules.remove(0);
    for (example, other) in &modules {
        assert!(other == &text, "terraform/modules of {example} differ from {first}'s: modules must be generic");
    }
    insta::assert_snapshot!("terraform-modules", text);
}
