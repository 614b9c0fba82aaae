//! Raw Request and Raw GraphQL Request through the compiled component: the
//! request goes only to the connected site (or Atlassian's GraphQL gateway),
//! carries what the user gave, retries only as asked, and answers as JSON,
//! text or bytes; GraphQL errors become an error that keeps their messages.

use crate::common::scenarios_raw::scenario;
use crate::common::{basic, basic_with, body_json, expect_error, host, replay};
use crate::local_server;
use host_test_harness::{ActionHints, Body, CallOptions, ConnectorError, Outcome, Output};
use serde_json::json;
use std::time::{Duration, Instant};

/// Runs the scenario of fixture `name` against a strict replay.
fn run(name: &str) -> Outcome<Output> {
    let s = scenario(name);
    host()
        .invoke(s.action.unwrap(), &(s.connection)(), s.input, &replay(name))
        .unwrap()
}

#[test]
fn a_get_carries_its_query_and_headers_and_answers_json() {
    let outcome = run("raw-get");
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    assert_eq!(body_json(&out)["results"][0]["key"], "ENG");
    let sent = &outcome.exchanges[0];
    assert_eq!(sent.header("x-trace"), Some("42"));
    assert_eq!(sent.header("accept"), Some("application/json"));
    assert!(sent.authorization.as_deref().unwrap().starts_with("Basic "));
}

#[test]
fn json_data_is_sent_as_json() {
    let outcome = run("raw-post-json");
    assert_eq!(body_json(&outcome.result.unwrap())["id"], "12");
    assert_eq!(
        outcome.exchanges[0].header("content-type"),
        Some("application/json")
    );
}

#[test]
fn form_and_file_data_make_a_multipart_body() {
    let outcome = run("raw-multipart");
    assert_eq!(
        body_json(&outcome.result.unwrap())["results"][0]["title"],
        "notes.txt"
    );
    let sent = &outcome.exchanges[0];
    assert_eq!(
        sent.header("content-type"),
        Some("multipart/form-data; boundary=confluence-connector-boundary-0")
    );
    assert_eq!(sent.header("x-atlassian-token"), Some("no-check"));
    assert!(sent.request_body.contains("filename=\"notes.txt\""));
}

#[test]
fn response_type_text_returns_the_body_as_it_came() {
    let out = run("raw-text").result.unwrap();
    assert!(matches!(&out.body, Body::Text(t) if t == "<p>Plain answer</p>"));
    assert_eq!(out.content_type.as_deref(), Some("text/html"));
}

#[test]
fn response_type_json_refuses_an_answer_that_is_not_json() {
    let s = scenario("raw-text");
    let outcome = host()
        .invoke(
            "raw-request",
            &basic(),
            r#"{"url": "/wiki/api/v2/pages/11?body-format=storage"}"#,
            &replay(s.fixture),
        )
        .unwrap();
    let err = expect_error(outcome);
    assert!(
        matches!(&err, ConnectorError::Upstream(u) if u.message.contains("not valid JSON")),
        "{err:?}"
    );
}

#[test]
fn a_post_is_retried_only_when_the_user_asks() {
    let outcome = run("raw-retry-post");
    assert_eq!(body_json(&outcome.result.unwrap())["id"], "13");
    assert_eq!(outcome.exchanges.len(), 2);

    let outcome = run("raw-post-503");
    assert_eq!(outcome.exchanges.len(), 1);
    let err = expect_error(outcome);
    assert!(
        matches!(&err, ConnectorError::Upstream(u) if u.status == 503),
        "{err:?}"
    );
}

#[test]
fn confluence_errors_keep_their_variant_and_message() {
    let err = expect_error(run("raw-404"));
    assert!(
        matches!(&err, ConnectorError::NotFound(m) if m.contains("Not Found")),
        "{err:?}"
    );
}

#[test]
fn with_oauth_the_path_goes_under_the_gateway() {
    let outcome = run("raw-oauth");
    assert!(outcome.result.is_ok());
    assert!(
        outcome.exchanges[0]
            .url
            .starts_with("https://api.atlassian.com/ex/confluence/")
    );
}

