//! plinth-cost: the monthly cost of each environment, priced from the same resolved model the
//! Terraform backend renders.
//!
//! [`PriceBook::parse`] reads a price file's text (`prices/aws.yaml`: every price with its region,
//! unit, source, date and status, and the usage assumptions); [`estimate()`] prices one
//! [`Platform`](plinth_spec::model::Platform) line by line, nodes sized by
//! [`plinth_spec::capacity`]; [`report`] writes estimates as text or Markdown and compares
//! environments. Missing prices are reported, never invented. No IO: the caller reads the files.

pub mod estimate;
pub mod prices;
pub mod report;

pub use estimate::{Estimate, Group, Line, NOT_COUNTED, PriceStatus, Range, estimate};
pub use prices::{Price, PriceBook, PriceFileError, Status, Usage};
pub use report::{Comparison, compare, markdown, text};

/// The repository's price file (`prices/aws.yaml`), built in so that every caller — `plinth cost`,
/// the report `plinth render` writes, `plinth check`'s budget rule — prices alike and works anywhere.
pub const BUILT_IN_PRICES: &str = include_str!("../../../prices/aws.yaml");
