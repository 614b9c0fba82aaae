//! The fixture scenarios of Raw Request and Raw GraphQL Request.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[];
