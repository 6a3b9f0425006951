//! plinth-spec: `plinth.yaml` → diagnostics and, per environment, one resolved [`model::Platform`].
//!
//! The pipeline ([`compile()`]): [`yaml`] parses with spans, [`schema`] checks the structure against
//! the JSON Schema generated from [`input`], [`overlay`] builds each environment's document, and
//! [`resolve`] applies every default, resolves every reference and checks the semantics.
//! Nothing here does IO, and user mistakes are [`Diagnostic`]s, never `Err` or panics.

pub mod alerting;
pub mod capacity;
pub mod compile;
pub mod diagnostic;
pub mod input;
pub mod links;
pub mod local;
pub mod model;
pub mod names;
pub mod overlay;
pub mod resolve;
pub mod schema;
pub mod telemetry;
pub mod units;
pub mod yaml;

pub use compile::{Compiled, compile};
pub use diagnostic::{Diagnostic, Severity, Span};
