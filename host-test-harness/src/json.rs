//! JSON renderings of the contract's values, as the CLI prints them:
//! definitions (with `default`/`example`/`input-schema` parsed), outputs
//! and connector errors.

use crate::bindings::{
    ActionDefinition, AuthScheme, Body, ConnectionDefinition, ConnectorError, Input, InputKind,
    Output, Site,
};
use base64::Engine as _;
use serde_json::{Value, json};

fn parsed(text: &Option<String>) -> Value {
    match text {
        None => Value::Null,
        Some(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
    }
}

fn kind_name(kind: InputKind) -> &'static str {
    match kind {
        InputKind::String => "string",
        InputKind::Text => "text",
        InputKind::Integer => "integer",
        InputKind::Boolean => "boolean",
        InputKind::Select => "select",
        InputKind::StringList => "string-list",
        InputKind::Json => "json",
        InputKind::Secret => "secret",
    }
}

/// One input field.
pub fn input(i: &Input) -> Value {
    json!({
        "key": i.key,
        "label": i.label,
        "comments": i.comments,
        "kind": kind_name(i.kind),
        "required": i.required,
        "default": parsed(&i.default),
        "example": parsed(&i.example),
        "choices": i.choices,
    })
}

/// One connection definition.
pub fn connection_definition(d: &ConnectionDefinition) -> Value {
    let auth = match &d.auth {
        AuthScheme::Basic => json!("basic"),
        AuthScheme::Oauth2(o) => json!({"oauth2": {
            "authorize-url": o.authorize_url,
            "token-url": o.token_url,
            "default-scopes": o.default_scopes,
        }}),
    };
    json!({
        "key": d.key,
        "label": d.label,
        "description": d.description,
        "auth": auth,
        "inputs": d.inputs.iter().map(input).collect::<Vec<_>>(),
    })
}

/// One action definition.
pub fn action_definition(d: &ActionDefinition) -> Value {
    json!({
        "key": d.key,
        "label": d.label,
        "description": d.description,
        "group": d.group,
        "inputs": d.inputs.iter().map(input).collect::<Vec<_>>(),
        "input-schema": parsed(&Some(d.input_schema.clone())),
        "hints": {
            "read-only": d.hints.read_only,
            "destructive": d.hints.destructive,
            "idempotent": d.hints.idempotent,
            "paginated": d.hints.paginated,
        },
    })
}

/// The resolved site of a check.
pub fn site(s: &Site) -> Value {
    json!({"cloud-id": s.cloud_id, "url": s.url, "name": s.name, "api-base": s.api_base})
}

/// An action's output: `{"status","content-type","body"}`, the body parsed
/// JSON, text, `{"base64": ...}` for binary, or null when empty.
pub fn output(o: &Output) -> Value {
    let body = match &o.body {
        Body::Empty => Value::Null,
        Body::Json(t) => serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.clone())),
        Body::Text(t) => Value::String(t.clone()),
        Body::Binary(b) => json!({"base64": base64::engine::general_purpose::STANDARD.encode(b)}),
    };
    json!({"status": o.status, "content-type": o.content_type, "body": body})
}

/// A connector error: `{"error": "<case>", "message": ...}` plus `field`,
/// `status` or `retry-after-seconds` where the case has one.
pub fn error(e: &ConnectorError) -> Value {
    match e {
        ConnectorError::InvalidInput(f) => {
            json!({"error": "invalid-input", "field": f.field, "message": f.message})
        }
        ConnectorError::InvalidConnection(m) => {
            json!({"error": "invalid-connection", "message": m})
        }
        ConnectorError::Unauthorized(m) => json!({"error": "unauthorized", "message": m}),
        ConnectorError::Forbidden(m) => json!({"error": "forbidden", "message": m}),
        ConnectorError::NotFound(m) => json!({"error": "not-found", "message": m}),
        ConnectorError::Conflict(m) => json!({"error": "conflict", "message": m}),
        ConnectorError::RateLimited(r) => json!({
            "error": "rate-limited",
            "retry-after-seconds": r.retry_after_seconds,
            "message": r.message,
        }),
        ConnectorError::Upstream(u) => {
            json!({"error": "upstream", "status": u.status, "message": u.message})
        }
        ConnectorError::Transport(m) => json!({"error": "transport", "message": m}),
        ConnectorError::Internal(m) => json!({"error": "internal", "message": m}),
    }
}

/// A host-level failure: `{"error": "host", "message": ...}`.
pub fn host_error(e: &anyhow::Error) -> Value {
    json!({"error": "host", "message": format!("{e:#}")})
}

/// A sync stream's definition: key, label, description, primary key and record schema.
pub fn stream_definition(s: &crate::bindings::StreamDefinition) -> Value {
    let schema: Value = serde_json::from_str(&s.record_schema).unwrap_or(Value::Null);
    json!({"key": s.key, "label": s.label, "description": s.description,
           "primary-key": s.primary_key, "record-schema": schema})
}
