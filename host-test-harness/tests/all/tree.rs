//! The page tree, labels, comments and search actions, through the compiled
//! component in wasmtime, against strict HAR replays: a request a fixture does
//! not expect, or an expected request never sent, fails the test. Beyond that,
//! each test checks what a user of the action relies on: the URL exactly as
//! recorded (query order included), the request body, the output's status and
//! key fields, and for failures the error case and its message.

use crate::common;
use crate::common::{basic, body_json, expect_error, fixture, host, replay, replay_lenient};
use host_test_harness::bindings::{FieldError, UpstreamError};
use host_test_harness::{Body, ConnectorError, Outcome, Output};
use serde_json::{Value, json};

/// Runs `action` with `input` against the strict replay of `name`, and checks
/// that every URL sent is the recorded one, character for character.
fn run(action: &str, input: &str, name: &str) -> Outcome<Output> {
    let outcome = host()
        .invoke(action, &basic(), input, &replay(name))
        .unwrap();
    let har: Value = serde_json::from_slice(&std::fs::read(fixture(name)).unwrap()).unwrap();
    let recorded: Vec<&str> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["request"]["url"].as_str().unwrap())
        .collect();
    let sent: Vec<&str> = outcome.exchanges.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(sent, recorded, "{action} {input}");
    outcome
}

/// The output of a call that must succeed.
fn ok(action: &str, input: &str, name: &str) -> Output {
    run(action, input, name)
        .result
        .unwrap_or_else(|e| panic!("{action} {input}: {e:?}"))
}

/// The error of a call that must fail against fixture `name`.
fn fails(action: &str, input: &str, name: &str) -> ConnectorError {
    expect_error(run(action, input, name))
}

/// The `invalid-input` error of a call that must be refused before sending anything.
fn refused(action: &str, input: &str) -> FieldError {
    let outcome = host()
        .invoke(action, &basic(), input, &replay_lenient("tree-children"))
        .unwrap();
    assert!(
        outcome.exchanges.is_empty(),
        "{action} {input} sent {:?}",
        outcome.exchanges
    );
    match expect_error(outcome) {
        ConnectorError::InvalidInput(field) => field,
        other => panic!("{action} {input}: {other:?}"),
    }
}

