//! The whole catalog, action by action, through the compiled component.
//!
//! Each action runs with an example input made from its own definitions (every
//! input that declares an example), which its own JSON Schema must accept. A
//! host mode that answers every request with one canned response captures the
//! requests, and each is checked against Atlassian's OpenAPI documents. Then
//! each action runs again against Confluence's real 403 body and must return
//! `forbidden` with Confluence's message. A new action is covered without new
//! test code; the per-action fixture tests check the answers in detail.

use crate::common::openapi::{self, check_typed, outside_the_documents};
use crate::common::{basic, example_input, host};
use host_test_harness::{
    ActionDefinition, CallOptions, ConnectorError, Exchange, HttpMode, InputKind,
};
use serde_json::{Value, json};

/// One answer that every handler can read: a list, an item with a version, a
/// content property, a label and an attachment with a download link.
const CANNED: &str = r#"{"id":"1","key":"release","title":"Example","status":"current",
 "version":{"number":1},"value":"x","body":{"storage":{"representation":"storage","value":"<h2>Example</h2><p>x</p>"}},
 "downloadLink":"/download/attachments/1/a.txt","mediaType":"text/plain",
 "label":{"id":"1","name":"release-notes","prefix":"global","label":"release-notes"},
 "results":[],"_links":{}}"#;

fn canned(status: u16, body: &str) -> CallOptions {
    CallOptions {
        http: HttpMode::Respond {
            status,
            content_type: "application/json".into(),
            body: body.into(),
        },
        ..CallOptions::default()
    }
}

/// The checks of a request the OpenAPI documents do not describe.
fn check_outside(action: &str, exchange: &Exchange) -> Result<(), String> {
    if exchange.url.ends_with("/gateway/api/graphql") {
        let body = exchange
            .request_json()
            .ok_or("the GraphQL body is not JSON")?;
        return (exchange.method == "POST" && body["query"].is_string())
            .then_some(())
            .ok_or_else(|| format!("{action}: not a GraphQL POST: {body}"));
    }
    if exchange.url.contains("/wiki/download/") {
        return (exchange.method == "GET")
            .then_some(())
            .ok_or_else(|| format!("{action}: a download is a GET"));
    }
    Err(format!("{action}: unexpected request {}", exchange.url))
}

/// Runs `action` with `input` against the canned answer and checks each
/// request it sent against the documents: how many it sent, and the problems.
fn conformance_problems(
    specs: &[openapi::Spec],
    action: &ActionDefinition,
    input: &Value,
) -> (usize, Vec<String>) {
    let outcome = host()
        .invoke(
            &action.key,
            &basic(),
            &input.to_string(),
            &canned(200, CANNED),
        )
        .unwrap();
    if let Err(e) = &outcome.result {
        return (0, vec![format!("{}: {input} failed: {e:?}", action.key)]);
    }
    let mut problems = Vec::new();
    if outcome.exchanges.is_empty() {
        problems.push(format!("{}: sent no request", action.key));
    }
    for exchange in &outcome.exchanges {
        let checked = if outside_the_documents(&exchange.url).is_some() {
            check_outside(&action.key, exchange)
        } else {
            let body =
                (!exchange.request_body.is_empty()).then_some(exchange.request_body.as_str());
            let content_type = exchange
                .header("content-type")
                .unwrap_or("application/json");
            check_typed(specs, &exchange.method, &exchange.url, body, content_type).map(|_| ())
        };
        if let Err(problem) = checked {
            problems.push(format!(
                "{}: {} {}: {problem}",
                action.key, exchange.method, exchange.url
            ));
        }
    }
    (outcome.exchanges.len(), problems)
}

#[test]
fn every_action_sends_requests_the_openapi_documents_describe() {
    let specs = openapi::both();
    let actions = host().action_definitions().unwrap();
    let mut requests = 0;
    let mut failures = Vec::new();
    for action in &actions {
        let input = example_input(action);
        let schema: Value = serde_json::from_str(&action.input_schema).unwrap();
        let validator = jsonschema::validator_for(&schema).unwrap();
        if let Err(e) = validator.validate(&input) {
            failures.push(format!(
                "{}: example {input} fails its own schema: {e}",
                action.key
            ));
            continue;
        }
        let (sent, problems) = conformance_problems(&specs, action, &input);
        requests += sent;
        failures.extend(problems);
    }
    println!(
        "{} actions, {requests} requests checked against the OpenAPI documents",
        actions.len()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        actions.len() >= 60,
        "the catalog has {} actions",
        actions.len()
    );
}

