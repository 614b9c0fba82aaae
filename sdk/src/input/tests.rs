//! Unit tests of the input declarations, parsing and schema.

use super::*;
use crate::errors::Error;
use serde_json::{Value, json};

const PARAMS: &[Param] = &[
    Param::new(
        "page-id",
        "Page Id",
        "The page.",
        Kind::Id,
        Target::Path("id"),
    )
    .required(),
    Param::new(
        "limit",
        "Limit",
        "How many.",
        Kind::Integer { min: 1, max: 250 },
        Target::Query("limit"),
    )
    .default("25"),
    Param::new(
        "status",
        "Status",
        "Which.",
        Kind::SelectList(&["current", "archived"]),
        Target::Query("status"),
    ),
    Param::new(
        "title",
        "Title",
        "Title.",
        Kind::String,
        Target::Query("title"),
    ),
    Param::new("even", "Even", "Even.", Kind::Custom(&Even), Target::Local),
    Param::new(
        "draft",
        "Draft",
        "Draft.",
        Kind::Boolean,
        Target::Query("draft"),
    ),
];

/// A connector's own kind, for these tests: an even number, kept as text.
struct Even;

impl CustomKind for Even {
    fn name(&self) -> &'static str {
        "even"
    }

    fn check(&self, key: &str, value: &Value) -> Result<Value, Error> {
        match value.as_u64() {
            Some(n) if n % 2 == 0 => Ok(json!(n.to_string())),
            _ => Err(must_be(key, "an even number", value)),
        }
    }

    fn input_kind(&self) -> InputKind {
        InputKind::Integer
    }

    fn schema(&self) -> Value {
        json!({"type": "integer", "multipleOf": 2})
    }
}

fn field_of(err: Error) -> String {
    match err {
        Error::InvalidInput(f) => f.field,
        other => panic!("{other:?}"),
    }
}

#[test]
fn accepts_and_normalises() {
    let args = parse(PARAMS, &[], r#"{"page-id": 42, "limit": "10", "status": "current, archived", "title": "", "even": 4, "draft": "true"}"#).unwrap();
    assert_eq!(args.str("page-id"), Some("42"));
    assert_eq!(args.int("limit"), Some(10));
    assert_eq!(args.get("status").unwrap(), &json!(["current", "archived"]));
    assert_eq!(args.get("title"), None);
    assert_eq!(
        args.str("even"),
        Some("4"),
        "a custom kind's canonical form"
    );
    assert!(args.flag("draft"));
    assert_eq!(
        parse(PARAMS, &[], r#"{"page-id":"7"}"#)
            .unwrap()
            .int("limit"),
        Some(25)
    );
}

#[test]
fn rejections_name_the_field() {
    let cases = [
        ("[]", "input"),
        ("not json", "input"),
        ("{}", "page-id"),
        (r#"{"page-id": "../etc"}"#, "page-id"),
        (r#"{"page-id": "12/34"}"#, "page-id"),
        (r#"{"page-id": "1?x=2"}"#, "page-id"),
        (r#"{"page-id": "%2e%2e"}"#, "page-id"),
        (r#"{"page-id": -3}"#, "page-id"),
        (r#"{"page-id": 1, "limit": 0}"#, "limit"),
        (r#"{"page-id": 1, "limit": 251}"#, "limit"),
        (r#"{"page-id": 1, "status": ["gone"]}"#, "status"),
        (r#"{"page-id": 1, "title": 5}"#, "title"),
        (r#"{"page-id": 1, "title": "a\nb"}"#, "title"),
        (r#"{"page-id": 1, "draft": "yes"}"#, "draft"),
        (r#"{"page-id": 1, "even": 3}"#, "even"),
        (r#"{"page-id": 1, "surprise": true}"#, "surprise"),
    ];
    for (input, field) in cases {
        assert_eq!(
            field_of(parse(PARAMS, &[], input).unwrap_err()),
            field,
            "{input}"
        );
    }
}

#[test]
fn schema_lists_required_and_types() {
    let schema = schema(PARAMS, &[]);
    assert_eq!(schema["required"], json!(["page-id"]));
    assert_eq!(schema["additionalProperties"], false);
    assert_eq!(schema["properties"]["limit"]["maximum"], 250);
    assert_eq!(schema["properties"]["limit"]["default"], 25);
    assert_eq!(schema["properties"]["even"]["multipleOf"], 2);
    assert_eq!(schema["properties"]["even"]["title"], "Even");
}

#[test]
fn a_custom_kind_is_told_apart_by_name_and_words_its_own_errors() {
    assert!(Kind::Custom(&Even).is_custom("even"));
    assert!(!Kind::Custom(&Even).is_custom("odd") && !Kind::Text.is_custom("even"));
    assert_eq!(format!("{:?}", Kind::Custom(&Even)), "Custom(even)");
    let Err(Error::InvalidInput(error)) = parse(PARAMS, &[], r#"{"page-id": 1, "even": 3}"#) else {
        panic!("an odd number passed");
    };
    assert_eq!(error.message, "`even` must be an even number; got 3");
}
