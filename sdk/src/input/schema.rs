//! The JSON Schema (draft 2020-12) of an action's input object, from the same
//! [`Param`]s and [`Rule`]s that validate it.

use super::rules::{self, Rule};
use super::{Kind, Param};
use serde_json::{Map, Value, json};

/// The JSON Schema (draft 2020-12) of an input object with these params and rules.
pub fn schema(params: &[Param], rules: &[Rule]) -> Value {
    let mut properties = Map::new();
    for param in params {
        let mut property = kind_schema(param.kind);
        property.insert("title".into(), Value::String(param.label.into()));
        property.insert(
            "description".into(),
            Value::String(param.description.into()),
        );
        if let Some(default) = param
            .default
            .and_then(|d| serde_json::from_str::<Value>(d).ok())
        {
            property.insert("default".into(), default);
        }
        if let Some(example) = param
            .example
            .and_then(|e| serde_json::from_str::<Value>(e).ok())
        {
            property.insert("examples".into(), Value::Array(vec![example]));
        }
        properties.insert(param.key.into(), Value::Object(property));
    }
    let required: Vec<Value> = params
        .iter()
        .filter(|p| p.required)
        .map(|p| Value::String(p.key.into()))
        .collect();
    let mut schema = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
    });
    let conditions = rules::schema(rules, params);
    if !conditions.is_empty() {
        schema["allOf"] = Value::Array(conditions);
    }
    schema
}

/// The JSON Schema of one kind of value.
pub fn kind_schema(kind: Kind) -> Map<String, Value> {
    let id = json!({"anyOf": [{"type": "string", "pattern": "^[0-9]{1,20}$"}, {"type": "integer", "minimum": 0}]});
    let value = match kind {
        Kind::String => json!({"type": "string", "pattern": "^[^\\r\\n]*$"}),
        Kind::Text => json!({"type": "string"}),
        Kind::Id => id.clone(),
        Kind::Integer { min, max } => json!({"type": "integer", "minimum": min, "maximum": max}),
        Kind::Boolean => json!({"type": "boolean"}),
        Kind::Select(choices) => json!({"type": "string", "enum": choices}),
        Kind::List => {
            json!({"anyOf": [{"type": "array", "items": {"type": "string"}, "minItems": 1}, {"type": "string"}]})
        }
        Kind::IdList => {
            json!({"anyOf": [{"type": "array", "items": id, "minItems": 1}, {"type": "string"}]})
        }
        Kind::SelectList(choices) => {
            json!({"anyOf": [{"type": "array", "items": {"type": "string", "enum": choices}, "minItems": 1}, {"type": "string"}]})
        }
        Kind::Object => json!({"type": "object"}),
        Kind::Token => {
            json!({"anyOf": [{"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"}, {"type": "integer", "minimum": 0}]})
        }
        Kind::Pairs => json!({"anyOf": [
            {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean", "array"]}},
            {"type": "array", "items": {"anyOf": [
                {"type": "object", "properties": {"key": {"type": "string"}, "value": {"type": ["string", "number", "boolean"]}}, "required": ["key", "value"]},
                {"type": "array", "minItems": 2, "maxItems": 2}
            ]}},
            {"type": "string"}
        ]}),
        Kind::Json => json!({}),
        Kind::Base64 => json!({"type": "string", "contentEncoding": "base64"}),
        Kind::Files | Kind::Headers => Value::Object(kind_schema(Kind::Pairs)),
        Kind::Custom(custom) => custom.schema(),
    };
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}