/// Every choice of every select input, one call each: the value the component
/// sends for it must be one the operation declares.
#[test]
fn every_choice_of_every_action_is_a_value_the_documents_accept() {
    let specs = openapi::both();
    let mut calls = 0;
    let mut failures = Vec::new();
    for action in host().action_definitions().unwrap() {
        for field in action.inputs.iter().filter(|i| !i.choices.is_empty()) {
            // Raw Request's method is the user's own; its example path is only a GET.
            if action.key == "raw-request" && field.key == "method" {
                continue;
            }
            for choice in &field.choices {
                let mut input = example_input(&action);
                input[&field.key] = match field.kind {
                    InputKind::StringList => json!([choice]),
                    _ => json!(choice),
                };
                calls += 1;
                failures.extend(conformance_problems(&specs, &action, &input).1);
            }
        }
    }
    println!("{calls} calls, one per choice of every select input");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // A catalog that lost its select inputs (or definitions without their
    // choices) would pass the loop above with nothing checked: 240 (action,
    // choice) pairs were checked when this bound was set.
    assert!(
        calls >= 240,
        "only {calls} (action, choice) pairs checked; there were 240"
    );
}

#[test]
fn every_action_reports_confluence_errors_as_typed_errors() {
    let forbidden = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/errors/v1-403-current-user-not-permitted.body.json"),
    )
    .unwrap();
    let message = serde_json::from_str::<Value>(&forbidden).unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    let mut failures = Vec::new();
    let actions = host().action_definitions().unwrap();
    for action in &actions {
        let input = example_input(action).to_string();
        let outcome = host()
            .invoke(&action.key, &basic(), &input, &canned(403, &forbidden))
            .unwrap();
        match outcome.result {
            Err(ConnectorError::Forbidden(m)) if m.contains(&message) => {}
            other => failures.push(format!("{}: {other:?}", action.key)),
        }
        // A 403 is final: no retry, and nothing after it.
        if outcome.exchanges.len() != 1 {
            failures.push(format!(
                "{}: {} requests after a 403",
                action.key,
                outcome.exchanges.len()
            ));
        }
    }
    println!("{} actions answered a 403 with `forbidden`", actions.len());
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_action_is_documented_for_a_host() {
    for action in host().action_definitions().unwrap() {
        assert!(!action.label.is_empty(), "{}", action.key);
        assert!(action.description.len() > 20, "{}", action.key);
        for input in &action.inputs {
            assert!(!input.label.is_empty(), "{}.{}", action.key, input.key);
            assert!(input.description.len() > 10, "{}.{}", action.key, input.key);
        }
        let schema: Value = serde_json::from_str(&action.input_schema).unwrap();
        assert_eq!(
            schema["additionalProperties"],
            json!(false),
            "{}",
            action.key
        );
    }
}

#[test]
fn the_readme_lists_every_action() {
    let readme = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"),
    )
    .unwrap();
    let owners = ["page", "blog-post", "attachment", "custom-content"];
    for action in host().action_definitions().unwrap() {
        // The twenty property actions share one row per operation.
        let shown = owners
            .iter()
            .find_map(|o| action.key.strip_suffix(&format!("-for-{o}")))
            .map_or_else(
                || action.key.clone(),
                |stem| format!("{stem}-for-{{owner}}"),
            );
        assert!(
            readme.contains(&format!("`{shown}`")),
            "the README's action table lacks {shown}"
        );
    }
}

/// Whether `url` is one of the REST v1 endpoints Atlassian's gateway has
/// removed (it answers them `410 Gone`): content and its search, and spaces.
/// Attachment upload (`/content/{id}/child/attachment`) and content labels
/// (`/content/{id}/label`) are v1 too but still answer there.
fn removed_on_the_gateway(url: &str) -> bool {
    let path = url.split('?').next().unwrap_or(url);
    let Some((_, v1)) = path.split_once("/wiki/rest/api/") else {
        return false;
    };
    let segments: Vec<&str> = v1.split('/').collect();
    match segments.as_slice() {
        ["space", ..] => true,
        ["content", _, "child", "attachment", ..] | ["content", _, "label", ..] => false,
        ["content", ..] => true,
        _ => false,
    }
}

