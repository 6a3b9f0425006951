//! plinth-render: backends that turn resolved [`Platform`]s into artifact files.
//!
//! Each backend is a module with a pure `render(&Platform, &mut Artifacts)`; [`render`] runs them
//! all for every environment. Output is deterministic: the same platforms give byte-identical
//! [`Artifacts`]. Nothing here touches the filesystem; the binary writes the files.

mod artifacts;
pub mod compose;
pub mod github;
pub mod grafana;
pub mod kubernetes;
pub mod monitoring;
pub mod nginx;
mod readme;
pub mod runbooks;
mod suppression;
pub mod terraform;

pub use artifacts::Artifacts;
use plinth_spec::model::{Platform, Runtime};

/// Renders every backend for every platform (one platform per environment).
pub fn render(platforms: &[Platform]) -> Artifacts {
    let mut artifacts = Artifacts::default();
    for platform in platforms {
        monitoring::render(platform, &mut artifacts);
        grafana::render(platform, &mut artifacts);
        runbooks::render(platform, &mut artifacts);
        if platform.environment.runtime == Runtime::Kubernetes {
            kubernetes::render(platform, &mut artifacts);
        }
        if platform.environment.runtime == Runtime::Local {
            compose::render(platform, &mut artifacts);
            nginx::render(platform, &mut artifacts);
        }
    }
    terraform::render(platforms, &mut artifacts);
    github::render(platforms, &mut artifacts);
    readme::render(platforms, &mut artifacts);
    artifacts
}
