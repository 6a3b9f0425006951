//! What every rule test shares, whatever the target: reading a fixture's `# expect:` markers.

pub mod expect;
