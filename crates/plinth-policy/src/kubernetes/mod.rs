//! Kubernetes inputs: one object of a (multi-document) YAML file, with the pod template of every
//! workload kind found the same way, and the shape of a Kubernetes rule.

mod object;

pub use object::{Container, Object, PodSpec};

use crate::rule::{Hit, RuleDoc};

/// A rule over one Kubernetes object.
#[derive(Debug, Clone, Copy)]
pub struct KubernetesRule {
    /// Identity and documentation.
    pub doc: RuleDoc,
    /// Pushes one [`Hit`] per violation found in the object.
    pub check: fn(&Object<'_>, &mut Vec<Hit>),
}
