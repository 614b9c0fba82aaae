//! Attachments, content properties and blog posts, through the compiled
//! component in wasmtime, against strict HAR replays (fixtures written by
//! `tests/fixtures/scenarios_files.py`). A request the fixture does not
//! expect, or an expected request never sent, fails the call; the tests then
//! check what users rely on: the request, the output and the error.

use crate::common::{basic, body_json, host, replay};
use base64::Engine as _;
use host_test_harness::{Body, CallOptions, ConnectorError, Exchange, Har, Output};
use serde_json::{Value, json};

/// Runs `action` against the strict replay of `fixture` and returns its output
/// and what it sent; the call must succeed.
fn ok(action: &str, input: &str, fixture: &str) -> (Output, Vec<Exchange>) {
    let outcome = host()
        .invoke(action, &basic(), input, &replay(fixture))
        .unwrap();
    let output = outcome
        .result
        .unwrap_or_else(|e| panic!("{action} failed: {e:?}"));
    (output, outcome.exchanges)
}

/// Runs `action` against the strict replay of `fixture`; the call must fail.
fn failed(action: &str, input: &str, fixture: &str) -> (ConnectorError, Vec<Exchange>) {
    let outcome = host()
        .invoke(action, &basic(), input, &replay(fixture))
        .unwrap();
    match outcome.result {
        Ok(out) => panic!("{action} should have failed, got {out:?}"),
        Err(e) => (e, outcome.exchanges),
    }
}

/// Runs `action` with a replay that has no entries, so any request would fail
/// the call: the input must be refused before anything is sent.
fn refused(action: &str, input: &str) -> ConnectorError {
    let outcome = host()
        .invoke(
            action,
            &basic(),
            input,
            &CallOptions::replay(Har::default(), true),
        )
        .unwrap();
    assert!(outcome.exchanges.is_empty(), "{:?}", outcome.exchanges);
    outcome.result.expect_err("the input should be refused")
}

/// The field an `invalid-input` error names.
fn invalid_field(err: &ConnectorError) -> &str {
    match err {
        ConnectorError::InvalidInput(f) => &f.field,
        other => panic!("expected invalid-input, got {other:?}"),
    }
}

/// Asserts the real v2 404 body became `not-found` with Confluence's title and code.
fn assert_not_found(err: &ConnectorError) {
    assert!(
        matches!(err, ConnectorError::NotFound(m) if m == "Not Found (NOT_FOUND)"),
        "{err:?}"
    );
}

