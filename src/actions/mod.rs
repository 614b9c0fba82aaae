//! Handlers for the actions that do more than one table-described call.

mod attachments;
mod content;
mod labels;
mod markdown;
mod raw;
mod search;
mod spaces;

pub use attachments::{download_attachment, upload_attachment};
pub use content::update_versioned;
pub use labels::{add_labels, pages_by_label};
pub use markdown::{
    append_to_page, get_page_as_markdown, update_page_section, upsert_page_from_markdown,
};
pub use raw::{graphql_request, raw_request};
pub use search::search_pages;
pub use spaces::search_spaces;

/// What every `multipart/form-data` boundary the connector sends begins with
/// (the recorded uploads in the fixtures carry it).
pub const MULTIPART_BOUNDARY: &str = "confluence-connector-boundary-";
