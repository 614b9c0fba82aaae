//! Get Page as Markdown and Create or Update Page from Markdown: the page
//! calls of the catalog, with the body converted by [`crate::convert`].

use crate::actions::update_versioned;
use crate::bindings::integration::connector::types::Output;
use crate::connection::through_gateway;
use crate::convert::sections::{self, NotFound};
use crate::convert::{self, LinkContext};
use crate::errors::{Error, invalid_input};
use crate::http::with_query;
use crate::input::{Args, is_token};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::{build, json_output, run};
use serde_json::{Value, json};

/// Reads the page with its storage body and returns it converted, with the
/// fields a reader needs to place it.
pub fn get_page_as_markdown(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let (url, _) = build(&ctx.client, action, args)?;
    let url = with_query(&url, &[("body-format".into(), "storage".into())]);
    let (response, page) = ctx.client.get_json(&url)?;
    let storage = page
        .pointer("/body/storage/value")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let web_ui = page.pointer("/_links/webui").and_then(Value::as_str);
    let links = page_links(ctx, &page, storage, args)?;
    let id = links.page_id.clone();
    let format = args
        .get_or_default("format")
        .and_then(Value::as_str)
        .unwrap_or("markdown")
        .to_string();
    let (field, content) = match format.as_str() {
        "text" => ("text", convert::storage_to_text(storage, &links)),
        _ => ("markdown", convert::storage_to_markdown(storage, &links)),
    };
    let mut out = json!({
        "id": id,
        "title": page.get("title").cloned().unwrap_or(Value::Null),
        "spaceId": page.get("spaceId").cloned().unwrap_or(Value::Null),
        "version": page.pointer("/version/number").cloned().unwrap_or(Value::Null),
        "webUrl": web_ui.map(|w| format!("{}{w}", links.base_url)),
        "format": format,
    });
    out[field] = json!(content);
    Ok(json_output(response.status, &out))
}

/// What the links of `page` (its storage `storage`; its id, else the
/// `page-id` given) are read and written with: the site, the space's key
/// and the page's id.
fn page_links(ctx: &Ctx, page: &Value, storage: &str, args: &Args) -> Result<LinkContext, Error> {
    let id = page
        .get("id")
        .and_then(Value::as_str)
        .or(args.str("page-id"))
        .unwrap_or_default();
    let web_ui = page.pointer("/_links/webui").and_then(Value::as_str);
    let mut space_key = web_ui.and_then(space_key_of).unwrap_or_default();
    // Links to pages by title need the space's key; the web address usually
    // holds it, else the space is read (only when the body has such links).
    let links_by_title = storage.contains("<ri:page") || storage.contains("<ri:blog-post");
    if space_key.is_empty()
        && links_by_title
        && let Some(space_id) = page
            .get("spaceId")
            .and_then(Value::as_str)
            .filter(|s| is_token(s))
    {
        let url = ctx
            .client
            .url(&format!("/wiki/api/v2/spaces/{space_id}"), &[]);
        let (_, space) = ctx.client.get_json(&url)?;
        space_key = space
            .get("key")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
    }
    Ok(LinkContext::new(site_base(ctx, page), space_key, id))
}

/// The site address links are written with: the connection's own site for
/// Basic. Through OAuth the API base is Atlassian's gateway, which serves no
/// pages, so the page's `_links.base` names the site; it is only written into
/// the output, never sent a request.
fn site_base(ctx: &Ctx, page: &Value) -> String {
    if !through_gateway(&ctx.client) {
        return format!("{}/wiki", ctx.client.api_base());
    }
    page.pointer("/_links/base")
        .and_then(Value::as_str)
        .map(|base| base.trim_end_matches('/').to_string())
        .unwrap_or_else(|| "/wiki".to_string())
}

