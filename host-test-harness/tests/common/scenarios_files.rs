//! The fixture scenarios of attachments, content properties and blog posts.

use super::*;

/// Every fixture of this group with the call that uses all of its entries.
pub const SCENARIOS: &[Scenario] = &[];
