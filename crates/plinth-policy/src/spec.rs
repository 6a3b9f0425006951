//! The shape of a rule over the resolved spec: it sees one environment's [`Platform`] and points at
//! the place in `plinth.yaml` that decides the weakness.

use plinth_spec::model::Platform;

use crate::rule::{Hit, RuleDoc};

/// A rule over one environment of the resolved spec. Hits carry JSON pointers into the spec's base
/// document (`/services/api/replicas`); the engine prefers the environment's override of the same
/// field when one is written (`/environments/production/overrides/services/api/replicas`).
#[derive(Debug, Clone, Copy)]
pub struct SpecRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`Hit`] per violation found in the environment.
    pub check: fn(&Platform, &mut Vec<Hit>),
}
