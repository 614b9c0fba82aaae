//! Checking a user's input object against an action's [`Param`]s and
//! [`Rule`]s: every value coerced to its kind's canonical form, or an error
//! that names the field and says what to send.

use super::rules::{self, Rule};
use super::{Args, Kind, MAX_INPUT_BYTES, Param, RESERVED_HEADERS, shorten};
use crate::errors::{Error, invalid_input};
use serde_json::{Map, Value, json};

/// Checks `input` (JSON text) against `params` and `rules` and returns the validated values.
pub fn parse(params: &[Param], rules: &[Rule], input: &str) -> Result<Args, Error> {
    if input.len() > MAX_INPUT_BYTES {
        return Err(invalid_input(
            "input",
            format!(
                "the input is {} bytes; the limit is {} MiB",
                input.len(),
                MAX_INPUT_BYTES / (1024 * 1024)
            ),
        ));
    }
    let json: Value = if input.trim().is_empty() {
        Value::Object(Map::new())
    } else {
        crate::strict_json::parse(input).map_err(|e| {
            invalid_input(
                "input",
                format!("the input is not valid JSON ({e}): send a JSON object such as {{}}"),
            )
        })?
    };
    let Value::Object(object) = json else {
        return Err(invalid_input(
            "input",
            "the input must be a JSON object of named inputs, such as {}",
        ));
    };
    for key in object.keys() {
        if !params.iter().any(|p| p.key == key) {
            let known: Vec<&str> = params.iter().map(|p| p.key).collect();
            return Err(invalid_input(
                key,
                format!(
                    "`{}` is not an input of this action; it takes: {}",
                    shorten(key),
                    known.join(", ")
                ),
            ));
        }
    }
    let mut args = Args::default();
    for param in params {
        if let Some(default) = param.default.and_then(|d| serde_json::from_str(d).ok()) {
            args.defaults.insert(param.key, default);
        }
        match object.get(param.key).filter(|v| !is_blank(v)) {
            Some(value) => {
                let value = check_value(param.kind, param.key, value)?;
                args.values.insert(param.key, value);
            }
            None if param.required => {
                return Err(invalid_input(
                    param.key,
                    format!(
                        "`{}` ({}) is required: {}",
                        param.key, param.label, param.description
                    ),
                ));
            }
            None => {}
        }
    }
    rules::check(rules, &args)?;
    Ok(args)
}

/// Whether a value counts as not given: `null` or an empty or blank string.
fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.trim().is_empty(),
        _ => false,
    }
}

/// The usual invalid-input error for a value of the wrong shape: "`key` must
/// be {expected}; got {the value, shortened}".
pub fn must_be(key: &str, expected: &str, value: &Value) -> Error {
    invalid_input(
        key,
        format!("`{key}` must be {expected}; got {}", describe(value)),
    )
}

/// Checks one value given for input `key` against `kind` and returns it in
/// canonical form.
pub fn check_value(kind: Kind, key: &str, value: &Value) -> Result<Value, Error> {
    let fail = |expected: &str| Err(must_be(key, expected, value));
    match kind {
        Kind::String => match value {
            Value::String(s) if s.contains(['\n', '\r']) => fail("a single line of text"),
            // Leading and trailing spaces in a one-line value are typing noise.
            Value::String(s) => Ok(Value::String(s.trim().to_string())),
            _ => fail("a string"),
        },
        Kind::Text => match value {
            Value::String(s) => Ok(Value::String(s.clone())),
            _ => fail("a string"),
        },
        Kind::Id => match as_id(value) {
            Some(id) => Ok(Value::String(id)),
            None => fail("a numeric id such as \"123456\""),
        },
        Kind::Integer { min, max } => {
            let number = match value {
                Value::Number(n) => n.as_i64(),
                Value::String(s) => s.trim().parse::<i64>().ok(),
                _ => None,
            };
            match number {
                Some(n) if (min..=max).contains(&n) => Ok(Value::from(n)),
                _ => fail(&format!("a whole number from {min} to {max}")),
            }
        }
        Kind::Boolean => match value {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(Value::Bool(true)),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(Value::Bool(false)),
            _ => fail("true or false"),
        },
        Kind::Select(choices) => match value {
            Value::String(s) if choices.contains(&s.as_str()) => Ok(Value::String(s.clone())),
            _ => fail(&format!("one of {}", choices.join(", "))),
        },
        Kind::List | Kind::IdList | Kind::SelectList(_) => {
            let Some(items) = list_items(value).filter(|items| !items.is_empty()) else {
                return fail("a non-empty list of strings, or one comma-separated string");
            };
            for item in &items {
                match kind {
                    Kind::IdList if as_id(&Value::String(item.clone())).is_none() => {
                        return fail("a list of numeric ids such as [\"123\", \"456\"]");
                    }
                    Kind::SelectList(choices) if !choices.contains(&item.as_str()) => {
                        return fail(&format!("a list of: {}", choices.join(", ")));
                    }
                    _ => {}
                }
            }
            Ok(json!(items))
        }
        Kind::Object => match value {
            Value::Object(_) => Ok(value.clone()),
            Value::String(s) => match serde_json::from_str::<Value>(s) {
                Ok(parsed @ Value::Object(_)) => Ok(parsed),
                _ => fail("a JSON object"),
            },
            _ => fail("a JSON object"),
        },
        Kind::Token => match value {
            Value::String(s) if is_token(s.trim()) => Ok(Value::String(s.trim().to_string())),
            Value::Number(n) if n.is_u64() => Ok(Value::String(n.to_string())),
            _ => fail("an id of letters, digits, `-` and `_` only, such as \"att12345\""),
        },
        Kind::Pairs => pairs_value(value).ok_or(()).or_else(|_| {
            fail("an object such as {\"name\": \"value\"}, or a list such as [{\"key\": \"name\", \"value\": \"value\"}]")
        }),
        Kind::Json => Ok(value.clone()),
        Kind::Base64 => match value {
            Value::String(s) => decode_base64(s)
                .map(|_| value.clone())
                .map_err(|message| invalid_input(key, message)),
            _ => fail("a base64 string"),
        },
        Kind::Files | Kind::Headers => {
            let pairs = pairs_value(value).ok_or(()).or_else(|_| fail("an object such as {\"name\": \"value\"}"))?;
            for pair in pairs.as_array().into_iter().flatten() {
                let (name, text) = (pair[0].as_str().unwrap_or_default(), pair[1].as_str().unwrap_or_default());
                let problem = if matches!(kind, Kind::Files) {
                    decode_base64(text).err().map(|e| format!("`{name}`: {e}"))
                } else {
                    header_problem(name, text)
                };
                if let Some(problem) = problem {
                    return Err(invalid_input(key, problem));
                }
            }
            Ok(pairs)
        }
        Kind::Custom(custom) => custom.check(key, value),
    }
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional, line breaks ignored).
pub fn decode_base64(text: &str) -> Result<Vec<u8>, String> {
    use base64::Engine as _;
    use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let trimmed = compact.trim_end_matches('=');
    STANDARD_NO_PAD
        .decode(trimmed)
        .or_else(|_| URL_SAFE_NO_PAD.decode(trimmed))
        .map_err(|e| format!("the file's bytes must be base64-encoded ({e})"))
}

