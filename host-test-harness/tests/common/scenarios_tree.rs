//! The fixture scenarios of the page tree, labels, comments and search.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[];
