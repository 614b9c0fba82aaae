//! Every action of the foundation catalog, through the compiled component in
//! wasmtime, against HAR fixtures that follow the official OpenAPI documents.
//! Replays are strict: a request the fixture does not expect, or an expected
//! request the component never sends, fails the test.

use crate::common;
use crate::common::{basic, body_json, expect_error, host, oauth, replay};
use host_test_harness::{Body, CallOptions, ConnectorError, HttpMode};
use serde_json::json;

#[test]
fn the_catalog_lists_every_connection_kind_and_every_action() {
    let connections = host().connection_definitions().unwrap();
    let keys: Vec<&str> = connections.iter().map(|c| c.key.as_str()).collect();
    assert_eq!(keys, ["basic", "scoped-api-token", "oauth2"]);
    let actions = host().action_definitions().unwrap();
    let keys: Vec<&str> = actions.iter().map(|a| a.key.as_str()).collect();
    for expected in [
        "list-spaces",
        "get-space",
        "search-spaces",
        "list-pages",
        "list-pages-in-space",
        "get-page",
        "create-page",
        "update-page",
        "delete-page",
        "get-current-user",
    ] {
        assert!(keys.contains(&expected), "{expected} missing from {keys:?}");
    }
    for action in &actions {
        assert!(
            !action.label.is_empty() && !action.description.is_empty(),
            "{}",
            action.key
        );
        let schema: serde_json::Value = serde_json::from_str(&action.input_schema).unwrap();
        assert_eq!(schema["type"], "object", "{}", action.key);
        assert!(
            action.inputs.iter().any(|i| i.key == "debug"),
            "{} has no debug input",
            action.key
        );
        for input in &action.inputs {
            assert!(
                !input.description.is_empty(),
                "{}.{} has no comments",
                action.key,
                input.key
            );
            assert!(
                schema["properties"].get(&input.key).is_some(),
                "{}.{} not in schema",
                action.key,
                input.key
            );
        }
    }
}

#[test]
fn list_spaces_returns_one_page_as_confluence_sent_it() {
    let outcome = host()
        .invoke(
            "list-spaces",
            &basic(),
            r#"{"limit": 2}"#,
            &replay("list-spaces"),
        )
        .unwrap();
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["results"][0]["key"], "ENG");
    assert_eq!(
        body["_links"]["next"],
        "/wiki/api/v2/spaces?cursor=c2&limit=2"
    );
    let auth = outcome.exchanges[0].authorization.as_deref().unwrap();
    // Basic base64("jane@acme.com:REDACTED"): replay answers the token as REDACTED.
    assert_eq!(auth, "Basic amFuZUBhY21lLmNvbTpSRURBQ1RFRA==");
}

#[test]
fn fetch_all_follows_every_cursor_against_the_site_not_links_base() {
    let outcome = host()
        .invoke(
            "list-spaces",
            &basic(),
            r#"{"type": "global", "fetch-all": true}"#,
            &replay("list-spaces-all"),
        )
        .unwrap();
    let body = body_json(&outcome.result.unwrap());
    let keys: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, ["ENG", "MKT", "OPS"]);
    assert_eq!(body["truncated"], false);
    assert!(outcome.exchanges.iter().all(|e| {
        e.url
            .starts_with("https://acme.atlassian.net/wiki/api/v2/spaces")
    }));
}

/// Get Space sends each flag its input sets as the query parameter of that
/// name that the v2 document declares for `GET /spaces/{id}`, and none it
/// leaves unset: the fixture's call with `include-labels` alone, then every
/// flag at once against a canned answer.
#[test]
fn get_space_sends_its_flags() {
    let outcome = host()
        .invoke(
            "get-space",
            &basic(),
            r#"{"space-id": "98306", "include-labels": true}"#,
            &replay("get-space"),
        )
        .unwrap();
    assert_eq!(
        get_space_query(&outcome.exchanges),
        [("include-labels", "true")].map(pair)
    );
    let out = outcome.result.unwrap();
    assert_eq!(body_json(&out)["labels"]["results"][0]["name"], "team");

    let flags = [
        "include-icon",
        "include-labels",
        "include-properties",
        "include-operations",
        "include-permissions",
    ];
    let mut input = json!({"space-id": "98306", "description-format": "view"});
    for flag in flags {
        input[flag] = json!(true);
    }
    let canned = CallOptions {
        http: HttpMode::Respond {
            status: 200,
            content_type: "application/json".into(),
            body: r#"{"id":"98306","key":"ENG","name":"Engineering"}"#.into(),
        },
        ..CallOptions::default()
    };
    let outcome = host()
        .invoke("get-space", &basic(), &input.to_string(), &canned)
        .unwrap();
    assert!(outcome.result.is_ok(), "{:?}", outcome.result);
    let mut sent = get_space_query(&outcome.exchanges);
    sent.sort();
    let mut expected: Vec<(String, String)> = flags.map(|f| pair((f, "true"))).into();
    expected.push(pair(("description-format", "view")));
    expected.sort();
    assert_eq!(sent, expected);
}

