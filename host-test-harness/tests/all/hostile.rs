//! Hostile servers: answers that are broken, huge, slow, looping, redirecting
//! elsewhere or rate-limiting without end. Each call must end in the right
//! `error` case, in bounded time, with no trap; writes are never repeated
//! unless the user asked.

use crate::common;
use crate::common::{basic, basic_with, body_json, expect_error, host};
use crate::local_server;
use host_test_harness::{CallOptions, ConnectorError, Har, Outcome, Output};
use serde_json::{Value, json};
use std::io::Write;
use std::time::{Duration, Instant};

const SITE: &str = "https://acme.atlassian.net";
const SPACE: &str =
    r#"{"id":"98306","key":"ENG","name":"Engineering","type":"global","status":"current"}"#;

/// One recorded answer: method, URL, status, headers, body.
type Answer<'a> = (&'a str, String, u16, &'a [(&'a str, &'a str)], &'a str);

/// A HAR answering `answers` in order.
fn har(answers: &[Answer]) -> Har {
    let entries: Vec<Value> = answers
        .iter()
        .map(|(method, url, status, headers, body)| {
            let headers: Vec<Value> = headers
                .iter()
                .map(|(n, v)| json!({"name": n, "value": v}))
                .collect();
            json!({
                "request": {"method": method, "url": url},
                "response": {"status": status, "headers": headers,
                             "content": {"mimeType": "application/json", "text": body}}
            })
        })
        .collect();
    serde_json::from_value(json!({"log": {"entries": entries}})).unwrap()
}

/// Runs `action` with `input` against a strict replay of `answers`.
fn replayed(action: &str, input: &str, answers: &[Answer]) -> Outcome<Output> {
    host()
        .invoke(
            action,
            &basic(),
            input,
            &CallOptions::replay(har(answers), true),
        )
        .unwrap()
}

fn get_space_url() -> String {
    format!("{SITE}/wiki/api/v2/spaces/98306")
}

