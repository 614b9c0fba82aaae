//! Bad input across the whole catalog, generated from each action's own JSON
//! Schema so that a new action is covered without new test code.
//!
//! Every case must end in `invalid-input` naming the field at fault, with no
//! request sent — not even the OAuth site lookup, because the connection used
//! here has no stored cloud id and inputs are checked before it is resolved.

use crate::common::{example_input, host, oauth};
use host_test_harness::{ActionDefinition, CallOptions, ConnectorError};
use serde_json::{Map, Value, json};

/// Values of the wrong type or shape for most inputs; each is used where the
/// input's own schema rejects it.
fn wrong_values() -> Vec<Value> {
    vec![
        json!({"nested": {"deep": true}}),
        json!([{"a": 1}]),
        json!(12.5),
        json!(-7),
        json!(true),
        json!("a\nb"),
        json!("not-a-number"),
    ]
}

/// Ids that would change the request's path if they reached it.
const PATH_CHANGERS: &[&str] = &[
    "../1",
    "..",
    "1/2",
    "/1",
    "1?x=2",
    "1#x",
    "%2e%2e",
    "%2E%2E%2F1",
    "1%2F2",
    "1 2",
    "1\\2",
    "１２",
];

struct Case {
    action: String,
    input: String,
    field: String,
    what: String,
}

fn cases_for(action: &ActionDefinition) -> Vec<Case> {
    let schema: Value = serde_json::from_str(&action.input_schema).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let base = match example_input(action) {
        Value::Object(fields) => fields,
        _ => Map::new(),
    };
    let mut cases = Vec::new();
    let mut push = |input: String, field: &str, what: String| {
        cases.push(Case {
            action: action.key.clone(),
            input,
            field: field.to_string(),
            what,
        })
    };
    for text in ["[]", "\"text\"", "1", "null", "not json", "{\"a\":", "[{}]"] {
        push(text.to_string(), "input", format!("not an object: {text}"));
    }
    // The size check comes before anything else and is the same for every
    // action; three kinds of action (a table row, a handler, a raw request)
    // keep the test quick with a 16 MiB input each.
    if ["get-space", "update-page", "raw-request"].contains(&action.key.as_str()) {
        let mut huge = base.clone();
        huge.insert("surprise".into(), json!("x".repeat(16 * 1024 * 1024)));
        push(
            Value::Object(huge).to_string(),
            "input",
            "an input over 16 MiB".into(),
        );
    }
    let mut unknown = base.clone();
    unknown.insert("surprise-field".into(), json!(1));
    push(
        Value::Object(unknown).to_string(),
        "surprise-field",
        "an unknown field".into(),
    );
    for required in schema["required"].as_array().unwrap() {
        let key = required.as_str().unwrap();
        let mut missing = base.clone();
        missing.remove(key);
        push(
            Value::Object(missing).to_string(),
            key,
            format!("{key} missing"),
        );
        for blank in ["", "   "] {
            let mut empty = base.clone();
            empty.insert(key.into(), json!(blank));
            push(
                Value::Object(empty).to_string(),
                key,
                format!("{key} empty"),
            );
        }
    }
    for key in schema["properties"].as_object().unwrap().keys() {
        for value in wrong_values() {
            let mut input = base.clone();
            input.insert(key.clone(), value.clone());
            let input = Value::Object(input);
            if !validator.is_valid(&input) {
                push(input.to_string(), key, format!("{key} = {value}"));
            }
        }
        if key.ends_with("-id") {
            for id in PATH_CHANGERS {
                let mut input = base.clone();
                input.insert(key.clone(), json!(id));
                push(
                    Value::Object(input).to_string(),
                    key,
                    format!("{key} = {id:?}"),
                );
            }
        }
    }
    cases
}

