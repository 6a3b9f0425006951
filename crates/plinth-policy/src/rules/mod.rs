//! Every rule, one file each, grouped by what it looks at.

pub mod kubernetes;
