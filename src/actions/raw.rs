//! Raw Request and Raw GraphQL Request: the user's own call, with the
//! connection's credentials, kept on the connected site (or, for GraphQL,
//! Atlassian's gateway).

use crate::bindings::integration::connector::types::{Body, Output};
use crate::connection::{GATEWAY, through_gateway};
use crate::errors::{Error, UpstreamError, invalid_input};
use crate::http::{Client, parse_json, with_query};
use crate::input::{Args, decode_base64};
use connector_sdk::action::Action;
use connector_sdk::action::Ctx;
use connector_sdk::exec::passthrough;
use connector_sdk::multipart::{Multipart, media_type_for};
use connector_sdk::platform::{HttpRequest, HttpResponse, Method};
use connector_sdk::retry::RetryPolicy;
use serde_json::{Value, json};
use std::time::Duration;

/// The user's extra headers from input `key` (names lower-cased; checked by [`Kind::Headers`]).
///
/// [`Kind::Headers`]: crate::input::Kind::Headers
fn user_headers(args: &Args, key: &str) -> Vec<(String, String)> {
    pairs(args, key)
        .into_iter()
        .map(|(name, value)| (name.trim().to_ascii_lowercase(), value))
        .collect()
}

/// The `[name, value]` pairs of a `Pairs` input.
fn pairs(args: &Args, key: &str) -> Vec<(String, String)> {
    args.get(key)
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|pair| Some((pair[0].as_str()?.to_string(), pair[1].as_str()?.to_string())))
        .collect()
}

/// Sets `name` unless the user's headers already have it.
fn default_header(headers: &mut Vec<(String, String)>, name: &str, value: &str) {
    if !headers.iter().any(|(n, _)| n == name) {
        headers.push((name.to_string(), value.to_string()));
    }
}

/// The request body and its default content type, from `data` or the form inputs.
fn raw_body(args: &Args) -> Result<Option<(String, Vec<u8>)>, Error> {
    let form = pairs(args, "form-data");
    let files = pairs(args, "file-data");
    if files.is_empty() && form.is_empty() {
        return Ok(match args.get("data") {
            None => None,
            Some(Value::String(text)) => {
                let is_json = serde_json::from_str::<Value>(text).is_ok();
                let kind = if is_json {
                    "application/json"
                } else {
                    "text/plain; charset=utf-8"
                };
                Some((kind.to_string(), text.clone().into_bytes()))
            }
            Some(other) => Some((
                "application/json".to_string(),
                other.to_string().into_bytes(),
            )),
        });
    }
    if args.get("data").is_some() {
        return Err(invalid_input(
            "data",
            "give either `data` or `form-data`/`file-data`, not both",
        ));
    }
    let names = pairs(args, "file-data-file-names");
    if let Some((orphan, _)) = names
        .iter()
        .find(|(n, _)| !files.iter().any(|(f, _)| f == n))
    {
        return Err(invalid_input(
            "file-data-file-names",
            format!("`{orphan}` has a file name but no entry in `file-data`"),
        ));
    }
    let mut multipart = Multipart::new(super::MULTIPART_BOUNDARY);
    for (name, value) in &form {
        multipart.text(name, value);
    }
    for (name, data) in &files {
        let bytes = decode_base64(data)
            .map_err(|e| invalid_input("file-data", format!("`{name}`: {e}")))?;
        let file_name = names
            .iter()
            .find(|(n, _)| n == name)
            .map_or(name.as_str(), |(_, f)| f.as_str());
        multipart.file(name, file_name, media_type_for(file_name), bytes);
    }
    Ok(Some(multipart.finish()))
}

/// The retry rules the user chose: none by default.
fn user_policy(args: &Args) -> RetryPolicy {
    let delay = args.int("retry-delay-ms").unwrap_or(0).max(0) as u64;
    RetryPolicy {
        max_retries: args.int("max-retry-count").unwrap_or(0).clamp(0, 10) as u32,
        retry_writes: true,
        retry_all_errors: args.flag("retry-on-all-errors"),
        fixed_delay: (!args.flag("use-exponential-backoff")).then(|| Duration::from_millis(delay)),
        ..RetryPolicy::default()
    }
}

/// Sends the user's request to a path of the connected site and returns the
/// answer as JSON, text or bytes.
pub fn raw_request(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let path = args.str("url").unwrap_or_default().to_string();
    let method = Method::parse(args.str("method").unwrap_or("GET")).unwrap_or(Method::Get);
    let response_type = args
        .get_or_default("response-type")
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_string();
    let mut headers = user_headers(args, "header");
    let accept = if response_type == "json" {
        "application/json"
    } else {
        "*/*"
    };
    default_header(&mut headers, "accept", accept);
    let body = raw_body(args)?.map(|(content_type, bytes)| {
        default_header(&mut headers, "content-type", &content_type);
        bytes
    });
    let url = with_query(&ctx.client.url(&path, &[]), &pairs(args, "query-parameter"));
    let client = ctx.client.clone().with_policy(user_policy(args));
    let response = client.send(HttpRequest {
        method,
        url,
        headers,
        body,
        timeout: args
            .int("timeout")
            .map(|ms| Duration::from_millis(ms.max(1) as u64)),
    })?;
    shaped(&client, response, &response_type)
}

/// The answer in the form the user asked for.
fn shaped(client: &Client, response: HttpResponse, response_type: &str) -> Result<Output, Error> {
    let content_type = response.header("content-type").map(str::to_string);
    let body = match response_type {
        "json" => return passthrough(client, &response),
        "text" => Body::Text(String::from_utf8_lossy(&response.body).into_owned()),
        _ => Body::Binary(response.body),
    };
    Ok(Output {
        status: response.status,
        content_type,
        body,
    })
}

/// Sends a GraphQL document to `https://{site}/gateway/api/graphql` (Basic) or
/// `https://api.atlassian.com/graphql` (OAuth 2.0). An answer with `errors`
/// is an error that keeps their messages.
pub fn graphql_request(ctx: &Ctx, _action: &Action, args: &mut Args) -> Result<Output, Error> {
    let oauth = through_gateway(&ctx.client);
    let (client, url) = if oauth {
        (ctx.client.rebased(GATEWAY), format!("{GATEWAY}/graphql"))
    } else {
        (
            ctx.client.clone(),
            ctx.client.url("/gateway/api/graphql", &[]),
        )
    };
    let mut headers = user_headers(args, "headers");
    default_header(&mut headers, "accept", "application/json");
    default_header(&mut headers, "content-type", "application/json");
    let mut document = json!({"query": args.str("query").unwrap_or_default()});
    if let Some(variables) = args.get("variables") {
        document["variables"] = variables.clone();
    }
    let response = client.send(HttpRequest {
        method: Method::Post,
        url,
        headers,
        body: Some(document.to_string().into_bytes()),
        timeout: None,
    })?;
    let answer = parse_json(&response)?;
    let messages: Vec<String> = answer
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|e| {
            e.get("message")
                .and_then(Value::as_str)
                .map_or_else(|| e.to_string(), str::to_string)
        })
        .collect();
    if !messages.is_empty() {
        return Err(Error::Upstream(UpstreamError {
            status: response.status,
            message: format!("GraphQL errors: {}", messages.join("; ")),
        }));
    }
    passthrough(&client, &response)
}
