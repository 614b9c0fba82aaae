//! JSON renderings of the contract's values, as the CLI prints them:
//! definitions (with `default`/`example`/`input-schema` parsed), outputs
//! and connector errors.

use crate::bindings::{
    ActionDefinition, ActionHints, AuthScheme, Body, ConnectionDefinition, ConnectionInfo,
    ConnectorError, ConnectorMetadata, Input, InputKind, Output,
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
        "description": i.description,
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
        AuthScheme::Basic(b) => json!({"basic": {
            "username-input": b.username_input,
            "password-secret": b.password_secret,
        }}),
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
        "egress": d.egress,
    })
}

/// The connector's metadata.
pub fn metadata(m: &ConnectorMetadata) -> Value {
    json!({
        "name": m.name,
        "label": m.label,
        "version": m.version,
        "vendor": m.vendor,
        "contract-version": m.contract_version,
        "description": m.description,
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
            "read-only": d.hints.contains(ActionHints::READ_ONLY),
            "destructive": d.hints.contains(ActionHints::DESTRUCTIVE),
            "idempotent": d.hints.contains(ActionHints::IDEMPOTENT),
            "paginated": d.hints.contains(ActionHints::PAGINATED),
        },
    })
}

/// What a check learned; `store` parsed (a JSON object).
pub fn connection_info(i: &ConnectionInfo) -> Value {
    json!({
        "display-name": i.display_name,
        "url": i.url,
        "store": parsed(&Some(i.store.clone())),
    })
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

/// [`output`], pretty-printed as `serde_json::to_string_pretty` would print
/// it, but without building a tree of a JSON body: the body's text (checked
/// to be JSON first) is re-indented as it is. Printing a large answer then
/// takes about twice its size rather than many times it (a tree of small
/// objects is several times the size of their text).
pub fn output_pretty(o: &Output) -> String {
    let json_text = match &o.body {
        Body::Json(text) if serde_json::from_str::<serde::de::IgnoredAny>(text).is_ok() => text,
        _ => return serde_json::to_string_pretty(&output(o)).expect("JSON values serialise"),
    };
    let mut out = String::with_capacity(json_text.len() + json_text.len() / 2 + 64);
    out.push_str("{\n  \"status\": ");
    out.push_str(&o.status.to_string());
    out.push_str(",\n  \"content-type\": ");
    out.push_str(&serde_json::to_string(&o.content_type).expect("strings serialise"));
    out.push_str(",\n  \"body\": ");
    reindent(json_text, 1, &mut out);
    out.push_str("\n}");
    out
}

/// Appends the JSON `text` (which must be valid JSON) to `out` indented as
/// `serde_json`'s pretty printer does (two spaces a level, starting at
/// `level`), copying strings, numbers and literals as they are.
fn reindent(text: &str, level: usize, out: &mut String) {
    let bytes = text.as_bytes();
    let space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | b'\r');
    let newline = |out: &mut String, level: usize| {
        out.push('\n');
        for _ in 0..level {
            out.push_str("  ");
        }
    };
    let mut level = level;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b if space(b) => i += 1,
            b'"' => {
                let start = i;
                i += 1;
                while bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                i += 1;
                out.push_str(&text[start..i]);
            }
            open @ (b'{' | b'[') => {
                let close = if open == b'{' { b'}' } else { b']' };
                let mut next = i + 1;
                while space(bytes[next]) {
                    next += 1;
                }
                out.push(open as char);
                if bytes[next] == close {
                    out.push(close as char);
                    i = next + 1;
                } else {
                    level += 1;
                    newline(out, level);
                    i += 1;
                }
            }
            close @ (b'}' | b']') => {
                level -= 1;
                newline(out, level);
                out.push(close as char);
                i += 1;
            }
            b',' => {
                out.push(',');
                newline(out, level);
                i += 1;
            }
            b':' => {
                out.push_str(": ");
                i += 1;
            }
            _ => {
                let start = i;
                while i < bytes.len() && !matches!(bytes[i], b',' | b':' | b'}' | b']') {
                    if space(bytes[i]) {
                        break;
                    }
                    i += 1;
                }
                out.push_str(&text[start..i]);
            }
        }
    }
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
        ConnectorError::Unsupported(m) => json!({"error": "unsupported", "message": m}),
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

/// A key that appears twice in one JSON object.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicateKey {
    /// The key.
    pub key: String,
    /// Where the object is: `values`, `spaces.in`, `items[2]`; empty for the
    /// top-level object.
    pub path: String,
    /// The line of the second occurrence (1-based).
    pub line: usize,
    /// The column just after the second occurrence of the key (1-based).
    pub column: usize,
}

impl std::fmt::Display for DuplicateKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "duplicate key \"{}\"", self.key)?;
        if !self.path.is_empty() {
            write!(f, " in {}", self.path)?;
        }
        write!(f, " (line {}, column {})", self.line, self.column)
    }
}