#[test]
fn every_bad_input_is_refused_naming_its_field_and_nothing_is_sent() {
    let connection = oauth(json!({}));
    let mut failures = Vec::new();
    let mut count = 0;
    for action in host().action_definitions().unwrap() {
        for case in cases_for(&action) {
            count += 1;
            let outcome = host()
                .invoke(
                    &case.action,
                    &connection,
                    &case.input,
                    &CallOptions::default(),
                )
                .unwrap();
            if !outcome.exchanges.is_empty() {
                failures.push(format!("{}: {}: sent a request", case.action, case.what));
            }
            match outcome.result {
                Err(ConnectorError::InvalidInput(f)) if f.field == case.field => {
                    if f.message.trim().is_empty() {
                        failures.push(format!("{}: {}: empty message", case.action, case.what));
                    }
                }
                other => failures.push(format!(
                    "{}: {}: wanted invalid-input on `{}`, got {other:?}",
                    case.action, case.what, case.field
                )),
            }
        }
    }
    println!("{count} bad inputs refused across the catalog");
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 1000, "only {count} cases");
}

#[test]
fn an_unknown_action_is_unsupported_naming_the_action() {
    let outcome = host()
        .invoke(
            "no-such-action",
            &oauth(json!({})),
            "{}",
            &CallOptions::default(),
        )
        .unwrap();
    assert!(outcome.exchanges.is_empty());
    assert!(
        matches!(&outcome.result, Err(ConnectorError::Unsupported(m)) if m.contains("`no-such-action`")),
        "{:?}",
        outcome.result
    );
}

/// Text that is not ASCII, of every kind that breaks code which slices at byte
/// offsets or assumes one byte per character: accents (precomposed and
/// combining), CJK, emoji (four bytes, with a joiner), right-to-left text and
/// marks, and a zero-width space.
const NON_ASCII: &[&str] = &[
    "café",
    "e\u{301}te\u{301}",
    "日本語のページ",
    "😀 👩‍💻 🇫🇷",
    "שלום \u{200f}عربى\u{200e}",
    "a\u{200b}b",
];

/// A canned answer with non-ASCII text in the fields actions read.
const NON_ASCII_ANSWER: &str = r#"{"id":"1","title":"Ünïcödé 日本 😀","status":"current",
"version":{"number":1},"spaceId":"1","key":"É","name":"名前",
"body":{"storage":{"value":"<p>café e\u0301 \u200fשלום 😀</p>","representation":"storage"}},
"results":[{"id":"1","title":"ひらがな 😀","name":"é"}],"_links":{"base":"https://acme.atlassian.net/wiki"}}"#;

#[test]
fn non_ascii_text_in_every_string_input_never_traps() {
    let connection = oauth(json!({"cloud-id": "c1"}));
    let options = CallOptions {
        http: host_test_harness::HttpMode::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: NON_ASCII_ANSWER.into(),
        },
        ..CallOptions::default()
    };
    let mut failures = Vec::new();
    let mut count = 0;
    for action in host().action_definitions().unwrap() {
        let schema: Value = serde_json::from_str(&action.input_schema).unwrap();
        let base = match example_input(&action) {
            Value::Object(fields) => fields,
            _ => Map::new(),
        };
        for (key, property) in schema["properties"].as_object().unwrap() {
            if property["type"] != "string" {
                continue;
            }
            for text in NON_ASCII {
                // Alone, and inside ASCII text such as a CQL clause or a title.
                for value in [text.to_string(), format!("label = {text} ORDER BY title")] {
                    count += 1;
                    let mut input = base.clone();
                    input.insert(key.clone(), json!(value));
                    let input = Value::Object(input).to_string();
                    match host().invoke(&action.key, &connection, &input, &options) {
                        Ok(_) => {}
                        Err(e) => {
                            failures.push(format!("{}: {key} = {value:?}: {e:#}", action.key))
                        }
                    }
                }
            }
        }
    }
    println!("{count} non-ASCII inputs ran across the catalog without a trap");
    assert!(
        failures.is_empty(),
        "{} calls trapped or failed in the host:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 1000, "only {count} cases");
}
