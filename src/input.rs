//! Action inputs: the SDK's declarations, validation and schema
//! ([`connector_sdk::input`]), and the kinds of value only Confluence has,
//! plugged in as [`Kind::Custom`]: a content body, a version, a content
//! property, a path on the site, and label names.

pub use connector_sdk::input::*;

use crate::bindings::integration::connector::types::InputKind;
use crate::errors::{Error, invalid_input};
use serde_json::{Map, Value, json};

/// A content body: a storage-format string, or `{"representation":..,"value":..}`.
pub const BODY: Kind = Kind::Custom(&Body);
/// A version: a number, or `{"number":..,"message":..}` where both are optional.
pub const VERSION: Kind = Kind::Custom(&Version);
/// A content property: `{"key":..,"value":..}`.
pub const PROPERTY: Kind = Kind::Custom(&Property { update: false });
/// The body of a property update: as [`PROPERTY`], with an optional
/// `version` (a number or `{"number","message"}`), and `key` may be left out.
pub const PROPERTY_UPDATE: Kind = Kind::Custom(&Property { update: true });
/// A path on the connected site, such as `/wiki/api/v2/attachments`: never
/// a full URL or anything that could leave the site (see [`crate::site::check_path`]).
pub const SITE_PATH: Kind = Kind::Custom(&SitePath);
/// Label names, as [`Kind::List`], none with whitespace.
pub const LABELS: Kind = Kind::Custom(&Labels);

/// Whether `kind` is one of the two property kinds.
pub fn is_property(kind: Kind) -> bool {
    kind.is_custom("property") || kind.is_custom("property-update")
}

struct Body;

impl CustomKind for Body {
    fn name(&self) -> &'static str {
        "body"
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        body_value(value).ok_or_else(|| {
            must_be(key, "a storage-format string, or an object {\"representation\": \"storage\" | \"atlas_doc_format\" | \"wiki\", \"value\": \"...\"}", value)
        })
    }

    fn schema(&self) -> Value {
        json!({"anyOf": [
            {"type": "string"},
            {"type": "object", "properties": {
                "representation": {"type": "string", "enum": ["storage", "atlas_doc_format", "wiki"]},
                "value": {"type": ["string", "object"]}
            }, "required": ["value"], "additionalProperties": false}
        ]})
    }
}

struct Version;

impl CustomKind for Version {
    fn name(&self) -> &'static str {
        "version"
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        version_value(value).ok_or_else(|| {
            must_be(
                key,
                "a version number, or an object {\"number\": 2, \"message\": \"...\"}",
                value,
            )
        })
    }

    fn schema(&self) -> Value {
        version_schema()
    }
}

struct Property {
    /// Whether this is the body of an update.
    update: bool,
}

impl CustomKind for Property {
    fn name(&self) -> &'static str {
        if self.update {
            "property-update"
        } else {
            "property"
        }
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        property_value(value, self.update).map_err(|problem| must_be(key, &problem, value))
    }

    fn schema(&self) -> Value {
        let mut properties = json!({"key": {"type": "string", "minLength": 1}, "value": {}});
        let mut required = vec!["value"];
        if self.update {
            properties["version"] = version_schema();
        } else {
            required.push("key");
        }
        json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
    }
}

struct SitePath;

impl CustomKind for SitePath {
    fn name(&self) -> &'static str {
        "site-path"
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        match value {
            Value::String(s) => crate::site::check_path(s.trim())
                .map(|()| Value::String(s.trim().to_string()))
                .map_err(|message| invalid_input(key, message)),
            _ => Err(must_be(
                key,
                "a path such as \"/wiki/api/v2/spaces\"",
                value,
            )),
        }
    }

    fn input_kind(&self) -> InputKind {
        InputKind::String
    }

    fn schema(&self) -> Value {
        json!({"type": "string", "pattern": "^/(?!/)"})
    }
}

struct Labels;

impl CustomKind for Labels {
    fn name(&self) -> &'static str {
        "labels"
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        let labels = check_value(Kind::List, key, value)?;
        let spaced = labels.as_array().into_iter().flatten().any(|label| {
            label
                .as_str()
                .is_some_and(|l| l.chars().any(char::is_whitespace))
        });
        if spaced {
            return Err(must_be(
                key,
                "a list of label names without spaces (use - or _ between words)",
                value,
            ));
        }
        Ok(labels)
    }

    fn input_kind(&self) -> InputKind {
        InputKind::StringList
    }

    fn schema(&self) -> Value {
        Value::Object(kind_schema(Kind::List))
    }
}

/// A content property body, or what is wrong with it.
fn property_value(value: &Value, update: bool) -> Result<Value, String> {
    let shape = if update {
        "an object {\"key\": \"...\", \"value\": ..., \"version\": {\"number\": 2}} (key and version may be left out)"
    } else {
        "an object {\"key\": \"...\", \"value\": ...}"
    };
    let parsed;
    let map = match value {
        Value::Object(map) => map,
        Value::String(text) => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => {
                parsed = map;
                &parsed
            }
            _ => return Err(shape.to_string()),
        },
        _ => return Err(shape.to_string()),
    };
    let mut out = Map::new();
    for (key, field) in map {
        match (key.as_str(), field) {
            ("key", Value::String(k)) if !k.trim().is_empty() => {
                out.insert("key".into(), Value::String(k.clone()));
            }
            ("value", v) => {
                out.insert("value".into(), v.clone());
            }
            ("version", v) if update => {
                let version = version_value(v).ok_or_else(|| {
                    format!("{shape}; `version` must be a number or {{\"number\": 2, \"message\": \"...\"}}")
                })?;
                out.insert("version".into(), version);
            }
            _ => return Err(format!("{shape}; `{}` is not allowed there", shorten(key))),
        }
    }
    if !update && !out.contains_key("key") {
        return Err(format!("{shape}, with a non-empty `key`"));
    }
    if !out.contains_key("value") {
        return Err(format!("{shape}, with a `value`"));
    }
    Ok(Value::Object(out))
}

