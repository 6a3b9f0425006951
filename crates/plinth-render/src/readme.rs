//! `README.md` at the top of the output: what was rendered and how to apply it.

use std::fmt::Write;

use plinth_spec::model::{Platform, Runtime};

use crate::Artifacts;

/// Writes the output's README.
pub fn render(platforms: &[Platform], artifacts: &mut Artifacts) {
    let Some(first) = platforms.first() else { return };
    let mut text = format!("# {} — rendered by plinth\n\n", first.name);
    if let Some(description) = &first.description {
        let _ = writeln!(text, "{description}\n");
    }
    text.push_str("Everything here is generated from `plinth.yaml`; edit the spec and run `plinth render`, never these files.\n\n");
    text.push_str("| environment | stage | runtime | services | apply |\n| --- | --- | --- | --- | --- |\n");
    for platform in platforms {
        let env = &platform.environment;
        let apply = match env.runtime {
            Runtime::Kubernetes => format!("`kubectl apply -k environments/{}/kubernetes`", env.name),
            Runtime::Local => format!("`plinth up --env {}`", env.name),
        };
        let _ = writeln!(
            text,
            "| {} | {:?} | {:?} | {} | {apply} |",
            env.name,
            env.stage,
            env.runtime,
            platform.services.len()
        );
    }
    text.push_str("\nFiles:\n\n");
    let mut paths: Vec<String> = artifacts.iter().map(|(path, _)| format!("- `{path}`\n")).collect();
    paths.push("- `README.md`\n".to_owned());
    paths.sort();
    text.extend(paths);
    artifacts.add("README.md", text);
}