/// The `id` of every item of `results`.
fn ids(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

/// A query parameter of `url`, decoded.
fn query_value(url: &str, name: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn assert_not_found(err: ConnectorError) {
    assert!(
        matches!(err, ConnectorError::NotFound(ref m) if m == "Not Found (NOT_FOUND)"),
        "{err:?}"
    );
}

fn assert_forbidden(err: ConnectorError) {
    assert!(
        matches!(err, ConnectorError::Forbidden(ref m) if m == "Current user not permitted to use Confluence"),
        "{err:?}"
    );
}

// ---- Page tree ------------------------------------------------------------------------

#[test]
fn get_page_children_returns_one_page_in_tree_order() {
    let out = ok(
        "get-page-children",
        r#"{"page-id": "983061", "sort": "child-position", "limit": 2}"#,
        "tree-children",
    );
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(ids(&body), ["11", "12"]);
    assert_eq!(body["results"][0]["childPosition"], 100);
    assert_eq!(
        body["_links"]["next"],
        "/wiki/api/v2/pages/983061/direct-children?cursor=ch2&limit=2&sort=child-position"
    );
}

#[test]
fn get_page_children_fetch_all_joins_both_pages() {
    let outcome = run(
        "get-page-children",
        r#"{"page-id": "983061", "fetch-all": true}"#,
        "tree-children-all",
    );
    assert_eq!(outcome.exchanges.len(), 2);
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(ids(&body), ["11", "12", "13", "14"]);
    let types: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["type"].as_str().unwrap())
        .collect();
    assert_eq!(types, ["page", "page", "folder", "whiteboard"]);
    assert_eq!(body["truncated"], false);
}

#[test]
fn get_page_children_errors() {
    assert_not_found(fails(
        "get-page-children",
        r#"{"page-id": "404404"}"#,
        "tree-children-404",
    ));
    let field = refused(
        "get-page-children",
        r#"{"page-id": "983061", "sort": "position"}"#,
    );
    assert_eq!(field.field, "sort");
    assert_eq!(refused("get-page-children", "{}").field, "page-id");
}

#[test]
fn get_page_ancestors_lists_the_tree_above_the_page() {
    let out = ok(
        "get-page-ancestors",
        r#"{"page-id": "11", "limit": 5}"#,
        "tree-ancestors",
    );
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(ids(&body), ["983061", "983070"]);
    assert_eq!(body["results"][1]["type"], "folder");
    assert_not_found(fails(
        "get-page-ancestors",
        r#"{"page-id": 404404}"#,
        "tree-ancestors-404",
    ));
    let field = refused("get-page-ancestors", r#"{"page-id": "11", "limit": 251}"#);
    assert_eq!(field.field, "limit");
    // Ancestors are one list, not pages of one: there is no fetch-all.
    assert_eq!(
        refused(
            "get-page-ancestors",
            r#"{"page-id": "11", "fetch-all": true}"#
        )
        .field,
        "fetch-all"
    );
}

#[test]
fn get_page_descendants_goes_down_to_the_depth_asked() {
    let out = ok(
        "get-page-descendants",
        r#"{"page-id": "983061", "depth": 3, "limit": 10}"#,
        "tree-descendants",
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["11", "111", "1111"]);
    let depths: Vec<i64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["depth"].as_i64().unwrap())
        .collect();
    assert_eq!(depths, [1, 2, 3]);
    assert_eq!(body["results"][2]["parentId"], "111");
    for depth in ["0", "11", "\"deep\""] {
        let input = format!(r#"{{"page-id": "983061", "depth": {depth}}}"#);
        let field = refused("get-page-descendants", &input);
        assert_eq!(field.field, "depth", "{input}");
        assert!(field.message.contains("from 1 to 10"), "{}", field.message);
    }
}

#[test]
fn get_page_versions_lists_the_history() {
    let out = ok(
        "get-page-versions",
        r#"{"page-id": "11", "body-format": "storage", "sort": "-modified-date"}"#,
        "tree-versions",
    );
    let body = body_json(&out);
    let numbers: Vec<i64> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["number"].as_i64().unwrap())
        .collect();
    assert_eq!(numbers, [3, 2, 1]);
    assert_eq!(body["results"][0]["message"], "Friday, not Thursday");
    assert_eq!(body["results"][1]["minorEdit"], true);
    assert_eq!(
        body["results"][0]["page"]["body"]["storage"]["representation"],
        "storage"
    );
    assert_not_found(fails(
        "get-page-versions",
        r#"{"page-id": "404404"}"#,
        "tree-versions-404",
    ));
    let field = refused(
        "get-page-versions",
        r#"{"page-id": "11", "body-format": "view"}"#,
    );
    assert_eq!(field.field, "body-format");
}

// ---- Labels ---------------------------------------------------------------------------

#[test]
fn get_page_labels_filters_by_prefix() {
    let out = ok(
        "get-page-labels",
        r#"{"page-id": "11", "prefix": "global", "sort": "name"}"#,
        "labels-page",
    );
    let body = body_json(&out);
    let names: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["q4", "release-notes"]);
    assert!(
        body["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|l| l["prefix"] == "global")
    );
    assert_not_found(fails(
        "get-page-labels",
        r#"{"page-id": "404404"}"#,
        "labels-page-404",
    ));
    let field = refused(
        "get-page-labels",
        r#"{"page-id": "11", "prefix": "public"}"#,
    );
    assert_eq!(field.field, "prefix");
}

#[test]
fn get_pages_by_label_looks_the_name_up_then_lists_its_pages() {
    let outcome = run(
        "get-pages-by-label",
        r#"{"label": " release-notes ", "space-id": "98306", "limit": 5}"#,
        "labels-pages-by-label",
    );
    assert_eq!(outcome.exchanges.len(), 2);
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(ids(&body), ["11"]);
    assert_eq!(body["results"][0]["title"], "Release notes");
}

#[test]
fn get_pages_by_label_of_an_unknown_name_is_an_empty_list() {
    let outcome = run(
        "get-pages-by-label",
        r#"{"label": "no-such-label"}"#,
        "labels-pages-by-label-unknown",
    );
    assert_eq!(outcome.exchanges.len(), 1);
    assert_eq!(outcome.exchanges[0].status, Some(404));
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    assert_eq!(body_json(&out), json!({"results": [], "_links": {}}));
}

#[test]
fn get_pages_by_label_errors() {
    assert_forbidden(fails(
        "get-pages-by-label",
        r#"{"label": "release-notes"}"#,
        "labels-pages-by-label-403",
    ));
    assert_eq!(refused("get-pages-by-label", "{}").field, "label");
    assert_eq!(
        refused("get-pages-by-label", r#"{"label": "   "}"#).field,
        "label"
    );
    assert_eq!(
        refused(
            "get-pages-by-label",
            r#"{"label": "q4", "space-id": "ENG"}"#
        )
        .field,
        "space-id"
    );
}

#[test]
fn add_labels_sends_one_v1_array_with_the_prefix() {
    let outcome = run(
        "add-labels",
        r#"{"content-id": "11", "labels": "release-notes, q4"}"#,
        "labels-add",
    );
    let exchange = &outcome.exchanges[0];
    assert_eq!(exchange.method, "POST");
    assert_eq!(exchange.header("content-type"), Some("application/json"));
    assert_eq!(
        exchange.request_json().unwrap(),
        json!([{"prefix": "global", "name": "release-notes"}, {"prefix": "global", "name": "q4"}])
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["size"], 3);
    assert_eq!(body["results"][1]["name"], "release-notes");
    assert_eq!(body["results"][1]["id"], "1409090");
}

#[test]
fn add_labels_errors() {
    let outcome = run(
        "add-labels",
        r#"{"content-id": "11", "labels": ["favourite"], "prefix": "my"}"#,
        "labels-add-403",
    );
    assert_eq!(
        outcome.exchanges[0].request_json().unwrap(),
        json!([{"prefix": "my", "name": "favourite"}])
    );
    assert_forbidden(expect_error(outcome));
    let field = refused(
        "add-labels",
        r#"{"content-id": "11", "labels": ["release notes"]}"#,
    );
    assert_eq!(field.field, "labels");
    assert!(
        field.message.contains("without spaces") && field.message.contains("release notes"),
        "{}",
        field.message
    );
    assert_eq!(
        refused("add-labels", r#"{"content-id": "11", "labels": []}"#).field,
        "labels"
    );
    assert_eq!(
        refused(
            "add-labels",
            r#"{"content-id": "11", "labels": "q4", "prefix": "system"}"#
        )
        .field,
        "prefix"
    );
    assert_eq!(
        refused("add-labels", r#"{"labels": "q4"}"#).field,
        "content-id"
    );
}

#[test]
fn remove_label_deletes_by_name() {
    let outcome = run(
        "remove-label",
        r#"{"content-id": "11", "label": "q4"}"#,
        "labels-remove",
    );
    assert_eq!(outcome.exchanges[0].method, "DELETE");
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
    let err = fails(
        "remove-label",
        r#"{"content-id": "404404", "label": "q4"}"#,
        "labels-remove-404",
    );
    assert!(
        matches!(err, ConnectorError::NotFound(ref m) if m == "No content found with id : ContentId{id=404404}"),
        "{err:?}"
    );
    assert_eq!(
        refused("remove-label", r#"{"content-id": "11"}"#).field,
        "label"
    );
}

// ---- Comments -------------------------------------------------------------------------

#[test]
fn list_page_footer_comments() {
    let out = ok(
        "list-page-footer-comments",
        r#"{"page-id": "11", "body-format": "storage", "status": "current", "sort": "-created-date"}"#,
        "comments-page-footer",
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["45678902", "45678901"]);
    assert_eq!(body["results"][1]["pageId"], "11");
    assert_eq!(
        body["results"][1]["body"]["storage"]["value"],
        "<p>Looks good to me.</p>"
    );
    assert_not_found(fails(
        "list-page-footer-comments",
        r#"{"page-id": "404404"}"#,
        "comments-page-footer-404",
    ));
    assert_eq!(
        refused(
            "list-page-footer-comments",
            r#"{"page-id": "11", "sort": "title"}"#
        )
        .field,
        "sort"
    );
}

#[test]
fn list_blog_post_footer_comments() {
    let out = ok(
        "list-blog-post-footer-comments",
        r#"{"blog-post-id": "23456789", "limit": 5}"#,
        "comments-blog-footer",
    );
    let body = body_json(&out);
    assert_eq!(body["results"][0]["blogPostId"], "23456789");
    assert_eq!(
        body["_links"]["next"],
        "/wiki/api/v2/blogposts/23456789/footer-comments?cursor=bc2&limit=5"
    );
    let field = refused(
        "list-blog-post-footer-comments",
        r#"{"blog-post-id": "Q4 kickoff"}"#,
    );
    assert_eq!(field.field, "blog-post-id");
}

#[test]
fn get_footer_comment() {
    let out = ok(
        "get-footer-comment",
        r#"{"comment-id": "45678901", "body-format": "storage", "include-likes": true}"#,
        "comments-get-footer",
    );
    let body = body_json(&out);
    assert_eq!(body["id"], "45678901");
    assert_eq!(body["version"]["number"], 2);
    assert_eq!(
        body["likes"]["results"][0]["accountId"],
        "5b10ac8d82e05b22cc7d4ef5"
    );
    assert_not_found(fails(
        "get-footer-comment",
        r#"{"comment-id": "404404"}"#,
        "comments-get-footer-404",
    ));
}

#[test]
fn create_footer_comment_on_a_page_a_blog_post_or_as_a_reply() {
    let outcome = run(
        "create-footer-comment",
        r#"{"page-id": "11", "body": "<p>Looks good to me.</p>"}"#,
        "comments-create-page",
    );
    assert_eq!(
        outcome.exchanges[0].request_json().unwrap(),
        json!({"pageId": "11", "body": {"representation": "storage", "value": "<p>Looks good to me.</p>"}})
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 201);
    assert_eq!(body_json(&out)["id"], "45678901");

    let outcome = run(
        "create-footer-comment",
        r#"{"blog-post-id": "23456789", "body": {"representation": "wiki", "value": "*Great* kickoff"}}"#,
        "comments-create-blog",
    );
    assert_eq!(
        outcome.exchanges[0].request_json().unwrap(),
        json!({"blogPostId": "23456789", "body": {"representation": "wiki", "value": "*Great* kickoff"}})
    );
    assert_eq!(
        body_json(&outcome.result.unwrap())["blogPostId"],
        "23456789"
    );

    let outcome = run(
        "create-footer-comment",
        r#"{"parent-comment-id": 45678901, "body": "<p>Thanks!</p>"}"#,
        "comments-create-reply",
    );
    let sent = outcome.exchanges[0].request_json().unwrap();
    assert_eq!(sent["parentCommentId"], "45678901");
    assert!(sent.get("pageId").is_none() && sent.get("blogPostId").is_none());
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 201);
    assert_eq!(body_json(&out)["parentCommentId"], "45678901");
}

#[test]
fn create_footer_comment_errors() {
    assert_not_found(fails(
        "create-footer-comment",
        r#"{"page-id": "404404", "body": "<p>Looks good to me.</p>"}"#,
        "comments-create-404",
    ));
    let field = refused("create-footer-comment", r#"{"body": "<p>x</p>"}"#);
    assert_eq!(field.field, "page-id");
    assert!(field.message.contains("exactly one"), "{}", field.message);
    let field = refused(
        "create-footer-comment",
        r#"{"page-id": "11", "parent-comment-id": "45678901", "body": "<p>x</p>"}"#,
    );
    assert_eq!(field.field, "parent-comment-id");
    let field = refused(
        "create-footer-comment",
        r#"{"page-id": "11", "blog-post-id": "23456789", "body": "<p>x</p>"}"#,
    );
    assert_eq!(field.field, "blog-post-id");
    assert_eq!(
        refused("create-footer-comment", r#"{"page-id": "11"}"#).field,
        "body"
    );
    assert_eq!(
        refused(
            "create-footer-comment",
            r#"{"page-id": "11", "body": {"representation": "view", "value": "x"}}"#
        )
        .field,
        "body"
    );
}

#[test]
fn update_footer_comment_reads_the_version_and_sends_the_next() {
    let outcome = run(
        "update-footer-comment",
        r#"{"comment-id": "45678901", "body": "<p>Looks good; ship it.</p>", "version": {"message": "Clearer"}}"#,
        "comments-update",
    );
    assert_eq!(outcome.exchanges[0].method, "GET");
    assert!(!outcome.exchanges[0].url.contains('?'));
    assert_eq!(
        outcome.exchanges[1].request_json().unwrap(),
        json!({
            "body": {"representation": "storage", "value": "<p>Looks good; ship it.</p>"},
            "version": {"number": 3, "message": "Clearer"}
        })
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["version"]["number"], 3);
    assert_eq!(
        body["body"]["storage"]["value"],
        "<p>Looks good; ship it.</p>"
    );
}

#[test]
fn update_footer_comment_conflict_names_both_versions() {
    let outcome = run(
        "update-footer-comment",
        r#"{"comment-id": "45678901", "body": "<p>x</p>", "version": 3}"#,
        "comments-update-conflict",
    );
    assert_eq!(outcome.exchanges[0].method, "PUT");
    match expect_error(outcome) {
        ConnectorError::Conflict(message) => {
            assert!(
                message.contains("comment-id 45678901: sent version 3 while it is at version 5"),
                "{message}"
            );
            assert!(
                message.contains("Current version is: 5 (CONFLICT)"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_footer_comment_conflict_after_its_own_read_reads_again() {
    let outcome = run(
        "update-footer-comment",
        r#"{"comment-id": "45678901", "body": "<p>x</p>"}"#,
        "comments-update-race",
    );
    // The version read before the PUT is stale after a 409: it reads again.
    assert_eq!(outcome.exchanges.len(), 3);
    match expect_error(outcome) {
        ConnectorError::Conflict(message) => assert!(
            message.contains("sent version 5 while it is at version 6"),
            "{message}"
        ),
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_footer_comment_needs_a_body() {
    assert_eq!(
        refused(
            "update-footer-comment",
            r#"{"comment-id": "45678901", "version": 3}"#
        )
        .field,
        "body"
    );
    assert_eq!(
        refused(
            "update-footer-comment",
            r#"{"comment-id": "45678901", "body": "<p>x</p>", "version": 0}"#
        )
        .field,
        "version"
    );
}

#[test]
fn delete_footer_comment() {
    let out = ok(
        "delete-footer-comment",
        r#"{"comment-id": "45678901"}"#,
        "comments-delete",
    );
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
    assert_not_found(fails(
        "delete-footer-comment",
        r#"{"comment-id": "404404"}"#,
        "comments-delete-404",
    ));
}

#[test]
fn list_page_inline_comments_by_resolution() {
    let out = ok(
        "list-page-inline-comments",
        r#"{"page-id": "11", "body-format": "storage", "resolution-status": ["open", "reopened"]}"#,
        "comments-page-inline",
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["56789012", "56789013"]);
    assert_eq!(body["results"][1]["resolutionStatus"], "reopened");
    assert_eq!(
        body["results"][0]["properties"]["inlineOriginalSelection"],
        "ships on Friday"
    );
    assert_not_found(fails(
        "list-page-inline-comments",
        r#"{"page-id": "404404"}"#,
        "comments-page-inline-404",
    ));
    let field = refused(
        "list-page-inline-comments",
        r#"{"page-id": "11", "resolution-status": "open,closed"}"#,
    );
    assert_eq!(field.field, "resolution-status");
}

#[test]
fn list_blog_post_inline_comments() {
    let out = ok(
        "list-blog-post-inline-comments",
        r#"{"blog-post-id": "23456789", "status": "current", "resolution-status": "resolved"}"#,
        "comments-blog-inline",
    );
    let body = body_json(&out);
    assert_eq!(body["results"][0]["resolutionStatus"], "resolved");
    assert_eq!(body["results"][0]["blogPostId"], "23456789");
    assert_forbidden(fails(
        "list-blog-post-inline-comments",
        r#"{"blog-post-id": "23456789"}"#,
        "comments-blog-inline-403",
    ));
}

#[test]
fn get_inline_comment() {
    let out = ok(
        "get-inline-comment",
        r#"{"comment-id": "56789012", "body-format": "storage"}"#,
        "comments-get-inline",
    );
    let body = body_json(&out);
    assert_eq!(body["id"], "56789012");
    assert_eq!(body["resolutionStatus"], "open");
    assert_eq!(
        body["properties"]["inlineOriginalSelection"],
        "ships on Friday"
    );
    assert_not_found(fails(
        "get-inline-comment",
        r#"{"comment-id": "404404"}"#,
        "comments-get-inline-404",
    ));
}

// ---- Search ---------------------------------------------------------------------------

#[test]
fn search_sends_cql_excerpt_and_expand() {
    let outcome = run(
        "search",
        r#"{"cql": "type = page AND text ~ \"release notes\"", "excerpt": "highlight", "expand": ["content.space", "content.version"], "limit": 2}"#,
        "search-cql",
    );
    let url = &outcome.exchanges[0].url;
    assert_eq!(
        query_value(url, "cql").as_deref(),
        Some(r#"type = page AND text ~ "release notes""#)
    );
    assert_eq!(
        query_value(url, "expand").as_deref(),
        Some("content.space,content.version")
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["size"], 2);
    assert_eq!(body["totalSize"], 3);
    assert_eq!(body["results"][0]["content"]["id"], "11");
    assert!(
        body["_links"]["next"]
            .as_str()
            .unwrap()
            .starts_with("/rest/api/search?next=true&cursor=")
    );
}

#[test]
fn search_fetch_all_follows_the_v1_next_link_under_wiki() {
    let outcome = run(
        "search",
        r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
        "search-all",
    );
    assert_eq!(outcome.exchanges.len(), 2);
    assert!(
        outcome.exchanges[1]
            .url
            .starts_with("https://acme.atlassian.net/wiki/rest/api/search?next=true&cursor=")
    );
    let out = outcome.result.unwrap();
    let body = body_json(&out);
    let titles: Vec<&str> = body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Release notes", "Roadmap", "Engineering Home"]);
    assert_eq!(body["truncated"], false);
}

#[test]
fn search_fetch_all_stops_at_max_results() {
    let outcome = host()
        .invoke(
            "search",
            &basic(),
            r#"{"cql": "label = \"q4\"", "fetch-all": true, "max-results": 1}"#,
            &replay_lenient("search-all"),
        )
        .unwrap();
    assert_eq!(outcome.exchanges.len(), 1);
    let body = body_json(&outcome.result.unwrap());
    assert_eq!(body["results"].as_array().unwrap().len(), 1);
    assert_eq!(body["truncated"], true);
}

#[test]
fn search_fetch_all_through_the_oauth_gateway_stays_on_the_gateway() {
    let outcome = host()
        .invoke(
            "search",
            &common::oauth_stored(),
            r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
            &replay("search-oauth-all"),
        )
        .unwrap();
    let prefix = "https://api.atlassian.com/ex/confluence/1324a887-45db-1bf4-1e99-ef0ff456d421/wiki/rest/api/search?";
    assert_eq!(outcome.exchanges.len(), 2);
    assert!(outcome.exchanges.iter().all(|e| e.url.starts_with(prefix)));
    assert_eq!(
        outcome.exchanges[1].authorization.as_deref(),
        Some("Bearer REDACTED")
    );
    let body = body_json(&outcome.result.unwrap());
    assert_eq!(ids_of_content(&body), ["11", "12"]);
}

/// The content id of every search result.
fn ids_of_content(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"]["id"].as_str().unwrap())
        .collect()
}

#[test]
fn search_refuses_a_next_link_to_another_host() {
    for name in ["search-foreign-next", "search-foreign-context"] {
        let outcome = run(
            "search",
            r#"{"cql": "label = \"q4\"", "fetch-all": true}"#,
            name,
        );
        assert_eq!(outcome.exchanges.len(), 1, "{name}");
        assert!(
            outcome
                .exchanges
                .iter()
                .all(|e| e.url.starts_with("https://acme.atlassian.net/"))
        );
        match expect_error(outcome) {
            ConnectorError::Upstream(UpstreamError { message, .. }) => {
                assert!(
                    message.contains("refused to follow a pagination link")
                        && message.contains("evil.example"),
                    "{name}: {message}"
                );
            }
            other => panic!("{name}: {other:?}"),
        }
    }
}

#[test]
fn search_errors() {
    let err = fails("search", r#"{"cql": "type = = page"}"#, "search-bad-cql");
    assert!(
        matches!(err, ConnectorError::Upstream(UpstreamError { status: 400, ref message }) if message.ends_with("Could not parse cql : type = = page")),
        "{err:?}"
    );
    assert_eq!(refused("search", "{}").field, "cql");
    assert_eq!(
        refused("search", r#"{"cql": "type = page", "excerpt": "full"}"#).field,
        "excerpt"
    );
}

#[test]
fn search_pages_writes_quoted_cql() {
    let outcome = run(
        "search-pages",
        r#"{"query": "the \"beta\" plan", "space-key": "~jane", "cql": "label = \"q4\"", "excerpt": "none", "limit": 10}"#,
        "search-pages",
    );
    assert_eq!(
        query_value(&outcome.exchanges[0].url, "cql").as_deref(),
        Some(
            r#"type = page AND space = "~jane" AND (title ~ "the \"beta\" plan" OR text ~ "the \"beta\" plan") AND (label = "q4")"#
        )
    );
    let out = outcome.result.unwrap();
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["results"][0]["title"], r#"The "beta" plan"#);
    assert_eq!(
        body["results"][0]["resultGlobalContainer"]["displayUrl"],
        "/spaces/~jane"
    );
}

#[test]
fn search_pages_errors() {
    let outcome = run(
        "search-pages",
        r#"{"cql": "creator = currentUser()"}"#,
        "search-pages-403",
    );
    assert_eq!(
        query_value(&outcome.exchanges[0].url, "cql").as_deref(),
        Some("type = page AND (creator = currentUser())")
    );
    assert_forbidden(expect_error(outcome));
    for input in [
        "{}",
        r#"{"space-key": "~jane"}"#,
        r#"{"query": "  ", "cql": ""}"#,
    ] {
        let field = refused("search-pages", input);
        assert_eq!(field.field, "query", "{input}");
        assert!(field.message.contains("`cql`"), "{}", field.message);
    }
}
