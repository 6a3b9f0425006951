//! The actions the workflows use, each pinned to a full commit SHA with its release in a comment.
//!
//! **How they were verified** (offline, no GitHub API): every SHA below was found, with the same
//! version comment, in the workflows of at least two independent public repositories (an exact
//! search over public GitHub sources); SHAs seen with conflicting version comments were not used.
//! Tools that need no action run from the runner image (`aws`, `kubectl`, `rustup`) or are fetched
//! at a pinned version (Go and Cargo tools through their checksummed module/crate registries).
//! Update the table as a whole, e.g. with Dependabot's `github-actions` ecosystem, which reads the
//! `# vX.Y.Z` comments.

/// An action pinned to a commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Action {
    /// `owner/name`.
    pub name: &'static str,
    /// The full 40-hex commit SHA.
    pub sha: &'static str,
    /// The release that commit is tagged with.
    pub version: &'static str,
}

impl Action {
    /// The `uses:` value, `owner/name@<sha>` (the version comment is added when the file is written).
    pub fn uses(&self) -> String {
        format!("{}@{}", self.name, self.sha)
    }
}

/// Checks out the repository.
pub const CHECKOUT: Action =
    Action { name: "actions/checkout", sha: "11bd71901bbe5b1630ceea73d27597364c9af683", version: "v4.2.2" };
/// Node.js.
pub const SETUP_NODE: Action =
    Action { name: "actions/setup-node", sha: "49933ea5288caeca8642d1e84afbd3f7d6820020", version: "v4.4.0" };
/// Python.
pub const SETUP_PYTHON: Action =
    Action { name: "actions/setup-python", sha: "a26af69be951a213d495a4c3e4e4022e16d87065", version: "v5.6.0" };
/// Go.
pub const SETUP_GO: Action =
    Action { name: "actions/setup-go", sha: "d35c59abb061a4a6fb18e82ac0862c26744d6ab5", version: "v5.5.0" };
/// Java (Temurin).
pub const SETUP_JAVA: Action =
    Action { name: "actions/setup-java", sha: "c5195efecf7bdfc987ee8bae7a71cb8b11521c00", version: "v4.7.1" };
/// Uploads the coverage report.
pub const UPLOAD_ARTIFACT: Action =
    Action { name: "actions/upload-artifact", sha: "ea165f8d65b6e75b540449e92b4886f43607fa02", version: "v4.6.2" };
/// Fails a pull request that adds a vulnerable dependency.
pub const DEPENDENCY_REVIEW: Action = Action {
    name: "actions/dependency-review-action",
    sha: "3b139cfc5fae8b618d3eae3675e383bb1769c019",
    version: "v4.5.0",
};
/// Buildx, for the GitHub Actions layer cache.
pub const SETUP_BUILDX: Action =
    Action { name: "docker/setup-buildx-action", sha: "e468171a9de216ec08956ac3ada2f0791b6bd435", version: "v3.11.1" };
/// Registry login (ghcr.io and other registries).
pub const DOCKER_LOGIN: Action =
    Action { name: "docker/login-action", sha: "74a5d142397b4f367a81961eba4e8cd7edddf772", version: "v3.4.0" };
/// Image tags and OCI labels.
pub const DOCKER_METADATA: Action =
    Action { name: "docker/metadata-action", sha: "902fa8ec7d6ecbf8d84d538b9b233a880e428804", version: "v5.7.0" };
/// Builds the image.
pub const DOCKER_BUILD_PUSH: Action =
    Action { name: "docker/build-push-action", sha: "263435318d21b8e681c14492fe198d362a7d2c83", version: "v6.18.0" };
/// Scans the built image.
pub const TRIVY: Action =
    Action { name: "aquasecurity/trivy-action", sha: "18f2510ee396bbf400402947b394f2dd8c87dbb0", version: "0.29.0" };
/// AWS credentials through GitHub's OIDC token (`role-to-assume`).
pub const AWS_CREDENTIALS: Action = Action {
    name: "aws-actions/configure-aws-credentials",
    sha: "e3dd6a429d7300a6a4c196c26e071d42e0343502",
    version: "v4.0.2",
};
/// ECR login with those credentials.
pub const ECR_LOGIN: Action =
    Action { name: "aws-actions/amazon-ecr-login", sha: "062b18b96a7aff071d4dc91bc00c4c1a7945b076", version: "v2.0.1" };
/// Terraform.
pub const SETUP_TERRAFORM: Action =
    Action { name: "hashicorp/setup-terraform", sha: "b9cd54a3c349d3f38e8881555d616ced269862dd", version: "v3.1.2" };

/// Every pinned action.
pub const ALL: [Action; 15] = [
    CHECKOUT,
    SETUP_NODE,
    SETUP_PYTHON,
    SETUP_GO,
    SETUP_JAVA,
    UPLOAD_ARTIFACT,
    DEPENDENCY_REVIEW,
    SETUP_BUILDX,
    DOCKER_LOGIN,
    DOCKER_METADATA,
    DOCKER_BUILD_PUSH,
    TRIVY,
    AWS_CREDENTIALS,
    ECR_LOGIN,
    SETUP_TERRAFORM,
];

/// `text` with `# <version>` after every pinned `uses:` line.
pub fn annotate(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 256);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        match ALL.iter().find(|action| body.ends_with(&format!("uses: {}", action.uses()))) {
            Some(action) => {
                out.push_str(body);
                out.push_str(" # ");
                out.push_str(action.version);
                out.push('\n');
            }
            None => out.push_str(line),
        }
    }
    out
}
