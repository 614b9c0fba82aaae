//! Create Page and Update Page: the checks and the read-before-write that a
//! single table entry cannot express.

use crate::bindings::integration::connector::types::Output;
use crate::catalog::Action;
use crate::errors::{Error, invalid_input};
use crate::exec::{Ctx, build, passthrough, run};
use crate::input::Args;
use crate::platform::Method;
use serde_json::{Value, json};

/// Checks what Confluence would refuse less clearly, then creates the page.
pub fn create_page(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let draft = args.str("status") == Some("draft");
    if !draft && args.get("title").is_none() {
        return Err(invalid_input(
            "title",
            "`title` is required unless `status` is draft",
        ));
    }
    if args.flag("root-level") && args.get("parent-id").is_some() {
        return Err(invalid_input(
            "parent-id",
            "give either `parent-id` or `root-level`, not both",
        ));
    }
    run(ctx, action, args)
}

/// Fills in what the user left out from the current page (title, status, body,
/// version + 1), then sends the update. A 409 says which versions collided.
pub fn update_page(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let page_id = args.str("page-id").unwrap_or_default().to_string();
    let given_number = args
        .get("version")
        .and_then(|v| v.get("number"))
        .and_then(Value::as_u64);
    let needs_current = given_number.is_none()
        || ["title", "status", "body"]
            .iter()
            .any(|k| args.get(k).is_none());
    let mut current_version = None;
    if needs_current {
        let url = ctx.client.url(
            &format!("/wiki/api/v2/pages/{page_id}"),
            &[("body-format".into(), "storage".into())],
        );
        let (_, page) = ctx.client.get_json(&url)?;
        current_version = page.pointer("/version/number").and_then(Value::as_u64);
        if args.get("title").is_none()
            && let Some(title) = page.get("title").and_then(Value::as_str)
        {
            args.set("title", json!(title));
        }
        if args.get("status").is_none() {
            let status = match page.get("status").and_then(Value::as_str) {
                Some("draft") => "draft",
                _ => "current",
            };
            args.set("status", json!(status));
        }
        if args.get("body").is_none() {
            let storage = page
                .pointer("/body/storage/value")
                .and_then(Value::as_str)
                .unwrap_or_default();
            args.set(
                "body",
                json!({"representation": "storage", "value": storage}),
            );
        }
    }
    let number = match (given_number, current_version) {
        (Some(n), _) => n,
        (None, Some(current)) => current + 1,
        (None, None) => {
            return Err(Error::Upstream(crate::errors::UpstreamError {
                status: 200,
                message: format!(
                    "page {page_id} came back without a version number; give `version.number` yourself"
                ),
            }));
        }
    };
    let mut version = args.get("version").cloned().unwrap_or_else(|| json!({}));
    version["number"] = json!(number);
    args.set("version", version);
    let (url, body) = build(&ctx.client, action, args)?;
    let mut body = body.unwrap_or_else(|| json!({}));
    body["id"] = json!(page_id);
    match ctx.client.send_json(Method::Put, &url, Some(&body)) {
        Ok(response) => passthrough(&response),
        Err(Error::Conflict(upstream)) => {
            // Say which version the page is really at, reading it now if it was not read before.
            let current = current_version.or_else(|| {
                let url = ctx
                    .client
                    .url(&format!("/wiki/api/v2/pages/{page_id}"), &[]);
                ctx.client
                    .get_json(&url)
                    .ok()?
                    .1
                    .pointer("/version/number")?
                    .as_u64()
            });
            Err(Error::Conflict(format!(
                "version conflict on page {page_id}: sent version {number}{}; Confluence said: {upstream}. \
                 Leave `version.number` out to let the connector send the current version plus one.",
                current
                    .map(|c| format!(" while the page is at version {c}"))
                    .unwrap_or_default()
            )))
        }
        Err(other) => Err(other),
    }
}
