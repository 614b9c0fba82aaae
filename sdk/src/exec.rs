//! Running an action: validate its input against its table entry, build the
//! HTTP call the entry describes, send it, and shape the output.

use crate::action::{Action, Ctx};
use crate::bindings::integration::connector::types::{Body, Output};
use crate::errors::{Error, invalid_input};
use crate::http::Client;
use crate::input::{self, Args, Target};
use crate::paging;
use crate::platform::HttpResponse;
use serde_json::{Map, Value};

/// Runs action `key` of a catalog with `input` (JSON text): finds the entry,
/// validates the input against it, asks `connect` for the connection's client
/// (given whether `debug` is set), then runs the entry's handler or the entry
/// as it is. Nothing is sent when the key or the input is wrong.
pub fn invoke<'p>(
    find: fn(&str) -> Option<&'static Action>,
    key: &str,
    input: &str,
    connect: impl FnOnce(bool) -> Result<Client<'p>, Error>,
) -> Result<Output, Error> {
    let action = find(key).ok_or_else(|| {
        Error::Unsupported(format!(
            "there is no action `{}`; the action definitions list every key",
            crate::text::clip(key, 80)
        ))
    })?;
    let mut args = input::parse(&action.all_params(), action.rules, input)?;
    let debug = args.flag("debug");
    let ctx = Ctx {
        client: connect(debug)?.with_debug(debug),
        find,
    };
    match action.handler {
        Some(handler) => handler(&ctx, action, &mut args),
        None => run(&ctx, action, &args),
    }
}

/// Runs the table entry as it is: one call, or every page of a list with `fetch-all`.
pub fn run(ctx: &Ctx, action: &Action, args: &Args) -> Result<Output, Error> {
    let (url, body) = build(&ctx.client, action, args)?;
    send_built(ctx, action, args, &url, body.as_ref())
}

/// Sends a call built for `action`: one request, or with `fetch-all` on a list,
/// every page from `url` on.
pub fn send_built(
    ctx: &Ctx,
    action: &Action,
    args: &Args,
    url: &str,
    body: Option<&Value>,
) -> Result<Output, Error> {
    if action.paging.is_some() && args.flag("fetch-all") {
        let max = args
            .int("max-results")
            .unwrap_or(paging::DEFAULT_MAX_RESULTS as i64)
            .max(1) as u64;
        let (status, all) = paging::fetch_all(&ctx.client, url, max)?;
        return Ok(json_text_output(status, all));
    }
    let response = ctx.client.send_json(action.method, url, body)?;
    passthrough(&ctx.client, &response)
}

/// The URL and JSON body an action's table entry describes for `args`.
pub fn build(
    client: &Client,
    action: &Action,
    args: &Args,
) -> Result<(String, Option<Value>), Error> {
    build_at(client, action, args, &[])
}

/// As [`build`], with path placeholders the handler resolved itself (such as a
/// label's id looked up from its name): `(placeholder, value)`, values already
/// checked to be safe path segments.
pub fn build_at(
    client: &Client,
    action: &Action,
    args: &Args,
    resolved: &[(&str, &str)],
) -> Result<(String, Option<Value>), Error> {
    let mut path = action.path.to_string();
    for (name, value) in resolved {
        path = path.replace(&format!("{{{name}}}"), value);
    }
    let mut query: Vec<(String, String)> = Vec::new();
    let mut body = Map::new();
    let params = action.all_params();
    for (key, value) in args.iter() {
        let Some(param) = params.iter().find(|p| p.key == key) else {
            continue;
        };
        match param.target {
            Target::Path(name) => {
                let text = value.as_str().unwrap_or_default();
                let segment: String =
                    url::form_urlencoded::byte_serialize(text.as_bytes()).collect();
                path = path.replace(&format!("{{{name}}}"), &segment);
            }
            Target::Query(name) => query.push((name.to_string(), query_text(value))),
            Target::Body(name) => {
                body.insert(name.to_string(), value.clone());
            }
            Target::BodyRoot => {
                for (name, field) in value.as_object().into_iter().flatten() {
                    body.insert(name.clone(), field.clone());
                }
            }
            Target::ExtraQuery => {
                for (name, extra) in value.as_object().into_iter().flatten() {
                    if extra.is_object() {
                        return Err(invalid_input(
                            key,
                            format!(
                                "`{key}.{name}` must be a string, number, boolean or list, not an object"
                            ),
                        ));
                    }
                    query.push((name.clone(), query_text(extra)));
                }
            }
            Target::Local => {}
        }
    }
    if let Some(missing) = params.iter().find_map(|p| match p.target {
        Target::Path(name) if path.contains(&format!("{{{name}}}")) => Some(p.key),
        _ => None,
    }) {
        return Err(invalid_input(missing, format!("`{missing}` is required")));
    }
    if let Some((size, value)) = action.paging.and_then(|p| p.fetch_all_size)
        && args.flag("fetch-all")
        && args.get(size).is_none()
        && let Some(Target::Query(name)) = params.iter().find(|p| p.key == size).map(|p| p.target)
    {
        query.push((name.to_string(), value.to_string()));
    }
    let body = (!body.is_empty()).then_some(Value::Object(body));
    Ok((client.url(&path, &query), body))
}

/// A query parameter's text: lists comma-joined, everything else as written.
fn query_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(query_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

/// An output holding a JSON value.
pub fn json_output(status: u16, value: &Value) -> Output {
    // `serde_json::to_string` writes straight into one buffer, where
    // `value.to_string()` goes through `Display` and `fmt::Formatter` for
    // every token (a quarter of the time of a 10,000-item `fetch-all`).
    let text = serde_json::to_string(value).unwrap_or_else(|_| value.to_string());
    json_text_output(status, text)
}

/// An output holding JSON text.
pub fn json_text_output(status: u16, text: String) -> Output {
    Output {
        status,
        content_type: Some("application/json".into()),
        body: Body::Json(text),
    }
}

/// The upstream answer as the action's output: its JSON checked but passed on as
/// sent, or an empty body for 204. A body that is not JSON is an upstream
/// error naming `client`'s service.
pub fn passthrough(client: &Client, response: &HttpResponse) -> Result<Output, Error> {
    if response.body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Output {
            status: response.status,
            content_type: None,
            body: Body::Empty,
        });
    }
    // Checked for JSON syntax without building a tree (`IgnoredAny` copies
    // no string), then copied once: a 5 MB page body used to be held three
    // times over (tree, parser scratch, lossy copy) and parsed into values
    // only to be dropped. A body that fails either check gets the full
    // parse's error, which says why.
    let syntax_ok = serde_json::from_slice::<serde::de::IgnoredAny>(&response.body).is_ok();
    let text = match std::str::from_utf8(&response.body) {
        Ok(text) if syntax_ok => text.to_owned(),
        _ => {
            client.parse_json(response)?;
            String::from_utf8_lossy(&response.body).into_owned()
        }
    };
    Ok(json_text_output(response.status, text))
}
