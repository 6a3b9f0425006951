//! The rules about suppressions themselves, reported by the engine rather than checked against an
//! input: a suppression must say why, and stops working when it expires.

mod expired;
mod without_reason;

pub use expired::EXPIRED;
pub use without_reason::WITHOUT_REASON;
