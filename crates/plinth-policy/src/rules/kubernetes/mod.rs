//! The Kubernetes rules (research `policy-anchors.md` §2a), one file per rule.

use crate::kubernetes::KubernetesRule;

/// Every Kubernetes rule, in id order.
pub const RULES: &[KubernetesRule] = &[];
