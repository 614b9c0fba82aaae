//! The sync engine driven natively through a scripted platform: the cases a
//! hostile or unusual server, or a changed configuration, brings.

use super::read;
use crate::bindings::integration::connector::types::Connection;
use crate::errors::Error;
use connector_sdk::testing::ScriptedPlatform;
use serde_json::{Value, json};

/// Only the pages stream, so every request is a page of content.
fn pages_only(body_format: &str) -> String {
    let off: serde_json::Map<String, Value> = [
        "spaces",
        "blog-posts",
        "page-attachments",
        "page-comments",
        "blog-post-attachments",
        "blog-post-comments",
        "folders",
        "labels",
        "users",
        "groups",
        "space-permissions",
        "content-restrictions",
        "audit",
    ]
    .iter()
    .map(|s| (s.to_string(), json!(false)))
    .collect();
    json!({"streams": off, "body-format": body_format}).to_string()
}

fn basic(host: &str) -> Connection {
    Connection {
        definition: "basic".into(),
        values: json!({"email": "jane@acme.com", "host": host}).to_string(),
    }
}

fn scripted(answers: Vec<Value>) -> ScriptedPlatform {
    ScriptedPlatform::new(
        answers
            .iter()
            .map(|a| ScriptedPlatform::json(&a.to_string()))
            .collect(),
    )
    .with_secret("api-token", "tok")
}

fn page(id: &str) -> Value {
    json!({"id": id, "type": "page", "status": "current", "title": format!("Page {id}"),
           "space": {"key": "ENG"}, "version": {"number": 1},
           "body": {"storage": {"value": "<p><strong>Hi</strong></p>"}}})
}

fn list(items: Vec<Value>, next: Option<&str>) -> Value {
    let mut body = json!({"results": items, "_links": {"base": "https://acme.atlassian.net/wiki", "context": "/wiki"}});
    if let Some(next) = next {
        body["_links"]["next"] = json!(next);
    }
    body
}

/// Reads batches until the run ends or fails; returns the records' data and the last state.
fn run_to_end(
    platform: &ScriptedPlatform,
    connection: &Connection,
    config: &str,
    state: Option<String>,
) -> Result<(Vec<Value>, String), Error> {
    let mut state = state;
    let mut records = Vec::new();
    for _ in 0..100 {
        let batch = read(platform, connection, config, state.as_deref())?;
        records.extend(
            batch
                .records
                .iter()
                .map(|r| serde_json::from_str::<Value>(&r.data).unwrap()),
        );
        state = Some(batch.state);
        if !batch.more {
            return Ok((records, state.unwrap()));
        }
    }
    panic!("the run did not end in 100 batches");
}

/// A pages-only run against these answers must fail: its error, and how many
/// requests were sent.
fn failed_run(answers: Vec<Value>) -> (Error, usize) {
    let platform = scripted(answers);
    let err = run_to_end(
        &platform,
        &basic("acme.atlassian.net"),
        &pages_only("storage"),
        None,
    )
    .unwrap_err();
    (err, platform.sent().len())
}

/// Answers whose next links are `/rest/api/content/search?cursor={prefix}{n}`.
fn fresh_cursors(items: Vec<Value>, prefix: &str, count: usize) -> Vec<Value> {
    (0..count)
        .map(|n| {
            let next = format!("/rest/api/content/search?cursor={prefix}{n}");
            list(items.clone(), Some(&next))
        })
        .collect()
}

#[test]
fn cursors_that_cycle_end_the_sync_with_an_error() {
    // First page → b → c → b: never the same link twice in a row, but a
    // link this walk has followed. Each batch is one call, so the guard must
    // live in the state.
    let (err, sent) = failed_run(vec![
        list(vec![page("1")], Some("/rest/api/content/search?cursor=b")),
        list(vec![page("2")], Some("/rest/api/content/search?cursor=c")),
        list(vec![page("3")], Some("/rest/api/content/search?cursor=b")),
        list(vec![page("2")], Some("/rest/api/content/search?cursor=c")),
    ]);
    assert!(
        matches!(&err, Error::Upstream(e) if e.message.contains("already followed")),
        "{err:?}"
    );
    assert_eq!(sent, 3);
}

