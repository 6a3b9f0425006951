//! Every rule, one file each, grouped by what it looks at.

pub mod compose;
pub mod dockerfile;
pub mod github;
pub mod kubernetes;
pub mod spec;
pub mod suppression;
pub mod terraform;
