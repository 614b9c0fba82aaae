//! Search Spaces: the v2 space list has no name filter, so the connector walks the
//! list (filtered by keys, type and status upstream) and matches names itself.

use crate::bindings::integration::connector::types::Output;
use crate::errors::Error;
use crate::input::Args;
use crate::paging::{Flow, field_text, walk};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::{build, json_output};
use serde_json::json;
use serde_json::value::RawValue;

/// Lists spaces page by page (250 at a time) and keeps those whose name contains `title`.
pub fn search_spaces(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let needle = args.str("title").map(str::to_lowercase);
    let max = usize::try_from(args.int("max-results").unwrap_or(100).max(1)).unwrap_or(usize::MAX);
    let (first, _) = build(&ctx.client, action, args)?;
    let url = format!(
        "{first}{}limit=250",
        if first.contains('?') { '&' } else { '?' }
    );
    let mut found: Vec<Box<RawValue>> = Vec::new();
    let walked = walk(&ctx.client, &url, |page| {
        for space in page {
            let name = field_text(space, &["name"])
                .unwrap_or_default()
                .to_lowercase();
            if found.len() < max && needle.as_deref().is_none_or(|n| name.contains(n)) {
                found.push((*space).to_owned());
            }
        }
        if found.len() >= max {
            Flow::Stop
        } else {
            Flow::Continue
        }
    })?;
    Ok(json_output(walked.status, &json!({ "results": found })))
}
