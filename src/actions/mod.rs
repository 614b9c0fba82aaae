//! Handlers for the actions that do more than one table-described call.

mod pages;
mod spaces;

pub use pages::{create_page, update_page};
pub use spaces::search_spaces;