fn pair((name, value): (&str, &str)) -> (String, String) {
    (name.to_string(), value.to_string())
}

/// The query of the one request a Get Space call sent, after checking it
/// is `GET /wiki/api/v2/spaces/98306`.
fn get_space_query(exchanges: &[host_test_harness::Exchange]) -> Vec<(String, String)> {
    assert_eq!(exchanges.len(), 1, "{exchanges:?}");
    let sent = &exchanges[0];
    assert_eq!(sent.method, "GET");
    let url = url::Url::parse(&sent.url).unwrap();
    assert_eq!(url.path(), "/wiki/api/v2/spaces/98306", "{}", sent.url);
    url.query_pairs()
        .map(|(name, value)| (name.into_owned(), value.into_owned()))
        .collect()
}

#[test]
fn search_spaces_matches_names_across_pages() {
    let out = host()
        .invoke(
            "search-spaces",
            &basic(),
            r#"{"title": "ENGINEERING"}"#,
            &replay("search-spaces"),
        )
        .unwrap()
        .result
        .unwrap();
    let body = body_json(&out);
    let names: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Engineering", "Platform Engineering"]);
}

#[test]
fn list_pages_and_pages_in_space() {
    let out = host()
        .invoke(
            "list-pages",
            &basic(),
            r#"{"space-id": [98306, "98307"], "status": ["current"], "body-format": "storage", "limit": 2}"#,
            &replay("list-pages"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(
        body_json(&out)["results"][0]["body"]["storage"]["representation"],
        "storage"
    );
    let out = host()
        .invoke(
            "list-pages-in-space",
            &basic(),
            r#"{"space-id": "98306", "depth": "root", "sort": "title"}"#,
            &replay("list-pages-in-space"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(body_json(&out)["results"][0]["title"], "Engineering Home");
}

#[test]
fn get_page_with_body_and_a_missing_page() {
    let out = host()
        .invoke(
            "get-page",
            &basic(),
            r#"{"page-id": "11", "body-format": "storage"}"#,
            &replay("get-page"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(body_json(&out)["version"]["number"], 3);
    let err = expect_error(
        host()
            .invoke(
                "get-page",
                &basic(),
                r#"{"page-id": 404404}"#,
                &replay("get-page-404"),
            )
            .unwrap(),
    );
    assert!(
        matches!(err, ConnectorError::NotFound(ref m) if m.contains("Not Found")),
        "{err:?}"
    );
}

#[test]
fn create_page_sends_the_documented_body() {
    let input = json!({
        "space-id": "98306", "title": "Release notes", "parent-id": "983061",
        "body": "<h1>Release notes</h1><p>Version <strong>2.4</strong> ships on Friday.</p>",
        "status": "current"
    });
    let outcome = host()
        .invoke(
            "create-page",
            &basic(),
            &input.to_string(),
            &replay("create-page"),
        )
        .unwrap();
    assert_eq!(body_json(&outcome.result.unwrap())["id"], "11");
    assert_eq!(
        outcome.exchanges[0].header("content-type"),
        Some("application/json")
    );
    let outcome = host()
        .invoke(
            "create-page",
            &basic(),
            r#"{"space-id": "98306"}"#,
            &common::replay_lenient("create-page"),
        )
        .unwrap();
    assert!(outcome.exchanges.is_empty());
    let err = expect_error(outcome);
    assert!(
        matches!(err, ConnectorError::InvalidInput(ref f) if f.field == "title"),
        "{err:?}"
    );
}

#[test]
fn update_page_reads_the_current_version_and_sends_the_next() {
    let input = r#"{"page-id": "11", "body": "<p>Moved to Monday.</p>", "version": {"message": "New date"}}"#;
    let outcome = host()
        .invoke("update-page", &basic(), input, &replay("update-page"))
        .unwrap();
    assert_eq!(body_json(&outcome.result.unwrap())["version"]["number"], 4);
    assert_eq!(
        outcome.exchanges[1].request_json().unwrap()["version"]["number"],
        4
    );
}

#[test]
fn update_page_conflict_names_both_versions() {
    let input = r#"{"page-id": "11", "title": "Release notes", "status": "current", "body": "<p>x</p>", "version": 3}"#;
    let err = expect_error(
        host()
            .invoke(
                "update-page",
                &basic(),
                input,
                &replay("update-page-conflict"),
            )
            .unwrap(),
    );
    match err {
        ConnectorError::Conflict(message) => {
            assert!(message.contains("sent version 3"), "{message}");
            assert!(message.contains("at version 5"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn delete_page_returns_an_empty_body() {
    let out = host()
        .invoke(
            "delete-page",
            &basic(),
            r#"{"page-id": "11"}"#,
            &replay("delete-page"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
}

#[test]
fn a_429_is_retried_after_its_retry_after() {
    let started = std::time::Instant::now();
    let outcome = host()
        .invoke(
            "get-space",
            &basic(),
            r#"{"space-id": "98306"}"#,
            &replay("rate-limited-then-ok"),
        )
        .unwrap();
    assert_eq!(body_json(&outcome.result.unwrap())["key"], "ENG");
    assert_eq!(outcome.exchanges.len(), 2);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    assert!(
        outcome
            .logs
            .iter()
            .any(|l| l.message.contains("retry 1 of 4"))
    );
}

#[test]
fn a_pathological_retry_after_is_clamped_in_the_error() {
    let err = expect_error(
        host()
            .invoke(
                "get-space",
                &basic(),
                r#"{"space-id": "98306"}"#,
                &replay("rate-limited-pathological"),
            )
            .unwrap(),
    );
    match err {
        ConnectorError::RateLimited(limit) => assert_eq!(limit.retry_after_seconds, Some(3600)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_503_storm_gives_up_after_the_bounded_retries() {
    let outcome = host()
        .invoke(
            "get-space",
            &basic(),
            r#"{"space-id": "98306"}"#,
            &replay("unavailable-storm"),
        )
        .unwrap();
    assert_eq!(outcome.exchanges.len(), 5);
    let err = expect_error(outcome);
    assert!(
        matches!(err, ConnectorError::Upstream(ref e) if e.status == 503 && e.message == "Service Unavailable"),
        "{err:?}"
    );
}

#[test]
fn a_v1_error_body_keeps_its_message() {
    let err = expect_error(
        host()
            .invoke(
                "list-spaces",
                &basic(),
                r#"{"limit": 25}"#,
                &replay("forbidden-v1"),
            )
            .unwrap(),
    );
    assert!(
        matches!(err, ConnectorError::Forbidden(ref m) if m == "Current user not permitted to use Confluence"),
        "{err:?}"
    );
}

#[test]
fn bad_inputs_name_the_field_and_send_nothing() {
    let cases = [
        ("get-page", "{not json", "input"),
        ("get-page", "[1, 2]", "input"),
        ("get-page", "{}", "page-id"),
        ("get-page", r#"{"page-id": "../../admin"}"#, "page-id"),
        (
            "get-page",
            r#"{"page-id": "11", "version": "latest"}"#,
            "version",
        ),
        ("list-spaces", r#"{"limit": "many"}"#, "limit"),
        ("list-spaces", r#"{"type": "secret-club"}"#, "type"),
        ("list-spaces", r#"{"colour": "blue"}"#, "colour"),
    ];
    for (action, input, field) in cases {
        let outcome = host()
            .invoke(
                action,
                &basic(),
                input,
                &common::replay_lenient("list-spaces"),
            )
            .unwrap();
        assert!(
            outcome.exchanges.is_empty(),
            "{action} {input} sent a request"
        );
        let err = expect_error(outcome);
        assert!(
            matches!(err, ConnectorError::InvalidInput(ref f) if f.field == field),
            "{action} {input}: {err:?}"
        );
    }
}

#[test]
fn a_bad_host_is_an_invalid_connection_with_a_fix() {
    for (host_value, hint) in [
        ("http://acme.atlassian.net", "https://acme.atlassian.net"),
        (
            "https://acme.atlassian.net/wiki/spaces/ENG",
            "without a page or space path",
        ),
        ("", "acme.atlassian.net"),
        (
            "https://jane:pw@acme.atlassian.net",
            "user name or password",
        ),
    ] {
        let conn = common::basic_with(json!({"email": "jane@acme.com", "host": host_value}));
        let err = expect_error(
            host()
                .invoke(
                    "list-spaces",
                    &conn,
                    "{}",
                    &common::replay_lenient("list-spaces"),
                )
                .unwrap(),
        );
        assert!(
            matches!(err, ConnectorError::InvalidConnection(ref m) if m.contains(hint)),
            "{host_value}: {err:?}"
        );
    }
}

#[test]
fn get_current_user_returns_the_account() {
    let out = host()
        .invoke("get-current-user", &basic(), "{}", &replay("check-basic"))
        .unwrap()
        .result
        .unwrap();
    assert_eq!(body_json(&out)["displayName"], "Jane Doe");
    let err = expect_error(
        host()
            .invoke(
                "get-current-user",
                &basic(),
                "{}",
                &replay("check-basic-password"),
            )
            .unwrap(),
    );
    assert!(matches!(err, ConnectorError::Unauthorized(_)), "{err:?}");
}

#[test]
fn check_with_basic_returns_the_site() {
    let site = host()
        .check(&basic(), &replay("check-basic"))
        .unwrap()
        .result
        .unwrap();
    assert_eq!(site.url.as_deref(), Some("https://acme.atlassian.net"));
    assert_eq!(site.display_name.as_deref(), Some("acme"));
    // Basic needs no lookup a later call could skip: nothing to store.
    assert_eq!(site.store, "{}");
    let err = expect_error(
        host()
            .check(&basic(), &replay("check-basic-password"))
            .unwrap(),
    );
    assert!(
        matches!(err, ConnectorError::Unauthorized(ref m) if m.starts_with("Basic authentication with passwords is deprecated")),
        "{err:?}"
    );
}

#[test]
fn oauth_uses_the_first_confluence_site_and_pages_through_the_gateway() {
    let outcome = host()
        .invoke(
            "list-spaces",
            &oauth(json!({})),
            r#"{"fetch-all": true}"#,
            &replay("oauth-first-site"),
        )
        .unwrap();
    let body = body_json(&outcome.result.unwrap());
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
    assert_eq!(
        outcome.exchanges[0].authorization.as_deref(),
        Some("Bearer REDACTED")
    );
    assert!(outcome.exchanges[2].url.starts_with("https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/wiki/api/v2/spaces?cursor=o2"));
}

#[test]
fn oauth_site_override_by_url_and_by_a_name_that_matches_nothing() {
    let conn = oauth(json!({"api-site-override": "HTTPS://beta.atlassian.net/"}));
    let out = host()
        .invoke(
            "get-space",
            &conn,
            r#"{"space-id": "98306"}"#,
            &replay("oauth-override"),
        )
        .unwrap()
        .result
        .unwrap();
    assert_eq!(body_json(&out)["key"], "ENG");
    let conn = oauth(json!({"api-site-override": "gamma"}));
    let err = expect_error(
        host()
            .invoke(
                "get-space",
                &conn,
                r#"{"space-id": "98306"}"#,
                &replay("oauth-no-match"),
            )
            .unwrap(),
    );
    assert!(
        matches!(err, ConnectorError::InvalidConnection(ref m) if m.contains("acme, beta")),
        "{err:?}"
    );
    let err = expect_error(
        host()
            .invoke(
                "get-space",
                &oauth(json!({})),
                r#"{"space-id": "98306"}"#,
                &replay("oauth-no-sites"),
            )
            .unwrap(),
    );
    assert!(
        matches!(err, ConnectorError::InvalidConnection(ref m) if m.contains("no Confluence site")),
        "{err:?}"
    );
}

#[test]
fn oauth_with_a_stored_cloud_id_skips_the_site_lookup() {
    let conn = oauth(json!({"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"}));
    let outcome = host()
        .invoke(
            "get-page",
            &conn,
            r#"{"page-id": "11"}"#,
            &replay("oauth-cloud-id"),
        )
        .unwrap();
    assert_eq!(outcome.exchanges.len(), 1);
    assert_eq!(
        body_json(&outcome.result.unwrap())["title"],
        "Release notes"
    );
}

#[test]
fn oauth_check_returns_the_resolved_site_and_scope_errors_are_kept() {
    let site = host()
        .check(&oauth(json!({})), &replay("oauth-check"))
        .unwrap()
        .result
        .unwrap();
    // The cloud id is what the host stores, so later calls skip the lookup.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&site.store).unwrap(),
        json!({"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"})
    );
    assert_eq!(site.display_name.as_deref(), Some("acme"));
    assert_eq!(site.url.as_deref(), Some("https://acme.atlassian.net"));
    let conn = oauth(json!({"cloud-id": "1324a887-45db-1bf4-1e99-ef0ff456d421"}));
    let err = expect_error(
        host()
            .invoke(
                "get-page",
                &conn,
                r#"{"page-id": "11"}"#,
                &replay("oauth-scope"),
            )
            .unwrap(),
    );
    // The service's words are kept, and the scopes the action needs named.
    assert!(
        matches!(err, ConnectorError::Unauthorized(ref m) if m.starts_with("Unauthorized; scope does not match; this action needs the scopes read:page:confluence")),
        "{err:?}"
    );
}

#[test]
fn debug_logs_the_exchange_without_the_credential() {
    let outcome = host()
        .invoke(
            "list-spaces",
            &basic(),
            r#"{"limit": 2, "debug": true}"#,
            &replay("list-spaces"),
        )
        .unwrap();
    outcome.result.unwrap();
    let text: String = outcome
        .logs
        .iter()
        .map(|l| l.message.clone())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        text.contains("GET https://acme.atlassian.net/wiki/api/v2/spaces?limit=2"),
        "{text}"
    );
    assert!(text.contains("authorization: REDACTED"));
    assert!(
        !text.contains("amFuZUBhY21l"),
        "the Basic credential leaked into a log line"
    );
}
