//! Search Spaces: the v2 space list has no name filter, so the connector walks the
//! list (filtered by keys, type and status upstream) and matches names itself.

use crate::bindings::integration::connector::types::Output;
use crate::catalog::Action;
use crate::errors::Error;
use crate::exec::{Ctx, build, json_output};
use crate::http::parse_json;
use crate::input::Args;
use crate::paging::{next_link, resolve_next};
use crate::platform::Method;
use serde_json::{Value, json};
use std::collections::HashSet;

/// Lists spaces page by page (250 at a time) and keeps those whose name contains `title`.
pub fn search_spaces(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let needle = args.str("title").map(str::to_lowercase);
    let max = args.int("max-results").unwrap_or(100).max(1) as usize;
    let (first, _) = build(&ctx.client, action, args)?;
    let mut url = format!(
        "{first}{}limit=250",
        if first.contains('?') { '&' } else { '?' }
    );
    let mut seen = HashSet::new();
    let mut found = Vec::new();
    let mut status;
    loop {
        seen.insert(url.clone());
        let response = ctx.client.send_json(Method::Get, &url, None)?;
        status = response.status;
        let body = parse_json(&response)?;
        for space in body
            .get("results")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let name = space
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_lowercase();
            if needle.as_deref().is_none_or(|n| name.contains(n)) {
                found.push(space.clone());
            }
        }
        if found.len() >= max {
            found.truncate(max);
            break;
        }
        let Some(next) = next_link(&response, &body) else {
            break;
        };
        let next_url = resolve_next(&ctx.client, &next)?;
        if !seen.insert(next_url.clone()) {
            break;
        }
        url = next_url;
    }
    Ok(json_output(status, &json!({ "results": found })))
}
