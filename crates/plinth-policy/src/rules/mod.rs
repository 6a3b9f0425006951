//! Every rule, one file each, grouped by what it looks at.

pub mod compose;
pub mod github;
pub mod kubernetes;
pub mod spec;
pub mod suppression;