/// Whether `text` is a safe single path segment: 1 to 64 letters, digits, `-` or `_`.
pub fn is_token(text: &str) -> bool {
    (1..=64).contains(&text.len())
        && text
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What is wrong with a header a user gave, if anything.
fn header_problem(name: &str, value: &str) -> Option<String> {
    let lower = name.trim().to_ascii_lowercase();
    if RESERVED_HEADERS.contains(&lower.as_str()) {
        return Some(format!(
            "the header `{name}` is set by the connector and cannot be given"
        ));
    }
    let valid_name = !lower.is_empty()
        && lower
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
    (!valid_name || value.contains(['\r', '\n', '\0']))
        .then(|| format!("`{}` is not a valid header name and value", shorten(name)))
}

/// Name/value pairs from an object or a list of `{"key","value"}` objects or `[name, value]` pairs.
fn pairs_value(value: &Value) -> Option<Value> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(v.to_string()),
        _ => None,
    };
    let value = match value {
        Value::String(text) => serde_json::from_str::<Value>(text).ok()?,
        other => other.clone(),
    };
    let mut pairs = Vec::new();
    match &value {
        Value::Object(map) => {
            for (name, v) in map {
                match v {
                    // A list value repeats the name, as `?status=a&status=b` does.
                    Value::Array(items) => {
                        for item in items {
                            pairs.push(json!([name, scalar(item)?]));
                        }
                    }
                    other => pairs.push(json!([name, scalar(other)?])),
                }
            }
        }
        Value::Array(items) => {
            for item in items {
                let (name, v) = match item {
                    Value::Object(map) => (
                        map.get("key").or_else(|| map.get("name"))?.as_str()?,
                        map.get("value")?,
                    ),
                    Value::Array(pair) if pair.len() == 2 => (pair[0].as_str()?, &pair[1]),
                    _ => return None,
                };
                pairs.push(json!([name, scalar(v)?]));
            }
        }
        _ => return None,
    }
    pairs
        .iter()
        .all(|p| p[0].as_str().is_some_and(|n| !n.trim().is_empty()))
        .then_some(Value::Array(pairs))
}

/// A numeric id from a string of digits or a non-negative whole number.
fn as_id(value: &Value) -> Option<String> {
    match value {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        Value::String(s) => {
            let s = s.trim();
            (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.to_string())
        }
        _ => None,
    }
}

/// The items of a list given as an array of strings (or numbers) or as a comma-separated string.
fn list_items(value: &Value) -> Option<Vec<String>> {
    match value {
        Value::String(s) => Some(
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
        ),
        Value::Array(items) => items
            .iter()
            .map(|item| match item {
                Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => None,
    }
}

/// A short description of a rejected value for an error message.
fn describe(value: &Value) -> String {
    let text = match value {
        Value::String(s) => format!("\"{s}\""),
        other => other.to_string(),
    };
    shorten(&text)
}
