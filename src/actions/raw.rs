//! Raw Request and Raw GraphQL Request: the user's own call, with the
//! connection's credentials, kept on the connected site (or, for GraphQL,
//! Atlassian's gateway).

use crate::actions::attachments::decode_base64;
use crate::bindings::integration::connector::types::{Body, Output};
use crate::catalog::Action;
use crate::connection::GATEWAY;
use crate::errors::{Error, UpstreamError, invalid_input};
use crate::exec::{Ctx, passthrough};
use crate::http::{parse_json, with_query};
use crate::input::Args;
use crate::multipart::{Multipart, media_type_for};
use crate::platform::{HttpRequest, HttpResponse, Method};
use crate::retry::RetryPolicy;
use serde_json::{Value, json};
use std::time::Duration;

/// Headers a user may not set: the credential, and what the transport owns.
const RESERVED_HEADERS: [&str; 6] = [
    "authorization",
    "host",
    "content-length",
    "transfer-encoding",
    "connection",
    "proxy-authorization",
];

/// Checks that `path` names a resource on the connected site and cannot be
/// turned into another address: it starts with one `/`, has no scheme, user
/// info, backslash, fragment, whitespace or control character, and no `.` or
/// `..` segment (also percent-encoded).
pub fn check_site_path(path: &str) -> Result<(), String> {
    let refuse = |why: &str| {
        Err(format!(
            "{why}; give only a path on the connected site, such as /wiki/api/v2/attachments (the site's address is added for you, and the credentials never leave it)"
        ))
    };
    if !path.starts_with('/') {
        return refuse("the URL must be a path starting with /, not a full address");
    }
    if path.starts_with("//") {
        return refuse("a URL starting with // names another host");
    }
    if path.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return refuse("the URL contains whitespace or a control character");
    }
    if path.contains(['\\', '#']) {
        return refuse("the URL contains a backslash or a fragment (#)");
    }
    let route = path.split('?').next().unwrap_or_default();
    if route.contains('@') {
        return refuse("the URL contains @, which could carry user info");
    }
    let dot_segment = route.split('/').any(|segment| {
        let decoded: String = url::form_urlencoded::parse(format!("x={segment}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        decoded == "." || decoded == ".." || segment.to_ascii_lowercase().contains("%2f")
    });
    if dot_segment {
        return refuse("the URL contains a . or .. segment or an encoded /");
    }
    Ok(())
}

/// The user's extra headers from input `key`, refusing those the connector owns.
fn user_headers(args: &Args, key: &str) -> Result<Vec<(String, String)>, Error> {
    let mut headers = Vec::new();
    for (name, value) in pairs(args, key) {
        let lower = name.trim().to_ascii_lowercase();
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(invalid_input(
                key,
                format!("the header `{name}` is set by the connector and cannot be given"),
            ));
        }
        let valid_name = !lower.is_empty()
            && lower
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if !valid_name || value.chars().any(|c| c == '\r' || c == '\n' || c == '\0') {
            return Err(invalid_input(
                key,
                format!("`{name}` is not a valid header name and value"),
            ));
        }
        headers.push((lower, value));
    }
    Ok(headers)
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
    let mut multipart = Multipart::new();
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
    let path = args.str("url").unwrap_or_default().trim().to_string();
    check_site_path(&path).map_err(|message| invalid_input("url", message))?;
    let method = Method::parse(args.str("method").unwrap_or("GET")).unwrap_or(Method::Get);
    let response_type = args
        .get_or_default("response-type")
        .and_then(Value::as_str)
        .unwrap_or("json")
        .to_string();
    let mut headers = user_headers(args, "header")?;
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
    shaped(response, &response_type)
}

/// The answer in the form the user asked for.
fn shaped(response: HttpResponse, response_type: &str) -> Result<Output, Error> {
    let content_type = response.header("content-type").map(str::to_string);
    let body = match response_type {
        "json" => return passthrough(&response),
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
    let oauth = ctx.client.api_base().starts_with(&format!("{GATEWAY}/"));
    let (client, url) = if oauth {
        (ctx.client.rebased(GATEWAY), format!("{GATEWAY}/graphql"))
    } else {
        (
            ctx.client.clone(),
            ctx.client.url("/gateway/api/graphql", &[]),
        )
    };
    let mut headers = user_headers(args, "headers")?;
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
    passthrough(&response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_paths_on_the_site_pass() {
        for good in [
            "/wiki/api/v2/attachments",
            "/wiki/rest/api/search?cql=type%3Dpage",
            "/gateway/api/graphql",
            "/wiki/api/v2/pages/1..2",
        ] {
            assert!(check_site_path(good).is_ok(), "{good}");
        }
        for bad in [
            "https://evil.example/wiki",
            "//evil.example/wiki",
            "evil.example/wiki",
            "/wiki/../../oauth/token",
            "/wiki/%2e%2E/x",
            "/wiki/%2fevil",
            "/@evil.example/",
            "/wiki\\..\\x",
            "/wiki#x",
            "/wiki /x",
            "/wiki/./x",
            "",
        ] {
            assert!(check_site_path(bad).is_err(), "{bad}");
        }
    }
}