#[test]
fn fresh_cursors_over_the_same_items_and_endless_empty_pages_end_the_sync() {
    let (err, sent) = failed_run(fresh_cursors(vec![page("1")], "s", 10));
    assert!(
        matches!(&err, Error::Upstream(e) if e.message.contains("already read")),
        "{err:?}"
    );
    assert_eq!(sent, 2);

    let (err, sent) = failed_run(fresh_cursors(vec![], "e", 40));
    assert!(
        matches!(&err, Error::Upstream(e) if e.message.contains("empty pages")),
        "{err:?}"
    );
    assert_eq!(sent, crate::paging::MAX_EMPTY_PAGES);
}

#[test]
fn a_changed_body_format_emits_every_held_item_again() {
    let connection = basic("acme.atlassian.net");
    let platform = scripted(vec![
        list(vec![page("1"), page("2")], None),
        list(vec![page("1"), page("2")], None),
        // The third run is incremental: what changed, then the scan for deletes.
        list(vec![page("1"), page("2")], None),
        list(vec![page("1"), page("2")], None),
    ]);
    let (first, state) = run_to_end(&platform, &connection, &pages_only("markdown"), None).unwrap();
    assert_eq!(first.len(), 2);
    assert_eq!(first[0]["body"]["value"], "**Hi**\n");
    // The same items, same versions, another format: every record again.
    let (second, state) =
        run_to_end(&platform, &connection, &pages_only("storage"), Some(state)).unwrap();
    assert_eq!(second.len(), 2, "{second:?}");
    assert_eq!(second[0]["body"]["value"], "<p><strong>Hi</strong></p>");
    // Under an unchanged configuration, held versions are skipped again.
    let (third, _) =
        run_to_end(&platform, &connection, &pages_only("storage"), Some(state)).unwrap();
    assert!(third.is_empty(), "{third:?}");
}

#[test]
fn every_change_of_what_records_hold_emits_them_again() {
    // Each body format to each other one, and the labels and restrictions
    // streams turned on: the host's copy must take the new shape.
    let formats = ["storage", "html", "text", "markdown", "none"];
    let mut changes: Vec<(String, String)> = Vec::new();
    for from in formats {
        for to in formats.iter().filter(|to| **to != from) {
            changes.push((pages_only(from), pages_only(to)));
        }
    }
    for stream in ["labels", "content-restrictions"] {
        let mut on: Value = serde_json::from_str(&pages_only("storage")).unwrap();
        on["streams"][stream] = json!(true);
        changes.push((pages_only("storage"), on.to_string()));
    }
    for (before, after) in changes {
        let connection = basic("acme.atlassian.net");
        let platform = scripted(vec![
            list(vec![page("1"), page("2")], None),
            list(vec![page("1"), page("2")], None),
        ]);
        let (_, state) = run_to_end(&platform, &connection, &before, None).unwrap();
        let (again, _) = run_to_end(&platform, &connection, &after, Some(state)).unwrap();
        let pages = again.iter().filter(|r| r["title"].is_string()).count();
        assert_eq!(pages, 2, "{before} then {after}: {again:?}");
    }
}

#[test]
fn a_state_from_another_site_is_refused() {
    let platform = scripted(vec![list(vec![page("1")], None)]);
    let (_, state) = run_to_end(
        &platform,
        &basic("acme.atlassian.net"),
        &pages_only("storage"),
        None,
    )
    .unwrap();
    let sent = platform.sent().len();
    let err = read(
        &platform,
        &basic("other.atlassian.net"),
        &pages_only("storage"),
        Some(&state),
    )
    .map(|_| ())
    .unwrap_err();
    assert!(
        matches!(&err, Error::InvalidInput(f) if f.field == "state" && f.message.contains("acme.atlassian.net")),
        "{err:?}"
    );
    assert_eq!(platform.sent().len(), sent, "nothing is sent");
}

#[test]
fn a_since_in_the_future_makes_a_full_run_with_a_warning() {
    let platform = scripted(vec![
        list(vec![page("1")], None),
        list(vec![page("1")], None),
    ]);
    let connection = basic("acme.atlassian.net");
    let (_, state) = run_to_end(&platform, &connection, &pages_only("storage"), None).unwrap();
    let mut state: Value = serde_json::from_str(&state).unwrap();
    state["since"] = json!(4_000_000_000u64);
    run_to_end(
        &platform,
        &connection,
        &pages_only("storage"),
        Some(state.to_string()),
    )
    .unwrap();
    let second = &platform.sent()[1].url;
    assert!(
        !second.contains("now%28"),
        "an incremental request: {second}"
    );
    assert!(
        platform.logs().iter().any(|l| l.contains("after now")),
        "{:?}",
        platform.logs()
    );
}
