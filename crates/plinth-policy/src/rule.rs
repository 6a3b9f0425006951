//! What every rule declares about itself, and what a rule's check returns.

/// The kind of input a rule looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Target {
    /// Kubernetes objects (multi-document YAML), pod templates included.
    Kubernetes,
    /// Terraform (HCL).
    Terraform,
    /// docker compose files.
    Compose,
    /// GitHub Actions workflows.
    GithubActions,
    /// Dockerfiles.
    Dockerfile,
    /// The resolved `plinth.yaml`.
    Spec,
    /// Suppressions themselves (comments, annotations, the config file), in any format.
    Suppressions,
}

impl Target {
    /// The name shown by `--list-rules` (`kubernetes`, `github-actions`).
    pub fn as_str(self) -> &'static str {
        match self {
            Target::Kubernetes => "kubernetes",
            Target::Terraform => "terraform",
            Target::Compose => "compose",
            Target::GithubActions => "github-actions",
            Target::Dockerfile => "dockerfile",
            Target::Spec => "spec",
            Target::Suppressions => "suppressions",
        }
    }
}

/// A rule's identity and documentation (`plinth check --list-rules`, `--explain`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleDoc {
    /// Stable id: `PL-K8S-001`, `PL-TF-001`, `PL-COMPOSE-001`, `PL-GHA-001`, `PL-DOCKER-001`, `PL-SPEC-001`.
    pub id: &'static str,
    /// Short kebab-case name (`run-as-non-root`).
    pub name: &'static str,
    /// Severity of its findings.
    pub severity: Severity,
    /// What it looks at.
    pub target: Target,
    /// One line: what it requires.
    pub summary: &'static str,
    /// Markdown: what, why, how to fix, references.
    pub doc: &'static str,
    /// The incumbents' ids for the same check (`checkov:CKV_K8S_23`, `kube-linter:run-as-non-root`,
    /// `kube-score:…`, `polaris:…`, `trivy:KSV-0012`, `kubescape:C-0013`, `hadolint:DL3002`…).
    pub equivalents: &'static [&'static str],
}

use crate::Severity;

/// One place a rule's check found broken: a JSON pointer into the document it was given (for
/// YAML inputs; the engine turns it into line and column) and a message naming the object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// JSON pointer (`/spec/template/spec/containers/0/securityContext`); the deepest existing
    /// prefix locates the finding, so a missing field points at its parent.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl Hit {
    /// A hit at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Hit { pointer: pointer.into(), message: message.into() }
    }
}

/// A rule over one whole YAML document of a format without objects of its own kind: a docker
/// compose file or a GitHub Actions workflow.
#[derive(Debug, Clone, Copy)]
pub struct DocumentRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`Hit`] per violation found in the document.
    pub check: fn(&serde_json::Value, &mut Vec<Hit>),
}