/// The first key that appears twice in one object of the JSON `text`, if
/// any. Text that is not JSON has none: its own parser reports it.
///
/// `serde_json` (like most parsers) keeps the last of duplicate keys, so a
/// file with two `host` keys would send the credential to the second one
/// while a reader of the file may see the first; the host refuses such files
/// (connection, sync configuration, `--input`) instead.
pub fn duplicate_key(text: &str) -> Option<DuplicateKey> {
    let found = std::cell::RefCell::new(None);
    let mut de = serde_json::Deserializer::from_str(text);
    let err = serde::de::DeserializeSeed::deserialize(Walk(&found), &mut de).err()?;
    let (key, path) = found.into_inner()?;
    Some(DuplicateKey {
        key,
        path,
        line: err.line(),
        column: err.column(),
    })
}

/// Reads the JSON file at `path`, at most `cap` bytes (see
/// [`read_text_capped`](crate::files::read_text_capped)), refusing a key
/// given twice in one object; `what` names the kind of file in errors
/// (`connection file`).
pub fn read_unique_keys(path: &std::path::Path, cap: u64, what: &str) -> anyhow::Result<String> {
    let text = crate::files::read_text_capped(path, cap, what)?;
    refuse_duplicate_keys(&text, &format!("the {what} {}", path.display()))?;
    Ok(text)
}

/// [`duplicate_key`] as an error naming `what` (the file or the flag).
pub fn refuse_duplicate_keys(text: &str, what: &str) -> anyhow::Result<()> {
    match duplicate_key(text) {
        Some(dup) => anyhow::bail!("{what}: {dup}; each key may appear only once"),
        None => Ok(()),
    }
}

/// Walks one JSON value, keeping nothing; stops at the first duplicate key,
/// which it leaves in the cell (the key, and the path to its object, filled
/// in as the error travels up).
struct Walk<'a>(&'a std::cell::RefCell<Option<(String, String)>>);

impl Walk<'_> {
    /// Adds `segment` in front of the path of the duplicate found below.
    fn prefix<E>(&self, err: E, segment: impl FnOnce(&str) -> String) -> E {
        if let Some((_, path)) = self.0.borrow_mut().as_mut() {
            *path = segment(path);
        }
        err
    }
}

impl<'de> serde::de::DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> serde::de::Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0usize;
        loop {
            match seq.next_element_seed(Walk(self.0)) {
                Ok(Some(())) => index += 1,
                Ok(None) => return Ok(()),
                Err(e) => return Err(self.prefix(e, |p| format!("[{index}]{}", dotted(p)))),
            }
        }
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let mut seen = std::collections::HashSet::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            if seen.contains(&key) {
                *self.0.borrow_mut() = Some((key.into_owned(), String::new()));
                return Err(serde::de::Error::custom("duplicate key"));
            }
            if let Err(e) = map.next_value_seed(Walk(self.0)) {
                return Err(self.prefix(e, |p| format!("{key}{}", dotted(p))));
            }
            seen.insert(key);
        }
        Ok(())
    }
}

/// A path to append after a key: `.rest`, `[2]...` as is, or nothing.
fn dotted(rest: &str) -> String {
    if rest.is_empty() || rest.starts_with('[') {
        rest.to_string()
    } else {
        format!(".{rest}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_json_body_prints_as_the_pretty_printer_would_print_its_tree() {
        let body = r#" {"a": [], "b": {}, "c": [1, -2.5, true, null, "x\"}],:y"],
            "d": {"e": {"f": [ { } , [ ] ]}}, "é": "\\", "g": [[1,[2]],{"h":"i"}]} "#;
        for body in [body, "[]", "{}", "3", r#""text""#, "[{\"a\":{}}]"] {
            let output = Output {
                status: 200,
                content_type: Some("application/json".into()),
                body: Body::Json(body.into()),
            };
            let want = serde_json::to_string_pretty(&output_fn(&output)).unwrap();
            assert_eq!(output_pretty(&output), want, "{body}");
        }
        let not_json = Output {
            status: 200,
            content_type: None,
            body: Body::Json("{oops".into()),
        };
        assert_eq!(
            output_pretty(&not_json),
            serde_json::to_string_pretty(&output_fn(&not_json)).unwrap()
        );
    }

    fn output_fn(o: &Output) -> Value {
        output(o)
    }

    #[test]
    fn duplicate_keys_are_found_with_their_path() {
        let dup = duplicate_key(r#"{"values": {"host": "a", "email": "e", "host": "b"}}"#).unwrap();
        assert_eq!(dup.key, "host");
        assert_eq!(dup.path, "values");
        let dup = duplicate_key(r#"{"a": [1, {"x": 1, "x": 2}]}"#).unwrap();
        assert_eq!(
            dup.to_string(),
            r#"duplicate key "x" in a[1] (line 1, column 22)"#
        );
        assert_eq!(duplicate_key(r#"{"a": 1, "b": {"a": 2}}"#), None);
        assert_eq!(duplicate_key("not JSON"), None);
    }
}