/// A body object `{"representation":..,"value":..}` from either accepted form.
fn body_value(value: &Value) -> Option<Value> {
    const REPRESENTATIONS: [&str; 3] = ["storage", "atlas_doc_format", "wiki"];
    match value {
        Value::String(s) => Some(json!({"representation": "storage", "value": s})),
        Value::Object(map) => {
            let representation = match map.get("representation") {
                None => "storage",
                Some(Value::String(r)) if REPRESENTATIONS.contains(&r.as_str()) => r.as_str(),
                Some(_) => return None,
            };
            let text = match map.get("value")? {
                Value::String(s) => s.clone(),
                // An atlas_doc_format document may be given as JSON; Confluence wants its text.
                doc @ Value::Object(_) if representation == "atlas_doc_format" => doc.to_string(),
                _ => return None,
            };
            if map.keys().any(|k| k != "representation" && k != "value") {
                return None;
            }
            Some(json!({"representation": representation, "value": text}))
        }
        _ => None,
    }
}

/// A version object `{"number"?, "message"?}` from either accepted form.
fn version_value(value: &Value) -> Option<Value> {
    let positive = |v: &Value| v.as_u64().filter(|n| (1..=i32::MAX as u64).contains(n));
    match value {
        Value::Number(_) => positive(value).map(|n| json!({"number": n})),
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, field) in map {
                match (key.as_str(), field) {
                    ("number", v) => {
                        out.insert("number".into(), Value::from(positive(v)?));
                    }
                    ("message", Value::String(s)) => {
                        out.insert("message".into(), Value::String(s.clone()));
                    }
                    ("message", Value::Null) => {}
                    _ => return None,
                }
            }
            Some(Value::Object(out))
        }
        _ => None,
    }
}

/// The schema of a version: a number, or `{"number"?, "message"?}`.
fn version_schema() -> Value {
    json!({"anyOf": [
        {"type": "integer", "minimum": 1},
        {"type": "object", "properties": {
            "number": {"type": "integer", "minimum": 1},
            "message": {"type": "string"}
        }, "additionalProperties": false}
    ]})
}

#[cfg(test)]
mod tests {
    use super::*;

    const PARAMS: &[Param] = &[
        Param::new("body", "Body", "Body.", BODY, Target::Body("body")),
        Param::new("version", "Version", "Version.", VERSION, Target::Local),
        Param::new(
            "property",
            "Property",
            "Property.",
            PROPERTY,
            Target::BodyRoot,
        ),
        Param::new(
            "update",
            "Update",
            "Update.",
            PROPERTY_UPDATE,
            Target::BodyRoot,
        ),
        Param::new("url", "URL", "URL.", SITE_PATH, Target::Local),
        Param::new("labels", "Labels", "Labels.", LABELS, Target::Local),
    ];

    fn rejected(input: &str) -> String {
        match parse(PARAMS, &[], input) {
            Err(Error::InvalidInput(f)) => f.field,
            other => panic!("{input}: {other:?}"),
        }
    }

    #[test]
    fn confluence_values_are_read_in_canonical_form() {
        let args = parse(PARAMS, &[], r#"{"body": "<p>x</p>", "version": 3, "property": {"key": "k", "value": [1]}, "update": "{\"value\": 2, \"version\": 5}", "url": " /wiki/api/v2/spaces ", "labels": "a, b"}"#).unwrap();
        assert_eq!(
            args.get("body").unwrap(),
            &json!({"representation": "storage", "value": "<p>x</p>"})
        );
        assert_eq!(args.get("version").unwrap(), &json!({"number": 3}));
        assert_eq!(
            args.get("property").unwrap(),
            &json!({"key": "k", "value": [1]})
        );
        assert_eq!(
            args.get("update").unwrap(),
            &json!({"value": 2, "version": {"number": 5}})
        );
        assert_eq!(args.str("url"), Some("/wiki/api/v2/spaces"));
        assert_eq!(args.get("labels").unwrap(), &json!(["a", "b"]));
    }

    #[test]
    fn confluence_values_of_the_wrong_shape_name_their_field() {
        for (input, field) in [
            (
                r#"{"body": {"representation": "html", "value": "x"}}"#,
                "body",
            ),
            (r#"{"version": {"number": 0}}"#, "version"),
            (r#"{"property": {"value": 1}}"#, "property"),
            (
                r#"{"update": {"key": "k", "value": 1, "extra": 2}}"#,
                "update",
            ),
            (r#"{"url": "https://elsewhere.example/wiki"}"#, "url"),
            (r#"{"labels": ["two words"]}"#, "labels"),
        ] {
            assert_eq!(rejected(input), field, "{input}");
        }
    }

    #[test]
    fn the_kinds_describe_themselves() {
        let schema = schema(PARAMS, &[]);
        assert_eq!(schema["properties"]["url"]["pattern"], "^/(?!/)");
        assert_eq!(
            schema["properties"]["property"]["required"],
            json!(["value", "key"])
        );
        assert_eq!(schema["properties"]["update"]["required"], json!(["value"]));
        assert!(is_property(PROPERTY) && is_property(PROPERTY_UPDATE));
        assert!(!is_property(BODY) && PROPERTY_UPDATE.is_custom("property-update"));
    }
}
