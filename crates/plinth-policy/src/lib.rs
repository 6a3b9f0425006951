//! plinth-policy: production rules over the resolved spec and over infrastructure files
//! (Kubernetes, Terraform, docker compose, GitHub Actions, Dockerfiles), with findings located to
//! the line and column. Like the rest of the compile side it does no IO: callers pass file
//! contents in and get a [`Report`] back ([`check`]), as text, JSON or [`sarif`].

pub mod baseline;
pub mod catalog;
pub mod config;
pub mod dockerfile;
pub mod engine;
pub mod finding;
pub mod input;
pub mod kubernetes;
pub mod lines;
pub mod report;
pub mod rule;
pub mod rules;
pub mod sarif;
pub mod secrets;
pub mod spec;
pub mod suppression;
pub mod terraform;

pub use baseline::Baseline;
pub use config::Config;
pub use dockerfile::{Dockerfile, DockerfileRule, LineHit};
pub use engine::{MAX_BYTES, Options, called_modules, check, check_directory, check_module_calls, finish};
pub use finding::{Finding, Severity};
pub use report::{InputError, Report, Suppressed};
pub use rule::{DocumentRule, Hit, RuleDoc, Target};
pub use sarif::sarif;