fn ids(body: &Value) -> Vec<&str> {
    body["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect()
}

const SITE: &str = "https://acme.atlassian.net";

// ---- Attachments ---------------------------------------------------------------------------

#[test]
fn list_attachments_sends_its_filters_and_returns_the_page() {
    let (out, sent) = ok(
        "list-attachments",
        r#"{"media-type": "image/png", "status": ["current"], "sort": "-modified-date", "limit": 2}"#,
        "attachments-list",
    );
    assert_eq!(
        sent[0].url,
        format!(
            "{SITE}/wiki/api/v2/attachments?limit=2&mediaType=image%2Fpng&sort=-modified-date&status=current"
        )
    );
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(ids(&body), ["att2002"]);
    assert_eq!(body["results"][0]["mediaType"], "image/png");
    assert!(body["_links"]["next"].as_str().unwrap().contains("cursor="));
}

#[test]
fn list_attachments_refuses_a_status_attachments_do_not_have() {
    let err = refused("list-attachments", r#"{"status": "deleted"}"#);
    assert_eq!(invalid_field(&err), "status");
}

#[test]
fn get_attachment_returns_its_details() {
    let (out, sent) = ok(
        "get-attachment",
        r#"{"attachment-id": "att2001", "version": 1, "include-labels": true}"#,
        "attachments-get",
    );
    assert_eq!(sent.len(), 1);
    assert!(sent[0].authorization.is_some());
    let body = body_json(&out);
    assert_eq!(body["id"], "att2001");
    assert_eq!(body["title"], "hello.txt");
    assert_eq!(body["fileSize"], 13);
    assert_eq!(body["labels"]["results"][0]["name"], "release");
    assert!(
        body["downloadLink"]
            .as_str()
            .unwrap()
            .starts_with("/download/attachments/11/hello.txt?version=1")
    );
}

#[test]
fn get_attachment_of_a_missing_attachment_is_not_found() {
    let (err, _) = failed(
        "get-attachment",
        r#"{"attachment-id": "att404404"}"#,
        "attachments-get-404",
    );
    assert_not_found(&err);
}

#[test]
fn an_attachment_id_that_is_not_one_path_segment_is_refused() {
    for id in ["att1/../../pages/2", "att 1", "att1?x=2"] {
        let err = refused("get-attachment", &json!({"attachment-id": id}).to_string());
        assert_eq!(invalid_field(&err), "attachment-id", "{id}");
    }
}

#[test]
fn get_page_attachments_filters_by_file_name() {
    let (out, sent) = ok(
        "get-page-attachments",
        r#"{"page-id": 11, "filename": "hello.txt"}"#,
        "attachments-page",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/pages/11/attachments?filename=hello.txt")
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["att2001"]);
    assert_eq!(body["results"][0]["pageId"], "11");
}

#[test]
fn get_page_attachments_with_fetch_all_follows_next_at_250_a_page() {
    let (out, sent) = ok(
        "get-page-attachments",
        r#"{"page-id": "11", "fetch-all": true}"#,
        "attachments-page-all",
    );
    let urls: Vec<&str> = sent.iter().map(|e| e.url.as_str()).collect();
    assert_eq!(
        urls,
        [
            format!("{SITE}/wiki/api/v2/pages/11/attachments?limit=250"),
            format!("{SITE}/wiki/api/v2/pages/11/attachments?cursor=eyJpZCI6MjAwMX0&limit=250"),
        ]
    );
    assert!(sent.iter().all(|e| e.authorization.is_some()));
    let body = body_json(&out);
    assert_eq!(ids(&body), ["att2001", "att2002"]);
    assert_eq!(body["truncated"], false);
}

#[test]
fn get_page_attachments_of_a_missing_page_is_not_found() {
    let (err, _) = failed(
        "get-page-attachments",
        r#"{"page-id": "404404"}"#,
        "attachments-page-404",
    );
    assert_not_found(&err);
}

#[test]
fn delete_attachment_returns_an_empty_body() {
    let (out, sent) = ok(
        "delete-attachment",
        r#"{"attachment-id": "att2001"}"#,
        "attachments-delete",
    );
    assert_eq!(sent[0].method, "DELETE");
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
}

#[test]
fn delete_attachment_with_purge_of_a_missing_attachment_is_not_found() {
    let (err, sent) = failed(
        "delete-attachment",
        r#"{"attachment-id": "att404404", "purge": true}"#,
        "attachments-delete-404",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/attachments/att404404?purge=true")
    );
    assert_not_found(&err);
}

#[test]
fn upload_attachment_posts_a_multipart_form_to_v1() {
    let input = json!({
        "content-id": "11", "file-data": "SGVsbG8sIHdvcmxkIQ==", "file-name": "hello.txt",
        "comment": "Entwurf für Freitag", "minor-edit": true, "status": "current"
    });
    let (out, sent) = ok(
        "upload-attachment",
        &input.to_string(),
        "attachments-upload",
    );
    let request = &sent[0];
    assert_eq!(request.method, "POST");
    assert_eq!(
        request.url,
        format!("{SITE}/wiki/rest/api/content/11/child/attachment?status=current")
    );
    assert_eq!(
        request.header("content-type"),
        Some("multipart/form-data; boundary=confluence-connector-boundary-0")
    );
    assert_eq!(request.header("x-atlassian-token"), Some("no-check"));
    assert!(request.authorization.is_some());
    // The file (its media type guessed from the name), the comment as UTF-8 text, the flag.
    assert_eq!(
        request.request_body,
        "--confluence-connector-boundary-0\r\n\
         Content-Disposition: form-data; name=\"file\"; filename=\"hello.txt\"\r\n\
         Content-Type: text/plain\r\n\r\nHello, world!\r\n\
         --confluence-connector-boundary-0\r\n\
         Content-Disposition: form-data; name=\"comment\"\r\n\
         Content-Type: text/plain; charset=UTF-8\r\n\r\nEntwurf für Freitag\r\n\
         --confluence-connector-boundary-0\r\n\
         Content-Disposition: form-data; name=\"minorEdit\"\r\n\r\ntrue\r\n\
         --confluence-connector-boundary-0--\r\n"
    );
    assert_eq!(out.status, 200);
    let body = body_json(&out);
    assert_eq!(body["results"][0]["id"], "att2001");
    assert_eq!(body["results"][0]["type"], "attachment");
    assert_eq!(
        body["results"][0]["extensions"]["comment"],
        "Entwurf für Freitag"
    );
}

#[test]
fn upload_attachment_of_a_name_the_page_has_is_an_upstream_400() {
    let (err, sent) = failed(
        "upload-attachment",
        r#"{"content-id": "11", "file-data": "SGVsbG8gYWdhaW4=", "file-name": "hello.txt"}"#,
        "attachments-upload-duplicate",
    );
    // Sent once: a POST is never retried.
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0]
            .request_body
            .contains("name=\"minorEdit\"\r\n\r\nfalse")
    );
    match err {
        ConnectorError::Upstream(e) => {
            assert_eq!(e.status, 400);
            assert_eq!(
                e.message,
                "Cannot add a new attachment with same file name as an existing attachment: hello.txt"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn upload_attachment_refuses_data_that_is_not_base64() {
    let err = refused(
        "upload-attachment",
        r#"{"content-id": "11", "file-data": "not base64!", "file-name": "hello.txt"}"#,
    );
    match err {
        ConnectorError::InvalidInput(f) => {
            assert_eq!(f.field, "file-data");
            assert!(f.message.contains("base64"), "{}", f.message);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn download_attachment_follows_the_media_redirect_without_credentials() {
    let (out, sent) = ok(
        "download-attachment",
        r#"{"attachment-id": "att2002"}"#,
        "attachments-download",
    );
    assert_eq!(sent.len(), 3);
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/attachments/att2002")
    );
    assert_eq!(
        sent[1].url,
        format!(
            "{SITE}/wiki/download/attachments/11/diagram.png?version=1&modificationDate=1793610927000&api=v2"
        )
    );
    assert_eq!(sent[1].status, Some(302));
    assert!(sent[2].url.starts_with(
        "https://api.media.atlassian.com/file/8a3f2c1e-5b7d-4e9a-b0c6-2d4f6e8a1b3c/binary?token="
    ));
    // The site gets the credentials; the media service, another host, does not.
    let basic = "Basic amFuZUBhY21lLmNvbTpSRURBQ1RFRA==";
    assert_eq!(sent[0].authorization.as_deref(), Some(basic));
    assert_eq!(sent[1].authorization.as_deref(), Some(basic));
    assert_eq!(sent[2].authorization, None);
    assert_eq!(out.status, 200);
    assert_eq!(out.content_type.as_deref(), Some("image/png"));
    let png = base64::engine::general_purpose::STANDARD
        .decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mOQz9/yHwAENQJCohKFywAAAABJRU5ErkJggg==")
        .unwrap();
    match out.body {
        Body::Binary(bytes) => assert_eq!(bytes, png),
        other => panic!("expected binary, got {other:?}"),
    }
}

#[test]
fn download_attachment_refuses_a_link_to_another_host() {
    let (err, sent) = failed(
        "download-attachment",
        r#"{"attachment-id": "att2002"}"#,
        "attachments-download-elsewhere",
    );
    assert_eq!(sent.len(), 1);
    match err {
        ConnectorError::Upstream(e) => {
            assert!(
                e.message.contains("refused to follow a download link")
                    && e.message
                        .contains("https://files.example.net/download/diagram.png"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
}

// ---- Content properties --------------------------------------------------------------------

#[test]
fn create_content_property_for_page_sends_key_and_value() {
    let (out, sent) = ok(
        "create-content-property-for-page",
        r#"{"page-id": "11", "body-data": {"key": "release", "value": {"train": "2.4", "approved": false}}}"#,
        "properties-page-create",
    );
    assert_eq!(sent[0].method, "POST");
    assert_eq!(
        sent[0].request_json().unwrap(),
        json!({"key": "release", "value": {"train": "2.4", "approved": false}})
    );
    let body = body_json(&out);
    assert_eq!(body["id"], "1179649");
    assert_eq!(body["version"]["number"], 1);
}

#[test]
fn create_content_property_for_page_accepts_the_body_as_json_text() {
    // The same call, with the body given as JSON text (as form-based hosts send it).
    let input = json!({"page-id": "11", "body-data": r#"{"key": "release", "value": {"train": "2.4", "approved": false}}"#});
    let (out, _) = ok(
        "create-content-property-for-page",
        &input.to_string(),
        "properties-page-create",
    );
    assert_eq!(body_json(&out)["key"], "release");
}

#[test]
fn create_content_property_for_page_needs_a_key_and_on_a_missing_page_is_not_found() {
    let err = refused(
        "create-content-property-for-page",
        r#"{"page-id": "11", "body-data": {"value": 1}}"#,
    );
    assert_eq!(invalid_field(&err), "body-data");
    let err = refused(
        "create-content-property-for-page",
        r#"{"page-id": "11", "body-data": {"key": "a", "value": 1, "id": "7"}}"#,
    );
    assert_eq!(invalid_field(&err), "body-data");
    let (err, _) = failed(
        "create-content-property-for-page",
        r#"{"page-id": "404404", "body-data": {"key": "release", "value": {"train": "2.4", "approved": false}}}"#,
        "properties-page-create-404",
    );
    assert_not_found(&err);
}

#[test]
fn get_content_property_for_page_by_id() {
    let (out, sent) = ok(
        "get-content-property-for-page",
        r#"{"page-id": "11", "property-id": 1179649}"#,
        "properties-page-get",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/pages/11/properties/1179649")
    );
    let body = body_json(&out);
    assert_eq!(body["key"], "release");
    assert_eq!(body["value"], json!({"train": "2.4", "approved": false}));
    assert_eq!(body["version"]["number"], 2);
}

#[test]
fn get_content_property_for_page_that_does_not_exist() {
    let (err, _) = failed(
        "get-content-property-for-page",
        r#"{"page-id": "11", "property-id": "404404"}"#,
        "properties-page-get-404",
    );
    assert_not_found(&err);
    // A property key is not its id.
    let err = refused(
        "get-content-property-for-page",
        r#"{"page-id": "11", "property-id": "release"}"#,
    );
    assert_eq!(invalid_field(&err), "property-id");
}

#[test]
fn list_content_properties_for_page_by_key() {
    let (out, sent) = ok(
        "list-content-properties-for-page",
        r#"{"page-id": "11", "key": "release", "sort": "key"}"#,
        "properties-page-list",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/pages/11/properties?key=release&sort=key")
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["1179649"]);
    assert_eq!(body["results"][0]["key"], "release");
}

#[test]
fn list_content_properties_for_a_missing_page_is_not_found() {
    let (err, _) = failed(
        "list-content-properties-for-page",
        r#"{"page-id": "404404"}"#,
        "properties-page-list-404",
    );
    assert_not_found(&err);
}

#[test]
fn update_content_property_reads_key_and_version_when_left_out() {
    let (out, sent) = ok(
        "update-content-property-for-page",
        r#"{"page-id": "11", "property-id": "1179649", "body-data": {"value": {"train": "2.4", "approved": true}, "version": {"message": "Approved"}}}"#,
        "properties-page-update",
    );
    let methods: Vec<&str> = sent.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PUT"]);
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/pages/11/properties/1179649")
    );
    assert_eq!(
        sent[1].request_json().unwrap(),
        json!({"key": "release", "value": {"train": "2.4", "approved": true}, "version": {"number": 3, "message": "Approved"}})
    );
    let body = body_json(&out);
    assert_eq!(body["version"]["number"], 3);
    assert_eq!(body["value"]["approved"], true);
}

#[test]
fn update_content_property_with_key_and_version_sends_one_put() {
    let (out, sent) = ok(
        "update-content-property-for-page",
        r#"{"page-id": "11", "property-id": "1179649", "body-data": {"key": "release", "value": {"train": "2.5", "approved": false}, "version": 4}}"#,
        "properties-page-update-versioned",
    );
    assert_eq!(sent.len(), 1);
    assert_eq!(
        sent[0].request_json().unwrap()["version"],
        json!({"number": 4})
    );
    assert_eq!(body_json(&out)["version"]["number"], 4);
}

#[test]
fn update_content_property_conflict_names_the_version_sent() {
    // The connector read version 2 and sent 3, but the property changed meanwhile.
    let (err, sent) = failed(
        "update-content-property-for-page",
        r#"{"page-id": "11", "property-id": "1179649", "body-data": {"value": {"train": "2.4", "approved": true}}}"#,
        "properties-page-update-conflict",
    );
    // The version it read before the PUT is stale after the 409: it reads again.
    let methods: Vec<&str> = sent.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["GET", "PUT", "GET"]);
    match err {
        ConnectorError::Conflict(message) => {
            assert!(message.contains("property-id 1179649"), "{message}");
            assert!(
                message.contains("sent version 3 while it is at version 4"),
                "{message}"
            );
            assert!(
                message.contains("Current version is: 4 (CONFLICT)"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_content_property_refuses_a_bad_version() {
    let err = refused(
        "update-content-property-for-page",
        r#"{"page-id": "11", "property-id": "1179649", "body-data": {"value": 1, "version": 0}}"#,
    );
    assert_eq!(invalid_field(&err), "body-data");
}

#[test]
fn delete_content_property_for_page() {
    let (out, sent) = ok(
        "delete-content-property-for-page",
        r#"{"page-id": "11", "property-id": "1179649"}"#,
        "properties-page-delete",
    );
    assert_eq!(sent[0].method, "DELETE");
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
    let (err, _) = failed(
        "delete-content-property-for-page",
        r#"{"page-id": "11", "property-id": "404404"}"#,
        "properties-page-delete-404",
    );
    assert_not_found(&err);
}

#[test]
fn list_content_properties_for_blog_post() {
    let (out, sent) = ok(
        "list-content-properties-for-blog-post",
        r#"{"blog-post-id": "21", "sort": "-key"}"#,
        "properties-blog-post-list",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/blogposts/21/properties?sort=-key")
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["1179651", "1179650"]);
    assert_eq!(body["results"][1]["value"], json!(["eng", "support"]));
    let (err, _) = failed(
        "list-content-properties-for-blog-post",
        r#"{"blog-post-id": "404404"}"#,
        "properties-blog-post-list-404",
    );
    assert_not_found(&err);
}

#[test]
fn update_content_property_for_attachment_reads_then_puts() {
    let (out, sent) = ok(
        "update-content-property-for-attachment",
        r#"{"attachment-id": "att2001", "property-id": "1179652", "body-data": {"value": "sha256:9f8e"}}"#,
        "properties-attachment-update",
    );
    assert_eq!(
        sent[1].url,
        format!("{SITE}/wiki/api/v2/attachments/att2001/properties/1179652")
    );
    assert_eq!(
        sent[1].request_json().unwrap(),
        json!({"key": "checksum", "value": "sha256:9f8e", "version": {"number": 2}})
    );
    assert_eq!(body_json(&out)["value"], "sha256:9f8e");
    let err = refused(
        "update-content-property-for-attachment",
        r#"{"attachment-id": "att/2001", "property-id": "1179652", "body-data": {"value": 1}}"#,
    );
    assert_eq!(invalid_field(&err), "attachment-id");
}

#[test]
fn create_content_property_for_custom_content() {
    let (out, sent) = ok(
        "create-content-property-for-custom-content",
        r#"{"custom-content-id": "3101", "body-data": {"key": "score", "value": 42}}"#,
        "properties-custom-content-create",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/custom-content/3101/properties")
    );
    assert_eq!(body_json(&out)["value"], 42);
    let (err, _) = failed(
        "create-content-property-for-custom-content",
        r#"{"custom-content-id": "404404", "body-data": {"key": "score", "value": 42}}"#,
        "properties-custom-content-create-404",
    );
    assert_not_found(&err);
}

// ---- Blog posts ----------------------------------------------------------------------------

#[test]
fn list_blog_posts_with_bodies() {
    let (out, sent) = ok(
        "list-blog-posts",
        r#"{"space-id": ["98306", 98307], "status": "current", "body-format": "storage", "sort": "-created-date", "limit": 2}"#,
        "blogposts-list",
    );
    assert_eq!(
        sent[0].url,
        format!(
            "{SITE}/wiki/api/v2/blogposts?body-format=storage&limit=2&sort=-created-date&space-id=98306%2C98307&status=current"
        )
    );
    let body = body_json(&out);
    assert_eq!(ids(&body), ["22", "21"]);
    assert_eq!(
        body["results"][1]["body"]["storage"]["representation"],
        "storage"
    );
    assert_eq!(
        body["_links"]["next"],
        "/wiki/api/v2/blogposts?cursor=eyJpZCI6MjF9&limit=2"
    );
}

#[test]
fn list_blog_posts_refuses_a_space_key_for_an_id() {
    let err = refused("list-blog-posts", r#"{"space-id": "ENG"}"#);
    assert_eq!(invalid_field(&err), "space-id");
}

#[test]
fn get_blog_post_with_its_body() {
    let (out, _) = ok(
        "get-blog-post",
        r#"{"blog-post-id": "21", "body-format": "storage"}"#,
        "blogposts-get",
    );
    let body = body_json(&out);
    assert_eq!(body["title"], "Release 2.4 is out");
    assert_eq!(body["version"]["number"], 3);
    assert!(
        body["body"]["storage"]["value"]
            .as_str()
            .unwrap()
            .contains("<strong>2.4</strong>")
    );
    let (err, _) = failed(
        "get-blog-post",
        r#"{"blog-post-id": "404404"}"#,
        "blogposts-get-404",
    );
    assert_not_found(&err);
}

#[test]
fn create_blog_post_sends_the_documented_body() {
    let input = json!({
        "space-id": "98306", "status": "current", "title": "Release 2.4 is out",
        "body": "<p>Version <strong>2.4</strong> is out: faster search and a new editor.</p>"
    });
    let (out, sent) = ok("create-blog-post", &input.to_string(), "blogposts-create");
    assert_eq!(sent[0].url, format!("{SITE}/wiki/api/v2/blogposts"));
    assert_eq!(
        sent[0].request_json().unwrap()["body"]["representation"],
        "storage"
    );
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
    let body = body_json(&out);
    assert_eq!(body["id"], "21");
    assert_eq!(body["spaceId"], "98306");
}

#[test]
fn create_blog_post_needs_a_title_unless_draft_and_a_space_that_exists() {
    let err = refused("create-blog-post", r#"{"space-id": "98306"}"#);
    assert_eq!(invalid_field(&err), "title");
    let (err, sent) = failed(
        "create-blog-post",
        r#"{"space-id": "404404", "title": "Lost"}"#,
        "blogposts-create-404",
    );
    assert_eq!(
        sent[0].request_json().unwrap(),
        json!({"spaceId": "404404", "title": "Lost"})
    );
    assert_not_found(&err);
}

#[test]
fn update_blog_post_with_a_body_reads_the_rest_without_the_body() {
    let (out, sent) = ok(
        "update-blog-post",
        r#"{"blog-post-id": "21", "body": "<p>Moved to Monday.</p>", "version": {"message": "New date"}}"#,
        "blogposts-update",
    );
    // The body was given, so the read does not ask for the stored one.
    assert_eq!(sent[0].method, "GET");
    assert_eq!(sent[0].url, format!("{SITE}/wiki/api/v2/blogposts/21"));
    assert_eq!(sent[1].method, "PUT");
    assert_eq!(
        sent[1].request_json().unwrap(),
        json!({
            "id": "21", "status": "current", "title": "Release 2.4 is out",
            "body": {"representation": "storage", "value": "<p>Moved to Monday.</p>"},
            "version": {"number": 4, "message": "New date"}
        })
    );
    assert_eq!(body_json(&out)["version"]["number"], 4);
}

#[test]
fn update_blog_post_without_a_body_keeps_the_stored_one() {
    let (out, sent) = ok(
        "update-blog-post",
        r#"{"blog-post-id": "21", "title": "Release 2.4 ships Monday"}"#,
        "blogposts-update-title",
    );
    assert_eq!(
        sent[0].url,
        format!("{SITE}/wiki/api/v2/blogposts/21?body-format=storage")
    );
    let put = sent[1].request_json().unwrap();
    assert_eq!(put["title"], "Release 2.4 ships Monday");
    assert_eq!(
        put["body"]["value"],
        "<p>Version <strong>2.4</strong> is out: faster search and a new editor.</p>"
    );
    assert_eq!(put["version"], json!({"number": 4}));
    assert_eq!(body_json(&out)["title"], "Release 2.4 ships Monday");
}

#[test]
fn update_blog_post_conflict_reads_the_current_version_after_the_409() {
    let (err, sent) = failed(
        "update-blog-post",
        r#"{"blog-post-id": "21", "title": "Release 2.4 is out", "status": "current", "body": "<p>x</p>", "version": 3}"#,
        "blogposts-update-conflict",
    );
    let methods: Vec<&str> = sent.iter().map(|e| e.method.as_str()).collect();
    assert_eq!(methods, ["PUT", "GET"]);
    match err {
        ConnectorError::Conflict(message) => {
            assert!(message.contains("blog-post-id 21"), "{message}");
            assert!(message.contains("sent version 3"), "{message}");
            assert!(message.contains("at version 5"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn update_blog_post_refuses_a_version_that_is_not_a_positive_number() {
    let err = refused(
        "update-blog-post",
        r#"{"blog-post-id": "21", "version": {"number": -1}}"#,
    );
    assert_eq!(invalid_field(&err), "version");
}

#[test]
fn delete_blog_post_and_a_missing_one() {
    let (out, sent) = ok(
        "delete-blog-post",
        r#"{"blog-post-id": "21"}"#,
        "blogposts-delete",
    );
    assert_eq!(sent[0].url, format!("{SITE}/wiki/api/v2/blogposts/21"));
    assert_eq!(out.status, 204);
    assert!(matches!(out.body, Body::Empty));
    let (err, _) = failed(
        "delete-blog-post",
        r#"{"blog-post-id": "404404"}"#,
        "blogposts-delete-404",
    );
    assert_not_found(&err);
}