#[test]
fn over_the_oauth_gateway_no_action_calls_a_removed_endpoint() {
    assert!(removed_on_the_gateway(
        "https://x/wiki/rest/api/content/search?cql=a"
    ));
    assert!(removed_on_the_gateway("https://x/wiki/rest/api/content/12"));
    assert!(removed_on_the_gateway("https://x/wiki/rest/api/space"));
    assert!(!removed_on_the_gateway(
        "https://x/wiki/rest/api/content/12/label"
    ));
    assert!(!removed_on_the_gateway(
        "https://x/wiki/rest/api/search?cql=a"
    ));
    let gateway = "https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/";
    let mut requests = 0;
    let mut failures = Vec::new();
    let connections = [
        ("OAuth", crate::common::oauth_stored()),
        ("a scoped token", crate::common::scoped_stored()),
    ];
    for action in host().action_definitions().unwrap() {
        for (route, connection) in &connections {
            let input = example_input(&action);
            let outcome = host()
                .invoke(
                    &action.key,
                    connection,
                    &input.to_string(),
                    &canned(200, CANNED),
                )
                .unwrap();
            if let Err(e) = &outcome.result {
                failures.push(format!(
                    "{}: {input} failed over {route}: {e:?}",
                    action.key
                ));
            }
            for exchange in &outcome.exchanges {
                requests += 1;
                let through = exchange.url.starts_with(gateway)
                    || exchange.url == "https://api.atlassian.com/graphql";
                if !through || removed_on_the_gateway(&exchange.url) {
                    failures.push(format!(
                        "{} over {route}: {} {}",
                        action.key, exchange.method, exchange.url
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(requests >= 128, "{requests} requests");
}

/// The scopes an action's definition names (after "Scopes (…): ").
fn named_scopes(action: &host_test_harness::ActionDefinition) -> Vec<String> {
    action
        .description
        .split_once("Scopes (OAuth 2.0, scoped tokens): ")
        .map(|(_, list)| {
            list.trim_end_matches('.')
                .split(", ")
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn every_action_names_the_scopes_the_documents_require_and_the_default_grants_them_all() {
    let specs = openapi::both();
    let oauth = host()
        .connection_definitions()
        .unwrap()
        .into_iter()
        .find(|d| d.key == "oauth2")
        .unwrap();
    let host_test_harness::bindings::AuthScheme::Oauth2(settings) = &oauth.auth else {
        panic!("oauth2 is not OAuth");
    };
    let mut problems = Vec::new();
    let mut checked = 0;
    for action in host().action_definitions().unwrap() {
        let named = named_scopes(&action);
        let raw = action.key.starts_with("raw-");
        if named.is_empty() != raw {
            problems.push(format!("{}: names scopes {named:?}", action.key));
        }
        for scope in &named {
            if !settings.default_scopes.contains(scope) {
                problems.push(format!("{}: {scope} is not a default scope", action.key));
            }
        }
        let outcome = host()
            .invoke(
                &action.key,
                &crate::common::oauth_stored(),
                &example_input(&action).to_string(),
                &canned(200, CANNED),
            )
            .unwrap();
        for exchange in &outcome.exchanges {
            let Some(required) = openapi::scopes(&specs, &exchange.method, &exchange.url) else {
                continue; // downloads, GraphQL: outside the documents
            };
            checked += 1;
            for scope in required {
                if !raw && !named.contains(&scope) {
                    problems.push(format!(
                        "{}: {} {} needs {scope}",
                        action.key, exchange.method, exchange.url
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        checked >= 64,
        "only {checked} requests had documented scopes"
    );
    assert!(
        settings
            .default_scopes
            .contains(&"offline_access".to_string())
    );
}

#[test]
fn a_refusal_for_a_missing_scope_names_the_scopes_the_action_needs() {
    // The gateway's answer to a token without the scope (a real body).
    let body = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/confluence-samples/observed-errors/gateway-401-scope-does-not-match.body.json"
    ))
    .unwrap_or_else(|_| r#"{"code":401,"message":"Unauthorized; scope does not match"}"#.into());
    let outcome = host()
        .invoke(
            "get-page-ancestors",
            &crate::common::oauth_stored(),
            r#"{"page-id": "12345678"}"#,
            &canned(401, &body),
        )
        .unwrap();
    let Err(ConnectorError::Unauthorized(message)) = &outcome.result else {
        panic!("{:?}", outcome.result);
    };
    assert!(
        message.contains("scope does not match")
            && message.contains("needs the scopes read:content.metadata:confluence"),
        "{message}"
    );
    // Another refusal is left as it was.
    let outcome = host()
        .invoke(
            "get-page",
            &crate::common::oauth_stored(),
            r#"{"page-id": "12345678"}"#,
            &canned(403, r#"{"message":"Not permitted to view this page"}"#),
        )
        .unwrap();
    let Err(ConnectorError::Forbidden(message)) = &outcome.result else {
        panic!("{:?}", outcome.result);
    };
    assert!(!message.contains("needs the scopes"), "{message}");
}