/// The space key in a page's web address (`/spaces/{KEY}/pages/...`).
fn space_key_of(web_ui: &str) -> Option<String> {
    let rest = web_ui.split("/spaces/").nth(1)?;
    let key = rest.split(['/', '?', '#']).next()?;
    let key: String = url::form_urlencoded::parse(format!("k={key}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())?;
    (!key.is_empty()).then_some(key)
}

/// Converts the Markdown, then creates the page (Create Page's call) or, with
/// a page id, updates it (Update Page's call: the current version plus one).
/// An update reads the page's storage and, unless told not to, keeps every
/// element whose Markdown came back unchanged byte for byte.
pub fn upsert_page_from_markdown(
    ctx: &Ctx,
    _action: &Action,
    args: &mut Args,
) -> Result<Output, Error> {
    let markdown = args.str("markdown").unwrap_or_default().to_string();
    if args.get("page-id").is_none() {
        // The site's addresses of pages (with their space's key) become references.
        let links = LinkContext::new(site_base(ctx, &Value::Null), "", "");
        set_body(args, convert::markdown_to_storage_in(&markdown, "", &links));
        return run(ctx, ctx.action("create-page")?, args);
    }
    let (page, current) = current_storage(ctx, args)?;
    let keep = args
        .get_or_default("keep-unchanged")
        .and_then(Value::as_bool)
        .unwrap_or(true);
    let links = page_links(ctx, &page, &current, args)?;
    let storage = if keep {
        convert::markdown_over_storage(&markdown, &current, &links)
    } else {
        convert::markdown_to_storage_in(&markdown, &current, &links)
    };
    write_back(ctx, args, &page, storage)
}

/// The body an update or a create sends: `storage`, in storage format.
fn set_body(args: &mut Args, storage: String) {
    args.set(
        "body",
        json!({"representation": "storage", "value": storage}),
    );
}

/// Reads page `page-id` with its storage body: the page, and the body.
fn current_storage(ctx: &Ctx, args: &Args) -> Result<(Value, String), Error> {
    let id = args.str("page-id").unwrap_or_default();
    let url = ctx.client.url(
        &format!("/wiki/api/v2/pages/{id}"),
        &[("body-format".into(), "storage".into())],
    );
    let (_, page) = ctx.client.get_json(&url)?;
    let storage = page
        .pointer("/body/storage/value")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    Ok((page, storage))
}

/// Writes `storage` back as the next version of `page` (read just before),
/// with the title and status given, else its current ones (a draft stays a
/// draft): Update Page's call, which then reads nothing more.
fn write_back(ctx: &Ctx, args: &mut Args, page: &Value, storage: String) -> Result<Output, Error> {
    set_body(args, storage);
    if args.get("title").is_none()
        && let Some(title) = page.get("title").filter(|t| t.is_string())
    {
        args.set("title", title.clone());
    }
    if args.get("status").is_none() {
        let status = match page.get("status").and_then(Value::as_str) {
            Some("draft") => "draft",
            _ => "current",
        };
        args.set("status", json!(status));
    }
    if let Some(number) = page.pointer("/version/number").and_then(Value::as_u64) {
        args.set("version", json!({"number": number + 1}));
    }
    update_versioned(ctx, ctx.action("update-page")?, args)
}

/// Replaces the content under one heading with the Markdown given, and
/// leaves every other byte of the page's storage as it was.
pub fn update_page_section(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let (page, storage) = current_storage(ctx, args)?;
    let wanted = args.str("heading").unwrap_or_default().to_string();
    let headings = sections::headings(&storage);
    let heading = sections::find(&headings, &wanted).map_err(|why| match why {
        NotFound::Missing(paths) if paths.is_empty() => invalid_input(
            "heading",
            format!("the page has no heading `{wanted}`: it has no headings at all (append-to-page adds to its end)"),
        ),
        NotFound::Missing(paths) => invalid_input(
            "heading",
            format!("the page has no heading `{wanted}`; its headings are: {}", paths.join("; ")),
        ),
        NotFound::Ambiguous(paths) => invalid_input(
            "heading",
            format!(
                "`{wanted}` names {} headings: {}; give one's path instead, such as `{}`",
                paths.len(),
                paths.join("; "),
                paths[0]
            ),
        ),
    })?;
    let links = page_links(ctx, &page, &storage, args)?;
    let content =
        convert::markdown_to_storage_in(args.str("markdown").unwrap_or_default(), &storage, &links);
    let updated = sections::replace(&storage, heading, &content);
    write_back(ctx, args, &page, updated)
}

/// Adds the Markdown given to the end of a page; the storage before it stays as it was.
pub fn append_to_page(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let (page, mut storage) = current_storage(ctx, args)?;
    let links = page_links(ctx, &page, &storage, args)?;
    let added =
        convert::markdown_to_storage_in(args.str("markdown").unwrap_or_default(), &storage, &links);
    storage.push_str(&added);
    write_back(ctx, args, &page, storage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn space_keys_come_from_web_addresses() {
        assert_eq!(
            space_key_of("/spaces/ENG/pages/11/Release+notes").as_deref(),
            Some("ENG")
        );
        assert_eq!(
            space_key_of("/spaces/~jane/overview").as_deref(),
            Some("~jane")
        );
        assert_eq!(
            space_key_of("/spaces/%7Ejane/pages/1").as_deref(),
            Some("~jane")
        );
        assert_eq!(space_key_of("/pages/viewpage.action?pageId=11"), None);
        assert_eq!(space_key_of("/spaces//pages/1"), None);
    }
}
