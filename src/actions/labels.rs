//! Get Pages by Label (resolve the name, then list its pages) and Add Labels
//! (the v1 body is a list built from the names).

use crate::bindings::integration::connector::types::Output;
use crate::errors::{Error, UpstreamError};
use crate::input::{Args, is_token};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::{build, build_at, json_output, passthrough, send_built};
use connector_sdk::platform::Method;
use serde_json::{Value, json};

/// Looks the label up by name (v1 `GET /wiki/rest/api/label`), then lists its
/// pages (v2 `GET /labels/{id}/pages`). A name Confluence does not know gives
/// an empty list.
pub fn pages_by_label(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let name = args.str("label").unwrap_or_default().trim().to_string();
    let lookup = ctx.client.url(
        "/wiki/rest/api/label",
        &[("name".into(), name.clone()), ("limit".into(), "1".into())],
    );
    let details = match ctx.client.get_json(&lookup) {
        Ok((_, details)) => details,
        Err(Error::NotFound(_)) => return Ok(no_pages(args)),
        Err(other) => return Err(other),
    };
    let id = match details.pointer("/label/id") {
        None | Some(Value::Null) => return Ok(no_pages(args)),
        Some(Value::String(id)) => id.clone(),
        Some(other) => other.to_string(),
    };
    if !is_token(&id) {
        return Err(Error::Upstream(UpstreamError {
            status: 200,
            message: format!(
                "Confluence answered the label lookup for `{name}` with an unusable id"
            ),
        }));
    }
    let (url, body) = build_at(&ctx.client, action, args, &[("id", &id)])?;
    send_built(ctx, action, args, &url, body.as_ref())
}

/// The answer for a label that does not exist: an empty page, or with
/// `fetch-all` an empty complete list, as a list with no pages would be.
fn no_pages(args: &Args) -> Output {
    if args.flag("fetch-all") {
        json_output(200, &json!({"results": [], "truncated": false}))
    } else {
        json_output(200, &json!({"results": [], "_links": {}}))
    }
}

/// Adds the labels, all with one prefix, in one v1 call.
pub fn add_labels(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let prefix = args
        .get_or_default("prefix")
        .and_then(Value::as_str)
        .unwrap_or("global")
        .to_string();
    let names: Vec<String> = args
        .get("labels")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(str::to_string)
        .collect();
    let body: Vec<Value> = names
        .iter()
        .map(|name| json!({"prefix": prefix, "name": name}))
        .collect();
    let (url, _) = build(&ctx.client, action, args)?;
    let response = ctx
        .client
        .send_json(Method::Post, &url, Some(&Value::Array(body)))?;
    passthrough(&ctx.client, &response)
}
