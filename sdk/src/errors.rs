//! The contract's `error` variant, and how the usual shapes of error answers
//! map onto it: a JSON envelope `{"errors":[{status,code,title,detail}]}`, a
//! JSON `{"message":..}` (with `statusCode` or `code`), OAuth's `error` and
//! `error_description`, and plain text or HTML. The upstream message is kept,
//! trimmed to a readable length, in every case.

pub use crate::bindings::integration::connector::types::{
    Error, FieldError, RateLimit, UpstreamError,
};
use serde_json::Value;

/// Longest upstream message kept, in characters.
pub const MAX_MESSAGE_CHARS: usize = 1000;

/// An `invalid-input` error naming `field`.
pub fn invalid_input(field: &str, message: impl Into<String>) -> Error {
    Error::InvalidInput(FieldError {
        field: field.to_string(),
        message: message.into(),
    })
}

/// An `invalid-connection` error.
pub fn invalid_connection(message: impl Into<String>) -> Error {
    Error::InvalidConnection(message.into())
}

/// Maps a non-2xx answer to the error a host can act on.
///
/// `retry_after_secs` is the (already clamped) `Retry-After` of a 429.
pub fn from_status(status: u16, body: &[u8], retry_after_secs: Option<u64>) -> Error {
    let message = message_from_body(status, body);
    match status {
        401 => Error::Unauthorized(message),
        403 => Error::Forbidden(message),
        404 => Error::NotFound(message),
        409 => Error::Conflict(message),
        429 => Error::RateLimited(RateLimit {
            retry_after_seconds: retry_after_secs,
            message,
        }),
        _ => Error::Upstream(UpstreamError { status, message }),
    }
}

/// The human message inside an error body, whatever its shape.
pub fn message_from_body(status: u16, body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return format!("HTTP {status} with an empty body");
    }
    let message = serde_json::from_str::<Value>(text)
        .ok()
        .and_then(|json| message_from_json(&json))
        .unwrap_or_else(|| text.to_string());
    shorten(&message)
}

