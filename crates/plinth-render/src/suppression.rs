//! The suppressions plinth writes into its own output for findings of `plinth check` that are
//! deliberate: `plinth.dev/ignore` (comma-separated rule ids) with the reason in
//! `plinth.dev/ignore-reason`, as a Kubernetes object's annotations or a compose service's labels
//! (where the engine looks for them). A suppression always names the rule and says why, so the
//! accepted risk stays visible in review.

use std::collections::BTreeMap;

/// The annotation or label listing the silenced rule ids.
pub const IGNORE: &str = "plinth.dev/ignore";
/// The annotation or label giving the reason.
pub const IGNORE_REASON: &str = "plinth.dev/ignore-reason";

/// The annotations (or labels) silencing `rules` on one object, because `reason`.
pub fn ignore(rules: &[&str], reason: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(IGNORE.to_owned(), rules.join(",")), (IGNORE_REASON.to_owned(), reason.to_owned())])
}
