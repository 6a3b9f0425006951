//! plinth-policy: production rules over the resolved spec and over infrastructure files
//! (Kubernetes, Terraform, docker compose, GitHub Actions, Dockerfiles), with findings located to
//! the line and column. Like the rest of the compile side it does no IO: callers pass file
//! contents in and get findings back.

pub mod finding;
pub mod kubernetes;
pub mod rule;
pub mod rules;

pub use finding::{Finding, Severity};
pub use rule::{DocumentRule, Hit, RuleDoc, Target};