/// Reads the message out of a JSON error body of any known shape; a blank
/// message counts as none, so the caller falls back to the body itself.
fn message_from_json(json: &Value) -> Option<String> {
    let text = |key: &str| {
        json.get(key)
            .and_then(Value::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    // REST v2: {"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}
    if let Some(errors) = json.get("errors").and_then(Value::as_array) {
        let parts: Vec<String> = errors
            .iter()
            .filter_map(v2_error_text)
            .filter(|part| !part.trim().is_empty())
            .collect();
        if !parts.is_empty() {
            return Some(parts.join("; "));
        }
    }
    // REST v1 {"message":..,"statusCode":..}; gateway {"code":401,"message":..}.
    if let Some(message) = text("message") {
        return Some(message.to_string());
    }
    // OAuth endpoints: {"error":"invalid_grant","error_description":".."}
    if let Some(error) = text("error") {
        return Some(match text("error_description") {
            Some(description) => format!("{error}: {description}"),
            None => error.to_string(),
        });
    }
    None
}

/// One entry of a v2 `errors` array as `title: detail (code)`.
fn v2_error_text(entry: &Value) -> Option<String> {
    if let Some(text) = entry.as_str() {
        return Some(text.to_string());
    }
    let field = |name: &str| {
        entry
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    };
    let mut text = match (field("title"), field("detail")) {
        (Some(title), Some(detail)) => format!("{title}: {detail}"),
        (Some(one), None) | (None, Some(one)) => one.to_string(),
        (None, None) => field("message").or(field("code"))?.to_string(),
    };
    if let Some(code) = field("code")
        && !text.contains(code)
    {
        text.push_str(&format!(" ({code})"));
    }
    Some(text)
}

/// Keeps at most [`MAX_MESSAGE_CHARS`] characters.
pub fn shorten(message: &str) -> String {
    crate::text::clip(message, MAX_MESSAGE_CHARS)
}

/// `error` with the scopes an action needs named, when the service refused
/// the call for a missing scope (a 401 or 403 whose message says "scope"),
/// so the user knows which to add.
pub fn naming_scopes(error: Error, scopes: &[&str]) -> Error {
    let needs = |message: String| -> String {
        if scopes.is_empty() || !message.to_ascii_lowercase().contains("scope") {
            return message;
        }
        format!(
            "{message}; this action needs the scopes {}: grant those missing to the app or the token, then log in (or create the token) again",
            scopes.join(", ")
        )
    };
    match error {
        Error::Unauthorized(message) => Error::Unauthorized(needs(message)),
        Error::Forbidden(message) => Error::Forbidden(needs(message)),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An `errors[]` envelope, as real services send it.
    const V2_404: &str =
        r#"{"errors":[{"status":404,"code":"NOT_FOUND","title":"Not Found","detail":null}]}"#;

    #[test]
    fn v2_envelope_keeps_title_and_code() {
        assert_eq!(
            message_from_body(404, V2_404.as_bytes()),
            "Not Found (NOT_FOUND)"
        );
        let err = from_status(404, V2_404.as_bytes(), None);
        assert!(matches!(err, Error::NotFound(m) if m.contains("Not Found")));
    }

    #[test]
    fn v2_envelope_with_detail() {
        let body = br#"{"errors":[{"status":400,"code":"INVALID_REQUEST_PARAMETER","title":"Provided value {abc} for 'id' is not the correct type.","detail":null}]}"#;
        assert_eq!(
            message_from_body(400, body),
            "Provided value {abc} for 'id' is not the correct type. (INVALID_REQUEST_PARAMETER)"
        );
    }

    #[test]
    fn v1_and_gateway_messages() {
        let v1 = br#"{"message":"Current user not permitted to use this site","statusCode":403}"#;
        assert!(
            matches!(from_status(403, v1, None), Error::Forbidden(m) if m == "Current user not permitted to use this site")
        );
        let gateway = br#"{"code":401,"message":"Unauthorized; scope does not match"}"#;
        assert!(
            matches!(from_status(401, gateway, None), Error::Unauthorized(m) if m == "Unauthorized; scope does not match")
        );
    }

    #[test]
    fn plain_text_and_empty_bodies() {
        let text = b"Basic authentication with passwords is deprecated.  For more information, see: https://example";
        assert!(message_from_body(401, text).starts_with("Basic authentication with passwords"));
        assert_eq!(message_from_body(502, b"  "), "HTTP 502 with an empty body");
        let long = "x".repeat(5000);
        assert_eq!(
            message_from_body(500, long.as_bytes()).chars().count(),
            1001
        );
    }

    #[test]
    fn blank_json_messages_fall_back_to_the_body() {
        // Minimised by fuzzing (fuzz target `responses`): a 429 with
        // `{"error":""}` became a rate-limited error with an empty message.
        assert_eq!(
            message_from_body(429, br#"{"error":""}"#),
            r#"{"error":""}"#
        );
        for body in [
            r#"{"message":"  "}"#,
            r#"{"errors":[""]}"#,
            r#"{"errors":[{"title":""}],"message":""}"#,
        ] {
            assert_eq!(message_from_body(400, body.as_bytes()), body);
        }
        assert_eq!(
            message_from_body(400, br#"{"errors":["", "Bad id"]}"#),
            "Bad id"
        );
        assert_eq!(
            message_from_body(
                400,
                br#"{"message":"","error":"invalid_grant","error_description":" "}"#
            ),
            "invalid_grant"
        );
    }

    #[test]
    fn statuses_map_to_cases() {
        assert!(matches!(from_status(409, b"{}", None), Error::Conflict(_)));
        assert!(matches!(
            from_status(429, b"slow down", Some(7)),
            Error::RateLimited(RateLimit {
                retry_after_seconds: Some(7),
                ..
            })
        ));
        assert!(matches!(
            from_status(500, b"boom", None),
            Error::Upstream(UpstreamError { status: 500, .. })
        ));
    }
}
