//! Upload Attachment (a v1 multipart POST) and Download Attachment (the
//! attachment's download link, read as bytes).

use crate::bindings::integration::connector::types::{Body, Output};
use crate::errors::{Error, UpstreamError, invalid_input};
use crate::input::{Args, decode_base64};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::{build, passthrough};
use connector_sdk::multipart::{Multipart, media_type_for};
use connector_sdk::platform::{HttpRequest, Method};
use serde_json::Value;

/// Sends the file as `multipart/form-data` with the header Confluence's XSRF
/// check asks for (`X-Atlassian-Token: no-check`).
pub fn upload_attachment(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let data = decode_base64(args.str("file-data").unwrap_or_default())
        .map_err(|e| invalid_input("file-data", e))?;
    let file_name = args.str("file-name").unwrap_or_default().trim().to_string();
    let media_type = args
        .str("media-type")
        .map(str::to_string)
        .unwrap_or_else(|| media_type_for(&file_name).to_string());
    let mut form = Multipart::new(super::MULTIPART_BOUNDARY);
    form.file("file", &file_name, &media_type, data);
    if let Some(comment) = args.str("comment") {
        // Typed as UTF-8 text, as the v1 document asks: untyped, a comment outside
        // US-ASCII is stored garbled.
        form.typed_text("comment", "text/plain; charset=UTF-8", comment);
    }
    form.text(
        "minorEdit",
        if args.flag("minor-edit") {
            "true"
        } else {
            "false"
        },
    );
    let (content_type, body) = form.finish();
    let (url, _) = build(&ctx.client, action, args)?;
    let response = ctx.client.send(HttpRequest {
        method: Method::Post,
        url,
        headers: vec![
            ("accept".into(), "application/json".into()),
            ("content-type".into(), content_type),
            ("x-atlassian-token".into(), "no-check".into()),
        ],
        body: Some(body),
        timeout: None,
    })?;
    passthrough(&ctx.client, &response)
}

/// Reads the attachment, then fetches its `downloadLink` (relative to the
/// site's `/wiki`) and returns the bytes with their media type.
pub fn download_attachment(ctx: &Ctx, action: &Action, args: &mut Args) -> Result<Output, Error> {
    let (url, _) = build(&ctx.client, action, args)?;
    let (_, attachment) = ctx.client.get_json(&url)?;
    let unusable = |message: String| {
        Error::Upstream(UpstreamError {
            status: 200,
            message,
        })
    };
    let link = attachment
        .get("downloadLink")
        .and_then(Value::as_str)
        .filter(|l| !l.trim().is_empty())
        .ok_or_else(|| unusable("the attachment has no download link".to_string()))?;
    let base = ctx.client.api_base();
    let target = if link.starts_with('/') && !link.starts_with("//") {
        if link.starts_with("/wiki/") {
            format!("{base}{link}")
        } else {
            format!("{base}/wiki{link}")
        }
    } else {
        link.to_string()
    };
    if !ctx.client.owns(&target) {
        return Err(unusable(format!(
            "refused to follow a download link that leaves {base}: {link}"
        )));
    }
    let response = ctx.client.send(HttpRequest {
        method: Method::Get,
        url: target,
        headers: vec![("accept".into(), "*/*".into())],
        body: None,
        timeout: None,
    })?;
    let content_type = response
        .header("content-type")
        .map(str::to_string)
        .or_else(|| {
            attachment
                .get("mediaType")
                .and_then(Value::as_str)
                .map(str::to_string)
        });
    Ok(Output {
        status: response.status,
        content_type,
        body: Body::Binary(response.body),
    })
}