#[test]
fn every_address_that_would_leave_the_site_is_refused_unsent() {
    for url in [
        "https://evil.example/wiki/api/v2/spaces",
        "http://acme.atlassian.net/wiki",
        "//evil.example/wiki",
        "evil.example/wiki",
        "/@evil.example/wiki",
        "/wiki/../../../evil",
        "/wiki/%2e%2e/%2E%2E/evil",
        "/wiki/%2Fevil.example",
        "/wiki\\evil",
        "/wiki /x",
        "/wiki/x#frag",
    ] {
        let input = json!({"url": url}).to_string();
        let outcome = host()
            .invoke("raw-request", &basic(), &input, &CallOptions::default())
            .unwrap();
        assert!(outcome.exchanges.is_empty(), "{url} was sent");
        let err = expect_error(outcome);
        assert!(
            matches!(&err, ConnectorError::InvalidInput(f) if f.field == "url" && f.message.contains("path")),
            "{url}: {err:?}"
        );
    }
}

#[test]
fn the_credential_headers_cannot_be_overridden() {
    for header in ["Authorization", "host", "Content-Length"] {
        let input = json!({"url": "/wiki/api/v2/spaces", "header": {header: "x"}}).to_string();
        let outcome = host()
            .invoke("raw-request", &basic(), &input, &CallOptions::default())
            .unwrap();
        assert!(outcome.exchanges.is_empty());
        let err = expect_error(outcome);
        assert!(
            matches!(&err, ConnectorError::InvalidInput(f) if f.field == "header"),
            "{header}: {err:?}"
        );
    }
    let input = json!({"url": "/wiki/api/v2/spaces", "data": "x", "form-data": {"a": "b"}});
    let err = expect_error(
        host()
            .invoke(
                "raw-request",
                &basic(),
                &input.to_string(),
                &CallOptions::default(),
            )
            .unwrap(),
    );
    assert!(
        matches!(&err, ConnectorError::InvalidInput(f) if f.field == "data"),
        "{err:?}"
    );
}

#[test]
fn the_timeout_input_bounds_the_wait_for_a_slow_server() {
    let server = local_server::serve(200, &[], "{}", Duration::from_secs(10));
    let connection = basic_with(json!({"email": "jane@acme.com", "host": server.origin()}));
    let options = CallOptions::live(&["127.0.0.1"]).secret("api-token", "t");
    let started = Instant::now();
    let outcome = host()
        .invoke(
            "raw-request",
            &connection,
            r#"{"url": "/wiki/api/v2/spaces", "timeout": 300}"#,
            &options,
        )
        .unwrap();
    let err = expect_error(outcome);
    assert!(matches!(err, ConnectorError::Transport(_)), "{err:?}");
    // One try, no retries by default: well under the 10 s the server takes.
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn graphql_goes_to_the_sites_gateway_with_basic() {
    let outcome = run("graphql-basic");
    assert_eq!(
        body_json(&outcome.result.unwrap())["data"]["me"]["user"]["name"],
        "Jane Doe"
    );
    assert_eq!(
        outcome.exchanges[0].url,
        "https://acme.atlassian.net/gateway/api/graphql"
    );
}

#[test]
fn graphql_errors_become_an_error_that_keeps_every_message() {
    let err = expect_error(run("graphql-errors"));
    match err {
        ConnectorError::Upstream(u) => {
            assert_eq!(u.status, 200);
            assert!(
                u.message.contains("Cannot query field \"nope\""),
                "{}",
                u.message
            );
            assert!(u.message.contains("Second problem"), "{}", u.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn graphql_goes_to_api_atlassian_com_with_oauth() {
    let outcome = run("graphql-oauth");
    assert!(outcome.result.is_ok());
    assert_eq!(
        outcome.exchanges[0].url,
        "https://api.atlassian.com/graphql"
    );
    assert!(
        outcome.exchanges[0]
            .authorization
            .as_deref()
            .unwrap()
            .starts_with("Bearer ")
    );
}

#[test]
fn raw_request_is_not_marked_safe_to_repeat() {
    let actions = host().action_definitions().unwrap();
    let raw = actions.iter().find(|a| a.key == "raw-request").unwrap();
    assert_eq!(raw.hints, ActionHints::DESTRUCTIVE);
    let graphql = actions
        .iter()
        .find(|a| a.key == "raw-graphql-request")
        .unwrap();
    assert!(!graphql.hints.contains(ActionHints::READ_ONLY));
    assert!(!graphql.hints.contains(ActionHints::IDEMPOTENT));
}