#[test]
fn a_200_that_is_not_json_is_an_upstream_error() {
    for (what, body) in [
        ("malformed JSON", r#"{"id": "98306", "key": "#),
        (
            "an HTML page",
            "<!DOCTYPE html><html><body>Log in to Confluence</body></html>",
        ),
        ("a truncated document", &SPACE[..SPACE.len() / 2]),
        ("nothing but a BOM", "\u{feff}"),
    ] {
        let outcome = replayed(
            "get-space",
            r#"{"space-id": "98306"}"#,
            &[("GET", get_space_url(), 200, &[], body)],
        );
        match expect_error(outcome) {
            ConnectorError::Upstream(e) => {
                assert_eq!(e.status, 200, "{what}");
                assert!(
                    e.message.contains("not valid JSON"),
                    "{what}: {}",
                    e.message
                );
            }
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn retry_after_of_zero_a_past_date_or_garbage_still_retries_quickly() {
    for value in [
        "0",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "soon, maybe",
        "-5",
        "1.5",
    ] {
        let started = Instant::now();
        let outcome = replayed(
            "get-space",
            r#"{"space-id": "98306"}"#,
            &[
                (
                    "GET",
                    get_space_url(),
                    429,
                    &[("retry-after", value)],
                    r#"{"message":"slow down"}"#,
                ),
                ("GET", get_space_url(), 200, &[], SPACE),
            ],
        );
        assert_eq!(body_json(&outcome.result.unwrap())["key"], "ENG", "{value}");
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "{value}: {:?}",
            started.elapsed()
        );
    }
}

#[test]
fn a_429_on_every_call_ends_rate_limited_after_bounded_retries() {
    let answer: Answer = (
        "GET",
        get_space_url(),
        429,
        &[("retry-after", "0")],
        r#"{"message":"Rate limit exceeded","statusCode":429}"#,
    );
    let outcome = replayed("get-space", r#"{"space-id": "98306"}"#, &vec![answer; 5]);
    assert_eq!(outcome.exchanges.len(), 5);
    match expect_error(outcome) {
        ConnectorError::RateLimited(r) => {
            assert_eq!(r.retry_after_seconds, Some(0));
            assert_eq!(r.message, "Rate limit exceeded");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn server_errors_that_flap_are_retried_for_reads() {
    let url = format!("{SITE}/wiki/api/v2/pages?limit=250");
    let next = format!("{SITE}/wiki/api/v2/pages?cursor=c2&limit=250");
    let first = r#"{"results":[{"id":"1","title":"One"}],"_links":{"next":"/wiki/api/v2/pages?cursor=c2&limit=250"}}"#;
    let second = r#"{"results":[{"id":"2","title":"Two"}],"_links":{}}"#;
    let outcome = replayed(
        "list-pages",
        r#"{"fetch-all": true}"#,
        &[
            ("GET", url.clone(), 502, &[], "Bad Gateway"),
            ("GET", url, 200, &[], first),
            (
                "GET",
                next.clone(),
                503,
                &[("retry-after", "0")],
                "Service Unavailable",
            ),
            ("GET", next.clone(), 500, &[], "{\"message\":\"boom\"}"),
            ("GET", next, 200, &[], second),
        ],
    );
    // Each page is asked again until it answers, and not after: the failing
    // answers (one for the first page, two for the second) plus one answer
    // per page.
    let statuses: Vec<Option<u16>> = outcome.exchanges.iter().map(|e| e.status).collect();
    let (failing, pages) = (3, 2);
    assert_eq!(outcome.exchanges.len(), failing + pages, "{statuses:?}");
    assert_eq!(
        statuses,
        [502, 200, 503, 500, 200].map(Some),
        "{:?}",
        outcome.exchanges
    );
    assert!(outcome.unused_har_entries.is_empty());
    let body = body_json(&outcome.result.unwrap());
    assert_eq!(body["results"].as_array().unwrap().len(), 2);
}

#[test]
fn writes_are_not_repeated_after_a_server_error() {
    let create = r#"{"space-id": "98306", "title": "Once", "body": "<p>x</p>"}"#;
    let outcome = replayed(
        "create-page",
        create,
        &[(
            "POST",
            format!("{SITE}/wiki/api/v2/pages"),
            503,
            &[("retry-after", "0")],
            "Service Unavailable",
        )],
    );
    assert_eq!(outcome.exchanges.len(), 1);
    assert!(matches!(expect_error(outcome), ConnectorError::Upstream(e) if e.status == 503));

    let upload = r#"{"content-id": "11", "file-data": "aGk=", "file-name": "hi.txt"}"#;
    let outcome = replayed(
        "upload-attachment",
        upload,
        &[(
            "POST",
            format!("{SITE}/wiki/rest/api/content/11/child/attachment"),
            500,
            &[],
            "{\"message\":\"boom\"}",
        )],
    );
    assert_eq!(outcome.exchanges.len(), 1);
    assert!(matches!(expect_error(outcome), ConnectorError::Upstream(e) if e.status == 500));

    // A delete is idempotent: repeating it after a 503 cannot delete twice.
    let outcome = replayed(
        "delete-page",
        r#"{"page-id": "11"}"#,
        &[
            (
                "DELETE",
                format!("{SITE}/wiki/api/v2/pages/11"),
                503,
                &[("retry-after", "0")],
                "",
            ),
            (
                "DELETE",
                format!("{SITE}/wiki/api/v2/pages/11"),
                204,
                &[],
                "",
            ),
        ],
    );
    assert_eq!(outcome.result.unwrap().status, 204);
}

#[test]
fn a_cursor_that_repeats_stops_the_walk() {
    let url = format!("{SITE}/wiki/api/v2/spaces?limit=250");
    let next = format!("{SITE}/wiki/api/v2/spaces?cursor=same&limit=250");
    let page =
        r#"{"results":[{"id":"1"}],"_links":{"next":"/wiki/api/v2/spaces?cursor=same&limit=250"}}"#;
    // Other items, so that it is the cursor that gives the loop away.
    let again =
        r#"{"results":[{"id":"2"}],"_links":{"next":"/wiki/api/v2/spaces?cursor=same&limit=250"}}"#;
    let outcome = replayed(
        "list-spaces",
        r#"{"fetch-all": true}"#,
        &[("GET", url, 200, &[], page), ("GET", next, 200, &[], again)],
    );
    assert!(
        matches!(expect_error(outcome), ConnectorError::Upstream(e) if e.message.contains("already followed"))
    );
}

#[test]
fn a_next_link_to_another_host_is_refused() {
    for next in [
        "https://evil.example/wiki/api/v2/spaces?cursor=x",
        "//evil.example/wiki/api/v2/spaces?cursor=x",
        "https://acme.atlassian.net.evil.example/wiki/api/v2/spaces",
        "https://acme.atlassian.net@evil.example/wiki/api/v2/spaces",
    ] {
        let page = json!({"results": [{"id": "1"}], "_links": {"next": next}}).to_string();
        let outcome = replayed(
            "list-spaces",
            r#"{"fetch-all": true}"#,
            &[(
                "GET",
                format!("{SITE}/wiki/api/v2/spaces?limit=250"),
                200,
                &[],
                &page,
            )],
        );
        assert_eq!(outcome.exchanges.len(), 1, "{next}");
        assert!(
            matches!(expect_error(outcome), ConnectorError::Upstream(e) if e.message.contains("refused")),
            "{next}"
        );
    }
}

// ---- A server on 127.0.0.1 for what a HAR cannot express ----------------------

fn live(port: u16, extra_hosts: &[&str]) -> (host_test_harness::Connection, CallOptions) {
    let connection =
        basic_with(json!({"email": "jane@acme.com", "host": format!("http://127.0.0.1:{port}")}));
    let mut hosts = vec!["127.0.0.1"];
    hosts.extend_from_slice(extra_hosts);
    (
        connection,
        CallOptions::live(&hosts).secret("api-token", "tok-SECRET"),
    )
}

#[test]
fn a_body_cut_short_is_a_transport_error_after_bounded_retries() {
    let server = local_server::serve_with(|stream| {
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\nconnection: close\r\n\r\n{\"id\":\"98306\"");
    });
    let (connection, options) = live(server.port, &[]);
    let started = Instant::now();
    let outcome = host()
        .invoke(
            "get-space",
            &connection,
            r#"{"space-id": "98306"}"#,
            &options,
        )
        .unwrap();
    assert!(matches!(
        expect_error(outcome),
        ConnectorError::Transport(_)
    ));
    assert_eq!(server.received().len(), 5, "a read is tried five times");
    assert!(
        started.elapsed() < Duration::from_secs(15),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_body_over_the_cap_is_refused_once() {
    let server = local_server::serve_with(|stream| {
        let size = 33 * 1024 * 1024;
        let head = format!(
            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {size}\r\nconnection: close\r\n\r\n"
        );
        let _ = stream.write_all(head.as_bytes());
        let chunk = vec![b' '; 1024 * 1024];
        for _ in 0..33 {
            if stream.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    let (connection, options) = live(server.port, &[]);
    let outcome = host()
        .invoke(
            "get-space",
            &connection,
            r#"{"space-id": "98306"}"#,
            &options,
        )
        .unwrap();
    match expect_error(outcome) {
        ConnectorError::Upstream(e) => assert!(e.message.contains("larger than"), "{}", e.message),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.received().len(), 1);
}

/// A server that sends its headers and then one byte a second, forever.
fn dripping() -> local_server::Server {
    local_server::serve_with(|stream| {
        let _ = stream.write_all(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{",
        );
        for _ in 0..120 {
            std::thread::sleep(Duration::from_secs(1));
            if stream.write_all(b" ").is_err() {
                return;
            }
        }
    })
}

#[test]
fn a_body_sent_slowly_ends_at_the_call_time_limit() {
    let server = dripping();
    let (connection, mut options) = live(server.port, &[]);
    options.time_limit = Duration::from_secs(3);
    let started = Instant::now();
    let failure = host()
        .invoke(
            "get-space",
            &connection,
            r#"{"space-id": "98306"}"#,
            &options,
        )
        .unwrap_err();
    assert!(failure.to_string().contains("time limit"), "{failure}");
    assert!(
        started.elapsed() < Duration::from_secs(6),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_body_sent_slowly_ends_at_the_request_timeout() {
    let server = dripping();
    let (connection, options) = live(server.port, &[]);
    let started = Instant::now();
    let outcome = host()
        .invoke(
            "raw-request",
            &connection,
            r#"{"url": "/wiki/api/v2/spaces", "timeout": 400}"#,
            &options,
        )
        .unwrap();
    let err = expect_error(outcome);
    assert!(
        matches!(&err, ConnectorError::Transport(m) if m.contains("in time")),
        "{err:?}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn a_redirect_to_another_host_is_followed_without_the_credentials() {
    let elsewhere = local_server::serve(
        200,
        &[("content-type", "application/json")],
        r#"{"id":"98306","key":"ENG"}"#,
        Duration::ZERO,
    );
    let location = format!("http://localhost:{}/landing?token=t", elsewhere.port);
    let site = local_server::serve(302, &[("location", &location)], "", Duration::ZERO);
    let (connection, options) = live(site.port, &["localhost"]);
    let outcome = host()
        .invoke(
            "get-space",
            &connection,
            r#"{"space-id": "98306"}"#,
            &options,
        )
        .unwrap();
    assert_eq!(body_json(&outcome.result.unwrap())["key"], "ENG");
    let authorization = |server: &local_server::Server| {
        server.received()[0]
            .headers
            .iter()
            .find(|(name, _)| name == "authorization")
            .map(|(_, value)| value.clone())
    };
    assert!(authorization(&site).is_some_and(|v| v.starts_with("Basic ")));
    assert_eq!(authorization(&elsewhere), None);
}

#[test]
fn a_removed_endpoint_names_itself_and_what_to_use_instead() {
    // What the api.atlassian.com gateway answers for the v1 endpoints it removed.
    let options = CallOptions {
        http: host_test_harness::HttpMode::Respond {
            status: 410,
            content_type: "application/json".into(),
            body: r#"{"message":"GoneException: This deprecated endpoint has been removed"}"#
                .into(),
        },
        ..CallOptions::default()
    };
    let connection = common::oauth(json!({"cloud-id": "c1"}));
    let outcome = host()
        .invoke("search", &connection, r#"{"cql": "type = page"}"#, &options)
        .unwrap();
    assert_eq!(outcome.exchanges.len(), 1, "a 410 is not retried");
    match expect_error(outcome) {
        ConnectorError::Upstream(e) => {
            assert_eq!(e.status, 410);
            assert!(
                e.message
                    .contains("/wiki/rest/api/search answered 410 Gone")
                    && e.message.contains("GoneException")
                    && e.message.contains("instead"),
                "{}",
                e.message
            );
        }
        other => panic!("{other:?}"),
    }
}
