//! Updating versioned content: the read-before-write that a single table entry
//! cannot express, shared by pages, blog posts, footer comments and content
//! properties.

use crate::bindings::integration::connector::types::Output;
use crate::errors::{Error, UpstreamError};
use crate::http::with_query;
use crate::input::{Args, Target};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::{build, passthrough};
use connector_sdk::platform::Method;
use serde_json::{Value, json};

/// The body fields an update may leave out, which the connector then copies
/// from the current item.
const CARRIED: [&str; 4] = ["title", "status", "body", "key"];

/// Whether `action` can send body field `field` (a `key` travels inside a property body).
fn sends(action: &Action, field: &str) -> bool {
    action.params.iter().any(|p| match (p.target, p.kind) {
        (Target::Body(name), _) => name == field,
        (_, kind) if crate::input::is_property(kind) => field == "key",
        _ => false,
    })
}

/// The current item's value of a carried field, in the form an update sends it.
fn carried_value(field: &str, current: &Value) -> Option<Value> {
    match field {
        "status" => Some(json!(match current.get("status").and_then(Value::as_str) {
            Some("draft") => "draft",
            _ => "current",
        })),
        "body" => Some(json!({
            "representation": "storage",
            "value": current.pointer("/body/storage/value").and_then(Value::as_str).unwrap_or_default(),
        })),
        other => current.get(other).filter(|v| !v.is_null()).cloned(),
    }
}

/// Every update of versioned content (pages, blog posts, footer comments,
/// content properties): fills what the user left out from the current item
/// (title, status, body, key) and, without a version number, sends the current
/// version plus one. A 409 says which versions collided.
pub fn update_versioned(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let (url, body) = build(&ctx.client, action, args)?;
    let mut body = body.unwrap_or_else(|| json!({}));
    let item_url = url.split('?').next().unwrap_or(&url).to_string();
    let (id_key, id) = action
        .params
        .iter()
        .rev()
        .find_map(|p| match p.target {
            Target::Path(_) => Some((p.key, args.str(p.key).unwrap_or_default().to_string())),
            _ => None,
        })
        .unwrap_or(("id", String::new()));
    let missing: Vec<&str> = CARRIED
        .into_iter()
        .filter(|f| sends(action, f) && body.get(*f).is_none())
        .collect();
    let given = body.pointer("/version/number").and_then(Value::as_u64);
    let mut current_version = None;
    if given.is_none() || !missing.is_empty() {
        let query: &[(String, String)] = if missing.contains(&"body") {
            &[("body-format".to_string(), "storage".to_string())]
        } else {
            &[]
        };
        let (_, current) = ctx.client.get_json(&with_query(&item_url, query))?;
        current_version = current.pointer("/version/number").and_then(Value::as_u64);
        for field in &missing {
            if let Some(value) = carried_value(field, &current) {
                body[*field] = value;
            }
        }
    }
    let number = given.or(current_version.map(|c| c + 1)).ok_or_else(|| {
        Error::Upstream(UpstreamError {
            status: 200,
            message: format!(
                "{id_key} {id} came back without a version number; give `version.number` yourself"
            ),
        })
    })?;
    if !body.get("version").is_some_and(Value::is_object) {
        body["version"] = json!({});
    }
    body["version"]["number"] = json!(number);
    // The page and blog post bodies repeat the id of the path's `{id}`.
    if action.path.ends_with("/{id}") {
        body["id"] = json!(id);
    }
    match ctx.client.send_json(Method::Put, &url, Some(&body)) {
        Ok(response) => passthrough(&ctx.client, &response),
        Err(Error::Conflict(upstream)) => {
            // Say which version the item is at now: a version read before the
            // PUT is stale by definition after a 409, so read it again.
            let current = ctx
                .client
                .get_json(&item_url)
                .ok()
                .and_then(|(_, item)| item.pointer("/version/number")?.as_u64());
            Err(Error::Conflict(format!(
                "version conflict on {id_key} {id}: sent version {number}{}; Confluence said: {upstream}. \
                 Leave `version.number` out to let the connector send the current version plus one.",
                current
                    .map(|c| format!(" while it is at version {c}"))
                    .unwrap_or_default()
            )))
        }
        Err(other) => Err(other),
    }
}
